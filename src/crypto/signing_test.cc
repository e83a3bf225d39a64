#include "tollgate/crypto/signing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"

namespace tollgate::signing {
namespace {

using ::testing::HasSubstr;

// --- AWS SigV4 test suite (awslabs/aws-c-auth tests/aws-signing-test-suite/v4/<case>):
// credentials AKIDEXAMPLE, 20150830T123600Z, us-east-1, service "service". Our canonical
// path, query and header values build the canonical request; the SigV4 key chain on top
// must reproduce the published signature, which pins the canonicalisation byte for byte.
struct SigV4Case {
  const char* name;
  const char* path;
  const char* query;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  const char* signature;
};

std::string Hex(const StatusOr<std::string>& s) { return HexEncode(s.value()); }

std::string SigV4(const SigV4Case& c) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Host", "example.amazonaws.com"},
                                                              {"X-Amz-Date", "20150830T123600Z"}};
  for (const auto& h : c.extra_headers) headers.push_back(h);
  Profile p;
  p.components = {"method", "path", "query"};
  std::vector<std::string> names;
  for (const auto& [n, v] : headers) {
    std::string lower = n;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    names.push_back(lower);
  }
  std::sort(names.begin(), names.end());
  std::string signed_headers;
  for (const std::string& n : names) {
    p.components.push_back("header:" + n);
    signed_headers += (signed_headers.empty() ? "" : ";") + n;
  }
  Message m{"GET", c.path, c.query, headers, ""};
  std::string canonical =
      CanonicalString(p, m, {}) + "\n\n" + signed_headers + "\n" + Sha256Hex("");
  std::string sts =
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
      Sha256Hex(canonical);
  std::string k = "AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  for (const char* part : {"20150830", "us-east-1", "service", "aws4_request"}) {
    k = Mac("hmac-sha256", k, part).value();
  }
  return Hex(Mac("hmac-sha256", k, sts));
}

TEST(SigningKnownAnswers, AwsSigV4CanonicalisationCases) {
  const std::vector<SigV4Case> cases = {
      {"get-vanilla",
       "/",
       "",
       {},
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-query-order-key-case",
       "/",
       "Param2=value2&Param1=value1",
       {},
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-empty-query-key",
       "/",
       "Param1=value1",
       {},
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-vanilla-query-unreserved",
       "/",
       "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~"
       "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       {},
       "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-utf8",
       "/\xE1\x88\xB4",
       "",
       {},
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-header-value-trim",
       "/",
       "",
       {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}},
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
  };
  for (const SigV4Case& c : cases) EXPECT_EQ(SigV4(c), c.signature) << c.name;
}

TEST(Canonicalisation, EmptyPathIsSlashAndDotSegmentsGo) {
  EXPECT_EQ(CanonicalPath(""), "/");
  EXPECT_EQ(CanonicalPath("/a/./b/../c"), "/a/c");
  EXPECT_EQ(CanonicalPath("/a b/%7Ex"), "/a%20b/~x");
  EXPECT_EQ(CanonicalQuery("b=2&a=%41&a=1&c"), "a=1&a=A&b=2&c=");
  EXPECT_EQ(CanonicalHeaderValue("  a \t b  "), "a b");
}

// RFC 9421 Appendix B.2.5: HMAC-SHA256 over date, @authority and content-type with the
// shared test key; six independent implementations publish the same value.
TEST(SigningKnownAnswers, Rfc9421AppendixB25) {
  Profile p;
  p.layout = "rfc9421";
  p.components = {"header:date", "host", "header:content-type"};
  p.encoding = "base64";
  Message m{"POST",
            "/foo",
            "param=Value&Pet=dog",
            {{"Host", "example.com"},
             {"Date", "Tue, 20 Apr 2021 02:07:55 GMT"},
             {"Content-Type", "application/json"}},
            R"({"hello": "world"})"};
  SignParams s{"test-shared-secret", "1618884473", ""};
  EXPECT_EQ(
      CanonicalString(p, m, s),
      "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@authority\": example.com\n"
      "\"content-type\": application/json\n\"@signature-params\": "
      "(\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\"");
  std::string key = Base64Decode(
                        "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl"
                        "8jsasjlTMtDQ==")
                        .value();
  EXPECT_EQ(Sign(p, m, s, key).value(), "pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=");
}

// --- The verifier, against the signer, over one profile.
class VerifierTest : public ::testing::Test {
 protected:
  static constexpr std::int64_t kNow = 1'700'000'000;
  Profile p_ = ProfileFromJson({{"components",
                                 {"method", "path", "query", "host", "header:content-type",
                                  "body_digest", "timestamp", "nonce", "key_id"}},
                                {"window", "5m"}})
                   .value();
  KeyLookup keys_ = [](const std::string& id) -> std::optional<std::string> {
    if (id == "alpha") return std::string("alpha-secret-0123456789");
    if (id == "beta") return std::string("beta-secret-0123456789");
    return std::nullopt;
  };

