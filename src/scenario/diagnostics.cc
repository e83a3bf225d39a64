#include "tollgate/scenario/diagnostics.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace tollgate {
namespace {

std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The lines of a file, read once per Render(); nullopt when it cannot be read.
std::optional<std::vector<std::string>> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

// The caret line's indent and underline, measured on the source line: columns are bytes
// (yaml-cpp's), the terminal shows characters, so UTF-8 continuation bytes take no room and
// tabs are kept as tabs.
std::string Indent(const std::string& line, std::size_t bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    char c = i < line.size() ? line[i] : ' ';
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
    out += c == '\t' ? '\t' : ' ';
  }
  return out;
}

std::size_t Width(const std::string& line, std::size_t from, std::size_t bytes) {
  std::size_t n = 0;
  for (std::size_t i = from; i < from + bytes; ++i) {
    if (i >= line.size() || (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++n;
  }
  return std::max<std::size_t>(n, 1);
}

// Longest text a diagnostic repeats from the input: a 50 MB value must not become 100 MB of
// error output.
constexpr std::size_t kMaxQuoted = 200;
// Longest source line shown whole; a longer one is shown as a window around the column.
constexpr std::size_t kMaxLine = 240;

// Back to the start of a UTF-8 character.
std::size_t CharStart(const std::string& s, std::size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

std::string Clip(const std::string& text) {
  if (text.size() <= kMaxQuoted) return text;
  return text.substr(0, CharStart(text, kMaxQuoted)) + "... (" + std::to_string(text.size()) +
         " bytes)";
}

}  // namespace

std::string RenderDiagnostic(const Diagnostic& d_in, const std::string& source_line_in) {
  Diagnostic d = d_in;
  d.found = Clip(d.found);
  d.expected = Clip(d.expected);
  std::string source_line = source_line_in;
  int column = d.loc.column;  // of the caret in the line shown
  int length = d.length;
  if (source_line.size() > kMaxLine && d.loc.column > 0) {
    // A window of the line around the column; the caret keeps pointing at the same byte.
    std::size_t at = std::min(static_cast<std::size_t>(d.loc.column - 1), source_line.size());
    std::size_t begin = CharStart(source_line, at > 80 ? at - 80 : 0);
    std::size_t end = CharStart(source_line, std::min(source_line.size(), begin + kMaxLine));
    std::string prefix = begin > 0 ? "..." : "";
    std::string window =
        prefix + source_line.substr(begin, end - begin) + (end < source_line.size() ? "..." : "");
    column = static_cast<int>(at - begin + prefix.size() + 1);
    length = static_cast<int>(
        std::min<std::size_t>(std::max(d.length, 1), window.size() - (column - 1)));
    source_line = window;
  }
  std::string out = "error: " + d.title + "\n";
  bool has_line = d.loc.line > 0;
  std::string number = has_line ? std::to_string(d.loc.line) : "";
  std::string pad(number.size() + 1, ' ');  // gutter before "-->": one more than the digits
  std::string gutter(number.size() + 2, ' ');
  if (!d.loc.file.empty()) out += pad + "--> " + d.loc.ToString() + "\n";

  std::string note;
  if (!d.found.empty()) note = "found " + d.found;
  if (!d.expected.empty())
    note += (note.empty() ? "" : ", ") + std::string("expected ") + d.expected;

  // The source excerpt needs a line to show; without one the note moves to an `=` line.
  bool show_source = has_line && column > 0 && !source_line.empty();
  if (show_source) {
    out += gutter + "|\n";
    out += " " + number + " | " + source_line + "\n";
    std::size_t start = column - 1;
    out += gutter + "| " + Indent(source_line, start) +
           std::string(Width(source_line, start, std::max(length, 1)), '^');
    if (!note.empty()) out += " " + note;
    out += "\n";
  } else if (!note.empty()) {
    out += gutter + "= " + note + "\n";
  }
  if (!d.help.empty()) out += gutter + "= help: " + d.help + "\n";
  return out;
}

std::string Diagnostics::Render() const {
  std::map<std::string, std::optional<std::vector<std::string>>> files;
  std::string out;
  for (const Diagnostic& d : items_) {
    std::string line;
    if (!d.loc.file.empty() && d.loc.line > 0) {
      auto it = files.find(d.loc.file);
      if (it == files.end()) it = files.emplace(d.loc.file, ReadLines(d.loc.file)).first;
      if (it->second && d.loc.line <= static_cast<int>(it->second->size())) {
        line = (*it->second)[d.loc.line - 1];
      }
    }
    out += RenderDiagnostic(d, line);
    out += "\n";
  }
  return out;
}

std::string Diagnostics::RenderWithText(const std::string& text) const {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (const Diagnostic& d : items_) {
    std::string line;
    if (d.loc.line > 0 && d.loc.line <= static_cast<int>(lines.size())) {
      line = lines[d.loc.line - 1];
    }
    out += RenderDiagnostic(d, line) + "\n";
  }
  return out;
}

std::vector<std::string> NearestNames(const std::string& word,
                                      const std::vector<std::string>& candidates, std::size_t n) {
  std::vector<std::pair<std::size_t, std::size_t>> ranked;  // (distance, index)
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    ranked.emplace_back(EditDistance(word, candidates[i]), i);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ranked.size() && i < n; ++i) {
    out.push_back(candidates[ranked[i].second]);
  }
  return out;
}

std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    std::size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace tollgate
