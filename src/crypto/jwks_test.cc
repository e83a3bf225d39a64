#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/base/clock.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using json = nlohmann::json;

// Public JWK of a fresh key, with `changes` merged over it.
json PublicJwk(Alg alg, const std::string& kid, const json& changes = json::object()) {
  json j = Jwk::Generate(alg, kid)->ToPublicJson();
  j.merge_patch(changes);
  return j;
}

std::vector<std::string> Kids(const Jwks& set) {
  std::vector<std::string> out;
  for (const Jwk& k : set.keys) out.push_back(k.kid());
  return out;
}

TEST(Jwks, ParsesPublicSetAndFindsByKid) {
  auto a = Jwk::Generate(Alg::kRS256, "a");
  auto b = Jwk::Generate(Alg::kES256, "b");
  Jwks set{{*a, *b}};
  std::string text = set.ToPublicJson().dump();
  auto parsed = Jwks::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->keys.size(), 2u);
  ASSERT_NE(parsed->Find("b"), nullptr);
  EXPECT_EQ(parsed->Find("b")->Thumbprint(), b->Thumbprint());
  EXPECT_EQ(parsed->Find("c"), nullptr);
  // Kept in a variable: a range-for over a member of a temporary would read freed memory.
  const json published = parsed->ToPublicJson();
  for (const json& k : published["keys"]) {
    for (const char* m : {"d", "p", "q", "dp", "dq", "qi", "k"}) EXPECT_FALSE(k.contains(m)) << m;
  }
}

TEST(Jwks, RejectsAmbiguousSets) {
  auto a = Jwk::Generate(Alg::kES256, "same");
  auto b = Jwk::Generate(Alg::kES256, "same");
  json dup = {{"keys", {a->ToPublicJson(), b->ToPublicJson()}}};
  auto d = Jwks::Parse(dup.dump());
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("duplicate kid \"same\""));

  json mixed = {{"keys", {a->ToPublicJson(), Jwk::Generate(Alg::kES256, "p")->ToPrivateJson()}}};
  auto m = Jwks::Parse(mixed.dump());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("key 1: private key material"));

  json oct = {{"keys", {Jwk::Generate(Alg::kHS256, "h")->ToPrivateJson()}}};
  EXPECT_FALSE(Jwks::Parse(oct.dump()).ok());
}

TEST(Jwks, RejectsMalformedDocuments) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {Case{"[]", "not a JSON object"}, Case{"{}", "no \"keys\" array"},
                        Case{R"({"keys":[],"keys":[]})", "duplicate member"},
                        Case{"not json", "jwks"}, Case{R"({"keys":{}})", "no \"keys\" array"},
                        Case{R"({"keys":[{"kty":"EC","crv":"P-256"}]})", "key 0"}}) {
    auto r = Jwks::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_THAT(r.status().message(), HasSubstr(c.message)) << c.text;
  }
}

