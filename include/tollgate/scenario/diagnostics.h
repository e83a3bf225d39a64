#pragma once
// Compiler-style diagnostics for user files (after hurl and ninja):
//
//   error: unknown key `scenarois`
//     --> suites/x.yaml:3:1
//      |
//    3 | scenarois:
//      | ^^^^^^^^^ found `scenarois`, expected one of: suite, title, ...
//      = help: did you mean `scenarios`?
//
// Tests assert this exact text.

#include <string>
#include <vector>

#include "tollgate/base/source.h"

namespace tollgate {

/// One problem in a user file.
struct Diagnostic {
  std::string title;  // after "error: "
  SourceLoc loc;
  int length = 1;        // how many columns the caret underlines
  std::string found;     // what the file says, shown verbatim after "found " ("`abc`")
  std::string expected;  // what would have been right, shown after "expected "
  std::string help;      // e.g. "did you mean `scenarios`?"
};

/// Collects diagnostics; renders them with the offending source lines. Not thread-safe.
class Diagnostics {
 public:
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  /// All diagnostics, each followed by a blank line, reading source lines from disk.
  std::string Render() const;
  /// The same, with every source line taken from `text` (a file held in memory, such as a
  /// string given to a Parse* loader).
  std::string RenderWithText(const std::string& text) const;

 private:
  std::vector<Diagnostic> items_;
};

/// Renders one diagnostic; `source_line` is the text of loc.line (without newline).
std::string RenderDiagnostic(const Diagnostic& d, const std::string& source_line);

/// The `n` candidates nearest to `word` by edit distance, nearest first (ties keep their
/// order in `candidates`).
std::vector<std::string> NearestNames(const std::string& word,
                                      const std::vector<std::string>& candidates, std::size_t n);

/// The closest candidate to `word` by edit distance, or "" when none is close enough.
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace tollgate
