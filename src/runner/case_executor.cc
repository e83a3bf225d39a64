#include "runner/case_executor.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>
#include <variant>

#include "runner/case_scope.h"
#include "runner/evidence.h"
#include "runner/expect_check.h"
#include "runner/notify_steps.h"
#include "runner/sign_steps.h"
#include "runner/tls_facts.h"
#include "runner/token_steps.h"
#include "tollgate/base/encoding.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::runner {
namespace {

// Free-form JSON (claims, mock arguments) as the transcript shows it: compact.
std::string NoteJson(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

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

class CaseRun {
 public:
  CaseRun(const ScenarioCase& c, const RunContext& run) : case_(c), run_(run), scope_(&run) {}

  CaseResult Run();

 private:
  // Each returns false when the case must stop (failure or error recorded).
  bool RunStep(const Step& step);
  bool RunRequest(const Step& step, const RequestStep& req);
  bool RunNotify(const Step& step, const NotifyStep& notify);
  // Sends `q`, saves the exchange (merged into `extra`) and checks the step's expectations.
  bool Exchange(const Step& step, const ClientRequest& q, nlohmann::json extra);
  bool RunReplay(const Step& step, const ReplayStep& replay);
  // `tls: {identity, variant}`: the PKI files of that identity into `out`.
  Status PresentIdentity(const TlsOptions& tls, ClientTlsOptions& out);
  bool RunWait(const Step& step, const WaitStep& wait);
  bool RunReceived(const Step& step, const ReceivedStep& received);
  bool RunToken(const Step& step, const TokenStep& token);
  bool RunMock(const Step& step, const MockStep& mock);
  bool RunClock(const Step& step, const ClockStep& clock);

  StatusOr<ClientRequest> BuildRequest(const RequestStep& req);
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
  bool Fail(std::vector<CheckFailure> failures);
  bool Error(const Step& step, const std::string& message);

  const ScenarioCase& case_;
  const RunContext& run_;
  CaseScope scope_;
  CaseResult result_;
  std::vector<std::variant<TranscriptEntry, Logged>> transcript_;  // in the order they happened
  std::map<std::string, ClientRequest> sent_;  // save name -> request, for replay
  std::optional<ClientRequest> previous_;
  std::string last_webhook_id_;  // the previous signed notify's webhook id (duplicate_id)
  bool touched_mocks_ = false;   // a mock step ran: restore every mock after the case
  bool moved_clock_ = false;     // a clock step ran: put the shared clock back after the case
  std::vector<Kept> kept_;
};

StatusOr<ClientRequest> CaseRun::BuildRequest(const RequestStep& req) {
  ClientRequest q;
  q.tls.clock = run_.clock;  // days left on server certificates, on the shared clock
  ASSIGN_OR_RETURN(q.method, Eval(req.method));
  ASSIGN_OR_RETURN(q.url, Eval(req.url));
  for (const auto& [name, value] : req.headers) {
    ASSIGN_OR_RETURN(std::string v, Eval(value));
    q.headers.emplace_back(name, std::move(v));
  }
  if (req.auth) {
    if (req.auth->kind == AuthSpec::Kind::kBasic) {
      ASSIGN_OR_RETURN(std::string user, Eval(req.auth->user));
      ASSIGN_OR_RETURN(std::string password, Eval(req.auth->password));
      q.headers.emplace_back("Authorization", "Basic " + Base64Encode(user + ":" + password));
    } else {
      ASSIGN_OR_RETURN(std::string token, Eval(req.auth->token));
      q.headers.emplace_back("Authorization", "Bearer " + token);
    }
  }
  auto has_header = [&](const char* name) {
    for (const auto& [n, v] : q.headers) {
      if (EqualsIgnoreCase(n, name)) return true;
    }
    return false;
  };
  switch (req.body.kind) {
    case BodySpec::Kind::kNone:
      break;
    case BodySpec::Kind::kJson: {
      ASSIGN_OR_RETURN(nlohmann::json body, EvalJson(req.body.json.value, req.body.json.loc));
      q.body = body.dump();
      if (!has_header("Content-Type")) q.headers.emplace_back("Content-Type", "application/json");
      break;
    }
    case BodySpec::Kind::kForm: {
      for (const auto& [name, value] : req.body.form) {
        ASSIGN_OR_RETURN(std::string v, Eval(value));
        q.body += (q.body.empty() ? "" : "&") + PercentEncode(name) + "=" + PercentEncode(v);
      }
      if (!has_header("Content-Type")) {
        q.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      }
      break;
    }
    case BodySpec::Kind::kRaw: {
      ASSIGN_OR_RETURN(q.body, Eval(req.body.raw));
      break;
    }
  }
  if (req.timeout) q.timeout = *req.timeout;
  if (req.source_address) {
    ASSIGN_OR_RETURN(q.source_address, Eval(*req.source_address));
  }
  if (req.has_tls) {
    if (req.tls.identity || req.tls.variant) {
      RETURN_IF_ERROR(PresentIdentity(req.tls, q.tls));
    }
    if (req.tls.ca) {
      ASSIGN_OR_RETURN(q.tls.ca_file, Eval(*req.tls.ca));
    }
    if (req.tls.cert) {
      ASSIGN_OR_RETURN(q.tls.cert_file, Eval(*req.tls.cert));
    }
    if (req.tls.key) {
      ASSIGN_OR_RETURN(q.tls.key_file, Eval(*req.tls.key));
    }
    if (req.tls.min_version) q.tls.min_version = *req.tls.min_version;
    if (req.tls.max_version) q.tls.max_version = *req.tls.max_version;
    if (req.tls.insecure) q.tls.verify_peer = q.tls.verify_host = false;
    if (req.tls.ciphers) q.tls.ciphers = *req.tls.ciphers;
    if (req.tls.tls13_ciphers) q.tls.tls13_ciphers = *req.tls.tls13_ciphers;
    if (req.tls.security_level) q.tls.security_level = *req.tls.security_level;
  }
  // A TLS mock of the environment is trusted through its PKI root unless the step says
  // otherwise; any other HTTPS URL uses the system's trust store.
  if (q.tls.ca_file.empty()) q.tls.ca_file = run_.TrustFileFor(q.url);
  if (req.sign) {
    ASSIGN_OR_RETURN(nlohmann::json spec, EvalJson(req.sign->value, req.sign->loc));
    auto note = ApplySign(spec, q, run_, scope_.NewUuid());
    if (!note.ok()) return note.status().WithContext("at " + req.sign->loc.ToString());
    Note(SignedNote{*note});
  }
  return q;
}

Status CaseRun::PresentIdentity(const TlsOptions& tls, ClientTlsOptions& out) {
  std::string identity = "partner", variant;
  if (tls.identity) {
    ASSIGN_OR_RETURN(identity, Eval(*tls.identity));
  }
  if (tls.variant) {
    ASSIGN_OR_RETURN(variant, Eval(*tls.variant));
  }
  if (run_.env == nullptr) {
    return FailedPreconditionError("tls identity `" + identity +
                                   "` needs an environment with a PKI profile");
  }
  ASSIGN_OR_RETURN(pki::IdentityFiles files, run_.env->Identity(identity, variant));
  // Present exactly the generated chain (leaf first), whatever its defect.
  if (!tls.cert) out.cert_file = files.chain_file;
  if (!tls.key) out.key_file = files.key_file;
  // A hostile variant may be weak on purpose (RSA-1024, SHA-1): the client must send it.
  if (!variant.empty()) out.security_level = 0;
  return Status::Ok();
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

bool CaseRun::RunRequest(const Step& step, const RequestStep& req) {
  auto q = BuildRequest(req);
  if (!q.ok()) return Error(step, q.status().message());
  if (!req.send) {  // prepared for a later replay (the first use of a nonce, say)
    Note(PreparedNote{q->method, q->url});
    previous_ = *q;
    if (step.save) sent_[*step.save] = *q;
    return true;
  }
  return Exchange(step, *q, nlohmann::json::object());
}

bool CaseRun::RunNotify(const Step& step, const NotifyStep& notify) {
  auto built = BuildNotify(notify, run_, scope_, &last_webhook_id_);
  if (!built.ok()) return Error(step, built.status().message());
  if (built->saved.contains("token")) {
    const nlohmann::json& t = built->saved["token"];
    std::string mutation = t.value("mutation", "");
    Note(NotifyTokenNote{mutation, NoteJson(t.value("claims", nlohmann::json::object()))});
  }
  if (built->saved.contains("webhook")) {
    const nlohmann::json& w = built->saved["webhook"];
    Note(WebhookNote{w["scheme"].get<std::string>(), w["id"].get<std::string>(),
                     w["variant"].get<std::string>()});
  }
  if (built->request.tls.ca_file.empty()) {
    built->request.tls.ca_file = run_.TrustFileFor(built->request.url);
  }
  return Exchange(step, built->request, built->saved);
}

bool CaseRun::Exchange(const Step& step, const ClientRequest& q_in, nlohmann::json extra) {
  const ClientRequest* q = &q_in;
  auto r = run_.client->Send(*q);
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
  TransportOutcome o = r->outcome;
  bool expects_refusal = step.expect && (step.expect->rejected.value_or(false) || step.expect->tls);
  if (o == TransportOutcome::kConnectFailed || o == TransportOutcome::kDnsFailed ||
      o == TransportOutcome::kTimeout) {
    return Error(step, "target did not answer: " + DescribeOutcome(*r));
  }
  if (o == TransportOutcome::kTlsRejected && !expects_refusal && !step.expect) {
    return Error(step, DescribeOutcome(*r));
  }
  if (!step.expect) return true;
  auto failures = CheckResponse(*step.expect, *r, scope_);
  if (!failures.ok()) return Error(step, failures.status().message());
  return Fail(std::move(failures).value());
}

bool CaseRun::RunReplay(const Step& step, const ReplayStep& replay) {
  const ClientRequest* q = nullptr;
  if (replay.what == "previous") {
    if (previous_) q = &*previous_;
  } else if (auto it = sent_.find(replay.what); it != sent_.end()) {
    q = &it->second;
  }
  if (!q) return Error(step, "nothing to replay: no request `" + replay.what + "` was sent");
  std::vector<ClientResponse> copies(static_cast<std::size_t>(replay.concurrent));
  std::vector<Status> errors(copies.size());
  if (replay.concurrent == 1) {
    auto r = run_.client->Send(*q);
    if (!r.ok()) return Error(step, r.status().message());
    copies[0] = std::move(r).value();
  } else {
    // Start all copies together so they race in the target, as a replay attack would.
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    for (std::size_t i = 0; i < copies.size(); ++i) {
      threads.emplace_back([&, i] {
        ready.fetch_add(1);
        while (ready.load() < static_cast<int>(copies.size())) std::this_thread::yield();
        auto r = run_.client->Send(*q);
        if (r.ok())
          copies[i] = std::move(r).value();
        else
          errors[i] = r.status();
      });
    }
    for (std::thread& t : threads) t.join();
  }
  for (const Status& s : errors) {
    if (!s.ok()) return Error(step, s.message());
  }
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
    if (r.outcome == TransportOutcome::kConnectFailed ||
        r.outcome == TransportOutcome::kDnsFailed || r.outcome == TransportOutcome::kTimeout) {
      return Error(step, "target did not answer: " + DescribeOutcome(r));
    }
  }
  if (!step.expect) return true;
  auto failures = replay.concurrent == 1 && !step.expect->exactly_one
                      ? CheckResponse(*step.expect, copies[0], scope_)
                      : CheckConcurrent(*step.expect, copies, scope_);
  if (!failures.ok()) return Error(step, failures.status().message());
  return Fail(std::move(failures).value());
}

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

bool CaseRun::RunReceived(const Step& step, const ReceivedStep& received) {
  const Journal* journal = run_.env ? run_.env->GetJournal(received.service) : nullptr;
  if (!journal) return Error(step, "no running service `" + received.service + "` to ask");
  std::optional<std::string> method, path;
  if (received.method) {
    auto m = Eval(*received.method);
    if (!m.ok()) return Error(step, m.status().message());
    method = *m;
  }
  if (received.path) {
    auto p = Eval(*received.path);
    if (!p.ok()) return Error(step, p.status().message());
    path = *p;
  }
  std::uint64_t since = 0;
  if (received.since) {
    auto v = Eval(*received.since);
    if (!v.ok()) return Error(step, v.status().message());
    try {
      since = std::stoull(*v);
    } catch (const std::exception&) {
      return Error(step,
                   "`since` must be a journal position (a saved `last_seq`), got `" + *v + "`");
    }
  }
  std::vector<JournalEntry> all = journal->Snapshot();
  std::uint64_t last_seq = all.empty() ? journal->total() : all.back().seq;
  std::vector<JournalEntry> selected;
  for (JournalEntry& e : all) {
    if (e.seq <= since) continue;
    if (method && !EqualsIgnoreCase(e.method, *method)) continue;
    if (path && e.path != *path) continue;
    selected.push_back(std::move(e));
  }
  Note(ReceivedNote{received.service, selected.size()});
  if (step.save) {
    nlohmann::json list = nlohmann::json::array();
    for (const JournalEntry& e : selected) list.push_back(e.ToJson());
    scope_.Save(*step.save,
                {{"count", selected.size()}, {"entries", list}, {"last_seq", last_seq}});
  }
  if (!step.expect) return true;
  auto failures = CheckJournal(*step.expect, selected, scope_);
  if (!failures.ok()) return Error(step, failures.status().message());
  return Fail(std::move(failures).value());
}

bool CaseRun::RunToken(const Step& step, const TokenStep& token) {
  nlohmann::json saved;
  std::vector<CheckFailure> failures;
  if (token.kind == TokenStep::Kind::kMint) {
    auto minted = MintToken(token, run_, scope_);
    if (!minted.ok()) return Error(step, minted.status().message());
    saved = std::move(minted).value();
    const std::string mutation = saved["mutation"].get<std::string>();
    Note(MintedNote{token.issuer, mutation,
                    NoteJson(saved.value("claims", nlohmann::json::object()))});
    kept_.push_back(
        {"token minted", std::nullopt, std::nullopt, saved.value("token", ""),
         "minted by " + token.issuer + (mutation.empty() ? "" : " (mutation " + mutation + ")"),
         step.loc});
  } else {
    auto q = BuildTokenRequest(token, scope_);
    if (!q.ok()) return Error(step, q.status().message());
    if (q->tls.ca_file.empty()) q->tls.ca_file = run_.TrustFileFor(q->url);
    auto r = run_.client->Send(*q);
    if (!r.ok()) return Error(step, r.status().message());
    Log(*q, *r, "token");
    Keep("token request", *q, *r, step.loc);
    previous_ = *q;
    if (step.save) sent_[*step.save] = *q;
    if (r->outcome == TransportOutcome::kConnectFailed ||
        r->outcome == TransportOutcome::kDnsFailed || r->outcome == TransportOutcome::kTimeout) {
      return Error(step, "token endpoint did not answer: " + DescribeOutcome(*r));
    }
    saved = TokenResult(*r);
    // Tokens issued by a real token endpoint are credentials: keep them out of every output.
    for (const char* k : {"access_token", "refresh_token"}) {
      if (saved.contains(k) && saved[k].is_string())
        run_.redactor->AddSecret(saved[k].get<std::string>());
    }
    saved["response"] = Record(*q, *r)["response"];
    if (step.expect) {
      auto checked = CheckResponse(*step.expect, *r, scope_);
      if (!checked.ok()) return Error(step, checked.status().message());
      failures = std::move(checked).value();
    } else if (r->status / 100 != 2) {
      failures.push_back({"assert.status", "token endpoint answered " + DescribeOutcome(*r), "2xx",
                          DescribeOutcome(*r), step.loc});
    }
  }
  if (step.save) scope_.Save(*step.save, saved);
  if (step.expect && step.expect->token) {
    for (CheckFailure& f : CheckToken(*step.expect->token, saved, run_))
      failures.push_back(std::move(f));
  }
  return Fail(std::move(failures));
}

bool CaseRun::RunMock(const Step& step, const MockStep& mock) {
  MockService* service = run_.env ? run_.env->Service(mock.service) : nullptr;
  if (!service) return Error(step, "no running service `" + mock.service + "` to control");
  auto args = EvalJson(mock.args, mock.loc);
  if (!args.ok()) return Error(step, args.status().message());
  touched_mocks_ = true;
  Note(MockNote{mock.service, mock.action, NoteJson(*args)});
  if (Status st = service->Control(mock.action, *args); !st.ok()) return Error(step, st.message());
  return true;
}

bool CaseRun::RunClock(const Step& step, const ClockStep& clock) {
  moved_clock_ = true;
  run_.clock->SetOffset(clock.offset);
  Note(ClockNote{static_cast<long long>(clock.offset.count())});
  return true;
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
  }
  result_.error = run_.redactor->Redact(result_.error);
  for (CheckFailure& f : result_.failures) {
    f.message = RedactFailureText(*run_.redactor, f.message);
    f.expected = run_.redactor->Redact(f.expected);
    f.actual = RedactFailureText(*run_.redactor, f.actual);
  }
  return result_;
}

}  // namespace

CaseResult RunCase(const ScenarioCase& c, const RunContext& run) { return CaseRun(c, run).Run(); }

}  // namespace tollgate::runner
