#pragma once
// Reports read a RunResult and nothing else.

#include <ostream>
#include <string>
#include <utility>
#include <vector>

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

/// The HTML certification report: one self-contained page (inline CSS, no scripts, no
/// external resources) with the run's header and verdict, the requirement matrix, the
/// results per suite and, per case that did not pass, its evidence. Everything escaped.
std::string RenderHtml(const RunResult& run);

/// A case's transcript as text: "> " lines sent, "< " lines received (with the TLS facts
/// of the handshake), "= " lines for notes, in the order of `entries`. Every report that
/// shows a transcript (console -v, JUnit system-out, HTML, JSON) shows this text.
std::string RenderTranscript(const std::vector<TranscriptEntry>& entries);

/// Reads a JSON report back (for merging shards); `path` names the file in errors.
StatusOr<RunResult> ParseJsonResults(const std::string& text, const std::string& path);

/// Merges the results of shards of one run (path, run). Cases are joined by suite and case
/// id; the same case twice with different results is an error, as are inputs run against
/// different targets. `notes` (optional) receives harmless oddities: a missing shard, a
/// case counted once though present twice.
StatusOr<RunResult> MergeResults(const std::vector<std::pair<std::string, RunResult>>& inputs,
                                 std::vector<std::string>* notes);

/// Writes DIR/manifest.json: the SHA-256 and size of every other file under `dir`.
Status WriteManifest(const std::string& dir);

/// Checks the files under `dir` against DIR/manifest.json: one line per problem
/// ("modified: ...", "missing: ...", "not in the manifest: ..."); empty when it all holds.
/// An error Status when there is no readable manifest.
StatusOr<std::vector<std::string>> VerifyManifest(const std::string& dir);

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
