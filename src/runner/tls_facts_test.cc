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

// nginx 1.22's pages (ngx_http_special_response.c) for a refused client certificate, no
// certificate, and any other 400.
constexpr char kNginxCertError[] =
    "<html>\r\n<head><title>400 The SSL certificate error</title></head>\r\n<body>\r\n"
    "<center><h1>400 Bad Request</h1></center>\r\n<center>The SSL certificate error</center>"
    "\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
constexpr char kNginxNoCert[] =
    "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n"
    "<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL "
    "certificate was sent</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n"
    "</html>\r\n";
constexpr char kNginxBadRequest[] =
    "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 "
    "Bad Request</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>"
    "\r\n";

ClientResponse Answered(int status, std::string body = "") {
  ClientResponse r = Accepted();
  r.tls.protocol = "TLSv1.3";
  r.tls.certificate_requested = true;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// A TLS 1.3 server that judged our certificate after our Finished and closed (or reset,
// discarding its alert) before any HTTP answer.
ClientResponse ClosedAfterHandshake() {
  ClientResponse r;
  r.outcome = TransportOutcome::kTlsRejected;
  r.tls.protocol = "TLSv1.3";
  r.tls.certificate_requested = true;
  r.tls.refusal = TlsRefusal::kOther;
  r.tls_error = "connection closed after the handshake [Recv failure: Connection reset by peer]";
  return r;
}

ClientResponse ClosedInHandshake() {
  ClientResponse r;
  r.outcome = TransportOutcome::kTlsRejected;
  r.tls.refusal = TlsRefusal::kOther;
  r.tls_error = "OpenSSL SSL_connect: Connection reset by peer";
  return r;
}

TEST(ClassifyRefusal, EachFormOfRefusalSaysHow) {
  struct Case {
    const char* name;
    ClientResponse response;
    RefusalKind kind;
    std::string how;
  } cases[] = {
      {"alert", Refused("certificate_expired", 45), RefusalKind::kAlert,
       "TLS alert certificate_expired (45)"},
      {"closed after", ClosedAfterHandshake(), RefusalKind::kClosed,
       "connection closed after the handshake"},
      {"closed during", ClosedInHandshake(), RefusalKind::kClosed,
       "connection closed during the handshake (OpenSSL SSL_connect: Connection reset by peer)"},
      {"nginx 400 certificate error", Answered(400, kNginxCertError), RefusalKind::kTlsTerminator,
       "HTTP 400 from the TLS terminator (nginx: The SSL certificate error)"},
      {"nginx 400 no certificate", Answered(400, kNginxNoCert), RefusalKind::kTlsTerminator,
       "HTTP 400 from the TLS terminator (nginx: No required SSL certificate was sent)"},
      {"495", Answered(495, "custom page"), RefusalKind::kTlsTerminator,
       "HTTP 495 from the TLS terminator (SSL certificate error)"},
      {"496", Answered(496), RefusalKind::kTlsTerminator,
       "HTTP 496 from the TLS terminator (SSL certificate required)"},
      {"401", Answered(401), RefusalKind::kHttpUnauthorized, "HTTP 401"},
      {"403", Answered(403), RefusalKind::kHttpUnauthorized, "HTTP 403"},
      // Not refusals: any other 400, success, not found, a server error.
      {"nginx plain 400", Answered(400, kNginxBadRequest), RefusalKind::kNone, ""},
      {"400 json", Answered(400, R"({"error":"invalid_request"})"), RefusalKind::kNone, ""},
      {"200", Answered(200), RefusalKind::kNone, ""},
      {"404", Answered(404), RefusalKind::kNone, ""},
      {"500 with the nginx words", Answered(500, kNginxCertError), RefusalKind::kNone, ""},
  };
  for (const Case& c : cases) {
    Refusal r = ClassifyRefusal(c.response);
    EXPECT_EQ(r.kind, c.kind) << c.name;
    EXPECT_EQ(r.how, c.how) << c.name;
  }
}

// Our own verdicts are never the target's refusal: a certificate we refused, an alert our
// client sent first, a transfer that failed for another reason.
TEST(ClassifyRefusal, OurOwnStopsAndOtherFailuresAreNotRefusals) {
  ClientResponse ours = ClosedInHandshake();
  ours.tls.refusal = TlsRefusal::kWeRefusedServer;
  EXPECT_EQ(ClassifyRefusal(ours).kind, RefusalKind::kNone);
  ClientResponse sent = ClosedInHandshake();
  sent.tls.alert_sent = TlsAlert{47, "illegal_parameter", true};
  EXPECT_EQ(ClassifyRefusal(sent).kind, RefusalKind::kNone);
  ClientResponse broken;
  broken.outcome = TransportOutcome::kProtocolError;
  broken.error = "protocol error: Empty reply from server";
  EXPECT_EQ(ClassifyRefusal(broken).kind, RefusalKind::kNone);
}

TEST(CheckTls, RejectedHoldsInTheHandshakeAndOnTheTerminatorsAnswer) {
  TlsExpect rejected;
  rejected.outcome = "rejected";
  for (const ClientResponse& r : {Refused("unknown_ca", 48), ClosedAfterHandshake(),
                                  ClosedInHandshake(), Answered(400, kNginxCertError),
                                  Answered(400, kNginxNoCert), Answered(495), Answered(496)}) {
    EXPECT_TRUE(CheckTls(rejected, r).empty()) << r.status << " " << r.tls_error;
  }
  // 401/403 are the application's answer (these requests carry no credentials), and any
  // other 400, 200, 404 or 500 is no refusal at all.
  for (const ClientResponse& r : {Answered(401), Answered(403), Answered(400, kNginxBadRequest),
                                  Answered(200), Answered(404), Answered(500)}) {
    auto f = CheckTls(rejected, r);
    ASSERT_EQ(f.size(), 1u) << r.status;
    EXPECT_EQ(f[0].expected, "TLS rejected (in the handshake or by the TLS terminator's answer)");
    EXPECT_EQ(f[0].actual, "TLS accepted (TLSv1.3, HTTP " + std::to_string(r.status) + ")");
  }
}

TEST(CheckTls, HandshakeRefusedIsStrictAboutTheTlsLayer) {
  TlsExpect strict;
  strict.outcome = "handshake_refused";
  EXPECT_TRUE(CheckTls(strict, Refused("certificate_required", 116)).empty());
  EXPECT_TRUE(CheckTls(strict, ClosedAfterHandshake()).empty());
  EXPECT_TRUE(CheckTls(strict, ClosedInHandshake()).empty());
  auto f = CheckTls(strict, Answered(400, kNginxCertError));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "expected TLS refused in the handshake (an alert or a closed connection), got TLS "
            "accepted (TLSv1.3), then HTTP 400 from the TLS terminator (nginx: The SSL "
            "certificate error)");
  EXPECT_EQ(CheckTls(strict, Answered(401)).size(), 1u);
  EXPECT_EQ(CheckTls(strict, Answered(496)).size(), 1u);
  // A named alert stays strict too: a close or a terminator page does not name it.
  TlsExpect expired;
  expired.outcome = "certificate_expired";
  EXPECT_EQ(CheckTls(expired, ClosedAfterHandshake()).size(), 1u);
  EXPECT_EQ(CheckTls(expired, Answered(400, kNginxCertError)).size(), 1u);
}

