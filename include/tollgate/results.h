#pragma once
// What a run produced: pure data. The runner writes these; reports read them and nothing
// else, so neither depends on the other.
// Every string here has already been through the run's Redactor.

#include <string>
#include <utility>
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

/// One exchange of a case, as data for the evidence in the HTML report: a JSON object
/// text with "request", "response" and whatever else the runner recorded ("tls",
/// "tokens"). Already redacted.
struct StepEvidence {
  std::string label;   // "request", "replay", "token"
  std::string record;  // JSON object text
  SourceLoc where;     // the step in the suite file
};

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
  std::string transcript;  // redacted request/response log of the case
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
