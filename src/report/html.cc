// The HTML certification report: a page people read and sign off. Self-contained (inline
// CSS, no scripts, nothing fetched) so it can be archived and opened years later; every
// piece of result text is escaped by the helpers in html_parts/text. It opens with the
// verdict and the list of failed and errored cases, so the first screen says what to fix.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "report/html_parts.h"
#include "report/text.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

using report::CaseAnchor;
using report::CaseEvidenceHtml;
using report::FirstLine;
using report::HtmlEscape;
using report::OutcomeChip;
using report::SaneSeconds;

constexpr std::string_view kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:0;background:#f4f5f7}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 10px;border-bottom:2px solid #e3e6ea;padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}h4{font-size:13px;margin:14px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:#4a5263}
h5{font-size:12px;margin:10px 0 2px;color:#4a5263}h6{font-size:11px;margin:4px 0;color:#6b7385}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #e6e8ec}
th{background:#f7f8fa;font-weight:600;white-space:nowrap}
code,pre{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
pre{background:#f7f8fa;border:1px solid #e3e6ea;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;margin:4px 0;max-height:420px;overflow:auto}
.case td,.case td code,.line code,.triage td.reason{overflow-wrap:anywhere;word-break:break-word}
.verdict{display:inline-block;font-size:20px;font-weight:700;padding:6px 18px;border-radius:6px;color:#fff;margin:10px 0}
.verdict.pass{background:#1f7a3d}.verdict.fail{background:#b42318}.verdict.error{background:#b54708}
.chip{display:inline-block;min-width:54px;text-align:center;font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 6px;border-radius:10px;color:#fff}
.chip.pass{background:#1f7a3d}.chip.fail{background:#b42318}.chip.error{background:#b54708}.chip.warning{background:#c4a000;color:#1d2330}
.chip.waived{background:#6941c6}.chip.skipped,.chip.not-run{background:#98a2b3}
.meta,.muted,.where{color:#6b7385;font-weight:400}table.summary{width:auto}.summary td,.summary th{border:none;padding:2px 24px 2px 0;background:none}
summary{cursor:pointer}.matrix td{font-size:13px}.matrix td:nth-child(5){min-width:200px}.matrix td:nth-child(3){max-width:150px;word-break:break-all}
.matrix td.req{white-space:nowrap;font-weight:600}.quote{color:#6b7385;font-style:italic;display:block;margin-top:2px}
.case{border:1px solid #e3e6ea;border-left:5px solid #98a2b3;border-radius:4px;padding:12px 14px;margin:14px 0}
.case.fail{border-left-color:#b42318}.case.error{border-left-color:#b54708}.case.warning{border-left-color:#c4a000}.case.waived{border-left-color:#6941c6}
.exchange{border-top:1px dashed #d0d5dd;margin-top:10px}.pair{display:flex;gap:10px}.pair>div{flex:1;min-width:0}
table.kv,table.headers{width:auto}h4 .where{text-transform:none;letter-spacing:0}table.kv th{background:none;color:#4a5263}ol.items{margin:0;padding-left:18px}
.waiver{background:#f4f0ff;border:1px solid #d9cdfb;padding:6px 8px;border-radius:4px}
a{color:#1849a9;text-decoration:none}a:hover{text-decoration:underline}
.counts{margin:0 0 6px}.triage{margin-top:8px}.triage h2{margin-top:12px;border-bottom-color:#f1c6c2}.triage td{font-size:13px}
.triage td.reason{min-width:260px}.triage td:nth-child(2),.triage td:nth-child(3){white-space:nowrap}
.date{color:#4a5263}pre.curl{max-height:none;user-select:all}details.curl{margin:6px 0}details.curl p{margin:2px 0}
)";

std::string E(std::string_view text) { return HtmlEscape(text); }

// Worst first: what a requirement's row shows when several cases check it.
int Rank(Outcome o) {
  switch (o) {
    case Outcome::kFail:
      return 0;
    case Outcome::kError:
      return 1;
    case Outcome::kWarning:
      return 2;
    case Outcome::kWaived:
      return 3;
    case Outcome::kPass:
      return 4;
    case Outcome::kSkipped:
      return 5;
  }
  return 5;
}

// The verdict and the counts: the first thing on the page.
std::string VerdictHeader(const Counts& n) {
  const char* verdict = VerdictName(RunVerdict(n));
  std::string verdict_text = verdict == std::string("pass")   ? "PASS"
                             : verdict == std::string("fail") ? "FAIL"
                                                              : "ERROR (not every check could run)";
  std::string notes;
  if (n.warnings)
    notes += fmt::format(" &middot; {} warning(s) on <i>should</i> requirements", n.warnings);
  if (n.waived) notes += fmt::format(" &middot; {} waived failure(s)", n.waived);
  if (n.stale_waivers)
    notes += fmt::format(" &middot; {} waiver(s) no longer needed", n.stale_waivers);
  return fmt::format(
      "<header><h1>tollgate certification report</h1><div class=\"verdict {}\">{}</div>"
      "<p class=\"counts\">{} passed, {} failed, {} errors, {} skipped of {} "
      "case(s){}</p></header>\n",
      verdict, verdict_text, n.passed, n.failures, n.errors, n.skipped, n.tests, notes);
}

// What was run where: after the triage list, since a reader opening a failing report
// wants the failures first.
std::string RunFacts(const RunResult& run) {
  std::string out = "<table class=\"summary\">";
  auto row = [&](const char* k, const std::string& v) {
    if (!v.empty()) out += fmt::format("<tr><th>{}</th><td>{}</td></tr>", k, E(v));
  };
  row("Target", run.target);
  row("Environment", run.environment);
  row("Harness", "tollgate " + run.version);
  row("Date", run.timestamp);
  row("Host", run.hostname);
  row("Shard", run.shard);
  row("Duration", fmt::format("{:.2f} s", SaneSeconds(run.seconds)));
  return out + "</table>\n";
}

// One line on why a case did not pass: its first failed check, or the first line of the
// harness error.
std::string Reason(const CaseResult& c) {
  std::string reason;
  if (!c.failures.empty()) {
    reason = std::string(FirstLine(c.failures.front().message));
    if (reason.empty()) reason = c.failures.front().type;
    if (c.failures.size() > 1) reason += fmt::format(" (+{} more)", c.failures.size() - 1);
  } else {
    reason = std::string(FirstLine(c.error));
  }
  // One line means one line: a target's 4 KiB error page must not push the list down.
  constexpr std::size_t kMax = 200;
  if (reason.size() > kMax) {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    reason = reason.substr(0, cut) + "\xE2\x80\xA6";
  }
  return reason;
}

// Every failed and errored case, worst first, each linked to its evidence: what a reader
// triages from, so it comes straight after the verdict.
std::string Triage(const RunResult& run, const std::map<const CaseResult*, int>& index) {
  std::vector<const CaseResult*> cases;
  for (const SuiteResult& s : run.suites) {
    for (const CaseResult& c : s.cases) {
      if (c.verdict == Verdict::kFail || c.verdict == Verdict::kError) cases.push_back(&c);
    }
  }
  if (cases.empty()) return "";
  std::stable_sort(cases.begin(), cases.end(), [](const CaseResult* a, const CaseResult* b) {
    return Rank(OutcomeOf(*a)) < Rank(OutcomeOf(*b));
  });
  std::string out = fmt::format(
      "<section class=\"triage\"><h2>Failed and errored cases ({})</h2><table><tr><th>Result</th>"
      "<th>Requirement</th><th>Severity</th><th>Case</th><th>Reason</th></tr>",
      cases.size());
  for (const CaseResult* c : cases) {
    std::string reqs;
    for (const std::string& r : c->requirements) reqs += (reqs.empty() ? "" : ", ") + r;
    auto it = index.find(c);
    const std::string name = it == index.end() ? E(c->name)
                                               : fmt::format("<a href=\"#{}\">{}</a>",
                                                             CaseAnchor(it->second), E(c->name));
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"reason\">{}</td></tr>",
        OutcomeChip(OutcomeOf(*c)), reqs.empty() ? "<span class=\"muted\">none</span>" : E(reqs),
        SeverityName(c->severity), name, E(Reason(*c)));
  }
  return out + "</table></section>\n";
}

std::string Matrix(const RunResult& run, const std::map<const CaseResult*, int>& index) {
  if (run.requirements.empty()) return "";
  std::string out =
      "<h2>Requirements</h2><table class=\"matrix\"><tr><th>Requirement</th><th>Severity</th>"
      "<th>Source</th><th>Text</th><th>Cases</th><th>Result</th></tr>";
  for (const RequirementInfo& r : run.requirements) {
    std::string cases, passed;
    int passed_count = 0;
    int worst = 99;
    Outcome worst_outcome = Outcome::kSkipped;
    for (const SuiteResult& s : run.suites) {
      if (s.profile != r.profile) continue;
      for (const CaseResult& c : s.cases) {
        bool checks = false;
        for (const std::string& id : c.requirements) checks = checks || id == r.id;
        if (!checks) continue;
        const Outcome o = OutcomeOf(c);
        if (Rank(o) < worst) worst = Rank(o), worst_outcome = o;
        auto it = index.find(&c);
        const std::string name =
            it == index.end()
                ? E(c.case_id)
                : fmt::format("<a href=\"#{}\">{}</a>", CaseAnchor(it->second), E(c.case_id));
        // Passing cases fold away: the row should show at a glance what went wrong.
        if (o == Outcome::kPass && c.waiver == WaiverState::kNone) {
          ++passed_count;
          passed += fmt::format("<div>{}</div>", name);
        } else {
          cases += fmt::format("<div>{} {}</div>", OutcomeChip(o), name);
        }
      }
    }
    if (passed_count > 0) {
      cases += fmt::format("<details><summary>{} {} passed</summary>{}</details>",
                           OutcomeChip(Outcome::kPass), passed_count, passed);
    }
    const std::string result =
        worst == 99 ? "<span class=\"chip not-run\">not run</span>" : OutcomeChip(worst_outcome);
    out += fmt::format(
        "<tr><td "
        "class=\"req\">{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
        E(r.id), SeverityName(r.severity), E(r.source), E(r.text),
        r.quote.empty() ? "" : "<span class=\"quote\">&ldquo;" + E(r.quote) + "&rdquo;</span>",
        cases.empty() ? "<span class=\"muted\">none in this run</span>" : cases, result);
  }
  return out + "</table>\n";
}

std::string Suites(const RunResult& run, const std::map<const CaseResult*, int>& index) {
  std::string out = "<h2>Results</h2>";
  for (const SuiteResult& s : run.suites) {
    out += fmt::format(
        "<h3>{} <span class=\"muted\">{} &middot; {}</span></h3><table>"
        "<tr><th>Result</th><th>Case</th><th>Requirements</th><th>Time</th></tr>",
        E(s.id), E(s.title), E(s.file));
    for (const CaseResult& c : s.cases) {
      std::string reqs;
      for (const std::string& r : c.requirements) reqs += (reqs.empty() ? "" : ", ") + r;
      auto it = index.find(&c);
      std::string name = it == index.end() ? E(c.name)
                                           : fmt::format("<a href=\"#{}\">{}</a>",
                                                         CaseAnchor(it->second), E(c.name));
      if (c.verdict == Verdict::kSkipped)
        name += " <span class=\"muted\">(" + E(c.skip_reason) + ")</span>";
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0f} ms</td></tr>",
                         OutcomeChip(OutcomeOf(c)), name, E(reqs), SaneSeconds(c.seconds) * 1000);
    }
    out += "</table>\n";
  }
  return out;
}

}  // namespace

std::string RenderHtml(const RunResult& run) {
  // Cases a reader must look into get an evidence section, numbered in report order.
  std::map<const CaseResult*, int> index;
  std::string evidence;
  for (const SuiteResult& s : run.suites) {
    for (const CaseResult& c : s.cases) {
      if (c.verdict == Verdict::kPass && c.waiver == WaiverState::kNone) continue;
      if (c.verdict == Verdict::kSkipped) continue;
      const int i = static_cast<int>(index.size()) + 1;
      index[&c] = i;
      evidence += CaseEvidenceHtml(c, i);
    }
  }
  const Counts n = run.Count();
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>tollgate certification report: {}</title><style>{}</style></head><body><main>\n",
      E(run.target), kStyle);
  out += VerdictHeader(n);
  out += Triage(run, index);
  out += RunFacts(run);
  out += Matrix(run, index);
  out += Suites(run, index);
  if (!evidence.empty()) out += "<h2>Evidence</h2>\n" + evidence;
  out += "<p class=\"muted\">Secrets are redacted (***) in everything above.</p>";
  return out + "</main></body></html>\n";
}

}  // namespace tollgate
