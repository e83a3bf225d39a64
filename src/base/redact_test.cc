#include "tollgate/base/redact.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

// Every way a secret travels: the text to redact and what must be left of it.
struct EncodedCase {
  std::string name;
  std::string secret;
  std::string text;
  std::string want;
};

std::string JsonDump(const std::string& s) {
  std::string quoted = nlohmann::json(s).dump();
  return quoted.substr(1, quoted.size() - 2);  // the escaped text without its quotes
}

std::string FullyPercentEncoded(std::string_view s, bool lower) {
  const char* hex = lower ? "0123456789abcdef" : "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) out += std::string("%") + hex[c >> 4] + hex[c & 15];
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(Redactor, FindsASecretInEveryEncodingItTravelsIn) {
  // A quote, a backslash, a tab and a control character, which JSON must escape.
  const std::string odd =
      "pa\"ss\\w\tor\x01"
      "d+/ é";
  const std::string plain = "s3cr3t+value/with space";
  const std::vector<EncodedCase> cases = {
      {"raw", odd, "x " + odd + " y", "x *** y"},
      {"json dump", odd, R"({"password":")" + JsonDump(odd) + R"("})", R"({"password":"***"})"},
      {"json with \\/ and \\u0001", odd, R"(x="pa\"ss\\w\tor\u0001d+\/ é")", R"(x="***")"},
      {"json with every ASCII byte as \\u", "abc-def", "[\\u0061\\u0062c-\\u0064ef]", "[***]"},
      {"\\u escapes escaped again", "abc-def", R"(["\\u0061\\u0062c-\\u0064ef"])", R"(["***"])"},
      {"\\u escapes of a quote and a backslash escaped again", "a\"b\\c",
       R"(x "\\u0061\\u0022\\u0062\\u005c\\u0063" y)", R"(x "***" y)"},
      {"base64", odd, "b " + Base64Encode(odd), "b ***"},
      {"base64url", odd, "u " + Base64UrlEncode(odd), "u ***"},
      {"percent upper", plain, "q=" + PercentEncode(plain) + "&n=1", "q=***&n=1"},
      {"percent lower", plain, "q=" + Lower(PercentEncode(plain)) + "&n=1", "q=***&n=1"},
      {"percent mixed", "a+b=c", "q=a%2bb%3Dc", "q=***"},
      {"fully percent upper", plain, FullyPercentEncoded(plain, false), "***"},
      {"fully percent lower", plain, FullyPercentEncoded(plain, true), "***"},
      {"form with + for space", plain, "q=s3cr3t%2Bvalue%2Fwith+space", "q=***"},
      {"percent of base64", odd, "h=" + PercentEncode(Base64Encode(odd)), "h=***"},
      {"literal percent in secret", "100%25off", "a 100%25off b 100%2525off", "a *** b ***"},
      {"literal backslash in secret", "c:\\dir", "p=c:\\dir q=\"c:\\\\dir\"", "p=*** q=\"***\""},
      {"look-alike is kept", plain, "s3cr3t+value/with-space", "s3cr3t+value/with-space"},
  };
  for (const EncodedCase& c : cases) {
    Redactor r;
    r.AddSecret(c.secret);
    EXPECT_EQ(r.Redact(c.text), c.want) << c.name << ": " << c.text;
  }
}

TEST(Redactor, JsonEscapesWithUpperCaseHexAreFound) {
  Redactor r;
  r.AddSecret("ab\x01\x1f\"z");
  EXPECT_EQ(r.Redact(R"(x "ab\u0001\u001F\"z" y)"), R"(x "***" y)");
  EXPECT_EQ(r.Redact(R"(x "ab\u0001\u001f\u0022z" y)"), R"(x "***" y)");
}

TEST(Redactor, CredentialFieldValuesAreRedactedWhateverTheyAre) {
  Redactor r;
  r.AddSecretField("client_secret");
  EXPECT_EQ(r.Redact("grant_type=x&client_secret=wrong%2bone&client_id=a"),
            "grant_type=x&client_secret=***&client_id=a");
  EXPECT_EQ(r.Redact("client_secret=anything"), "client_secret=***");
  EXPECT_EQ(r.Redact("a=1&client_secret=&b=2"), "a=1&client_secret=&b=2");  // nothing to hide
  // Only the whole field name counts.
  EXPECT_EQ(r.Redact("my_client_secret=shown"), "my_client_secret=shown");
  EXPECT_EQ(r.Redact("client_secret_hint=shown"), "client_secret_hint=shown");
}

TEST(Redactor, LongestSecretWinsSoNoPartialLeaks) {
  Redactor r;
  r.AddSecret("abc");
  r.AddSecret("abcdef-long");
  EXPECT_EQ(r.Redact("x abcdef-long y abc"), "x *** y ***");
}

TEST(Redactor, ASecretInsideLongerBase64IsFoundAtEveryByteOffset) {
  // A secret in a minted token's claims, or a Basic credential with any user name, is
  // base64-encoded at an offset that is not a multiple of 3.
  const std::string secret = "Claim-Secret-0042";
  Redactor r;
  r.AddSecret(secret);
  for (std::size_t offset = 0; offset < 6; ++offset) {
    const std::string claims = R"({"sub":")" + std::string(offset, 'u') + R"(","note":")" + secret +
                               R"(","exp":1700000000})";
    const std::string user = std::string(offset + 1, 'p') + ":";
    struct Case {
      std::string prefix, encoded;
      std::size_t at;  // where the secret starts in the decoded bytes
    };
    for (const Case& c :
         {Case{"eyJhbGciOiJIUzI1NiJ9.", Base64UrlEncode(claims), claims.find(secret)},
          Case{"Basic ", Base64Encode(user + secret), user.size()}}) {
      const std::string text = c.prefix + c.encoded + ".c2ln";
      const std::string out = r.Redact(text);
      // The characters carrying the secret's bits alone: none of 6 in a row may survive.
      const std::size_t first = (8 * c.at + 5) / 6, last = 8 * (c.at + secret.size()) / 6;
      ASSERT_GE(last - first, 6u);
      for (std::size_t i = first; i + 6 <= last; ++i) {
        EXPECT_EQ(out.find(c.encoded.substr(i, 6)), std::string::npos)
            << "offset " << offset << ": " << out;
      }
      EXPECT_TRUE(out.starts_with(c.prefix)) << out;
    }
  }
  // Ordinary base64 text without the secret is left alone.
  const std::string other = Base64UrlEncode(R"({"sub":"someone","note":"nothing here"})");
  EXPECT_EQ(r.Redact(other), other);
}

