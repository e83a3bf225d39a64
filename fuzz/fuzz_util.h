#pragma once
// Small pieces the fuzz targets share: the input as text, split into lines or parts, and
// rendering a loader's diagnostics against the input (as the CLI does against the file).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tollgate/scenario/diagnostics.h"

namespace tollgate::fuzz {

inline std::string Text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// Line `line` (1-based) of `text`, without its newline; "" past the end.
inline std::string LineOf(std::string_view text, int line) {
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return "";
    start = nl + 1;
  }
  std::size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  return std::string(text.substr(start, end - start));
}

/// Renders every diagnostic with its source line, so the caret and window code runs on
/// hostile lines and columns too.
inline std::size_t RenderAll(const Diagnostics& diags, std::string_view text) {
  std::size_t total = 0;
  for (const Diagnostic& d : diags.items()) {
    total += RenderDiagnostic(d, LineOf(text, d.loc.line)).size();
  }
  return total;
}

/// Splits `text` at the first `sep`: {before, after}; {text, ""} when there is none.
inline std::pair<std::string_view, std::string_view> SplitOnce(std::string_view text,
                                                               std::string_view sep) {
  std::size_t at = text.find(sep);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + sep.size())};
}

}  // namespace tollgate::fuzz
