#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <optional>
#include <set>

#include "crypto/jwk_impl.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

// RFC 7638 §3.1.
constexpr char kRfc7638N[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPe"
    "bWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY36"
    "8QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4l"
    "Fd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

// RFC 7515 A.3 (P-256).
constexpr char kEcX[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kEcY[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr char kEcD[] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";

const char* const kPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "k"};

void ExpectNoPrivateMembers(const json& j, const std::string& context) {
  for (const char* m : kPrivateMembers) EXPECT_FALSE(j.contains(m)) << context << ": " << m;
}

std::string PrivatePem(const Jwk& key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key.impl().pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

class JwkGenerate : public ::testing::TestWithParam<Alg> {};

TEST_P(JwkGenerate, SignsVerifiesAndExportsOnlyPublicMembers) {
  Alg alg = GetParam();
  auto key = Jwk::Generate(alg, "k1");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->alg(), alg);
  EXPECT_EQ(key->kid(), "k1");
  EXPECT_TRUE(key->has_private());

  json pub = key->ToPublicJson();
  ExpectNoPrivateMembers(pub, AlgName(alg));
  EXPECT_EQ(pub["kid"], "k1");
  EXPECT_EQ(pub["alg"], AlgName(alg));
  EXPECT_EQ(pub["use"], "sig");
  EXPECT_EQ(pub["kty"], key->kty());

  auto token = Sign(*key, {{"typ", "JWT"}}, R"({"sub":"x"})");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  auto parts = ParseCompact(*token);
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(VerifySignature(*parts, *key, alg).ok());

  if (alg == Alg::kHS256) return;  // a public oct JWK holds no key
  // The public half alone, re-imported, verifies what the private half signed.
  auto imported = Jwk::FromJson(pub);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_FALSE(imported->has_private());
  EXPECT_TRUE(VerifySignature(*parts, *imported, alg).ok());
  EXPECT_EQ(imported->Thumbprint(), key->Thumbprint());
  // And the private JWK round-trips to the same key.
  auto again = Jwk::FromJson(key->ToPrivateJson());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->has_private());
  EXPECT_EQ(again->ToPrivateJson(), key->ToPrivateJson());
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, JwkGenerate,
                         ::testing::Values(Alg::kHS256, Alg::kRS256, Alg::kRS384, Alg::kRS512,
                                           Alg::kPS256, Alg::kES256, Alg::kES384, Alg::kEdDSA),
                         [](const auto& info) { return std::string(AlgName(info.param)); });

TEST(Jwk, GenerateRefusesNone) {
  auto key = Jwk::Generate(Alg::kNone, "x");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
}

TEST(Jwk, ThumbprintMatchesRfc7638Example) {
  auto key = Jwk::FromJson(
      {{"kty", "RSA"}, {"n", kRfc7638N}, {"e", "AQAB"}, {"alg", "RS256"}, {"kid", "2011-04-29"}});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EXPECT_EQ(key->kid(), "2011-04-29");
}

TEST(Jwk, PublicJsonOfSecretHasNoKey) {
  Jwk secret = Jwk::FromSecret("0123456789abcdef0123456789abcdef", "h1");
  json pub = secret.ToPublicJson();
  ExpectNoPrivateMembers(pub, "oct");
  EXPECT_EQ(pub["kty"], "oct");
  EXPECT_EQ(secret.PublicPem(), "");
  EXPECT_EQ(secret.ToPrivateJson()["k"], Base64UrlEncode("0123456789abcdef0123456789abcdef"));
}

TEST(Jwk, ImportsEcPrivateKeyAndChecksItsPoint) {
  auto key =
      Jwk::FromJson({{"kty", "EC"}, {"crv", "P-256"}, {"x", kEcX}, {"y", kEcY}, {"d", kEcD}});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->alg(), Alg::kES256);
  EXPECT_TRUE(key->has_private());
  EXPECT_EQ(key->ToPublicJson()["x"], kEcX);
  EXPECT_EQ(key->ToPublicJson()["y"], kEcY);
}

struct BadJwk {
  std::string name;
  json jwk;
  std::string message;
};

