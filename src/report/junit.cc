// JUnit XML for CI tools, valid against junit-10.xsd (the Jenkins xunit schema). pugixml
// builds the tree and escapes & < > "; XmlSafe removes what XML 1.0 cannot carry at all,
// so the file parses whatever a target sent back.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "report/text.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

using report::FirstLine;
using report::SaneSeconds;
using report::XmlSafe;

// The schema's SUREFIRE_TIME pattern accepts digits and one dot: "1.234".
std::string JunitTime(double seconds) { return fmt::format("{:.3f}", SaneSeconds(seconds)); }

void SetAttr(pugi::xml_node node, const char* name, std::string_view value) {
  node.append_attribute(name).set_value(XmlSafe(value).c_str());
}

void SetAttr(pugi::xml_node node, const char* name, int value) {
  node.append_attribute(name).set_value(value);
}

void AddText(pugi::xml_node node, std::string_view text) {
  node.append_child(pugi::node_pcdata).set_value(XmlSafe(text).c_str());
}

void AddProperty(pugi::xml_node props, const char* name, std::string_view value) {
  pugi::xml_node p = props.append_child("property");
  SetAttr(p, "name", name);
  SetAttr(p, "value", value);
}

std::string FailureText(const CaseResult& c) {
  std::string text;
  for (const CheckFailure& f : c.failures) {
    text += fmt::format("{}\n  expected: {}\n  actual:   {}\n  at {}\n", f.message, f.expected,
                        f.actual, f.where.ToString());
  }
  return text;
}

// A warning or a waived failure is not a <failure> (CI tools would turn red), so what
// failed goes at the top of system-out, marked.
std::string NoteText(const CaseResult& c) {
  switch (OutcomeOf(c)) {
    case Outcome::kWarning:
      return "WARNING (should requirement; does not fail the run)\n" + FailureText(c);
    case Outcome::kWaived:
      return fmt::format("WAIVED until {} ({}): {}\n", c.waiver_note.expires, c.waiver_note.where,
                         c.waiver_note.reason) +
             FailureText(c);
    default:
      break;
  }
  if (c.waiver == WaiverState::kUnused) {
    return fmt::format("WAIVER NOT NEEDED: the case passes; remove the waiver at {} ({})\n",
                       c.waiver_note.where, c.waiver_note.reason);
  }
  return "";
}

std::string SystemOut(const CaseResult& c) {
  std::string out = NoteText(c);
  if (!c.requirements.empty()) {
    out += fmt::format("requirements: {}\n", fmt::join(c.requirements, ", "));
  }
  out += RenderTranscript(c.transcript);
  return out;
}

void AddCase(pugi::xml_node suite_node, const SuiteResult& suite, const CaseResult& c) {
  pugi::xml_node tc = suite_node.append_child("testcase");
  SetAttr(tc, "classname", suite.id);
  SetAttr(tc, "name", c.name);
  SetAttr(tc, "time", JunitTime(c.seconds));
  const Outcome outcome = OutcomeOf(c);
  switch (c.verdict) {
    case Verdict::kPass:
      break;
    case Verdict::kFail: {
      if (outcome == Outcome::kWarning || outcome == Outcome::kWaived) break;
      pugi::xml_node f = tc.append_child("failure");
      // A kFail always carries its failures; if a bug ever produced one without, the case
      // must still read as failed, not pass silently.
      if (c.failures.empty()) {
        SetAttr(f, "message", "failed without a recorded check");
        SetAttr(f, "type", "unknown");
      } else {
        SetAttr(f, "message", c.failures.front().message);
        SetAttr(f, "type", c.failures.front().type);
        AddText(f, FailureText(c));
      }
      break;
    }
    case Verdict::kError: {
      pugi::xml_node e = tc.append_child("error");
      SetAttr(e, "message", FirstLine(c.error));
      SetAttr(e, "type", "harness");
      if (!c.error.empty()) AddText(e, c.error);
      break;
    }
    case Verdict::kSkipped: {
      pugi::xml_node skipped = tc.append_child("skipped");
      SetAttr(skipped, "message", c.skip_reason);
      if (!c.skip_kind.empty()) SetAttr(skipped, "type", c.skip_kind);
      break;
    }
  }
  const std::string out = SystemOut(c);
  if (!out.empty()) AddText(tc.append_child("system-out"), out);
}

