#include "tollgate/scenario/observability.h"

#include <fmt/format.h>

namespace tollgate {
namespace {

bool TalksToTarget(const Step& step) {
  switch (step.kind) {
    case Step::Kind::kRequest:
    case Step::Kind::kReplay:
    case Step::Kind::kRace:
    case Step::Kind::kNotify:
      return true;
    case Step::Kind::kToken:
      return std::get<TokenStep>(step.body).kind == TokenStep::Kind::kFetch;
    default:
      return false;
  }
}

std::string FormatOffset(Duration d) {
  long long ms = d.count();
  std::string sign = ms < 0 ? "-" : "";
  ms = ms < 0 ? -ms : ms;
  if (ms % 3600000 == 0) return fmt::format("{}{}h", sign, ms / 3600000);
  if (ms % 60000 == 0) return fmt::format("{}{}m", sign, ms / 60000);
  if (ms % 1000 == 0) return fmt::format("{}{}s", sign, ms / 1000);
  return fmt::format("{}{}ms", sign, ms);
}

}  // namespace

const Step* SharedClockStep(const Scenario& scenario) {
  const Step* clock = nullptr;
  for (const Step& step : scenario.steps) {
    if (step.kind == Step::Kind::kClock && !clock) clock = &step;
    if (clock && TalksToTarget(step)) return clock;
  }
  return nullptr;
}

const Step* ReferenceStateStep(const Scenario& scenario, std::string_view reference_service) {
  if (reference_service.empty()) return nullptr;
  for (const Step& step : scenario.steps) {
    if (step.kind == Step::Kind::kMock &&
        std::get<MockStep>(step.body).service == reference_service) {
      return &step;
    }
    if (step.kind == Step::Kind::kReceived &&
        std::get<ReceivedStep>(step.body).service == reference_service) {
      return &step;
    }
  }
  return nullptr;
}

std::optional<std::string> ExternalTargetBlocker(const Scenario& scenario,
                                                 std::string_view reference_service) {
  if (const Step* clock = SharedClockStep(scenario)) {
    return fmt::format(
        "moves tollgate's shared clock (`clock: {{offset: {}}}` at {}) and then expects the "
        "target to act on it; an external target keeps its own clock",
        FormatOffset(std::get<ClockStep>(clock->body).offset), clock->loc.ToString());
  }
  if (const Step* step = ReferenceStateStep(scenario, reference_service)) {
    return fmt::format(
        "{} the in-process reference target `{}` (`{}` at {}), not the target under test",
        step->kind == Step::Kind::kMock ? "controls" : "reads the journal of", reference_service,
        step->kind == Step::Kind::kMock ? "mock" : "received", step->loc.ToString());
  }
  return std::nullopt;
}

}  // namespace tollgate