// Keycloak's default realm publishes an RSA-OAEP encryption key ("use": "enc") first,
// with its certificate members, and the RS256 signing key after it.
TEST(Jwks, SkipsAnEncryptionKeyAndKeepsTheSigningKey) {
  auto signing = Jwk::Generate(Alg::kRS256, "sig-kid");
  json enc = PublicJwk(Alg::kRS256, "enc-kid", {{"alg", "RSA-OAEP"}, {"use", "enc"}});
  enc["x5c"] = {"MIICnTCCAYUCBgGLs"};
  enc["x5t"] = "Zm9v";
  enc["x5t#S256"] = "YmFy";
  json set = {{"keys", {enc, signing->ToPublicJson()}}};
  auto parsed = Jwks::Parse(set.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_THAT(Kids(*parsed), ElementsAre("sig-kid"));
  ASSERT_THAT(parsed->skipped, SizeIs(1));
  EXPECT_THAT(parsed->skipped[0], HasSubstr("key 0: kid \"enc-kid\""));
  EXPECT_THAT(parsed->skipped[0],
              HasSubstr("\"use\" must be \"sig\" for a signing key, found \"enc\""));

  // The signing key verifies; a token naming the skipped key finds no key (fails closed).
  ManualClock clock;
  json claims = {{"iss", "https://id.test"}, {"exp", clock.NowSeconds() + 60}};
  ValidationPolicy policy;
  policy.typ = std::nullopt;
  VerifyResult ok =
      VerifyJwt(*Sign(*signing, {{"typ", "JWT"}}, claims.dump()), *parsed, policy, clock);
  EXPECT_TRUE(ok.ok) << ok.rejection.code << ": " << ok.rejection.message;
  auto other = Jwk::Generate(Alg::kRS256, "enc-kid");
  VerifyResult refused =
      VerifyJwt(*Sign(*other, {{"typ", "JWT"}}, claims.dump()), *parsed, policy, clock);
  ASSERT_FALSE(refused.ok);
  EXPECT_EQ(refused.rejection.code, "unknown_kid");
}

TEST(Jwks, SkipsKeysOfUnknownTypesAlgorithmsAndCurves) {
  json ed25519_alg = PublicJwk(Alg::kEdDSA, "ed-fully-specified", {{"alg", "Ed25519"}});
  json ed448 = PublicJwk(Alg::kEdDSA, "ed448", {{"crv", "Ed448"}});
  ed448.erase("alg");
  json bare = PublicJwk(Alg::kES256, "no-use-no-alg");  // usable: alg follows from crv
  bare.erase("use");
  bare.erase("alg");
  json set = {{"keys",
               {{{"kty", "AKP"}, {"kid", "ml-dsa"}, {"alg", "ML-DSA-44"}, {"pub", "AAAA"}},
                ed25519_alg,
                ed448,
                PublicJwk(Alg::kES256, "es-unknown-alg", {{"alg", "ES512"}}),
                PublicJwk(Alg::kES256, "ops-encrypt", {{"key_ops", {"encrypt"}}}),
                PublicJwk(Alg::kEdDSA, "eddsa"),
                PublicJwk(Alg::kES256, "use-sig"),
                bare}}};
  auto parsed = Jwks::Parse(set.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_THAT(Kids(*parsed), ElementsAre("eddsa", "use-sig", "no-use-no-alg"));
  EXPECT_EQ(parsed->keys[2].alg(), Alg::kES256);
  ASSERT_THAT(parsed->skipped, SizeIs(5));
  EXPECT_THAT(parsed->skipped[0],
              HasSubstr("key 0: kid \"ml-dsa\": jwk: unsupported \"alg\" \"ML-DSA-44\""));
  EXPECT_THAT(parsed->skipped[1],
              HasSubstr("key 1: kid \"ed-fully-specified\": jwk: unsupported \"alg\" \"Ed25519\""));
  EXPECT_THAT(parsed->skipped[2],
              HasSubstr("key 2: kid \"ed448\": jwk: unsupported OKP curve \"Ed448\""));
  EXPECT_THAT(parsed->skipped[3],
              HasSubstr("key 3: kid \"es-unknown-alg\": jwk: unsupported \"alg\" \"ES512\""));
  EXPECT_THAT(parsed->skipped[4],
              HasSubstr("key 4: kid \"ops-encrypt\": jwk: \"key_ops\" may hold only"));

  // An unknown kty alone, without an alg the importer refuses first.
  auto dsa = Jwks::Parse(
      json{{"keys", {{{"kty", "DSA"}, {"kid", "d"}}, PublicJwk(Alg::kES256, "e")}}}.dump());
  ASSERT_TRUE(dsa.ok()) << dsa.status().ToString();
  EXPECT_THAT(Kids(*dsa), ElementsAre("e"));
  ASSERT_THAT(dsa->skipped, SizeIs(1));
  EXPECT_THAT(dsa->skipped[0], HasSubstr("unsupported \"kty\" \"DSA\""));
}

TEST(Jwks, ASetOfOnlyUnusableKeysFailsNamingEachReason) {
  json set = {{"keys",
               {PublicJwk(Alg::kRS256, "enc", {{"alg", "RSA-OAEP-256"}, {"use", "enc"}}),
                PublicJwk(Alg::kEdDSA, "ed", {{"alg", "Ed25519"}})}}};
  auto parsed = Jwks::Parse(set.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("jwks: no usable signing key (key 0: kid \"enc\""));
  EXPECT_THAT(parsed.status().message(),
              HasSubstr("; key 1: kid \"ed\": jwk: unsupported \"alg\" \"Ed25519\")"));
  // An empty set is a set (a host between rotations serves one); only unusable keys fail.
  auto empty = Jwks::Parse(R"({"keys":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->keys.empty());
}

TEST(Jwks, PrivateMaterialRefusesTheSetEvenInAKeyThatWouldBeSkipped) {
  json enc = Jwk::Generate(Alg::kRS256, "enc")->ToPrivateJson();
  enc["use"] = "enc";
  json set = {{"keys", {enc, PublicJwk(Alg::kES256, "sig")}}};
  auto parsed = Jwks::Parse(set.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("key 0: private key material"));
  EXPECT_THAT(parsed.status().message(), ::testing::Not(HasSubstr(enc["d"].get<std::string>())));
}

TEST(Jwks, DuplicateKidsCountOnlyAmongUsableKeys) {
  // An encryption key may share its kid with the signing key: only one can verify.
  json set = {{"keys",
               {PublicJwk(Alg::kRS256, "same", {{"alg", "RSA-OAEP"}, {"use", "enc"}}),
                PublicJwk(Alg::kRS256, "same")}}};
  auto parsed = Jwks::Parse(set.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_THAT(Kids(*parsed), ElementsAre("same"));
}

}  // namespace
}  // namespace tollgate::jose
