#include "mocks/key_ring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "mocks/config.h"

namespace tollgate::mocks {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Kids(const jose::Jwks& jwks) {
  std::vector<std::string> out;
  for (const jose::Jwk& k : jwks.keys) out.push_back(k.kid());
  return out;
}

std::unique_ptr<KeyRing> Ring(std::vector<KeySpec> specs = {{"k1", jose::Alg::kES256}}) {
  auto ring = KeyRing::Create(specs);
  EXPECT_TRUE(ring.ok()) << ring.status().ToString();
  return std::move(ring).value();
}

TEST(KeySpecs, DefaultIsOneRs256KeyCalledK1) {
  auto specs = ParseKeySpecs(nlohmann::json::object(), "idp");
  ASSERT_TRUE(specs.ok());
  ASSERT_EQ(specs->size(), 1u);
  EXPECT_EQ((*specs)[0].kid, "k1");
  EXPECT_EQ((*specs)[0].alg, jose::Alg::kRS256);
}

// Kids, algorithms and uniqueness are the schema's (SigningKeysField, checked by the
// loader: service_schemas_test.cc); an empty list is the one rule it cannot say.
TEST(KeySpecs, ReadsTheListAndRefusesAnEmptyOne) {
  auto specs = ParseKeySpecs(
      {{"keys", {{{"kid", "a"}, {"alg", "ES384"}}, {{"kid", "b"}, {"alg", "EdDSA"}}}}}, "idp");
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  ASSERT_EQ(specs->size(), 2u);
  EXPECT_EQ((*specs)[0].kid, "a");
  EXPECT_EQ((*specs)[0].alg, jose::Alg::kES384);
  EXPECT_EQ((*specs)[1].alg, jose::Alg::kEdDSA);
  auto empty = ParseKeySpecs({{"keys", nlohmann::json::array()}}, "idp");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(),
              HasSubstr("service `idp`: `keys` must be a non-empty list"));
}

// The schema offers crypto's public-key algorithms and refuses `none` and HS256 by name.
TEST(KeySpecs, SchemaAllowsPublicKeyAlgorithmsOnly) {
  EXPECT_THAT(PublicKeyAlgNames(),
              ElementsAre("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"));
  std::vector<std::string> refused = TermNames(RefusedPublicKeyAlgs());
  EXPECT_THAT(refused, ::testing::IsSupersetOf({"none", "HS256"}));
}

TEST(KeyRing, FirstKeyIsActiveAndEveryKeyIsPublished) {
  auto ring = Ring({{"a", jose::Alg::kES256}, {"b", jose::Alg::kES256}});
  EXPECT_EQ(ring->ActiveKid(), "a");
  EXPECT_THAT(Kids(ring->Published()), ElementsAre("a", "b"));
  ASSERT_TRUE(ring->Signing("").has_value());
  EXPECT_EQ(ring->Signing("")->kid(), "a");
  EXPECT_TRUE(ring->Signing("")->has_private());
  EXPECT_EQ(ring->Signing("b")->kid(), "b");
  EXPECT_FALSE(ring->Signing("c").has_value());
}

TEST(KeyRing, RotationAddsAnActiveKeyAndKeepsTheOldOnePublished) {
  auto ring = Ring();
  ASSERT_TRUE(ring->Apply("rotate_keys", nlohmann::json::object()).ok());
  EXPECT_EQ(ring->ActiveKid(), "k1-r1");
  EXPECT_THAT(Kids(ring->Published()), ElementsAre("k1-r1", "k1"));
  EXPECT_EQ(ring->Signing("")->alg(), jose::Alg::kES256);
  ASSERT_TRUE(ring->Apply("rotate_keys", nlohmann::json::object()).ok());
  EXPECT_EQ(ring->ActiveKid(), "k1-r2");  // numbered from k1, not "k1-r1-r2"
  ASSERT_TRUE(ring->Apply("rotate_keys", {{"kid", "fresh"}}).ok());
  EXPECT_EQ(ring->ActiveKid(), "fresh");
  EXPECT_THAT(ring->Apply("rotate_keys", {{"kid", "k1"}}).message(), HasSubstr("already exists"));
}

TEST(KeyRing, AddedKeyIsPublishedButNotActive) {
  auto ring = Ring();
  ASSERT_TRUE(ring->Apply("add_key", {{"kid", "extra"}, {"alg", "ES384"}}).ok());
  EXPECT_EQ(ring->ActiveKid(), "k1");
  EXPECT_THAT(Kids(ring->Published()), ElementsAre("k1", "extra"));
  EXPECT_EQ(ring->Signing("extra")->alg(), jose::Alg::kES384);
  EXPECT_THAT(ring->Apply("add_key", nlohmann::json::object()).message(), HasSubstr("needs `kid`"));
  EXPECT_THAT(ring->Apply("add_key", {{"kid", "x"}, {"alg", "HS256"}}).message(),
              HasSubstr("not an asymmetric"));
}

TEST(KeyRing, RemovedKeyIsUnpublishedAndCannotSign) {
  auto ring = Ring();
  ASSERT_TRUE(ring->Apply("rotate_keys", nlohmann::json::object()).ok());
  ASSERT_TRUE(ring->Apply("remove_key", {{"kid", "k1"}}).ok());
  EXPECT_THAT(Kids(ring->Published()), ElementsAre("k1-r1"));
  EXPECT_FALSE(ring->Signing("k1").has_value());
  // Removing the active key hands over to the next published one.
  ASSERT_TRUE(ring->Apply("add_key", {{"kid", "b"}}).ok());
  ASSERT_TRUE(ring->Apply("remove_key", {{"kid", "k1-r1"}}).ok());
  EXPECT_EQ(ring->ActiveKid(), "b");
  EXPECT_THAT(ring->Apply("remove_key", {{"kid", "nope"}}).message(), HasSubstr("no key `nope`"));
}

