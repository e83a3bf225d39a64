#pragma once
// What a run produced: pure data. The runner writes these; reports read them and nothing
// else, so neither depends on the other.
// Every string here has already been through the run's Redactor.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "tollgate/base/source.h"

namespace tollgate {

/// The outcome of one case. kFail: the target broke a rule. kError: the harness could not
/// check (target unreachable, mock down, bad template value). Never mixed.
enum class Verdict { kPass, kFail, kError, kSkipped };

/// "pass", "fail", "error", "skipped".
const char* VerdictName(Verdict v);

/// One failed expectation.
struct CheckFailure {
  std::string type;     // "assert.status", "assert.header", "assert.json", ...
  std::string message;  // one line: "expected status 401, got 200"
  std::string expected;
  std::string actual;
  SourceLoc where;  // the expectation in the suite file
};

/// How much a failure matters, from the requirements a case checks (the strongest wins).
/// kMust: a failure fails the run. kShould: a failure is a warning, never a red exit.
enum class Severity { kMust, kShould };

/// "must", "should".
const char* SeverityName(Severity s);

/// Whether a waiver touched a case. kWaived: it failed and a live waiver covers it.
/// kUnused: a live waiver names it but it passed (the waiver has gone stale).
enum class WaiverState { kNone, kWaived, kUnused };

/// The waiver that applied to a case (state != kNone).
struct WaiverNote {
  std::string reason;
  std::string expires;  // YYYY-MM-DD, last day it applies
  std::string where;    // "waivers.yaml:12:5"
};

/// How the transport of one exchange ended (the http client's TransportOutcome, as data).
enum class ExchangeOutcome {
  kOk,
  kConnectFailed,
  kDnsFailed,
  kTimeout,
  kTlsRejected,
  kProtocolError
};

/// "ok", "connect failed", "dns failed", "timeout", "tls rejected", "protocol error".
const char* ExchangeOutcomeName(ExchangeOutcome o);

/// The outcome named `name` (ExchangeOutcomeName), or nullopt.
std::optional<ExchangeOutcome> ParseExchangeOutcome(std::string_view name);

/// Header fields in the order they were sent or received, duplicates kept.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// A request as sent, redacted (Authorization-like headers keep only their scheme).
struct RecordedRequest {
  std::string method;
  std::string url;
  HeaderList headers;
  std::string body;       // redacted, then cut to the record's cap
  bool body_cut = false;  // the body was longer than shown
};

/// What came back, redacted.
struct RecordedResponse {
  ExchangeOutcome outcome = ExchangeOutcome::kOk;
  /// Not kOk: what went wrong (for a refused handshake, the TLS library's detail).
  std::string error;
  std::string http_version;  // "1.1", "2"; empty when the client did not say
  int status = 0;
  HeaderList headers;
  std::string body;  // redacted, then cut to the record's cap
  bool body_cut = false;
  /// Evidence only: the whole body parsed as JSON, every string in it redacted, as compact
  /// JSON text (free-form: whatever the target sent); empty when the body is not JSON.
  std::string json;
  double total_ms = 0;  // from the start of the request to the end of the answer
};

/// One certificate of the chain a server presented.
struct RecordedCertificate {
  std::string subject;  // RFC 2253
  std::string issuer;
  std::string sha256;      // of the DER form, lower-case hex
  std::string not_before;  // ISO 8601 UTC
  std::string not_after;
  long days_left = 0;  // on the run's clock; negative: expired
  std::vector<std::string> sans;
};

/// A TLS alert seen on the connection.
struct RecordedAlert {
  int code = 0;
  std::string name;  // "certificate_expired"
};

/// The TLS facts of one exchange over https.
struct RecordedTls {
  std::string protocol;  // "TLSv1.3"; empty when the handshake did not finish
  std::string cipher;
  std::optional<RecordedAlert> alert_received;  // the first fatal alert from the server
  std::optional<RecordedAlert> alert_sent;      // the first fatal alert we sent
  /// Who refused the handshake: "none", "peer_alert", "we_refused_server", "other".
  std::string refusal = "none";
  bool certificate_requested = false;             // the server asked for a client certificate
  bool session_resumed = false;                   // the handshake resumed an earlier session
  std::vector<RecordedCertificate> server_chain;  // leaf first
  std::optional<bool> host_matched;               // the leaf matches the URL's host
  int verify_error = 0;                           // X509_V_ERR_* of our check of the server
  std::string verify_error_text;
  std::string client_cert_subject;  // the leaf we presented, if any
  std::string client_cert_sha256;
};

/// One request and what came of it.
struct RecordedExchange {
  RecordedRequest request;
  RecordedResponse response;
  std::optional<RecordedTls> tls;  // the URL was https
};

/// A JWT an exchange carried (or a step minted), decoded; never its signature.
struct DecodedToken {
  std::string where;   // "request Authorization: Bearer", "minted by issuer (mutation ...)"
  std::string header;  // the JOSE header, compact JSON text
  std::string claims;  // the claims, compact JSON text (a JSON string when not JSON)
};

/// One exchange of a case as evidence for the certification report. Bodies are cut at
/// 8,192 bytes (the transcript's at 2,048).
struct StepEvidence {
  std::string label;  // "request", "replay", "replay 2/5", "token request", "token minted"
  SourceLoc where;    // the step in the suite file
  std::optional<RecordedExchange> exchange;  // absent for a minted token
  std::vector<DecodedToken> tokens;
};

/// The transcript's entries, one kind per line (or block of lines) it shows. Reports render
/// them (report/transcript.cc); the runner only records them.
/// An exchange: "> METHOD URL", the request headers and body, the TLS line, the response.
struct TranscriptExchange {
  std::string label;  // "", "replay", "replay copy 2/5", "token"
  RecordedExchange exchange;
};
/// `sign:` applied to a request: the signer's own one-line account.
struct SignedNote {
  std::string text;
};
/// A request prepared for a later replay and not sent.
struct PreparedNote {
  std::string method;
  std::string url;
};
/// The ID token a `notify` step sent.
struct NotifyTokenNote {
  std::string mutation;  // empty: an honest token
  std::string claims;    // compact JSON text
};
/// The webhook signature a `notify` step applied.
struct WebhookNote {
  std::string scheme;
  std::string id;
  std::string variant;
};
/// A `wait` step.
struct WaitNote {
  long long total_ms = 0;
  std::string documented;  // the `for:` setting as written; empty without one
  long long plus_ms = 0;   // the step's own duration added to `for:`
};
/// A `received` step's count of journal entries.
struct ReceivedNote {
  std::string service;
  std::size_t count = 0;
};
/// A token minted by a `token` step.
struct MintedNote {
  std::string issuer;
  std::string mutation;
  std::string claims;  // compact JSON text
};
/// A `mock` step's action.
struct MockNote {
  std::string service;
  std::string action;
  std::string args;  // compact JSON text
};
/// A `clock` step.
struct ClockNote {
  long long offset_ms = 0;
};
/// A `race` step's release: how many copies, and how far apart the first and the last were
/// handed to the network (a small spread shows the copies really raced).
struct RaceNote {
  int copies = 0;
  long long spread_us = 0;
};
/// How the target refused, when the step asked about a refusal and it refused.
struct RefusedNote {
  std::string how;  // "TLS alert certificate_expired (45)", "HTTP 401"
};
/// A `tls: {audit: ...}` expectation's audit of the request's host, in one line.
struct TlsAuditNote {
  std::string summary;  // "client auth required; TLS 1.0 refused, ...; findings: ..."
};
/// Transcript text kept as it was written, for reports read back from files that hold no
/// entries (written before entries were recorded).
struct TranscriptText {
  std::string text;
};

/// One entry of a case's transcript.
using TranscriptEntry =
    std::variant<TranscriptExchange, SignedNote, PreparedNote, NotifyTokenNote, WebhookNote,
                 WaitNote, ReceivedNote, MintedNote, MockNote, ClockNote, RaceNote, RefusedNote,
                 TlsAuditNote, TranscriptText>;

/// One scenario case.
struct CaseResult {
  std::string suite_id;
  std::string scenario_id;
  std::string case_id;  // ScenarioCase::case_id
  std::string name;     // evaluated name, with "[k=v]" of matrix values appended
  std::vector<std::pair<std::string, std::string>> matrix_values;
  std::vector<std::string> requirements;
  std::vector<std::string> tags;
  Verdict verdict = Verdict::kPass;
  std::vector<CheckFailure> failures;  // kFail
  std::string error;                   // kError: the cause
  std::string skip_reason;             // kSkipped
  /// kSkipped: why, as a word for tools: "tags" (not selected by --tags), "slow" (a real
  /// wait, left out without --tags) or "external-target" (the case needs tollgate's shared
  /// clock or the in-process reference target, which an external target cannot observe).
  std::string skip_kind;
  /// What the case did, in order: exchanges and notes, redacted (bodies cut at 2,048 bytes).
  std::vector<TranscriptEntry> transcript;
  double seconds = 0;
  SourceLoc loc;  // the scenario in its file
  Severity severity = Severity::kMust;
  WaiverState waiver = WaiverState::kNone;
  WaiverNote waiver_note;
  std::vector<StepEvidence> evidence;  // the exchanges of the case, in order
};

/// What a case means for the run, after severity and waivers: a kFail of a `should`
/// case is a warning; a waived kFail is waived. Failures and errors are the only
/// outcomes that turn the exit code red.
enum class Outcome { kPass, kFail, kError, kSkipped, kWarning, kWaived };

/// The outcome of `c`.
Outcome OutcomeOf(const CaseResult& c);

/// "pass", "fail", "error", "skipped", "warning", "waived".
const char* OutcomeName(Outcome o);

/// One requirement of a profile, for the requirement matrix of the reports.
struct RequirementInfo {
  std::string profile;
  std::string id;
  std::string text;
  std::string source;  // source document
  std::string quote;
  Severity severity = Severity::kMust;
};

/// One suite file's results.
struct SuiteResult {
  std::string id;
  std::string title;
  std::string file;
  std::string sha256;
  std::string profile;
  std::vector<CaseResult> cases;
  double seconds = 0;
  std::string timestamp;  // ISO 8601 UTC, when the suite started
};

/// Counts over a set of cases, by Outcome. `failures` counts only failures that fail the
/// run; `warnings` (failed `should` cases) and `waived` cases are not in it.
/// `stale_waivers` counts passing cases whose waiver went unused (they are also passed).
struct Counts {
  int tests = 0, passed = 0, failures = 0, errors = 0, skipped = 0;
  int warnings = 0, waived = 0, stale_waivers = 0;
};

/// The verdict of a run with these counts: kFail when any check failed (a target that
/// broke a rule has failed, whatever else happened), else kError when the harness could not
/// run some case, else kPass. Reports and the exit code all follow it.
Verdict RunVerdict(const Counts& counts);

/// The whole run.
struct RunResult {
  std::string target;       // URL or mock:NAME
  std::string environment;  // environment name
  std::string version;      // tollgate version
  std::string timestamp;    // ISO 8601 UTC
  std::string hostname;
  std::vector<SuiteResult> suites;
  std::vector<RequirementInfo> requirements;  // of the profiles run, for the matrix
  std::string shard;                          // "2/4" when one shard of the cases ran
  double seconds = 0;

  Counts Count() const;
  static Counts Count(const SuiteResult& suite);
};

}  // namespace tollgate
