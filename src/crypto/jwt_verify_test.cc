#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/base/clock.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr long long kNow = 1'700'000'000;

const Jwk& RsaKey() {
  static const Jwk key = *Jwk::Generate(Alg::kRS256, "rsa-1");
  return key;
}

ValidationPolicy Strict() {
  ValidationPolicy p;
  p.issuers = {"https://issuer.test"};
  p.audiences = {"payments-api"};
  p.algorithms = {Alg::kRS256, Alg::kES256};
  p.typ = "at+jwt";
  p.required_scope = "payments:write";
  p.leeway_seconds = 60;
  return p;
}

json Claims() {
  return {{"iss", "https://issuer.test"},
          {"aud", "payments-api"},
          {"sub", "client-1"},
          {"iat", kNow},
          {"exp", kNow + 300},
          {"scope", "payments:read payments:write"}};
}

std::string Token(const Jwk& key, const json& claims, json header = {{"typ", "at+jwt"}}) {
  return *Sign(key, header, claims.dump());
}

Jwks Published(std::vector<Jwk> keys) {
  Jwks set;
  for (const Jwk& k : keys) set.keys.push_back(*Jwk::FromJson(k.ToPublicJson()));
  return set;
}

VerifyResult Verify(const std::string& token, const Jwks& keys,
                    const ValidationPolicy& policy = Strict()) {
  ManualClock clock;  // kNow
  return VerifyJwt(token, keys, policy, clock);
}

std::string CodeOf(const VerifyResult& r) { return r.ok ? "accepted" : r.rejection.code; }

TEST(VerifyJwt, AcceptsAValidTokenAndReturnsItsClaims) {
  VerifyResult r = Verify(Token(RsaKey(), Claims()), Published({RsaKey()}));
  ASSERT_TRUE(r.ok) << r.rejection.code << ": " << r.rejection.message;
  EXPECT_EQ(r.ok->claims["sub"], "client-1");
  EXPECT_EQ(r.ok->header["kid"], "rsa-1");
}

TEST(VerifyJwt, NoneIsNeverAllowedEvenWhenListed) {
  ValidationPolicy p = Strict();
  p.algorithms.push_back(Alg::kNone);
  std::string token = Base64UrlEncode(R"({"alg":"none","kid":"rsa-1","typ":"at+jwt"})") + "." +
                      Base64UrlEncode(Claims().dump()) + ".";
  EXPECT_EQ(CodeOf(Verify(token, Published({RsaKey()}), p)), "alg_not_allowed");
}

TEST(VerifyJwt, HmacNeverVerifiesWithAnAsymmetricKey) {
  ValidationPolicy p = Strict();
  p.algorithms = {Alg::kRS256, Alg::kHS256};
  Jwk confused = Jwk::FromSecret(RsaKey().PublicPem(), "rsa-1");
  VerifyResult r = Verify(Token(confused, Claims()), Published({RsaKey()}), p);
  EXPECT_EQ(CodeOf(r), "alg_not_allowed");
  EXPECT_THAT(r.rejection.message, HasSubstr("does not fit key \"rsa-1\""));
  // And the other way round: an RS256 token whose kid names an oct key.
  Jwks mixed;
  mixed.keys = {Jwk::FromSecret("0123456789abcdef0123456789abcdef", "rsa-1")};
  EXPECT_EQ(CodeOf(Verify(Token(RsaKey(), Claims()), mixed, p)), "alg_not_allowed");
}

TEST(VerifyJwt, WithoutKidUsesTheOnlyFittingKey) {
  auto ec = Jwk::Generate(Alg::kES256, "ec-1");
  auto rsa2 = Jwk::Generate(Alg::kRS256, "rsa-2");
  auto no_kid = [](const Jwk& key) {
    Jwk anonymous = *Jwk::FromJson([&] {
      json j = key.ToPrivateJson();
      j.erase("kid");
      return j;
    }());
    return Token(anonymous, Claims());
  };
  EXPECT_EQ(CodeOf(Verify(no_kid(RsaKey()), Published({RsaKey(), *ec}))), "accepted");
  EXPECT_EQ(CodeOf(Verify(no_kid(*ec), Published({RsaKey(), *ec}))), "accepted");
  VerifyResult two = Verify(no_kid(RsaKey()), Published({RsaKey(), *rsa2}));
  EXPECT_EQ(CodeOf(two), "unknown_kid");
  EXPECT_THAT(two.rejection.message, HasSubstr("2 trusted keys fit RS256"));
}

TEST(VerifyJwt, KeysInTheHeaderAreIgnored) {
  auto attacker = Jwk::Generate(Alg::kRS256, "evil");
  json header = {{"typ", "at+jwt"}, {"jwk", attacker->ToPublicJson()}, {"jku", "https://evil/"}};
  EXPECT_EQ(CodeOf(Verify(Token(*attacker, Claims(), header), Published({RsaKey()}))),
            "unknown_kid");
  // A token from the real issuer that carries such members is judged on its real key.
  EXPECT_EQ(CodeOf(Verify(Token(RsaKey(), Claims(), header), Published({RsaKey()}))), "accepted");
}

TEST(VerifyJwt, RefusesAnyCrit) {
  json header = {{"typ", "at+jwt"}, {"crit", {"exp"}}};
  EXPECT_EQ(CodeOf(Verify(Token(RsaKey(), Claims(), header), Published({RsaKey()}))),
            "crit_unsupported");
}

