#include "tollgate/http/authorization.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(SplitAuthorization, Table) {
  struct Case {
    const char* value;
    const char* scheme;
    const char* credentials;
  } cases[] = {
      {"Bearer abc", "Bearer", "abc"},
      {"bearer abc", "bearer", "abc"},
      {"Bearer   abc", "Bearer", "abc"},
      {"Bearer", "Bearer", ""},
      {"Bearer ", "Bearer", ""},
      {"Basic dTpw", "Basic", "dTpw"},
      {"", "", ""},
      {"Bearer a b", "Bearer", "a b"},
  };
  for (const Case& c : cases) {
    Authorization a = SplitAuthorization(c.value);
    EXPECT_EQ(a.scheme, c.scheme) << c.value;
    EXPECT_EQ(a.credentials, c.credentials) << c.value;
  }
  EXPECT_TRUE(SplitAuthorization("BEARER x").IsScheme("Bearer"));
  EXPECT_FALSE(SplitAuthorization("Bearerx y").IsScheme("Bearer"));
}

TEST(IsB64Token, Table) {
  for (const char* ok : {"abc", "a.b.c", "A-Z_0~9+/", "abc==", "x="})
    EXPECT_TRUE(IsB64Token(ok)) << ok;
  for (const char* bad : {"", "=", "a b", "a=b", "a,b", "a\"", "é"})
    EXPECT_FALSE(IsB64Token(bad)) << bad;
}

TEST(DecodeBasic, Table) {
  struct Case {
    const char* credentials;
    bool ok;
    const char* user;
    const char* password;
  } cases[] = {
      {"dXNlcjpwYXNz", true, "user", "pass"},  // user:pass
      {"OnNlY3JldA==", true, "", "secret"},    // :secret
      {"dTo6cA==", true, "u", ":p"},           // u::p, the first colon splits
      {"dXNlcg==", false, "", ""},             // no colon
      {"not base64!", false, "", ""},
      {"", false, "", ""},
      {"dToBcA==", false, "", ""},  // u:\x01p, a control character
  };
  for (const Case& c : cases) {
    std::optional<BasicCredentials> got = DecodeBasic(c.credentials);
    ASSERT_EQ(got.has_value(), c.ok) << c.credentials;
    if (got) {
      EXPECT_EQ(got->user, c.user) << c.credentials;
      EXPECT_EQ(got->password, c.password) << c.credentials;
    }
  }
}

}  // namespace
}  // namespace tollgate