TEST(Jwk, FromJsonRejectsBadKeys) {
  std::string y = kEcY;
  y[5] = y[5] == 'A' ? 'B' : 'A';  // a point off the curve
  auto weak = Jwk::Generate(Alg::kES256, "w");
  const std::vector<BadJwk> cases = {
      {"not object", json::array(), "not a JSON object"},
      {"no kty", {{"n", "AQAB"}}, "kty"},
      {"unknown kty", {{"kty", "DSA"}}, "unsupported \"kty\""},
      {"off curve",
       {{"kty", "EC"}, {"crv", "P-256"}, {"x", kEcX}, {"y", y}},
       "not a point on P-256"},
      {"P-521",
       {{"kty", "EC"}, {"crv", "P-521"}, {"x", kEcX}, {"y", kEcY}},
       "unsupported EC curve"},
      {"short x",
       {{"kty", "EC"}, {"crv", "P-256"}, {"x", "AQAB"}, {"y", kEcY}},
       "exactly 32 bytes"},
      {"wrong curve for alg",
       {{"kty", "EC"}, {"crv", "P-256"}, {"x", kEcX}, {"y", kEcY}, {"alg", "ES384"}},
       "does not fit"},
      {"RS alg on EC",
       {{"kty", "EC"}, {"crv", "P-256"}, {"x", kEcX}, {"y", kEcY}, {"alg", "RS256"}},
       "does not fit"},
      {"use enc",
       {{"kty", "EC"}, {"crv", "P-256"}, {"x", kEcX}, {"y", kEcY}, {"use", "enc"}},
       "\"use\" must be \"sig\""},
      {"key_ops encrypt",
       {{"kty", "EC"}, {"crv", "P-256"}, {"x", kEcX}, {"y", kEcY}, {"key_ops", {"encrypt"}}},
       "key_ops"},
      {"padded x",
       {{"kty", "EC"}, {"crv", "P-256"}, {"x", std::string(kEcX) + "="}, {"y", kEcY}},
       "not strict base64url"},
      {"mismatched d",
       {{"kty", "EC"},
        {"crv", "P-256"},
        {"x", kEcX},
        {"y", kEcY},
        {"d", weak->ToPrivateJson()["d"]}},
       "do not match"},
      {"x25519", {{"kty", "OKP"}, {"crv", "X25519"}, {"x", kEcX}}, "unsupported OKP curve"},
      {"short oct", {{"kty", "oct"}, {"k", Base64UrlEncode("short")}}, "too short"},
      {"empty oct", {{"kty", "oct"}, {"k", ""}}, "too short"},
      {"rsa partial crt",
       {{"kty", "RSA"}, {"n", kRfc7638N}, {"e", "AQAB"}, {"p", "AQAB"}},
       "must all be present"},
      {"rsa e=1", {{"kty", "RSA"}, {"n", kRfc7638N}, {"e", "AQ"}}, "invalid RSA public key"},
      {"alg none",
       {{"kty", "RSA"}, {"n", kRfc7638N}, {"e", "AQAB"}, {"alg", "none"}},
       "unsupported \"alg\""},
  };
  for (const auto& c : cases) {
    auto key = Jwk::FromJson(c.jwk);
    ASSERT_FALSE(key.ok()) << c.name;
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(key.status().message(), HasSubstr(c.message)) << c.name;
  }
}

std::string BnMember(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(pkey, name, &bn);
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  return Base64UrlEncode(bytes);
}

TEST(Jwk, WeakRsaRefusedUnlessAllowed) {
  EVP_PKEY* weak = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
  ASSERT_NE(weak, nullptr);
  json jwk = {{"kty", "RSA"}, {"n", BnMember(weak, "n")}, {"e", BnMember(weak, "e")}};
  EVP_PKEY_free(weak);
  auto refused = Jwk::FromJson(jwk);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("1024 bits is too weak (2048 at least)"));
  auto allowed = Jwk::FromJson(jwk, /*allow_weak=*/true);
  EXPECT_TRUE(allowed.ok()) << allowed.status().ToString();
}

