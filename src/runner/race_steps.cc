// `race:` steps: one request, built once (signed once, so every copy carries the same nonce
// or token), released as `copies` copies together; exactly one may succeed.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "runner/case_run.h"
#include "runner/expect_check.h"
#include "runner/notify_steps.h"
#include "runner/replay_steps.h"
#include "runner/tls_facts.h"
#include "runner/token_steps.h"

namespace tollgate::runner {

bool CaseRun::RunRace(const Step& step, const RaceStep& race) {
  ClientRequest q;
  if (race.request) {
    auto built = BuildRequest(*race.request);
    if (!built.ok()) return Error(step, built.status().message());
    q = std::move(built).value();
  } else if (race.token) {
    // One token request (one refresh token, one DPoP proof) sent as every copy.
    auto built = BuildTokenRequest(*race.token, scope_);
    if (!built.ok()) return Error(step, built.status().message());
    q = std::move(built).value();
    if (q.tls.ca_file.empty()) q.tls.ca_file = run_.TrustFileFor(q.url);
    if (race.token->dpop) {
      Status attached = AttachDpop(*race.token->dpop, q);
      if (!attached.ok()) {
        return Error(step,
                     attached.WithContext("dpop at " + race.token->dpop->loc.ToString()).message());
      }
    }
  } else if (race.notify) {
    // One notification (one AuthorisationID, one webhook id and signature) as every copy.
    auto built = BuildNotify(*race.notify, run_, scope_, &last_webhook_id_);
    if (!built.ok()) return Error(step, built.status().message());
    if (built->saved.contains("webhook")) {
      const nlohmann::json& w = built->saved["webhook"];
      Note(WebhookNote{w["scheme"].get<std::string>(), w["id"].get<std::string>(),
                       w["variant"].get<std::string>()});
    }
    q = std::move(built->request);
    if (q.tls.ca_file.empty()) q.tls.ca_file = run_.TrustFileFor(q.url);
  } else if (race.of == "previous" && previous_) {
    q = *previous_;
  } else if (auto it = sent_.find(race.of); it != sent_.end()) {
    q = it->second;
  } else {
    return Error(step, "nothing to race: no request `" + race.of + "` was sent");
  }
  std::vector<std::chrono::steady_clock::time_point> released;
  StatusOr<std::vector<ClientResponse>> sent =
      SendTogether(*run_.transport, q, race.copies, &released);
  if (!sent.ok()) return Error(step, sent.status().message());
  const std::vector<ClientResponse>& copies = *sent;
  auto [first, last] = std::minmax_element(released.begin(), released.end());
  Note(
      RaceNote{race.copies,
               static_cast<long long>(
                   std::chrono::duration_cast<std::chrono::microseconds>(*last - *first).count())});
  for (std::size_t i = 0; i < copies.size(); ++i) {
    Log(q, copies[i], fmt::format("race copy {}/{}", i + 1, copies.size()));
    if (step.expect) {
      if (std::optional<RefusedNote> note = RefusalNote(*step.expect, copies[i])) Note(*note);
    }
    Keep(fmt::format("race {}/{}", i + 1, copies.size()), q, copies[i], step.loc);
  }
  previous_ = q;
  for (const ClientResponse& r : copies) {
    if (Unanswered(r)) return Error(step, "target did not answer: " + DescribeOutcome(r));
  }
  // Exactly one winner is the point of a race: 2xx unless the step names the winning status.
  Expect expect = step.expect.value_or(Expect{});
  if (!expect.exactly_one) {
    StatusExpect success;
    success.any_of.push_back(*StatusPattern::Parse("2xx"));
    success.loc = step.loc;
    expect.exactly_one = success;
  }
  auto failures = CheckConcurrent(expect, copies, scope_);
  if (!failures.ok()) return Error(step, failures.status().message());
  return Fail(std::move(failures).value());
}

}  // namespace tollgate::runner