TEST(KeyRing, SameKidNewKeyKeepsTheKidAndChangesTheMaterial) {
  auto ring = Ring();
  std::string before = ring->Signing("k1")->Thumbprint();
  ASSERT_TRUE(ring->Apply("same_kid_new_key", nlohmann::json::object()).ok());
  EXPECT_THAT(Kids(ring->Published()), ElementsAre("k1"));
  EXPECT_NE(ring->Signing("k1")->Thumbprint(), before);
}

TEST(KeyRing, RestoreBringsBackTheConfiguredKeysWithTheirMaterial) {
  auto ring = Ring();
  std::string before = ring->Signing("k1")->Thumbprint();
  ASSERT_TRUE(ring->Apply("rotate_keys", nlohmann::json::object()).ok());
  ASSERT_TRUE(ring->Apply("same_kid_new_key", {{"kid", "k1"}}).ok());
  ASSERT_TRUE(ring->Apply("add_key", {{"kid", "x"}}).ok());
  ring->Restore();
  EXPECT_THAT(Kids(ring->Published()), ElementsAre("k1"));
  EXPECT_EQ(ring->ActiveKid(), "k1");
  EXPECT_EQ(ring->Signing("")->Thumbprint(), before);
  ASSERT_TRUE(ring->Apply("rotate_keys", nlohmann::json::object()).ok());
  EXPECT_EQ(ring->ActiveKid(), "k1-r1");  // numbering restarts too
}

TEST(JwksResponse, CarriesMaxAgeAndAStrongEtag) {
  ServerRequest req;
  ServerResponse r = JwksResponse(R"({"keys":[]})", std::chrono::seconds(120), req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"keys":[]})");
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "max-age=120");
  std::string etag = r.headers.Get("ETag").value_or("");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');  // strong: no W/ prefix
  EXPECT_EQ(etag.back(), '"');
  EXPECT_NE(JwksResponse(R"({"keys":[1]})", std::chrono::seconds(120), req).headers.Get("ETag"),
            etag);
}

TEST(JwksResponse, AnswersAMatchingIfNoneMatchWith304) {
  ServerRequest plain;
  std::string etag = *JwksResponse("body", std::chrono::seconds(1), plain).headers.Get("ETag");
  for (std::string inm : {etag, "\"other\", " + etag, "W/" + etag, std::string("*")}) {
    ServerRequest req;
    req.headers.Add("If-None-Match", inm);
    ServerResponse r = JwksResponse("body", std::chrono::seconds(1), req);
    EXPECT_EQ(r.status, 304) << inm;
    EXPECT_EQ(r.body, "") << inm;
    EXPECT_EQ(r.headers.Get("ETag").value_or(""), etag) << inm;
    EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "max-age=1") << inm;
  }
  ServerRequest stale;
  stale.headers.Add("If-None-Match", "\"0123\"");
  EXPECT_EQ(JwksResponse("body", std::chrono::seconds(1), stale).status, 200);
}

// The loader has checked a duration key (and kept it as written): reading converts it.
TEST(ConfigDuration, ReadsUnitsAndSecondsWithADefault) {
  nlohmann::json c = {{"a", "1h"}, {"b", "30s"}, {"c", 12}, {"d", "1500ms"}};
  EXPECT_EQ(GetSeconds(c, "a", std::chrono::seconds(0)), std::chrono::seconds(3600));
  EXPECT_EQ(GetSeconds(c, "b", std::chrono::seconds(0)), std::chrono::seconds(30));
  EXPECT_EQ(GetSeconds(c, "c", std::chrono::seconds(0)), std::chrono::seconds(12));
  EXPECT_EQ(GetSeconds(c, "d", std::chrono::seconds(0)), std::chrono::seconds(1));
  EXPECT_EQ(GetSeconds(c, "zz", std::chrono::seconds(7)), std::chrono::seconds(7));
}

TEST(RandomToken, Is32BytesOfBase64UrlAndNeverRepeats) {
  std::string a = RandomToken(32), b = RandomToken(32);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_of("+/="), std::string::npos);
}

// Key material is recycled between rings of one process (Jwk::GenerateRecyclable), but a
// key a ring once published never comes back while the ring lives: a target may still
// cache it under its old kid.
TEST(KeyRing, KeysItDroppedNeverReturnUnderAnotherKidWhileItLives) {
  auto ring = Ring({{"k1", jose::Alg::kRS256}});
  std::set<std::string> seen;
  auto modulus = [&](const std::string& kid) {
    std::optional<jose::Jwk> k = ring->Signing(kid);
    EXPECT_TRUE(k.has_value()) << kid;
    return k ? k->ToPublicJson().at("n").get<std::string>() : std::string();
  };
  seen.insert(modulus("k1"));
  ASSERT_TRUE(ring->Apply("rotate_keys", {{"kid", "k2"}}).ok());
  seen.insert(modulus("k2"));
  ASSERT_TRUE(ring->Apply("remove_key", {{"kid", "k1"}}).ok());
  ASSERT_TRUE(ring->Apply("same_kid_new_key", {{"kid", "k2"}}).ok());
  seen.insert(modulus("k2"));
  ASSERT_TRUE(ring->Apply("add_key", {{"kid", "k3"}}).ok());
  seen.insert(modulus("k3"));
  ring->Restore();
  ASSERT_TRUE(ring->Apply("rotate_keys", {{"kid", "k4"}}).ok());
  seen.insert(modulus("k4"));
  EXPECT_EQ(seen.size(), 5u) << "a dropped key came back under a new kid";
}

}  // namespace
}  // namespace tollgate::mocks