// The handshake completed, but the terminator refused the certificate: not "accepted".
TEST(CheckTls, AcceptedFailsOnTheTerminatorsCertificatePage) {
  TlsExpect accepted;
  accepted.outcome = "accepted";
  EXPECT_TRUE(CheckTls(accepted, Answered(401)).empty());
  EXPECT_TRUE(CheckTls(accepted, Answered(400, kNginxBadRequest)).empty());
  auto f = CheckTls(accepted, Answered(400, kNginxNoCert));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].actual,
            "TLS accepted (TLSv1.3), then HTTP 400 from the TLS terminator (nginx: No required "
            "SSL certificate was sent)");
  EXPECT_EQ(CheckTls(accepted, Answered(495)).size(), 1u);
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

TEST(RecordTls, KeepsTheFactsForTheResults) {
  ClientRequest q;
  q.url = "https://127.0.0.1:1/x";
  ClientResponse r = Refused("unknown_ca", 48);
  r.tls.client_cert_subject = "CN=partner";
  r.tls.client_cert_sha256 = "cd";
  std::optional<RecordedTls> t = RecordTls(q, r);
  ASSERT_TRUE(t.has_value());
  ASSERT_TRUE(t->alert_received.has_value());
  EXPECT_EQ(t->alert_received->name, "unknown_ca");
  EXPECT_EQ(t->alert_received->code, 48);
  EXPECT_EQ(t->refusal, "peer_alert");
  EXPECT_EQ(t->client_cert_subject, "CN=partner");
  t = RecordTls(q, Accepted());
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->server_chain.size(), 1u);
  EXPECT_EQ(t->server_chain[0].subject, "CN=api");
  EXPECT_EQ(t->server_chain[0].days_left, 45);
  EXPECT_EQ(t->protocol, "TLSv1.2");
  q.url = "http://127.0.0.1:1/x";
  EXPECT_FALSE(RecordTls(q, Accepted()).has_value());
}

}  // namespace
}  // namespace tollgate::runner
