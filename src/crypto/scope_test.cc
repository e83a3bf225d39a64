#include "tollgate/crypto/scope.h"

#include <gtest/gtest.h>

namespace tollgate::jose {
namespace {

using Strings = std::vector<std::string>;

TEST(SplitScope, Table) {
  struct Case {
    const char* text;
    Strings want;
  } cases[] = {
      {"", {}},
      {"a", {"a"}},
      {"a b", {"a", "b"}},
      {"  a  b ", {"a", "b"}},
      {"b a b", {"b", "a"}},
      {"accounts:read payments:write", {"accounts:read", "payments:write"}},
      {"a\tb", {"a\tb"}},  // only %x20 separates (RFC 6749 §3.3)
  };
  for (const Case& c : cases) EXPECT_EQ(SplitScope(c.text), c.want) << "`" << c.text << "`";
}

TEST(GrantedScopes, Table) {
  using nlohmann::json;
  struct Case {
    json claims;
    Strings want;
  } cases[] = {
      {json::object(), {}},
      {{{"scope", "a b"}}, {"a", "b"}},
      {{{"scp", {"a", "b"}}}, {"a", "b"}},
      {{{"scope", "a b"}, {"scp", {"b", "c"}}}, {"a", "b", "c"}},
      {{{"scope", 7}}, {}},
      {{{"scp", "a b"}}, {}},  // scp is an array or nothing
      {{{"scp", {"a", 3, ""}}}, {"a"}},
      {json::array(), {}},
  };
  for (const Case& c : cases) EXPECT_EQ(GrantedScopes(c.claims), c.want) << c.claims.dump();
}

TEST(HasScope, ExactTokensOnly) {
  nlohmann::json claims = {{"scope", "payments:write accounts"}, {"scp", {"WebhooksLambda"}}};
  EXPECT_TRUE(HasScope(claims, "payments:write"));
  EXPECT_TRUE(HasScope(claims, "accounts"));
  EXPECT_TRUE(HasScope(claims, "WebhooksLambda"));
  EXPECT_FALSE(HasScope(claims, "payments"));
  EXPECT_FALSE(HasScope(claims, "accounts:read"));
  EXPECT_FALSE(HasScope(claims, "webhookslambda"));
  EXPECT_FALSE(HasScope(claims, ""));
  EXPECT_FALSE(HasScope({{"scope", "a  b"}}, ""));
}

}  // namespace
}  // namespace tollgate::jose
