#pragma once
// Reports read a RunResult and nothing else.

#include <ostream>
#include <string>

#include "tollgate/base/status.h"
#include "tollgate/results.h"

namespace tollgate {

/// JUnit XML valid against junit-10.xsd: <testsuites> root with totals; one <testsuite>
/// per suite file with <properties> (target, environment, version, profile, suite sha256);
/// one <testcase> per case (classname = suite id, name = "ID name [k=v]"); <failure> for a
/// broken rule, <error> for a harness problem, <skipped> for a case not run; the redacted
/// transcript in <system-out>. Counts equal the children.
std::string RenderJunit(const RunResult& run);

/// The JSON report (schema documented in docs/json-report.md), pretty-printed.
std::string RenderJson(const RunResult& run);

/// Writes `content` to `path`, creating parent folders.
Status WriteFile(const std::string& path, const std::string& content);

/// Console output options.
struct ConsoleOptions {
  bool color = false;    // ANSI colour; only on a terminal
  bool verbose = false;  // print transcripts of failed and errored cases
};

/// The line printed as a case finishes: "  PASS  CP-BA-001 name (12 ms)".
std::string ConsoleCaseLine(const CaseResult& c, const ConsoleOptions& opt);

/// The closing summary: failures with expected/actual/file:line, then counts, e.g.
/// "12 passed, 1 failed, 0 errors, 2 skipped in 0.41 s".
std::string ConsoleSummary(const RunResult& run, const ConsoleOptions& opt);

}  // namespace tollgate
