#include "runner/evidence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tollgate/base/encoding.h"

namespace tollgate::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

// An unsigned JWT (alg none): enough to decode, no key needed.
std::string Jwt(const std::string& header, const std::string& claims) {
  return Base64UrlEncode(header) + "." + Base64UrlEncode(claims) + ".";
}

ClientRequest Post(const std::string& body) {
  ClientRequest q;
  q.method = "POST";
  q.url = "https://t/x?k=hunter2-secret";
  q.headers = {{"Authorization", "Basic dXNlcjpwYXNz"}, {"X-Key", "hunter2-secret"}};
  q.body = body;
  return q;
}

TEST(Evidence, RedactsSecretsHeadersBodiesAndTlsFacts) {
  Redactor r;
  r.AddSecret("hunter2-secret");
  ClientResponse resp;
  resp.status = 200;
  resp.headers.Add("X-Echo", "s=hunter2-secret");
  resp.body = R"({"token":"hunter2-secret","n":1})";
  resp.tls.protocol = "TLSv1.3";
  resp.tls.client_cert_subject = "CN=hunter2-secret";
  resp.tls.client_cert_sha256 = "ab";
  const ClientRequest q = Post("secret=hunter2-secret");
  StepEvidence e = MakeEvidence("request", &q, &resp, "", "", {"s.yaml", 3, 5}, r);
  ASSERT_TRUE(e.exchange.has_value());
  const RecordedExchange& x = *e.exchange;
  EXPECT_EQ(x.request.url, "https://t/x?k=***");
  EXPECT_THAT(x.request.headers,
              ElementsAre(Pair("Authorization", "Basic ***"), Pair("X-Key", "***")));
  EXPECT_EQ(x.request.body, "secret=***");
  EXPECT_FALSE(x.request.body_cut);
  EXPECT_THAT(x.response.headers, ElementsAre(Pair("X-Echo", "s=***")));
  EXPECT_THAT(x.response.body, Not(HasSubstr("hunter2")));
  EXPECT_EQ(nlohmann::json::parse(x.response.json)["token"], "***");
  ASSERT_TRUE(x.tls.has_value());
  EXPECT_EQ(x.tls->protocol, "TLSv1.3");
  EXPECT_EQ(x.tls->client_cert_subject, "CN=***");
  EXPECT_EQ(e.where.line, 3);
}

TEST(Evidence, ABodyIsRedactedBeforeItIsCutSoNoHeadOfASecretIsLeft) {
  Redactor r;
  r.AddSecret("hunter2-secret-across-the-cut");
  ClientResponse resp;
  // The secret starts 6 bytes before the evidence's 8,192-byte cut.
  ClientRequest q = Post(std::string(8186, 'a') + "hunter2-secret-across-the-cut tail");
  StepEvidence e = MakeEvidence("request", &q, &resp, "", "", {"s.yaml", 3, 5}, r);
  EXPECT_EQ(e.exchange->request.body, std::string(8186, 'a') + "*** ta");
  EXPECT_TRUE(e.exchange->request.body_cut);
  // Cut at the end of a secret's head that the body itself holds: the head is hidden.
  q.body = std::string(8189, 'a') + "hunter-and-more";
  e = MakeEvidence("request", &q, &resp, "", "", {"s.yaml", 3, 5}, r);
  EXPECT_EQ(e.exchange->request.body, std::string(8189, 'a') + "***");
  // The transcript's cap is 2,048 bytes, by the same rule.
  q.body = std::string(2040, 'a') + "hunter2-secret-across-the-cut";
  RecordedExchange t = RecordExchange(q, resp, r, kTranscriptBody, /*parse_json=*/false);
  EXPECT_EQ(t.request.body, std::string(2040, 'a') + "***");
  EXPECT_FALSE(t.request.body_cut);
  q.body = std::string(2050, 'a');
  t = RecordExchange(q, resp, r, kTranscriptBody, /*parse_json=*/false);
  EXPECT_EQ(t.request.body, std::string(2048, 'a'));
  EXPECT_TRUE(t.request.body_cut);
  EXPECT_TRUE(t.response.json.empty());
}