  Message Signed(std::int64_t ts = kNow, const std::string& secret = "alpha-secret-0123456789") {
    Message m{"POST",
              "/v3/payments",
              "b=2&a=1",
              {{"Host", "127.0.0.1:8080"}, {"Content-Type", "application/json"}},
              R"({"amount":1})"};
    SignParams s{"alpha", std::to_string(ts), "n-1"};
    std::string sig = Sign(p_, m, s, secret).value();
    for (auto& h : SignatureHeaders(p_, s, sig)) m.headers.push_back(h);
    return m;
  }
  void SetHeader(Message& m, const std::string& name, const std::string& value) {
    for (auto& [n, v] : m.headers) {
      if (n == name) v = value;
    }
  }
};

TEST_F(VerifierTest, AcceptsWhatTheSignerSigns) {
  Verdict v = Verify(p_, Signed(), keys_, kNow);
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.params.nonce, "n-1");
}

TEST_F(VerifierTest, RejectsTamperingOfEachCoveredPart) {
  struct Case {
    const char* name;
    std::function<void(Message&)> tamper;
  };
  const std::vector<Case> cases = {
      {"body", [](Message& m) { m.body[2] = 'b'; }},
      {"method", [](Message& m) { m.method = "PUT"; }},
      {"path", [](Message& m) { m.path += "x"; }},
      {"query", [](Message& m) { m.query = "b=3&a=1"; }},
      {"host", [this](Message& m) { SetHeader(m, "Host", "127.0.0.2:8080"); }},
      {"header", [this](Message& m) { SetHeader(m, "Content-Type", "text/plain"); }},
  };
  for (const Case& c : cases) {
    Message m = Signed();
    c.tamper(m);
    Verdict v = Verify(p_, m, keys_, kNow);
    EXPECT_FALSE(v.ok) << c.name;
    EXPECT_EQ(v.reason, "signature does not match") << c.name;
  }
}

TEST_F(VerifierTest, WindowEdgesBothSides) {
  EXPECT_TRUE(Verify(p_, Signed(kNow - 300), keys_, kNow).ok);
  EXPECT_TRUE(Verify(p_, Signed(kNow + 300), keys_, kNow).ok);
  EXPECT_EQ(Verify(p_, Signed(kNow - 301), keys_, kNow).reason, "timestamp older than the window");
  EXPECT_EQ(Verify(p_, Signed(kNow + 301), keys_, kNow).reason,
            "timestamp in the future beyond the window");
}

TEST_F(VerifierTest, RejectsHeaderAndMacDefects) {
  Message m = Signed();
  SetHeader(m, "X-Signature-Algorithm", "hmac-sha1");
  EXPECT_THAT(Verify(p_, m, keys_, kNow).reason, HasSubstr("algorithm `hmac-sha1`"));

  m = Signed();
  std::string sig = *HeaderValue(m.headers, "X-Signature");
  SetHeader(m, "X-Signature", sig.substr(0, 32));
  EXPECT_EQ(Verify(p_, m, keys_, kNow).reason, "signature has the wrong length");

  m = Signed();
  SetHeader(m, "X-Signature", Base64Encode(*Decode(p_, sig)));
  EXPECT_EQ(Verify(p_, m, keys_, kNow).reason, "signature is not hex");

  m = Signed();
  m.headers.emplace_back("X-Signature", sig);
  EXPECT_EQ(Verify(p_, m, keys_, kNow).reason, "duplicate X-Signature header");

  for (const char* h : {"X-Signature", "X-Timestamp", "X-Nonce", "X-Key-Id"}) {
    m = Signed();
    std::erase_if(m.headers, [&](const auto& kv) { return kv.first == h; });
    EXPECT_EQ(Verify(p_, m, keys_, kNow).reason, std::string("missing ") + h + " header") << h;
  }

  m = Signed(kNow, "not-alphas-secret");
  EXPECT_EQ(Verify(p_, m, keys_, kNow).reason, "signature does not match");

  m = Signed();
  SetHeader(m, "X-Key-Id", "beta");  // another client's key id over alpha's MAC
  EXPECT_EQ(Verify(p_, m, keys_, kNow).reason, "signature does not match");
  SetHeader(m, "X-Key-Id", "gamma");
  EXPECT_EQ(Verify(p_, m, keys_, kNow).reason, "unknown key id");
}

TEST(SigningProfile, RejectsBadProfilesByKey) {
  EXPECT_THAT(ProfileFromJson({{"components", {"method", "body"}}}).status().message(),
              HasSubstr("component `body`"));
  EXPECT_THAT(ProfileFromJson({{"encoding", "base32"}}).status().message(),
              HasSubstr("`encoding`: expected one of hex, base64"));
  EXPECT_THAT(ProfileFromJson({{"window", "soon"}}).status().message(), HasSubstr("`window`"));
  EXPECT_THAT(ProfileFromJson({{"colour", "red"}}).status().message(),
              HasSubstr("unknown key `colour`"));
  EXPECT_THAT(ProfileFromJson({{"headers", {{"signature", ""}}}}).status().message(),
              HasSubstr("signature header name is required"));
  auto p = ProfileFromJson({{"window", "2m"}, {"encoding", "base64"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->window.count(), 120);
  EXPECT_EQ(ProfileFromJson(p->ToJson()).value().ToJson(), p->ToJson());
}

}  // namespace
}  // namespace tollgate::signing
