// `expect: {tls: ...}` against TLS facts: outcomes (loose on alerts), protocol bounds and
// the server-certificate checks, each failing with expected and actual; and the record.

#include "runner/tls_facts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tollgate::runner {
namespace {

using ::testing::HasSubstr;

ClientResponse Accepted() {
  ClientResponse r;
  r.status = 200;
  r.tls.protocol = "TLSv1.2";
  r.tls.cipher = "ECDHE-ECDSA-AES128-GCM-SHA256";
  TlsCertificateInfo leaf;
  leaf.subject = "CN=api";
  leaf.sha256 = "ab";
  leaf.not_after = "2030-01-01T00:00:00Z";
  leaf.days_left = 45;
  leaf.sans = {"DNS:api.example"};
  r.tls.server_chain.push_back(leaf);
  r.tls.host_matched = true;
  return r;
}

ClientResponse Refused(const std::string& alert, int code) {
  ClientResponse r;
  r.outcome = TransportOutcome::kTlsRejected;
  r.tls.alert_received = TlsAlert{code, alert, true};
  r.tls.refusal = TlsRefusal::kPeerAlert;
  r.tls_error = "peer sent alert " + alert + " (" + std::to_string(code) + ")";
  return r;
}

NumberBound Bound(std::string op, double v, std::string text) {
  NumberBound b;
  b.op = std::move(op);
  b.value = v;
  b.text = std::move(text);
  return b;
}

TEST(CheckTls, OutcomesAndNamedAlerts) {
  TlsExpect rejected;
  rejected.outcome = "rejected";
  TlsExpect accepted;
  accepted.outcome = "accepted";
  TlsExpect expired;
  expired.outcome = "certificate_expired";
  ClientResponse r = Refused("certificate_expired", 45);
  EXPECT_TRUE(CheckTls(rejected, r).empty());
  EXPECT_TRUE(CheckTls(expired, r).empty());
  auto f = CheckTls(accepted, r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].expected, "TLS accepted");
  EXPECT_EQ(f[0].actual, "TLS handshake rejected (peer sent alert certificate_expired (45))");
  // Loose on the alert, strict on the refusal: another alert fails the named expectation.
  f = CheckTls(expired, Refused("unknown_ca", 48));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].expected, "TLS rejected with alert certificate_expired");
  EXPECT_THAT(f[0].actual, HasSubstr("unknown_ca"));
  // A 200 is not a rejection.
  f = CheckTls(rejected, Accepted());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].actual, "TLS accepted (TLSv1.2, HTTP 200)");
}

// When our client refused the target's certificate, the target never refused anything:
// `tls: rejected` and `rejected: true` must not pass on that (a silent pass otherwise).
TEST(CheckTls, OurOwnRefusalOfTheServerIsNotATargetRejection) {
  ClientResponse r;
  r.outcome = TransportOutcome::kTlsRejected;
  r.tls.refusal = TlsRefusal::kWeRefusedServer;
  r.tls.verify_error_text = "certificate has expired";
  r.tls_error = "we refused the server's certificate: certificate has expired";
  EXPECT_FALSE(TargetRefusedHandshake(r));
  TlsExpect rejected;
  rejected.outcome = "rejected";
  auto f = CheckTls(rejected, r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].actual, HasSubstr("we refused the server's certificate"));
  EXPECT_TRUE(TargetRefusedHandshake(Refused("handshake_failure", 40)));
}

TEST(CheckTls, ServerFacts) {
  TlsExpect e;
  e.protocol = Bound(">=", 1.2, ">= 1.2");
  e.days_left = Bound(">=", 30, ">= 30");
  e.chain_trusted = true;
  e.host_match = true;
  EXPECT_TRUE(CheckTls(e, Accepted()).empty());

  ClientResponse bad = Accepted();
  bad.tls.protocol = "TLSv1.1";
  bad.tls.server_chain[0].days_left = 12;
  bad.tls.verify_error = 20;
  bad.tls.verify_error_text = "unable to get local issuer certificate";
  bad.tls.host_matched = false;
  auto f = CheckTls(e, bad);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].message, "expected TLS protocol >= 1.2, got TLSv1.1");
  EXPECT_EQ(f[1].message,
            "expected server certificate days left >= 30, got 12 days left (notAfter "
            "2030-01-01T00:00:00Z)");
  EXPECT_EQ(f[2].actual, "untrusted: unable to get local issuer certificate");
  EXPECT_EQ(f[3].actual, "it does not (SANs: DNS:api.example)");
  for (const CheckFailure& c : f) EXPECT_EQ(c.type, "assert.tls");
}

TEST(CheckTls, FactsWithoutAHandshakeFail) {
  TlsExpect e;
  e.days_left = Bound(">=", 30, ">= 30");
  auto f = CheckTls(e, Refused("handshake_failure", 40));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].actual, HasSubstr("no server certificate seen"));
}

TEST(TlsRecord, HoldsProtocolAlertAndCertificates) {
  ClientRequest q;
  q.url = "https://127.0.0.1:1/x";
  ClientResponse r = Accepted();
  r.tls.client_cert_subject = "CN=partner";
  r.tls.client_cert_sha256 = "cd";
  nlohmann::json j = TlsRecord(q, r);
  EXPECT_EQ(j["protocol"], "TLSv1.2");
  EXPECT_EQ(j["server_chain"][0]["subject"], "CN=api");
  EXPECT_EQ(j["server_chain"][0]["days_left"], 45);
  EXPECT_EQ(j["client_cert"]["sha256"], "cd");
  EXPECT_TRUE(j["alert_received"].is_null());
  j = TlsRecord(q, Refused("unknown_ca", 48));
  EXPECT_EQ(j["alert_received"]["name"], "unknown_ca");
  EXPECT_EQ(j["refusal"], "peer_alert");
  q.url = "http://127.0.0.1:1/x";
  EXPECT_TRUE(TlsRecord(q, r).is_null());
}

}  // namespace
}  // namespace tollgate::runner