TEST(Jwk, ErrorsNeverQuotePrivateMaterial) {
  auto key = Jwk::Generate(Alg::kES256, "e1");
  json bad = key->ToPrivateJson();
  std::string d = bad["d"];
  bad["x"] = key->ToPublicJson()["y"];  // breaks the pair, keeps d
  auto refused = Jwk::FromJson(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), ::testing::Not(HasSubstr(d)));
}

TEST(Jwk, PemRoundTrips) {
  for (Alg alg : {Alg::kRS256, Alg::kES384, Alg::kEdDSA}) {
    auto key = Jwk::Generate(alg, "p1");
    ASSERT_TRUE(key.ok());
    std::string pub_pem = key->PublicPem();
    EXPECT_THAT(pub_pem, HasSubstr("-----BEGIN PUBLIC KEY-----")) << AlgName(alg);
    EXPECT_EQ(pub_pem.back(), '\n');
    auto pub = Jwk::FromPem(pub_pem, "p1", alg);
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    EXPECT_FALSE(pub->has_private());
    EXPECT_EQ(pub->Thumbprint(), key->Thumbprint());

    auto priv = Jwk::FromPem(PrivatePem(*key), "p1", alg);
    ASSERT_TRUE(priv.ok()) << priv.status().ToString();
    EXPECT_TRUE(priv->has_private());
    EXPECT_EQ(priv->ToPrivateJson(), key->ToPrivateJson());
  }
  auto rsa = Jwk::Generate(Alg::kRS256, "r");
  auto mismatch = Jwk::FromPem(rsa->PublicPem(), "r", Alg::kES256);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_THAT(mismatch.status().message(), HasSubstr("cannot sign ES256"));
  auto garbage = Jwk::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "g",
                              Alg::kRS256);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
}

// The material of a recyclable RSA key: the modulus of its public JWK.
std::string Modulus(const Jwk& k) { return k.ToPublicJson().at("n").get<std::string>(); }

TEST(Jwk, RecyclableKeysNeverShareMaterialWhileHeld) {
  std::vector<Jwk> held;
  std::set<std::string> moduli;
  for (int i = 0; i < 3; ++i) {
    auto k = Jwk::GenerateRecyclable(Alg::kRS256, "k" + std::to_string(i));
    ASSERT_TRUE(k.ok()) << k.status().ToString();
    EXPECT_EQ(k->kid(), "k" + std::to_string(i));
    EXPECT_TRUE(k->has_private());
    moduli.insert(Modulus(*k));
    held.push_back(*std::move(k));
  }
  EXPECT_EQ(moduli.size(), 3u);
}

TEST(Jwk, RecyclableKeyReusesMaterialOnlyOnceNoCopyHoldsIt) {
  auto first = Jwk::GenerateRecyclable(Alg::kRS256, "old");
  ASSERT_TRUE(first.ok());
  std::string material = Modulus(*first);
  std::optional<Jwk> copy = *first;
  first = InternalError("dropped");
  // A copy still holds it: a new key must not get this material.
  auto second = Jwk::GenerateRecyclable(Alg::kRS256, "new");
  ASSERT_TRUE(second.ok());
  EXPECT_NE(Modulus(*second), material);
  copy.reset();
  // Nothing holds it now: the next recyclable key takes it, under its own kid, and signs.
  auto third = Jwk::GenerateRecyclable(Alg::kRS256, "newer");
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(Modulus(*third), material);
  EXPECT_EQ(third->kid(), "newer");
  EXPECT_EQ(third->alg(), Alg::kRS256);
  auto token = Sign(*third, json::object(), "{}");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  auto parts = ParseCompact(*token);
  ASSERT_TRUE(parts.ok());
  auto published = Jwk::FromJson(third->ToPublicJson());
  ASSERT_TRUE(published.ok());
  EXPECT_TRUE(VerifySignature(*parts, *published, Alg::kRS256).ok());
  // Generate never takes recycled material.
  third = InternalError("dropped");
  auto fresh = Jwk::Generate(Alg::kRS256, "fresh");
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(Modulus(*fresh), material);
}

}  // namespace
}  // namespace tollgate::jose