void AddSuite(pugi::xml_node root, const RunResult& run, const SuiteResult& suite) {
  // Counts come from the cases themselves, so they always equal the children.
  const Counts counts = RunResult::Count(suite);
  pugi::xml_node s = root.append_child("testsuite");
  SetAttr(s, "name", suite.id);
  SetAttr(s, "tests", counts.tests);
  SetAttr(s, "failures", counts.failures);
  SetAttr(s, "errors", counts.errors);
  SetAttr(s, "skipped", counts.skipped);
  // A suite's time is its wall time, never more than the run's: cases run in parallel, and
  // the suites of merged shards add up times that overlapped. Readers that compare a suite
  // with the whole run (CI dashboards) must not see a part longer than the whole.
  const double run_seconds = SaneSeconds(run.seconds);
  const double suite_seconds = SaneSeconds(suite.seconds);
  SetAttr(s, "time",
          JunitTime(run_seconds > 0 ? std::min(suite_seconds, run_seconds) : suite_seconds));
  if (!suite.timestamp.empty()) SetAttr(s, "timestamp", suite.timestamp);
  if (!run.hostname.empty()) SetAttr(s, "hostname", run.hostname);
  if (!suite.file.empty()) SetAttr(s, "file", suite.file);

  pugi::xml_node props = s.append_child("properties");
  AddProperty(props, "target", run.target);
  AddProperty(props, "environment", run.environment);
  AddProperty(props, "tollgate.version", run.version);
  AddProperty(props, "profile", suite.profile);
  AddProperty(props, "suite.sha256", suite.sha256);
  AddProperty(props, "suite.title", suite.title);
  if (!run.shard.empty()) AddProperty(props, "shard", run.shard);
  // Warnings and waivers as properties (a testcase cannot carry properties in this schema).
  for (const CaseResult& c : suite.cases) {
    const Outcome o = OutcomeOf(c);
    const std::string key = "case." + c.case_id;
    std::string result;
    if (o == Outcome::kWarning) result = "WARNING";
    if (o == Outcome::kWaived) result = "WAIVED";
    if (c.waiver == WaiverState::kUnused) result = "WAIVER-NOT-NEEDED";
    if (result.empty()) continue;
    AddProperty(props, (key + ".result").c_str(), result);
    AddProperty(props, (key + ".requirement").c_str(),
                fmt::format("{}", fmt::join(c.requirements, ",")));
    AddProperty(props, (key + ".severity").c_str(), SeverityName(c.severity));
    if (c.waiver != WaiverState::kNone) {
      AddProperty(props, (key + ".waiver").c_str(),
                  fmt::format("{} (expires {}, {})", c.waiver_note.reason, c.waiver_note.expires,
                              c.waiver_note.where));
    }
  }

  for (const CaseResult& c : suite.cases) AddCase(s, suite, c);
}

}  // namespace

std::string RenderJunit(const RunResult& run) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version").set_value("1.0");
  decl.append_attribute("encoding").set_value("UTF-8");

  // <testsuites> has no "skipped" attribute in junit-10.xsd.
  const Counts total = run.Count();
  pugi::xml_node root = doc.append_child("testsuites");
  SetAttr(root, "name", "tollgate");
  SetAttr(root, "tests", total.tests);
  SetAttr(root, "failures", total.failures);
  SetAttr(root, "errors", total.errors);
  SetAttr(root, "time", JunitTime(run.seconds));
  for (const SuiteResult& suite : run.suites) AddSuite(root, run, suite);

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

}  // namespace tollgate
