#include "tollgate/base/encoding.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(Base64, RoundTripsRfc4648Vectors) {
  struct Case {
    const char* plain;
    const char* std;
    const char* url;
  } cases[] = {
      {"", "", ""},
      {"f", "Zg==", "Zg"},
      {"fo", "Zm8=", "Zm8"},
      {"foo", "Zm9v", "Zm9v"},
      {"foob", "Zm9vYg==", "Zm9vYg"},
      {"fooba", "Zm9vYmE=", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Base64Encode(c.plain), c.std) << c.plain;
    EXPECT_EQ(Base64UrlEncode(c.plain), c.url) << c.plain;
    EXPECT_EQ(Base64Decode(c.std).value_or("<none>"), c.plain) << c.std;
    EXPECT_EQ(Base64UrlDecode(c.url).value_or("<none>"), c.plain) << c.url;
  }
}

TEST(Base64, StrictDecoderRejectsWhatItWouldNotProduce) {
  for (const char* bad : {"Zg", "Zg=", "Zh==", "Z===", "Zm9v!", "Zm 9v", "Zm9v\n"}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
  // base64url: no padding, no '+' or '/', canonical trailing bits ("Zh" decodes to 'f' with
  // non-zero leftover bits).
  for (const char* bad : {"Zg==", "a+b/", "Zh", "Z"}) {
    EXPECT_FALSE(Base64UrlDecode(bad).has_value()) << bad;
  }
}

TEST(Hex, EncodesLowerCase) { EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10"); }

TEST(Percent, EncodesAllButUnreservedAndDecodesStrictly) {
  EXPECT_EQ(PercentEncode("a b/c~d.e_f-g:é"), "a%20b%2Fc~d.e_f-g%3A%C3%A9");
  EXPECT_EQ(PercentDecode("a%20b+c").value_or("<none>"), "a b+c");
  EXPECT_EQ(PercentDecode("a%20b+c", true).value_or("<none>"), "a b c");
  EXPECT_FALSE(PercentDecode("%2").has_value());
  EXPECT_FALSE(PercentDecode("%zz").has_value());
}

}  // namespace
}  // namespace tollgate
