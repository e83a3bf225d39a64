// `wait:` and `clock:` steps: a real pause bounded by --max-wait, and a move of the shared
// clock (put back when the case ends).

#include <fmt/format.h>

#include <thread>

#include "runner/case_run.h"

namespace tollgate::runner {

bool CaseRun::RunWait(const Step& step, const WaitStep& wait) {
  // A duration the target documents (`for:`, a target setting) that is missing or unreadable
  // is the harness unable to check, not the target failing.
  StatusOr<Duration> total = ResolveWait(wait, scope_);
  if (!total.ok()) return Error(step, total.status().message());
  std::string source =
      wait.for_ ? fmt::format(" ({} plus {} ms)", wait.for_->raw(), wait.duration.count()) : "";
  if (*total > run_.options->max_wait) {
    return Error(step, fmt::format("wait of {} ms{} exceeds --max-wait ({} ms)", total->count(),
                                   source, run_.options->max_wait.count()));
  }
  Note(WaitNote{total->count(), wait.for_ ? wait.for_->raw() : "",
                wait.for_ ? static_cast<long long>(wait.duration.count()) : 0});
  std::this_thread::sleep_for(*total);
  return true;
}

bool CaseRun::RunClock(const Step& step, const ClockStep& clock) {
  moved_clock_ = true;
  run_.clock->SetOffset(clock.offset);
  Note(ClockNote{static_cast<long long>(clock.offset.count())});
  return true;
}

}  // namespace tollgate::runner
