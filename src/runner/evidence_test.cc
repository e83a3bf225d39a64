#include "runner/evidence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/base/encoding.h"

namespace tollgate::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// An unsigned JWT (alg none): enough to decode, no key needed.
std::string Jwt(const std::string& header, const std::string& claims) {
  return Base64UrlEncode(header) + "." + Base64UrlEncode(claims) + ".";
}

TEST(Evidence, RedactsSecretsHeadersAndBodies) {
  Redactor r;
  r.AddSecret("hunter2-secret");
  nlohmann::json record = {
      {"request",
       {{"method", "POST"},
        {"url", "https://t/x?k=hunter2-secret"},
        {"headers", {{"Authorization", "Basic dXNlcjpwYXNz"}, {"X-Key", "hunter2-secret"}}},
        {"body", "secret=hunter2-secret"}}},
      {"response", {{"status", 200}, {"headers", nlohmann::json::object()}, {"body", "ok"}}},
      {"tls", {{"protocol", "TLSv1.3"}, {"received", {{"subject", "CN=t"}, {"sha256", "ab"}}}}}};
  StepEvidence e = MakeEvidence("request", record, "", "", {"s.yaml", 3, 5}, r);
  EXPECT_THAT(e.record, Not(HasSubstr("hunter2-secret")));
  EXPECT_THAT(e.record, Not(HasSubstr("dXNlcjpwYXNz")));
  EXPECT_THAT(e.record, HasSubstr("\"Authorization\":\"Basic ***\""));
  EXPECT_THAT(e.record, HasSubstr("\"body\":\"secret=***\""));
  // Whatever else the record holds (here a tls object) is kept.
  EXPECT_THAT(e.record, HasSubstr("\"tls\":{\"protocol\":\"TLSv1.3\""));
  EXPECT_EQ(e.where.line, 3);
}

TEST(Evidence, ABodyIsRedactedBeforeItIsCutSoNoHeadOfASecretIsLeft) {
  Redactor r;
  r.AddSecret("hunter2-secret-across-the-cut");
  // The secret starts 6 bytes before the evidence's 8,192-byte cut.
  const std::string body = std::string(8186, 'a') + "hunter2-secret-across-the-cut tail";
  nlohmann::json record = {{"request", {{"method", "POST"}, {"body", body}}}};
  StepEvidence e = MakeEvidence("request", record, "", "", {"s.yaml", 3, 5}, r);
  EXPECT_THAT(e.record, Not(HasSubstr("hunter")));
  EXPECT_THAT(e.record, HasSubstr(std::string(8186, 'a') + "*** ta [truncated]"));
  // Cut at the end of a secret's head that the body itself holds: the head is hidden.
  record["request"]["body"] = std::string(8189, 'a') + "hunter-and-more";
  e = MakeEvidence("request", record, "", "", {"s.yaml", 3, 5}, r);
  EXPECT_THAT(e.record, Not(HasSubstr("hun")));
  EXPECT_THAT(e.record, HasSubstr(std::string(8189, 'a') + "*** [truncated]"));
}

TEST(Evidence, DecodesABearerJwtButNeverItsSignatureOrASecretToken) {
  Redactor r;
  const std::string token =
      Jwt(R"({"alg":"none","typ":"JWT"})", R"({"sub":"mallory","aud":"api"})") + "c2ln";
  StepEvidence e = MakeEvidence("request", nlohmann::json::object(), token,
                                "request Authorization: Bearer", {}, r);
  nlohmann::json j = nlohmann::json::parse(e.record);
  ASSERT_EQ(j["tokens"].size(), 1u);
  EXPECT_EQ(j["tokens"][0]["header"]["alg"], "none");
  EXPECT_EQ(j["tokens"][0]["claims"]["sub"], "mallory");
  EXPECT_EQ(j["tokens"][0]["where"], "request Authorization: Bearer");
  EXPECT_THAT(e.record, Not(HasSubstr("c2ln")));
  // A token registered as a secret (a fetched access token) stays opaque.
  r.AddSecret(token);
  e = MakeEvidence("request", nlohmann::json::object(), token, "w", {}, r);
  EXPECT_THAT(e.record, Not(HasSubstr("tokens")));
  EXPECT_THAT(e.record, Not(HasSubstr("mallory")));
}

TEST(Evidence, SecretsInsideClaimsAreRedacted) {
  Redactor r;
  r.AddSecret("client-secret-value");
  const std::string token = Jwt(R"({"alg":"none"})", R"({"sub":"client-secret-value"})");
  nlohmann::json j = DecodeTokenEvidence(token, "minted", r);
  EXPECT_EQ(j["claims"]["sub"], "***");
  EXPECT_TRUE(DecodeTokenEvidence("not-a-jwt", "x", r).is_null());
}

}  // namespace
}  // namespace tollgate::runner
