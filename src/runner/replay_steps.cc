#include "runner/replay_steps.h"

#include <fmt/format.h>

#include <atomic>
#include <thread>

#include "runner/case_run.h"
#include "runner/expect_check.h"
#include "runner/tls_facts.h"

namespace tollgate::runner {

StatusOr<std::vector<ClientResponse>> SendTogether(
    Transport& transport, const ClientRequest& q, int copies,
    std::vector<std::chrono::steady_clock::time_point>* released) {
  std::vector<ClientResponse> responses(static_cast<std::size_t>(copies < 1 ? 1 : copies));
  std::vector<std::chrono::steady_clock::time_point> starts(responses.size());
  if (responses.size() == 1) {
    starts[0] = std::chrono::steady_clock::now();
    ASSIGN_OR_RETURN(responses[0], transport.Send(q));
    if (released) *released = std::move(starts);
    return responses;
  }
  std::vector<Status> errors(responses.size());
  std::vector<std::thread> threads;
  std::atomic<std::size_t> ready{0};
  for (std::size_t i = 0; i < responses.size(); ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < responses.size()) std::this_thread::yield();
      starts[i] = std::chrono::steady_clock::now();
      StatusOr<ClientResponse> r = transport.Send(q);
      if (r.ok()) {
        responses[i] = std::move(r).value();
      } else {
        errors[i] = r.status();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : errors) RETURN_IF_ERROR(s);
  if (released) *released = std::move(starts);
  return responses;
}

bool CaseRun::RunReplay(const Step& step, const ReplayStep& replay) {
  const ClientRequest* q = nullptr;
  if (replay.what == "previous") {
    if (previous_) q = &*previous_;
  } else if (auto it = sent_.find(replay.what); it != sent_.end()) {
    q = &it->second;
  }
  if (!q) return Error(step, "nothing to replay: no request `" + replay.what + "` was sent");
  StatusOr<std::vector<ClientResponse>> sent = SendTogether(*run_.transport, *q, replay.concurrent);
  if (!sent.ok()) return Error(step, sent.status().message());
  std::vector<ClientResponse>& copies = *sent;
  for (std::size_t i = 0; i < copies.size(); ++i) {
    Log(*q, copies[i],
        copies.size() > 1 ? fmt::format("replay copy {}/{}", i + 1, copies.size()) : "replay");
    if (step.expect) {
      if (std::optional<RefusedNote> note = RefusalNote(*step.expect, copies[i])) Note(*note);
    }
    Keep(copies.size() > 1 ? fmt::format("replay {}/{}", i + 1, copies.size()) : "replay", *q,
         copies[i], step.loc);
  }
  if (step.save) scope_.Save(*step.save, Record(*q, copies.front()));
  for (const ClientResponse& r : copies) {
    if (Unanswered(r)) return Error(step, "target did not answer: " + DescribeOutcome(r));
  }
  if (!step.expect) return true;
  auto failures = replay.concurrent == 1 && !step.expect->exactly_one
                      ? CheckResponse(*step.expect, copies[0], scope_)
                      : CheckConcurrent(*step.expect, copies, scope_);
  if (!failures.ok()) return Error(step, failures.status().message());
  return Fail(std::move(failures).value());
}

}  // namespace tollgate::runner
