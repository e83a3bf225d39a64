#include "tollgate/base/redact.h"

#include <gtest/gtest.h>

#include "tollgate/base/encoding.h"

namespace tollgate {
namespace {

TEST(Redactor, ReplacesSecretsAndTheirEncodedForms) {
  Redactor r;
  r.AddSecret("EasyBanking");
  EXPECT_EQ(r.Redact("secret=EasyBanking&x=1"), "secret=***&x=1");
  EXPECT_EQ(r.Redact("b64 " + Base64Encode("EasyBanking")), "b64 ***");
  EXPECT_EQ(r.Redact("nothing here"), "nothing here");
}

TEST(Redactor, LongestSecretWinsSoNoPartialLeaks) {
  Redactor r;
  r.AddSecret("abc");
  r.AddSecret("abcdef-long");
  EXPECT_EQ(r.Redact("x abcdef-long y abc"), "x *** y ***");
}

TEST(Redactor, IgnoresTooShortValues) {
  Redactor r;
  r.AddSecret("a");
  EXPECT_EQ(r.Redact("banana"), "banana");
}

TEST(Redactor, AuthorizationHeadersKeepOnlyTheScheme) {
  Redactor r;
  EXPECT_EQ(r.RedactHeader("Authorization", "Basic Q29ubmVjdFBheTpFYXN5QmFua2luZw=="),
            "Basic ***");
  EXPECT_EQ(r.RedactHeader("authorization", "opaque"), "***");
  EXPECT_EQ(r.RedactHeader("Cookie", "session=1"), "***");
  EXPECT_EQ(r.RedactHeader("Content-Type", "application/json"), "application/json");
}

}  // namespace
}  // namespace tollgate
