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
  std::string type;      // "assert.status", "assert.header", "assert.json", ...
  std::string message;   // one line: "expected status 401, got 200"
  std::string expected;
  std::string actual;
  SourceLoc where;       // the expectation in the suite file
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
  std::string transcript;              // redacted request/response log of the case
  double seconds = 0;
  SourceLoc loc;  // the scenario in its file
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

/// Counts over a set of cases.
struct Counts {
  int tests = 0, passed = 0, failures = 0, errors = 0, skipped = 0;
};

/// The whole run.
struct RunResult {
  std::string target;       // URL or mock:NAME
  std::string environment;  // environment name
  std::string version;      // tollgate version
  std::string timestamp;    // ISO 8601 UTC
  std::string hostname;
  std::vector<SuiteResult> suites;
  double seconds = 0;

  Counts Count() const;
  static Counts Count(const SuiteResult& suite);
};

}  // namespace tollgate
