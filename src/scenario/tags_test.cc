#include "tollgate/scenario/tags.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

struct MatchCase {
  std::string expr;
  std::vector<std::string> tags;
  bool want;
};

TEST(TagExpr, SelectsByNameAndOperators) {
  const std::vector<MatchCase> cases = {
      {"jwt", {"jwt"}, true},
      {"jwt", {"mtls"}, false},
      {"jwt", {}, false},
      {"not slow", {"jwt"}, true},
      {"not slow", {"slow"}, false},
      {"jwt and not slow", {"jwt"}, true},
      {"jwt and not slow", {"jwt", "slow"}, false},
      {"jwt or mtls", {"mtls"}, true},
      {"jwt or mtls", {"hmac"}, false},
      // `and` binds tighter than `or`: a or (b and c).
      {"a or b and c", {"a"}, true},
      {"a or b and c", {"b"}, false},
      {"(a or b) and c", {"a"}, false},
      {"(a or b) and c", {"a", "c"}, true},
      // `not` binds tightest: (not a) and b.
      {"not a and b", {"b"}, true},
      {"not a and b", {"a", "b"}, false},
      {"not (a and b)", {"a"}, true},
      {"not not a", {"a"}, true},
      {"  jwt\tand  ( x-1 or profile:gateway )  ", {"jwt", "profile:gateway"}, true},
      {"sage/notify.v2", {"sage/notify.v2"}, true},
  };
  for (const MatchCase& c : cases) {
    StatusOr<TagExpr> e = TagExpr::Parse(c.expr);
    ASSERT_TRUE(e.ok()) << c.expr << ": " << e.status().ToString();
    EXPECT_EQ(e->Matches(c.tags), c.want) << c.expr;
  }
}

struct ErrorCase {
  std::string expr;
  std::string message;
};

TEST(TagExpr, ErrorsNameTheColumnAndWhatWasExpected) {
  const std::vector<ErrorCase> cases = {
      {"", "tag expression ``: at column 1: expected a tag name, `not` or `(`, found the end"},
      {"jwt and",
       "tag expression `jwt and`: at column 8: expected a tag name, `not` or `(`, "
       "found the end"},
      {"jwt slow",
       "tag expression `jwt slow`: at column 5: expected `and`, `or` or the end, "
       "found `slow`"},
      {"(jwt", "tag expression `(jwt`: at column 5: expected `)`, found the end"},
      {"jwt)", "tag expression `jwt)`: at column 4: expected `and`, `or` or the end, found `)`"},
      {"and x",
       "tag expression `and x`: at column 1: expected a tag name, `not` or `(`, "
       "found `and`"},
      {"a & b",
       "tag expression `a & b`: at column 3: expected `and`, `or` or the end, "
       "found `&`"},
      {"not",
       "tag expression `not`: at column 4: expected a tag name, `not` or `(`, "
       "found the end"},
  };
  for (const ErrorCase& c : cases) {
    StatusOr<TagExpr> e = TagExpr::Parse(c.expr);
    ASSERT_FALSE(e.ok()) << c.expr;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << c.expr;
    EXPECT_EQ(e.status().message(), c.message) << c.expr;
  }
}

}  // namespace
}  // namespace tollgate
