#include "runner/case_executor.h"

#include <chrono>
#include <variant>

#include "runner/case_run.h"
#include "runner/evidence.h"
#include "runner/expect_check.h"
#include "runner/tls_audit_expect.h"
#include "runner/tls_facts.h"
#include "tollgate/base/encoding.h"
#include "tollgate/mocks/environment.h"

namespace tollgate::runner {
namespace {

// A failure text as shown. An expectation quotes at most the first 200 bytes of a body,
// ending the quote with "...`"; that cut came before redaction, so a head of a secret the cut
// left is hidden as well.
std::string RedactFailureText(const Redactor& red, const std::string& text) {
  static constexpr std::string_view kCut = "...`";
  if (text.size() >= kCut.size() &&
      text.compare(text.size() - kCut.size(), kCut.size(), kCut) == 0) {
    return red.RedactCutText(std::string_view(text).substr(0, text.size() - kCut.size())) +
           std::string(kCut);
  }
  return red.Redact(text);
}

}  // namespace

std::string CaseRun::NoteJson(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool CaseRun::Unanswered(const ClientResponse& r) {
  return r.outcome == TransportOutcome::kConnectFailed ||
         r.outcome == TransportOutcome::kDnsFailed || r.outcome == TransportOutcome::kTimeout;
}

nlohmann::json CaseRun::Record(const ClientRequest& q, const ClientResponse& r) {
  nlohmann::json req_headers = nlohmann::json::object();
  for (const auto& [n, v] : q.headers) req_headers[n] = v;
  nlohmann::json resp_headers = nlohmann::json::object();
  for (const auto& [n, v] : r.headers.items()) resp_headers[n] = v;
  nlohmann::json response = {{"status", r.status},
                             {"headers", resp_headers},
                             {"body", r.body},
                             {"outcome", TransportOutcomeName(r.outcome)},
                             {"duration_ms", r.timings.total_ms}};
  nlohmann::json parsed = nlohmann::json::parse(r.body, nullptr, false);
  if (!parsed.is_discarded()) response["json"] = parsed;
  nlohmann::json record = {
      {"request",
       {{"method", q.method}, {"url", q.url}, {"headers", req_headers}, {"body", q.body}}},
      {"response", response}};
  if (nlohmann::json tls = TlsRecord(q, r); !tls.is_null()) record["tls"] = std::move(tls);
  return record;
}

void CaseRun::Log(const ClientRequest& q, const ClientResponse& r, const std::string& label) {
  transcript_.push_back(Logged{label, q, r});
}

void CaseRun::Keep(const std::string& label, const ClientRequest& q, const ClientResponse& r,
                   const SourceLoc& where) {
  Kept k{label, q, r, "", "request Authorization: Bearer", where};
  for (const auto& [n, v] : q.headers) {
    if (EqualsIgnoreCase(n, "Authorization") && v.size() > 7 &&
        EqualsIgnoreCase(v.substr(0, 7), "Bearer ")) {
      k.token = v.substr(7);
    } else if (EqualsIgnoreCase(n, "Authorization") && v.size() > 5 &&
               EqualsIgnoreCase(v.substr(0, 5), "DPoP ")) {
      k.token = v.substr(5);
      k.token_where = "request Authorization: DPoP";
    }
  }
  kept_.push_back(std::move(k));
}

bool CaseRun::Fail(std::vector<CheckFailure> failures) {
  if (failures.empty()) return true;
  result_.verdict = Verdict::kFail;
  for (CheckFailure& f : failures) result_.failures.push_back(std::move(f));
  return false;
}

bool CaseRun::Error(const Step& step, const std::string& message) {
  result_.verdict = Verdict::kError;
  result_.error = message + " (step at " + step.loc.ToString() + ")";
  return false;
}

bool CaseRun::Exchange(const Step& step, const ClientRequest& q_in, nlohmann::json extra) {
  const ClientRequest* q = &q_in;
  auto r = run_.transport->Send(*q);
  if (!r.ok()) return Error(step, r.status().message());
  Log(*q, *r, "");
  if (step.expect) {
    if (std::optional<RefusedNote> note = RefusalNote(*step.expect, *r)) Note(*note);
  }
  Keep("request", *q, *r, step.loc);
  previous_ = *q;
  if (step.save) {
    sent_[*step.save] = *q;
    nlohmann::json saved = Record(*q, *r);
    for (auto& [k, v] : extra.items()) saved[k] = v;
    scope_.Save(*step.save, std::move(saved));
  }
  if (Unanswered(*r)) return Error(step, "target did not answer: " + DescribeOutcome(*r));
  if (r->outcome == TransportOutcome::kTlsRejected && !step.expect) {
    return Error(step, DescribeOutcome(*r));
  }
  if (!step.expect) return true;
  auto failures = CheckResponse(*step.expect, *r, scope_);
  if (!failures.ok()) return Error(step, failures.status().message());
  if (step.expect->tls && step.expect->tls->audit) {
    // The audit asks its own questions of the request's host, each bounded by the step's
    // timeout; a host that stops answering is an error of the step, not a verdict.
    auto options = AuditOptionsFor(*q, q->timeout, run_.clock);
    if (!options.ok()) return Error(step, options.status().message());
    auto audit = http::AuditTls(*options);
    if (!audit.ok()) return Error(step, "tls audit: " + audit.status().message());
    Note(TlsAuditNote{TlsAuditSummary(*audit)});
    for (CheckFailure& f : CheckTlsAudit(*step.expect->tls->audit, *audit)) {
      failures->push_back(std::move(f));
    }
  }
  return Fail(std::move(failures).value());
}

bool CaseRun::RunStep(const Step& step) {
  switch (step.kind) {
    case Step::Kind::kRequest:
      return RunRequest(step, std::get<RequestStep>(step.body));
    case Step::Kind::kReplay:
      return RunReplay(step, std::get<ReplayStep>(step.body));
    case Step::Kind::kWait:
      return RunWait(step, std::get<WaitStep>(step.body));
    case Step::Kind::kReceived:
      return RunReceived(step, std::get<ReceivedStep>(step.body));
    case Step::Kind::kToken:
      return RunToken(step, std::get<TokenStep>(step.body));
    case Step::Kind::kMock:
      return RunMock(step, std::get<MockStep>(step.body));
    case Step::Kind::kClock:
      return RunClock(step, std::get<ClockStep>(step.body));
    case Step::Kind::kNotify:
      return RunNotify(step, std::get<NotifyStep>(step.body));
    case Step::Kind::kRace:
      return RunRace(step, std::get<RaceStep>(step.body));
  }
  return Error(step, "unknown step kind");
}

CaseResult CaseRun::Run() {
  const Suite& suite = *case_.suite;
  const Scenario& sc = *case_.scenario;
  result_.suite_id = suite.id;
  result_.scenario_id = sc.id;
  result_.case_id = case_.case_id;
  result_.matrix_values = case_.matrix_values;
  result_.requirements = sc.requirements;
  result_.tags = case_.tags;
  result_.loc = sc.loc;
  auto start = std::chrono::steady_clock::now();
  for (const auto& [k, v] : case_.matrix_values) scope_.SetValue(k, v);
  scope_.SetDpopAlgs(&suite.dpop_keys);
  bool ok = true;
  for (const auto& [name, value] : suite.vars) {
    if (auto it = run_.options->vars.find(name); it != run_.options->vars.end()) {
      scope_.SetValue(name, it->second);
      continue;
    }
    auto v = Eval(value);
    if (!v.ok()) {
      result_.verdict = Verdict::kError;
      result_.error =
          "var `" + name + "`: " + v.status().message() + " (at " + value.loc().ToString() + ")";
      ok = false;
      break;
    }
    scope_.SetValue(name, *v);
  }
  auto name = Eval(sc.name);
  std::string title = name.ok() ? *name : sc.name.raw();
  std::string suffix;
  for (const auto& [k, v] : case_.matrix_values)
    suffix += (suffix.empty() ? "" : ", ") + k + "=" + v;
  result_.name =
      run_.redactor->Redact(sc.id + " " + title + (suffix.empty() ? "" : " [" + suffix + "]"));
  for (std::size_t i = 0; ok && i < sc.steps.size(); ++i) ok = RunStep(sc.steps[i]);
  // Shared state goes back as it was, so the next case starts clean (such cases run alone).
  if (touched_mocks_ && run_.env) run_.env->RestoreAll();
  if (moved_clock_) run_.clock->SetOffset(Duration(0));
  result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Recorded now, so that every secret the case learnt is redacted everywhere.
  const Redactor& red = *run_.redactor;
  for (auto& entry : transcript_) {
    if (auto* logged = std::get_if<Logged>(&entry)) {
      result_.transcript.push_back(TranscriptExchange{
          logged->label, RecordExchange(logged->request, logged->response, red, kTranscriptBody,
                                        /*parse_json=*/false)});
    } else {
      result_.transcript.push_back(RedactNote(std::get<TranscriptEntry>(std::move(entry)), red));
    }
  }
  // Evidence is for the cases a reader must look into; a pass needs none.
  for (const Kept& k : result_.verdict == Verdict::kPass ? std::vector<Kept>{} : kept_) {
    result_.evidence.push_back(MakeEvidence(k.label, k.request ? &*k.request : nullptr,
                                            k.response ? &*k.response : nullptr, k.token,
                                            k.token_where, k.where, red));
    // Each DPoP proof decoded (one with a private key in it is a secret: not decoded).
    for (const auto& [n, v] : k.request ? k.request->headers : ClientRequest{}.headers) {
      if (!EqualsIgnoreCase(n, "DPoP")) continue;
      if (auto proof = DecodeTokenEvidence(v, "request DPoP proof", red)) {
        result_.evidence.back().tokens.push_back(std::move(*proof));
      }
    }
  }
  result_.error = run_.redactor->Redact(result_.error);
  for (CheckFailure& f : result_.failures) {
    f.message = RedactFailureText(*run_.redactor, f.message);
    f.expected = run_.redactor->Redact(f.expected);
    f.actual = RedactFailureText(*run_.redactor, f.actual);
  }
  return result_;
}

CaseResult RunCase(const ScenarioCase& c, const RunContext& run) { return CaseRun(c, run).Run(); }

}  // namespace tollgate::runner
