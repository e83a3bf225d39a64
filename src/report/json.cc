// The JSON report: the same results as data, schema "tollgate.results/1", documented in
// docs/json-report.md. Any change to field names or types needs a new schema version.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "report/record_json.h"
#include "report/text.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

// ordered_json keeps fields (and matrix keys) in the documented order, not sorted.
using Json = nlohmann::ordered_json;
using report::SaneSeconds;

constexpr std::string_view kSchema = "tollgate.results/1";

Json SummaryJson(const Counts& c) {
  return Json{{"tests", c.tests},
              {"passed", c.passed},
              {"failures", c.failures},
              {"errors", c.errors},
              {"skipped", c.skipped},
              {"warnings", c.warnings},
              {"waived", c.waived},
              {"stale_waivers", c.stale_waivers},
              {"verdict", VerdictName(RunVerdict(c))}};
}

const char* WaiverStateName(WaiverState w) {
  switch (w) {
    case WaiverState::kNone:
      return "none";
    case WaiverState::kWaived:
      return "waived";
    case WaiverState::kUnused:
      return "unused";
  }
  return "none";
}

Json WaiverJson(const CaseResult& c) {
  if (c.waiver == WaiverState::kNone) return nullptr;
  return Json{{"state", WaiverStateName(c.waiver)},
              {"reason", c.waiver_note.reason},
              {"expires", c.waiver_note.expires},
              {"location", c.waiver_note.where}};
}

Json EvidenceJson(const CaseResult& c) {
  Json out = Json::array();
  for (const StepEvidence& e : c.evidence) {
    out.push_back(Json{{"label", e.label},
                       {"location", e.where.ToString()},
                       {"record", report::EvidenceRecordJson(e)}});
  }
  return out;
}

Json TranscriptEntriesJson(const CaseResult& c) {
  Json out = Json::array();
  for (const TranscriptEntry& e : c.transcript) {
    out.push_back(report::TranscriptEntryJson(e));
  }
  return out;
}

Json RequirementsJson(const RunResult& run) {
  Json out = Json::array();
  for (const RequirementInfo& r : run.requirements) {
    out.push_back(Json{{"profile", r.profile},
                       {"id", r.id},
                       {"text", r.text},
                       {"source", r.source},
                       {"quote", r.quote},
                       {"severity", SeverityName(r.severity)}});
  }
  return out;
}

Json FailureJson(const CheckFailure& f) {
  return Json{{"type", f.type},
              {"message", f.message},
              {"expected", f.expected},
              {"actual", f.actual},
              {"location", f.where.ToString()}};
}

Json CaseJson(const CaseResult& c) {
  Json matrix = Json::object();
  for (const auto& [key, value] : c.matrix_values) matrix[key] = value;
  Json failures = Json::array();
  for (const CheckFailure& f : c.failures) failures.push_back(FailureJson(f));
  return Json{{"id", c.case_id},
              {"scenario", c.scenario_id},
              {"name", c.name},
              {"matrix", std::move(matrix)},
              {"requirements", c.requirements},
              {"tags", c.tags},
              {"verdict", VerdictName(c.verdict)},
              {"severity", SeverityName(c.severity)},
              {"outcome", OutcomeName(OutcomeOf(c))},
              {"waiver", WaiverJson(c)},
              {"seconds", SaneSeconds(c.seconds)},
              {"location", c.loc.ToString()},
              {"failures", std::move(failures)},
              {"error", c.error},
              {"skip_reason", c.skip_reason},
              {"skip_kind", c.skip_kind},
              {"transcript", RenderTranscript(c.transcript)},
              {"transcript_entries", TranscriptEntriesJson(c)},
              {"evidence", EvidenceJson(c)}};
}

Json SuiteJson(const SuiteResult& s) {
  Json cases = Json::array();
  for (const CaseResult& c : s.cases) cases.push_back(CaseJson(c));
  return Json{{"id", s.id},
              {"title", s.title},
              {"file", s.file},
              {"sha256", s.sha256},
              {"profile", s.profile},
              {"timestamp", s.timestamp},
              {"seconds", SaneSeconds(s.seconds)},
              {"summary", SummaryJson(RunResult::Count(s))},
              {"cases", std::move(cases)}};
}

}  // namespace

std::string RenderJson(const RunResult& run) {
  Json suites = Json::array();
  for (const SuiteResult& s : run.suites) suites.push_back(SuiteJson(s));
  const Json doc{{"schema", kSchema},
                 {"tool", {{"name", "tollgate"}, {"version", run.version}}},
                 {"target", run.target},
                 {"environment", run.environment},
                 {"timestamp", run.timestamp},
                 {"hostname", run.hostname},
                 {"shard", run.shard},
                 {"seconds", SaneSeconds(run.seconds)},
                 {"summary", SummaryJson(run.Count())},
                 {"requirements", RequirementsJson(run)},
                 {"suites", std::move(suites)}};
  // Results hold bytes a target sent; invalid UTF-8 becomes U+FFFD instead of throwing.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace tollgate