TEST(Redactor, IgnoresTooShortValues) {
  Redactor r;
  r.AddSecret("a");
  EXPECT_EQ(r.Redact("banana"), "banana");
}

TEST(Redactor, RedactAndCutReplacesASecretStraddlingTheCutWhole) {
  Redactor r;
  r.AddSecret("half-of-a-client-secret");
  const std::string text = std::string(10, 'a') + "half-of-a-client-secret" + "bbbbbbbbbb";
  bool cut = false;
  // The cut falls inside the secret: redacting first leaves none of it.
  EXPECT_EQ(r.RedactAndCut(text, 20, &cut), "aaaaaaaaaa***bbbbbbb");
  EXPECT_TRUE(cut);
  EXPECT_EQ(r.RedactAndCut(text, 12, &cut), "aaaaaaaaaa**");
  EXPECT_EQ(r.RedactAndCut("short", 20, &cut), "short");
  EXPECT_FALSE(cut);
  // Encoded forms straddling the cut too.
  const std::string pct = std::string(10, 'a') + PercentEncode("half-of-a-client-secret") + "&";
  EXPECT_EQ(r.RedactAndCut(pct, 16), "aaaaaaaaaa***&");
  const std::string b64 = "x " + Base64Encode("half-of-a-client-secret") + " y";
  EXPECT_EQ(r.RedactAndCut(b64, 10), "x *** y");
}

TEST(Redactor, ACutNeverLeavesTheHeadOfASecret) {
  Redactor r;
  r.AddSecret("s3cr3t value");
  struct Case {
    std::string name;
    std::string text;  // as it was before it came to the redactor, cut at its end
    std::string want;
  };
  const std::vector<Case> cases = {
      {"raw head", "id=7&secret=s3cr", "id=7&secret=***"},
      {"percent head", "q=s3cr3t%20va", "q=***"},
      {"escape cut after %", "q=s3cr3t%", "q=***"},
      {"escape cut after %2", "q=s3cr3t%2", "q=***"},
      {"form head", "q=s3cr3t+v", "q=***"},
      {"fully percent-encoded head", "q=%73%33%63%7", "q=***"},
      {"json escape cut short", R"({"p":"\u0073\u0033\u00)", R"({"p":"***)"},
      {"base64 head", "b " + Base64Encode("s3cr3t value").substr(0, 8), "b ***"},
      {"base64url head", "u " + Base64UrlEncode("s3cr3t value").substr(0, 5), "u ***"},
      // Two bytes are as little as an ordinary word shares with a secret: kept.
      {"two bytes kept", "items=s3", "items=s3"},
      {"other ending kept", "s3cr3t valuable? no: s3cX", "s3cr3t valuable? no: s3cX"},
      {"whole secret at the end", "p=s3cr3t value", "p=***"},
      {"wrong escape kept", "q=s3c%41", "q=s3c%41"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(r.RedactCutText(c.text), c.want) << c.name;
  }
}

TEST(Redactor, RedactAndCutHidesAHeadLeftAtTheCut) {
  Redactor r;
  r.AddSecret("s3cr3t value");
  // The text goes on with something else, but what the cut keeps is 4 bytes of the secret.
  bool cut = false;
  EXPECT_EQ(r.RedactAndCut("abc s3cr3t valid", 8, &cut), "abc ***");
  EXPECT_TRUE(cut);
  // A secret far beyond the cut costs nothing and shows nothing.
  std::string big = std::string(100, 'x') + std::string(1 << 20, 'y') + "s3cr3t value";
  EXPECT_EQ(r.RedactAndCut(big, 100), std::string(100, 'x'));
  // Many secrets before the cut shrink the text: what follows them is still kept, redacted.
  std::string many;
  std::string want;
  for (int i = 0; i < 50; ++i) {
    many += "s3cr3t value";
    want += "***";
  }
  EXPECT_EQ(r.RedactAndCut(many + "s3cr3t value tail", 160, &cut), want + "*** tail");
  EXPECT_FALSE(cut);
  EXPECT_EQ(r.RedactAndCut(many + "s3cr3t value tail", 155, &cut), want + "*** t");
  EXPECT_TRUE(cut);
}

TEST(Redactor, AuthorizationHeadersKeepOnlyTheScheme) {
  Redactor r;
  EXPECT_EQ(r.RedactHeader("Authorization", "Basic Q29ubmVjdFBheTpFYXN5QmFua2luZw=="), "Basic ***");
  EXPECT_EQ(r.RedactHeader("authorization", "opaque"), "***");
  EXPECT_EQ(r.RedactHeader("Cookie", "session=1"), "***");
  EXPECT_EQ(r.RedactHeader("Content-Type", "application/json"), "application/json");
}

}  // namespace
}  // namespace tollgate
