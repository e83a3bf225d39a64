#pragma once
// Whether the console report is coloured. The conventions other command-line tools follow,
// so one setting in a CI job or a shell profile works for tollgate too:
//   NO_COLOR set and not empty: no colour, whatever else is set (https://no-color.org);
//   FORCE_COLOR "0": no colour; FORCE_COLOR set to anything else (empty too): colour, even
//     when stdout is not a terminal (CI logs that render ANSI);
//   TERM=dumb: no colour (a terminal that cannot show it);
//   otherwise colour exactly when stdout is a terminal.

#include <cstdlib>
#include <string_view>

namespace tollgate::cli {

/// The decision from its inputs (null: the variable is not set).
inline bool ColorWanted(bool stdout_is_terminal, const char* no_color, const char* force_color,
                        const char* term) {
  if (no_color != nullptr && *no_color != '\0') return false;
  if (force_color != nullptr) return std::string_view(force_color) != "0";
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return stdout_is_terminal;
}

/// The decision for this process's environment.
inline bool ColorWanted(bool stdout_is_terminal) {
  return ColorWanted(stdout_is_terminal, std::getenv("NO_COLOR"), std::getenv("FORCE_COLOR"),
                     std::getenv("TERM"));
}

}  // namespace tollgate::cli