TEST(Evidence, RecordsTheTransportOutcomeAndItsDetail) {
  Redactor r;
  ClientRequest q;
  q.url = "http://t/";
  ClientResponse refused;
  refused.outcome = TransportOutcome::kTlsRejected;
  refused.error = "tls rejected: handshake failed";
  refused.tls_error = "alert unknown ca";
  RecordedExchange x = RecordExchange(q, refused, r, kTranscriptBody, false);
  EXPECT_EQ(x.response.outcome, ExchangeOutcome::kTlsRejected);
  EXPECT_EQ(x.response.error, "alert unknown ca");
  EXPECT_FALSE(x.tls.has_value());  // not an https URL
  refused.outcome = TransportOutcome::kTimeout;
  x = RecordExchange(q, refused, r, kTranscriptBody, false);
  EXPECT_EQ(x.response.error, "tls rejected: handshake failed");
  // The words results use are the transport's.
  for (auto [t, e] : {std::pair{TransportOutcome::kOk, ExchangeOutcome::kOk},
                      {TransportOutcome::kConnectFailed, ExchangeOutcome::kConnectFailed},
                      {TransportOutcome::kDnsFailed, ExchangeOutcome::kDnsFailed},
                      {TransportOutcome::kTimeout, ExchangeOutcome::kTimeout},
                      {TransportOutcome::kTlsRejected, ExchangeOutcome::kTlsRejected},
                      {TransportOutcome::kProtocolError, ExchangeOutcome::kProtocolError}}) {
    refused.outcome = t;
    EXPECT_EQ(RecordExchange(q, refused, r, kTranscriptBody, false).response.outcome, e);
    EXPECT_STREQ(ExchangeOutcomeName(e), TransportOutcomeName(t));
  }
}

TEST(Evidence, NotesAreRedacted) {
  Redactor r;
  r.AddSecret("hunter2-secret");
  TranscriptEntry note = RedactNote(MockNote{"issuer", "set", R"({"secret":"hunter2-secret"})"}, r);
  EXPECT_EQ(std::get<MockNote>(note).args, R"({"secret":"***"})");
  note = RedactNote(PreparedNote{"GET", "http://t/?k=hunter2-secret"}, r);
  EXPECT_EQ(std::get<PreparedNote>(note).url, "http://t/?k=***");
  note = RedactNote(SignedNote{"signed with hunter2-secret"}, r);
  EXPECT_EQ(std::get<SignedNote>(note).text, "signed with ***");
}

TEST(Evidence, DecodesABearerJwtButNeverItsSignatureOrASecretToken) {
  Redactor r;
  const std::string token =
      Jwt(R"({"alg":"none","typ":"JWT"})", R"({"sub":"mallory","aud":"api"})") + "c2ln";
  StepEvidence e =
      MakeEvidence("token minted", nullptr, nullptr, token, "request Authorization: Bearer", {}, r);
  EXPECT_FALSE(e.exchange.has_value());
  ASSERT_EQ(e.tokens.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(e.tokens[0].header)["alg"], "none");
  EXPECT_EQ(nlohmann::json::parse(e.tokens[0].claims)["sub"], "mallory");
  EXPECT_EQ(e.tokens[0].where, "request Authorization: Bearer");
  EXPECT_THAT(e.tokens[0].claims + e.tokens[0].header, Not(HasSubstr("c2ln")));
  // A token registered as a secret (a fetched access token) stays opaque.
  r.AddSecret(token);
  e = MakeEvidence("token minted", nullptr, nullptr, token, "w", {}, r);
  EXPECT_TRUE(e.tokens.empty());
}

TEST(Evidence, SecretsInsideClaimsAreRedacted) {
  Redactor r;
  r.AddSecret("client-secret-value");
  const std::string token = Jwt(R"({"alg":"none"})", R"({"sub":"client-secret-value"})");
  std::optional<DecodedToken> t = DecodeTokenEvidence(token, "minted", r);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->claims, R"({"sub":"***"})");
  EXPECT_FALSE(DecodeTokenEvidence("not-a-jwt", "x", r).has_value());
}

}  // namespace
}  // namespace tollgate::runner
