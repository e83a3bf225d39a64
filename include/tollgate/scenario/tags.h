#pragma once
// Tag expressions for --tags: names combined with `and`, `or`, `not` and parentheses,
// e.g. "jwt and not slow". `not` binds tightest, then `and`, then `or`.

#include <memory>
#include <string>
#include <vector>

#include "tollgate/base/status.h"

namespace tollgate {

/// A parsed tag expression. Immutable; thread-safe.
class TagExpr {
 public:
  /// Parses `text`; InvalidArgument names the position and what was expected.
  static StatusOr<TagExpr> Parse(const std::string& text);
  /// True when a case with `tags` is selected.
  bool Matches(const std::vector<std::string>& tags) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace tollgate
