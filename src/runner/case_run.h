#pragma once
// One scenario case being run: the step loop, the state its steps share (what was sent, the
// transcript, the evidence kept) and the shared recording. Each step kind's method lives
// with that kind's helpers in its own file:
//   case_executor.cc  the step loop, exchanges, recording, the CaseResult
//   request_steps.cc  `request:` (building the request, presenting a PKI identity)
//   dpop_steps.cc     `dpop:` on a request or a token fetch
//   replay_steps.cc   `replay:` (single and concurrent)
//   race_steps.cc     `race:`
//   notify_steps.cc   `notify:`
//   token_steps.cc    `token:`
//   mock_steps.cc     `mock:` and `received:`
//   time_steps.cc     `wait:` and `clock:`
// Private to the runner; RunCase (case_executor.h) is the way in.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "runner/case_scope.h"
#include "runner/run_context.h"
#include "tollgate/http/client.h"
#include "tollgate/results.h"
#include "tollgate/scenario/expand.h"
#include "tollgate/scenario/model.h"

namespace tollgate::runner {

class CaseRun {
 public:
  CaseRun(const ScenarioCase& c, const RunContext& run) : case_(c), run_(run), scope_(&run) {}

  CaseResult Run();

 private:
  // Each Run* returns false when the case must stop (failure or error recorded).
  bool RunStep(const Step& step);
  // request_steps.cc
  bool RunRequest(const Step& step, const RequestStep& req);
  StatusOr<ClientRequest> BuildRequest(const RequestStep& req);
  // `tls: {identity, variant}`: the PKI files of that identity into `out`.
  Status PresentIdentity(const TlsOptions& tls, ClientTlsOptions& out);
  // `forwarded_cert:`: the forged client-certificate headers into `q`.
  Status ForgeForwardedCert(const ForwardedCertSpec& spec, ClientRequest& q);
  // dpop_steps.cc: `dpop:`: the proof(s) into `q` (or the request-level attack), noted in
  // the transcript and kept in dpop_record_ for the step's saved result.
  Status AttachDpop(const DpopSpec& spec, ClientRequest& q);
  // The algorithm of the step's DPoP key: its own `alg`, else the suite's, else ES256.
  std::string DpopKeyAlg(const DpopSpec& spec) const;
  // replay_steps.cc
  bool RunReplay(const Step& step, const ReplayStep& replay);
  // race_steps.cc
  bool RunRace(const Step& step, const RaceStep& race);
  // notify_steps.cc
  bool RunNotify(const Step& step, const NotifyStep& notify);
  // token_steps.cc
  bool RunToken(const Step& step, const TokenStep& token);
  // mock_steps.cc
  bool RunMock(const Step& step, const MockStep& mock);
  bool RunReceived(const Step& step, const ReceivedStep& received);
  // time_steps.cc
  bool RunWait(const Step& step, const WaitStep& wait);
  bool RunClock(const Step& step, const ClockStep& clock);

  // Sends `q`, saves the exchange (merged into `extra`) and checks the step's expectations.
  bool Exchange(const Step& step, const ClientRequest& q, nlohmann::json extra);
  StatusOr<std::string> Eval(const Template& t) { return t.Evaluate(scope_); }
  StatusOr<nlohmann::json> EvalJson(const nlohmann::json& v, const SourceLoc& loc) {
    return EvaluateJson(v, scope_, loc);
  }
  // The exchange as a saved step result holds it (`save:`, docs/formats.md).
  nlohmann::json Record(const ClientRequest& q, const ClientResponse& r);
  // The transcript gets the exchange (`label`: "", "replay", "token", ...) or a note.
  void Log(const ClientRequest& q, const ClientResponse& r, const std::string& label);
  void Note(TranscriptEntry note) { transcript_.push_back(std::move(note)); }
  // Keeps the exchange as evidence for the report; its bearer token is decoded at the end.
  void Keep(const std::string& label, const ClientRequest& q, const ClientResponse& r,
            const SourceLoc& where);
  bool Fail(std::vector<CheckFailure> failures);
  bool Error(const Step& step, const std::string& message);
  // Free-form JSON (claims, mock arguments) as the transcript shows it: compact.
  static std::string NoteJson(const nlohmann::json& v);
  // True when nothing answered (refused, unresolved, timed out): the harness's error.
  static bool Unanswered(const ClientResponse& r);

  // An exchange as it happened, recorded for the transcript when the case ends (so that
  // it is redacted with every secret the case learnt).
  struct Logged {
    std::string label;
    ClientRequest request;
    ClientResponse response;
  };
  // An exchange (or a minted token) kept for the evidence, recorded when the case ends.
  struct Kept {
    std::string label;
    std::optional<ClientRequest> request;
    std::optional<ClientResponse> response;
    std::string token, token_where;
    SourceLoc where;
  };

  const ScenarioCase& case_;
  const RunContext& run_;
  CaseScope scope_;
  CaseResult result_;
  std::vector<std::variant<TranscriptEntry, Logged>> transcript_;  // in the order they happened
  std::map<std::string, ClientRequest> sent_;  // save name -> request, for replay
  std::optional<ClientRequest> previous_;
  std::string last_webhook_id_;  // the previous signed notify's webhook id (duplicate_id)
  std::string last_dpop_jti_;    // the jti of the case's previous DPoP proof (reused_jti)
  nlohmann::json dpop_record_;   // the last AttachDpop's proof, for `save:` (`NAME.dpop`)
  bool touched_mocks_ = false;   // a mock step ran: restore every mock after the case
  bool moved_clock_ = false;     // a clock step ran: put the shared clock back after the case
  std::vector<Kept> kept_;
};

}  // namespace tollgate::runner
