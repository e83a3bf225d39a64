// Console output: a line per case as it finishes, and a summary whose last line CI tools
// read. Text from results goes through TerminalSafe: a hostile response must not be able
// to move the cursor or fake a "PASS".

#include <fmt/color.h>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>

#include "report/text.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

using report::SaneSeconds;
using report::TerminalSafe;

struct VerdictStyle {
  const char* word;
  fmt::terminal_color color;
};

VerdictStyle StyleOf(Outcome o) {
  switch (o) {
    case Outcome::kWarning:
      return {"WARN", fmt::terminal_color::yellow};
    case Outcome::kWaived:
      return {"WAIVE", fmt::terminal_color::magenta};
    case Outcome::kPass:
      return {"PASS", fmt::terminal_color::green};
    case Outcome::kFail:
      return {"FAIL", fmt::terminal_color::red};
    case Outcome::kError:
      return {"ERROR", fmt::terminal_color::yellow};
    case Outcome::kSkipped:
      return {"SKIP", fmt::terminal_color::bright_black};
  }
  return {"?", fmt::terminal_color::white};
}

VerdictStyle StyleOf(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return {"PASS", fmt::terminal_color::green};
    case Verdict::kFail:
      return {"FAIL", fmt::terminal_color::red};
    case Verdict::kError:
      return {"ERROR", fmt::terminal_color::yellow};
    case Verdict::kSkipped:
      return {"SKIP", fmt::terminal_color::bright_black};
  }
  return {"?", fmt::terminal_color::white};
}

// The verdict word, padded to `width` (0: unpadded), coloured when asked. The padding is
// inside the colour so that columns line up the same with and without it.
template <typename V>
std::string Word(V v, int width, const ConsoleOptions& opt) {
  const VerdictStyle style = StyleOf(v);
  const std::string text = fmt::format("{:<{}}", style.word, width);
  return opt.color ? fmt::format(fmt::fg(style.color), "{}", text) : text;
}

// Every line of `text` prefixed by `indent`; ends with a newline.
std::string Indented(std::string_view text, std::string_view indent) {
  std::string out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    out += fmt::format("{}{}\n", indent, TerminalSafe(line));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string Transcript(const CaseResult& c, const ConsoleOptions& opt) {
  if (!opt.verbose) return "";
  const std::string transcript = RenderTranscript(c.transcript);
  if (transcript.empty()) return "";
  return "  transcript:\n" + Indented(transcript, "    ");
}

std::string FailBlock(const CaseResult& c, const ConsoleOptions& opt) {
  std::string out = fmt::format("{} {}\n", Word(OutcomeOf(c), 0, opt), TerminalSafe(c.name));
  if (OutcomeOf(c) == Outcome::kWaived) {
    out += fmt::format("  waived until {}: {} ({})\n", TerminalSafe(c.waiver_note.expires),
                       TerminalSafe(c.waiver_note.reason), TerminalSafe(c.waiver_note.where));
  }
  for (const CheckFailure& f : c.failures) {
    out += fmt::format("  {}\n    expected: {}\n    actual:   {}\n    at {}\n",
                       TerminalSafe(f.message), TerminalSafe(f.expected), TerminalSafe(f.actual),
                       TerminalSafe(f.where.ToString()));
  }
  return out + Transcript(c, opt);
}

std::string ErrorBlock(const CaseResult& c, const ConsoleOptions& opt) {
  std::string out = fmt::format("{} {}\n", Word(Verdict::kError, 0, opt), TerminalSafe(c.name));
  out += c.error.empty() ? "  (no cause recorded)\n" : Indented(c.error, "  ");
  return out + Transcript(c, opt);
}

}  // namespace

std::string ConsoleCaseLine(const CaseResult& c, const ConsoleOptions& opt) {
  const long long ms = std::llround(SaneSeconds(c.seconds) * 1000);
  return fmt::format("  {} {}  ({} ms)\n", Word(OutcomeOf(c), 5, opt), TerminalSafe(c.name), ms);
}

std::string ConsoleSummary(const RunResult& run, const ConsoleOptions& opt) {
  std::string out;
  for (const SuiteResult& suite : run.suites) {
    for (const CaseResult& c : suite.cases) {
      if (c.verdict == Verdict::kFail) out += FailBlock(c, opt) + "\n";
      if (c.verdict == Verdict::kError) out += ErrorBlock(c, opt) + "\n";
      if (c.waiver == WaiverState::kUnused) {
        out += fmt::format("waiver not needed: {} passes; remove the waiver at {}\n\n",
                           TerminalSafe(c.name), TerminalSafe(c.waiver_note.where));
      }
    }
  }
  // Never coloured: CI tools match this line as plain text.
  const Counts n = run.Count();
  std::string extra;
  if (n.warnings) extra += fmt::format(", {} warnings", n.warnings);
  if (n.waived) extra += fmt::format(", {} waived", n.waived);
  out += fmt::format("{} passed, {} failed, {} errors, {} skipped{} in {:.2f} s\n", n.passed,
                     n.failures, n.errors, n.skipped, extra, SaneSeconds(run.seconds));
  return out;
}

}  // namespace tollgate
