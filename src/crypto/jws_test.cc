#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/signature.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

// RFC 7515 Appendix A: public test vectors.
constexpr char kA1Key[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr char kA1Header[] = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
constexpr char kPayload[] =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
constexpr char kA1HeaderB64[] = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
constexpr char kPayloadB64[] =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
constexpr char kA1Signature[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

const json kA2Key = {
    {"kty", "RSA"},
    {"n",
     "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-"
     "4qPCJrcS2mJPMEzP1Pt0Bm4d4"
     "QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-"
     "bSf63kpaSHSXndS5z5rexMdb"
     "BYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-"
     "D"
     "WNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"},
    {"e", "AQAB"},
    {"d",
     "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-"
     "7YwVol2NXOoA"
     "Je46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_"
     "V51gfpR"
     "LI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_"
     "jTj3ccPDVZF"
     "D9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ"},
    {"p",
     "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_"
     "Py5PJd"
     "TJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc"},
    {"q",
     "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-"
     "7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_"
     "YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc"},
    {"dp",
     "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-"
     "FOKnu1R6H"
     "sJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0"},
    {"dq",
     "h_96-mK1R_"
     "7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF"
     "-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU"},
    {"qi",
     "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_"
     "QJQ3ydy5cY7YIB"
     "i87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"},
};
constexpr char kA2HeaderB64[] = "eyJhbGciOiJSUzI1NiJ9";
constexpr char kA2Signature[] =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5ju"
    "jGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"
    "nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Q"
    "e7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUT"
    "I8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

const json kA3Key = {{"kty", "EC"},
                     {"crv", "P-256"},
                     {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
                     {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
                     {"d", "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}};
constexpr char kA3HeaderB64[] = "eyJhbGciOiJFUzI1NiJ9";
constexpr char kA3Signature[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 8037 A.1 and A.4.
const json kEd25519Key = {{"kty", "OKP"},
                          {"crv", "Ed25519"},
                          {"d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"},
                          {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
constexpr char kEdSigningInput[] = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr char kEdSignature[] =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

TEST(JwsKnownAnswer, Rfc7515A1Hs256) {
  // The RFC's own bytes, CRLF and spaces included, encode to its segments.
  ASSERT_EQ(Base64UrlEncode(kA1Header), kA1HeaderB64);
  ASSERT_EQ(Base64UrlEncode(kPayload), kPayloadB64);
  auto key = Jwk::FromJson({{"kty", "oct"}, {"k", kA1Key}});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto sig = SignInput(*key, Alg::kHS256, std::string(kA1HeaderB64) + "." + kPayloadB64);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(Base64UrlEncode(*sig), kA1Signature);

  auto parts = ParseCompact(std::string(kA1HeaderB64) + "." + kPayloadB64 + "." + kA1Signature);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->payload, kPayload);  // raw bytes, not re-serialised
  EXPECT_EQ(parts->header["alg"], "HS256");
  EXPECT_TRUE(VerifySignature(*parts, *key, Alg::kHS256).ok());
}

TEST(JwsKnownAnswer, Rfc7515A2Rs256) {
  auto key = Jwk::FromJson(kA2Key);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto sig = SignInput(*key, Alg::kRS256, std::string(kA2HeaderB64) + "." + kPayloadB64);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ(Base64UrlEncode(*sig), kA2Signature);

  auto pub = Jwk::FromJson(key->ToPublicJson());
  auto parts = ParseCompact(std::string(kA2HeaderB64) + "." + kPayloadB64 + "." + kA2Signature);
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(VerifySignature(*parts, *pub, Alg::kRS256).ok());
}

TEST(JwsKnownAnswer, Rfc7515A2Rs256WithoutCrtMembers) {
  // RFC 7518 §6.3.2 lets a private RSA JWK carry only "d"; the signature is the same.
  json d_only = {{"kty", "RSA"}, {"n", kA2Key["n"]}, {"e", "AQAB"}, {"d", kA2Key["d"]}};
  auto key = Jwk::FromJson(d_only);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->has_private());
  auto sig = SignInput(*key, Alg::kRS256, std::string(kA2HeaderB64) + "." + kPayloadB64);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ(Base64UrlEncode(*sig), kA2Signature);
}

TEST(JwsKnownAnswer, Rfc7515A3Es256Verifies) {
  auto key = Jwk::FromJson(kA3Key);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto pub = Jwk::FromJson(key->ToPublicJson());
  auto parts = ParseCompact(std::string(kA3HeaderB64) + "." + kPayloadB64 + "." + kA3Signature);
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(VerifySignature(*parts, *pub, Alg::kES256).ok());
  // A fresh ECDSA signature differs (random k) but verifies, and is raw R||S of 64 bytes.
  auto sig = SignInput(*key, Alg::kES256, std::string(kA3HeaderB64) + "." + kPayloadB64);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 64u);
  parts->signature = *sig;
  EXPECT_TRUE(VerifySignature(*parts, *pub, Alg::kES256).ok());
  // RFC 7515 A.4 (ES512) is out of scope: P-521 keys are refused.
}

TEST(JwsKnownAnswer, Rfc8037A4Ed25519) {
  auto key = Jwk::FromJson(kEd25519Key);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto sig = SignInput(*key, Alg::kEdDSA, kEdSigningInput);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(Base64UrlEncode(*sig), kEdSignature);
  auto parts = ParseCompact(std::string(kEdSigningInput) + "." + kEdSignature);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->payload, "Example of Ed25519 signing");
  EXPECT_TRUE(VerifySignature(*parts, *Jwk::FromJson(key->ToPublicJson()), Alg::kEdDSA).ok());
}

TEST(Jws, Ps256RoundTripAndTamperedPayloadFails) {
  auto key = Jwk::Generate(Alg::kPS256, "ps");
  ASSERT_TRUE(key.ok());
  auto token = Sign(*key, json::object(), R"({"sub":"alice"})");
  ASSERT_TRUE(token.ok());
  auto parts = ParseCompact(*token);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->header["alg"], "PS256");
  EXPECT_EQ(parts->signature.size(), 256u);
  EXPECT_TRUE(VerifySignature(*parts, *key, Alg::kPS256).ok());
  // PSS is not PKCS#1 v1.5: the same key under RS256 does not verify it.
  EXPECT_FALSE(VerifySignature(*parts, *key, Alg::kRS256).ok());
  JwsParts tampered = *parts;
  tampered.payload_b64 = Base64UrlEncode(R"({"sub":"admin"})");
  Status s = VerifySignature(tampered, *key, Alg::kPS256);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("does not verify"));
}

TEST(Jws, SignPutsAlgAndKidOverExtraHeader) {
  auto key = Jwk::Generate(Alg::kES256, "e1");
  auto token = Sign(*key, {{"alg", "none"}, {"kid", "other"}, {"typ", "at+jwt"}}, "{}");
  ASSERT_TRUE(token.ok());
  auto parts = ParseCompact(*token);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->header, json({{"alg", "ES256"}, {"kid", "e1"}, {"typ", "at+jwt"}}));
}

TEST(Jws, KeyMustFitAlgorithm) {
  auto rsa = Jwk::Generate(Alg::kRS256, "r");
  auto signed_hs = SignInput(*rsa, Alg::kHS256, "a.b");
  ASSERT_FALSE(signed_hs.ok());
  EXPECT_THAT(signed_hs.status().message(), HasSubstr("cannot sign HS256"));
  auto parts = ParseCompact(*Sign(*rsa, json::object(), "{}"));
  Status s = VerifySignature(*parts, *rsa, Alg::kES256);
  EXPECT_THAT(s.message(), HasSubstr("cannot verify ES256"));
  auto pub_only = Jwk::FromJson(rsa->ToPublicJson());
  auto no_private = SignInput(*pub_only, Alg::kRS256, "a.b");
  EXPECT_EQ(no_private.status().code(), StatusCode::kFailedPrecondition);
}

TEST(Jws, EcdsaZeroSignatureNeverVerifies) {
  auto key = Jwk::Generate(Alg::kES256, "e");
  auto parts = ParseCompact(*Sign(*key, json::object(), "{}"));
  parts->signature = std::string(64, '\0');
  EXPECT_FALSE(VerifySignature(*parts, *key, Alg::kES256).ok());
  parts->signature = std::string(63, '\x01');  // wrong length
  EXPECT_FALSE(VerifySignature(*parts, *key, Alg::kES256).ok());
}

TEST(Jws, EcdsaDerAndRawConvert) {
  std::string raw(64, '\0');
  raw[31] = 1;  // r = 1
  raw[63] = 2;  // s = 2
  auto der = EcdsaRawToDer(raw, 32);
  ASSERT_TRUE(der.has_value());
  EXPECT_EQ(HexEncode(*der), "3006020101020102");
  EXPECT_EQ(EcdsaDerToRaw(*der, 32), raw);
  EXPECT_FALSE(EcdsaRawToDer(raw, 48).has_value());
  EXPECT_FALSE(EcdsaDerToRaw(*der + "x", 32).has_value());  // trailing bytes
}

struct BadCompact {
  std::string name;
  std::string token;
  std::string message;
};

TEST(ParseCompact, RejectsNonCanonicalForms) {
  const std::string h = Base64UrlEncode(R"({"alg":"HS256"})");
  const std::string p = Base64UrlEncode(R"({"a":1})");  // 7 bytes: needs padding in base64
  const std::string s = Base64UrlEncode("sig");
  const std::vector<BadCompact> cases = {
      {"empty", "", "1 segments"},
      {"two segments", h + "." + p, "2 segments"},
      {"four segments", h + "." + p + "." + s + ".x", "4 segments"},
      {"five segments", h + "." + p + "." + s + ".x.y", "5 segments"},
      {"empty header", "." + p + "." + s, "empty header"},
      {"padded payload", h + "." + p + "=." + s, "payload segment is not strict base64url"},
      {"plus", h + "." + p + "." + "ab+c", "signature segment"},
      {"slash", h + "." + p + "." + "ab/c", "signature segment"},
      {"space", h + "." + p + " ." + s, "payload segment"},
      {"newline", h + "\n." + p + "." + s, "header segment"},
      {"non-canonical bits", h + "." + p + "." + "AB", "signature segment"},
      {"header not json", Base64UrlEncode("alg") + "." + p + "." + s, "header: not valid JSON"},
      {"header array", Base64UrlEncode("[1]") + "." + p + "." + s, "header: not a JSON object"},
      {"duplicate member", Base64UrlEncode(R"({"alg":"RS256","alg":"none"})") + "." + p + "." + s,
       "header: duplicate member \"alg\""},
      {"json serialization", R"({"protected":"e30","payload":"e30","signature":""})", "segments"},
  };
  for (const auto& c : cases) {
    auto parts = ParseCompact(c.token);
    ASSERT_FALSE(parts.ok()) << c.name;
    EXPECT_EQ(parts.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(parts.status().message(), HasSubstr(c.message)) << c.name;
  }
}

TEST(ParseCompact, KeepsPayloadBytesAndAllowsEmptySignature) {
  std::string payload = "not json at all \x01";
  auto parts =
      ParseCompact(Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(payload) + ".");
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->payload, payload);
  EXPECT_EQ(parts->signature, "");
}

}  // namespace
}  // namespace tollgate::jose
