#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/crypto/jose.h"

namespace tollgate::jose {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

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
  for (const json& k : parsed->ToPublicJson()["keys"]) {
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
                        Case{R"({"keys":[{"kty":"EC","crv":"P-256"}]})", "key 0"}}) {
    auto r = Jwks::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_THAT(r.status().message(), HasSubstr(c.message)) << c.text;
  }
}

}  // namespace
}  // namespace tollgate::jose