struct TimeCase {
  std::string name;
  json changes;  // claims to set (null removes)
  long long leeway;
  std::string expected;
};

TEST(VerifyJwt, TimeClaimsAndTheirEdges) {
  const std::vector<TimeCase> cases = {
      {"exp at now - leeway", {{"exp", kNow - 60}}, 60, "expired"},
      {"exp one second later", {{"exp", kNow - 59}}, 60, "accepted"},
      {"exp == now, no leeway", {{"exp", kNow}}, 0, "expired"},
      {"fractional exp", {{"exp", kNow + 300.5}}, 60, "accepted"},
      {"exp as string", {{"exp", std::to_string(kNow + 300)}}, 60, "malformed"},
      {"exp 1e300", {{"exp", 1e300}}, 60, "malformed"},
      {"exp missing", {{"exp", nullptr}}, 60, "missing_claim"},
      {"nbf at now + leeway", {{"nbf", kNow + 60}}, 60, "accepted"},
      {"nbf one second later", {{"nbf", kNow + 61}}, 60, "not_yet_valid"},
      {"iat beyond leeway", {{"iat", kNow + 61}}, 60, "issued_in_future"},
      {"iat as bool", {{"iat", true}}, 60, "malformed"},
  };
  for (const auto& c : cases) {
    json claims = Claims();
    for (const auto& [k, v] : c.changes.items()) {
      if (v.is_null())
        claims.erase(k);
      else
        claims[k] = v;
    }
    ValidationPolicy p = Strict();
    p.leeway_seconds = c.leeway;
    EXPECT_EQ(CodeOf(Verify(Token(RsaKey(), claims), Published({RsaKey()}), p)), c.expected)
        << c.name;
  }
}

TEST(VerifyJwt, LifetimeLimit) {
  ValidationPolicy p = Strict();
  p.max_lifetime_seconds = 600;
  json claims = Claims();
  claims["exp"] = kNow + 3600;
  EXPECT_EQ(CodeOf(Verify(Token(RsaKey(), claims), Published({RsaKey()}), p)), "lifetime");
  claims.erase("iat");
  EXPECT_EQ(CodeOf(Verify(Token(RsaKey(), claims), Published({RsaKey()}), p)), "missing_claim");
}

struct PolicyCase {
  std::string name;
  json header;
  json changes;
  std::string expected;
};

TEST(VerifyJwt, HeaderAndClaimPolicy) {
  const std::vector<PolicyCase> cases = {
      {"typ upper case", {{"typ", "AT+JWT"}}, json::object(), "accepted"},
      {"typ with media type prefix", {{"typ", "application/at+jwt"}}, json::object(), "accepted"},
      {"typ JWT", {{"typ", "JWT"}}, json::object(), "wrong_typ"},
      {"typ number", {{"typ", 1}}, json::object(), "wrong_typ"},
      {"aud array with ours",
       {{"typ", "at+jwt"}},
       {{"aud", {"other", "payments-api"}}},
       "accepted"},
      {"aud array without ours", {{"typ", "at+jwt"}}, {{"aud", {"other"}}}, "wrong_audience"},
      {"aud number", {{"typ", "at+jwt"}}, {{"aud", 7}}, "malformed"},
      {"iss prefix", {{"typ", "at+jwt"}}, {{"iss", "https://issuer.test.evil"}}, "wrong_issuer"},
      {"iss missing", {{"typ", "at+jwt"}}, {{"iss", nullptr}}, "missing_claim"},
      {"sub number", {{"typ", "at+jwt"}}, {{"sub", 123}}, "malformed"},
      {"scp array",
       {{"typ", "at+jwt"}},
       {{"scope", nullptr}, {"scp", {"payments:write"}}},
       "accepted"},
      {"scope lookalike",
       {{"typ", "at+jwt"}},
       {{"scope", "payments:writer"}},
       "insufficient_scope"},
      {"scope object", {{"typ", "at+jwt"}}, {{"scope", json::object()}}, "malformed"},
  };
  for (const auto& c : cases) {
    json claims = Claims();
    for (const auto& [k, v] : c.changes.items()) {
      if (v.is_null())
        claims.erase(k);
      else
        claims[k] = v;
    }
    EXPECT_EQ(CodeOf(Verify(Token(RsaKey(), claims, c.header), Published({RsaKey()}))), c.expected)
        << c.name;
  }
}

TEST(VerifyJwt, PayloadMustBeAStrictJsonObject) {
  const std::string header = Base64UrlEncode(R"({"alg":"RS256","kid":"rsa-1","typ":"at+jwt"})");
  auto signed_payload = [&](const std::string& payload) {
    std::string input = header + "." + Base64UrlEncode(payload);
    return input + "." + Base64UrlEncode(*SignInput(RsaKey(), Alg::kRS256, input));
  };
  EXPECT_EQ(CodeOf(Verify(signed_payload("[]"), Published({RsaKey()}))), "malformed");
  EXPECT_EQ(CodeOf(Verify(signed_payload(R"({"sub":"a","sub":"b"})"), Published({RsaKey()}))),
            "duplicate_member");
}

}  // namespace
}  // namespace tollgate::jose
