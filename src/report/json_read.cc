// Reads a JSON report (tollgate.results/1) back into a RunResult, so shard results can be
// merged and rendered again. Every field the writer emits is read; a file that is not a
// results document is an error naming the file and what was missing.

#include <nlohmann/json.hpp>
#include <string>

#include "report/record_json.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

// ordered_json keeps evidence records in the order they were written.
using Json = nlohmann::ordered_json;

// "file:line:column" back into its parts; a file name may itself hold colons.
SourceLoc ParseLoc(const std::string& text) {
  SourceLoc loc;
  std::string rest = text;
  auto take_number = [&](int& out) {
    const std::size_t colon = rest.rfind(':');
    if (colon == std::string::npos) return false;
    const std::string digits = rest.substr(colon + 1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 9) {
      return false;
    }
    out = std::stoi(digits);
    rest = rest.substr(0, colon);
    return true;
  };
  int last = 0, before = 0;
  if (take_number(last)) {
    if (take_number(before)) {
      loc.line = before;
      loc.column = last;
    } else {
      loc.line = last;
    }
  }
  loc.file = rest;
  return loc;
}

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double Num(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::vector<std::string> Strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const Json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

StatusOr<Verdict> ParseVerdict(const std::string& v) {
  if (v == "pass") return Verdict::kPass;
  if (v == "fail") return Verdict::kFail;
  if (v == "error") return Verdict::kError;
  if (v == "skipped") return Verdict::kSkipped;
  return InvalidArgumentError("unknown verdict `" + v + "`");
}

StatusOr<CaseResult> ParseCase(const Json& j, const std::string& suite_id) {
  if (!j.is_object()) return InvalidArgumentError("a case is not an object");
  CaseResult c;
  c.suite_id = suite_id;
  c.case_id = Str(j, "id");
  if (c.case_id.empty()) return InvalidArgumentError("a case of `" + suite_id + "` has no id");
  c.scenario_id = Str(j, "scenario");
  c.name = Str(j, "name");
  if (auto it = j.find("matrix"); it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      c.matrix_values.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  c.requirements = Strings(j, "requirements");
  c.tags = Strings(j, "tags");
  auto verdict = ParseVerdict(Str(j, "verdict"));
  if (!verdict.ok())
    return InvalidArgumentError("case `" + c.case_id + "`: " + verdict.status().message());
  c.verdict = *verdict;
  c.seconds = Num(j, "seconds");
  c.loc = ParseLoc(Str(j, "location"));
  if (auto it = j.find("failures"); it != j.end() && it->is_array()) {
    for (const Json& f : *it) {
      c.failures.push_back({Str(f, "type"), Str(f, "message"), Str(f, "expected"), Str(f, "actual"),
                            ParseLoc(Str(f, "location"))});
    }
  }
  c.error = Str(j, "error");
  c.skip_reason = Str(j, "skip_reason");
  c.skip_kind = Str(j, "skip_kind");
  // The typed entries when the file has them; an older file's text as it was written.
  if (auto it = j.find("transcript_entries"); it != j.end() && it->is_array()) {
    for (const Json& e : *it) {
      if (auto entry = report::TranscriptEntryFromJson(e)) {
        c.transcript.push_back(std::move(*entry));
      }
    }
  } else if (std::string text = Str(j, "transcript"); !text.empty()) {
    c.transcript.push_back(TranscriptText{std::move(text)});
  }
  c.severity = Str(j, "severity") == "should" ? Severity::kShould : Severity::kMust;
  if (auto it = j.find("waiver"); it != j.end() && it->is_object()) {
    const std::string state = Str(*it, "state");
    c.waiver = state == "waived"   ? WaiverState::kWaived
               : state == "unused" ? WaiverState::kUnused
                                   : WaiverState::kNone;
    c.waiver_note = {Str(*it, "reason"), Str(*it, "expires"), Str(*it, "location")};
  }
  if (auto it = j.find("evidence"); it != j.end() && it->is_array()) {
    for (const Json& e : *it) {
      auto record = e.find("record");
      c.evidence.push_back(report::EvidenceFromJson(Str(e, "label"), ParseLoc(Str(e, "location")),
                                                    record == e.end() ? Json::object() : *record));
    }
  }
  return c;
}

}  // namespace

StatusOr<RunResult> ParseJsonResults(const std::string& text, const std::string& path) {
  Json doc = Json::parse(text, nullptr, false);
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError(path + ": not a tollgate JSON report: " + why);
  };
  if (doc.is_discarded()) return bad("invalid JSON");
  if (!doc.is_object() || Str(doc, "schema") != "tollgate.results/1") {
    return bad("expected \"schema\": \"tollgate.results/1\"");
  }
  RunResult run;
  run.target = Str(doc, "target");
  run.environment = Str(doc, "environment");
  if (auto tool = doc.find("tool"); tool != doc.end() && tool->is_object()) {
    run.version = Str(*tool, "version");
  }
  run.timestamp = Str(doc, "timestamp");
  run.hostname = Str(doc, "hostname");
  run.shard = Str(doc, "shard");
  run.seconds = Num(doc, "seconds");
  if (auto reqs = doc.find("requirements"); reqs != doc.end() && reqs->is_array()) {
    for (const Json& r : *reqs) {
      run.requirements.push_back(
          {Str(r, "profile"), Str(r, "id"), Str(r, "text"), Str(r, "source"), Str(r, "quote"),
           Str(r, "severity") == "should" ? Severity::kShould : Severity::kMust});
    }
  }
  auto suites = doc.find("suites");
  if (suites == doc.end() || !suites->is_array()) return bad("no \"suites\" list");
  for (const Json& s : *suites) {
    SuiteResult suite;
    suite.id = Str(s, "id");
    if (suite.id.empty()) return bad("a suite has no id");
    suite.title = Str(s, "title");
    suite.file = Str(s, "file");
    suite.sha256 = Str(s, "sha256");
    suite.profile = Str(s, "profile");
    suite.timestamp = Str(s, "timestamp");
    suite.seconds = Num(s, "seconds");
    if (auto cases = s.find("cases"); cases != s.end() && cases->is_array()) {
      for (const Json& c : *cases) {
        auto parsed = ParseCase(c, suite.id);
        if (!parsed.ok()) return bad(parsed.status().message());
        suite.cases.push_back(std::move(parsed).value());
      }
    }
    run.suites.push_back(std::move(suite));
  }
  return run;
}

}  // namespace tollgate
