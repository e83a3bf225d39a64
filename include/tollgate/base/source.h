#pragma once
// Where something came from in a user's file: every model object carries one, so any
// diagnostic or failed expectation can point at file:line:column.

#include <string>

namespace tollgate {

/// A position in a source file; line and column are 1-based, 0 means unknown.
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:column" (or less, when parts are unknown).
  std::string ToString() const;
};

}  // namespace tollgate
