#pragma once
// Test helper: renders diagnostics against text held in memory (Diagnostics::Render reads
// the files from disk, which in-memory tests do not have).

#include <sstream>
#include <string>
#include <vector>

#include "tollgate/scenario/diagnostics.h"

namespace tollgate {

/// Every diagnostic rendered with its line taken from `text`, each followed by a blank line.
inline std::string RenderWithText(const Diagnostics& diags, const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (const Diagnostic& d : diags.items()) {
    std::string line;
    if (d.loc.line > 0 && d.loc.line <= static_cast<int>(lines.size())) {
      line = lines[d.loc.line - 1];
    }
    out += RenderDiagnostic(d, line) + "\n";
  }
  return out;
}

}  // namespace tollgate
