// HTTPS end to end: a TLS server and the libcurl client with certificates made at test
// time (see test_pki.h). Basics, the server chain as the client sees it, and connection
// reuse; policies and refusals are in tls_policy_test.cc.

#include "http/tls_fixture.h"

namespace tollgate {
namespace {

using testing::CertSpec;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TestCert;
using TlsTest = testing::TlsFixture;

TEST_F(TlsTest, RoundTripReportsProtocolCipherAndServerChain) {
  Start(ServerTls());
  EXPECT_THAT(server_listener_->url(), StartsWith("https://127.0.0.1:"));
  ClientResponse r = Send(Hello());
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello over tls");
  EXPECT_EQ(r.tls_version, "TLSv1.3");
  EXPECT_EQ(r.tls.protocol, "TLSv1.3");
  EXPECT_THAT(r.tls.cipher, StartsWith("TLS_"));
  EXPECT_EQ(r.tls.refusal, TlsRefusal::kNone);
  EXPECT_FALSE(r.tls.certificate_requested);
  ASSERT_EQ(r.tls.server_chain.size(), 1u);
  const TlsCertificateInfo& leaf = r.tls.server_chain[0];
  EXPECT_EQ(leaf.subject, server_.subject);
  EXPECT_EQ(leaf.issuer, root_.subject);
  EXPECT_EQ(leaf.sha256, server_.sha256);
  EXPECT_EQ(leaf.days_left, 10);  // the fixture's leaves have ten days and an hour left
  EXPECT_THAT(leaf.sans, ElementsAre("DNS:localhost", "IP:127.0.0.1"));
  EXPECT_THAT(leaf.not_after, ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z"));
  EXPECT_EQ(r.tls.host_matched, true);
  EXPECT_GE(r.timings.tls_ms, r.timings.connect_ms);
  auto seen = Seen();
  ASSERT_TRUE(seen.has_value());
  EXPECT_TRUE(seen->tls);
  EXPECT_FALSE(seen->client_cert.has_value());
}

TEST_F(TlsTest, DaysLeftAreCountedOnTheGivenClock) {
  Start(ServerTls());
  ManualClock clock(std::chrono::system_clock::now() - std::chrono::hours(24 * 40));
  ClientRequest req = Hello();
  req.tls.clock = &clock;
  req.tls.verify_peer = false;  // the certificate is not yet valid on that clock
  ClientResponse r = Send(req);
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  ASSERT_EQ(r.tls.server_chain.size(), 1u);
  EXPECT_EQ(r.tls.server_chain[0].days_left, 50);  // 40 days back, 10 ahead
}

TEST_F(TlsTest, ReusedConnectionStillReportsTheTlsFacts) {
  Start(ServerTls());
  ClientResponse first = Send(Hello());
  ClientResponse second = Send(Hello());
  ASSERT_EQ(second.outcome, TransportOutcome::kOk) << second.error;
  EXPECT_EQ(second.timings.connect_ms, 0);  // keep-alive: no new connection
  EXPECT_EQ(second.tls.protocol, first.tls.protocol);
  ASSERT_EQ(second.tls.server_chain.size(), 1u);
  EXPECT_EQ(second.tls.server_chain[0].sha256, server_.sha256);
}

TEST_F(TlsTest, DifferentClientCertificatesNeverShareAConnection) {
  ServerTlsOptions tls = MutualTls();
  tls.require_client_cert = false;
  Start(tls);
  TestCert second = pki_.Make("second", CertSpec::Leaf("second", "root").Eku("clientAuth"));
  ClientResponse a = Send(HelloAs(client_));
  ASSERT_EQ(a.outcome, TransportOutcome::kOk) << a.error;
  ASSERT_TRUE(Seen()->client_cert.has_value());
  EXPECT_EQ(Seen()->client_cert->sha256_fingerprint, client_.sha256);
  ClientResponse b = Send(HelloAs(second));
  ASSERT_EQ(b.outcome, TransportOutcome::kOk) << b.error;
  EXPECT_EQ(Seen()->client_cert->sha256_fingerprint, second.sha256);
  EXPECT_EQ(b.tls.client_cert_sha256, second.sha256);
  ClientResponse none = Send(Hello());
  ASSERT_EQ(none.outcome, TransportOutcome::kOk) << none.error;
  EXPECT_FALSE(Seen()->client_cert.has_value());
  ClientRequest v12 = HelloAs(client_);
  v12.tls.max_version = "1.2";
  ClientResponse c = Send(v12);
  EXPECT_EQ(c.tls.protocol, "TLSv1.2");
}

TEST_F(TlsTest, PresentedClientCertificateIsExposedToHandlers) {
  Start(MutualTls());
  ClientResponse r = Send(HelloAs(client_));
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_TRUE(r.tls.certificate_requested);
  EXPECT_EQ(r.tls.client_cert_subject, client_.subject);
  auto seen = Seen();
  ASSERT_TRUE(seen && seen->client_cert);
  EXPECT_EQ(seen->client_cert->sha256_fingerprint, client_.sha256);
  EXPECT_EQ(seen->client_cert->subject, "CN=tollgate-client,O=tollgate-test");
  EXPECT_EQ(seen->client_cert->issuer, "CN=tollgate-root,O=tollgate-test");
  EXPECT_THAT(seen->client_cert->pem, StartsWith("-----BEGIN CERTIFICATE-----\n"));
}

TEST_F(TlsTest, ChainIsPresentedExactlyAsTheFileHasIt) {
  pki_.Make("inter", CertSpec::Leaf("tollgate-inter", "root").Ca());
  TestCert leaf = pki_.Make("leaf", CertSpec::Leaf("leaf", "inter").Eku("clientAuth"));
  Start(MutualTls());
  // Leaf + intermediate: the server holds only the root, so this needs the intermediate.
  ClientResponse ok = Send(HelloAs(leaf));
  EXPECT_EQ(ok.outcome, TransportOutcome::kOk) << ok.error;
  // Leaf alone, although our trust file (for the server) holds the intermediate: nothing
  // completes the chain behind the scenario's back.
  ClientRequest alone = HelloAs(leaf);
  alone.tls.cert_file = leaf.cert_file;
  alone.tls.ca_file = pki_.Concat({root_.cert_file, pki_.Path("inter.crt")}, "trust.pem");
  ClientResponse r = Send(alone);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_EQ(testing::ReceivedAlert(r), "unknown_ca");
}

// A session group resumes: the first request makes a session, each later one offers it on
// a new connection, and both ends see the resumption; the certificate the server's request
// carries is the session's. Without a group every request is a full handshake.
TEST_F(TlsTest, ASessionGroupResumesOnANewConnection) {
  Start(MutualTls());
  for (const char* version : {"1.3", "1.2"}) {
    SCOPED_TRACE(version);
    ClientRequest r = HelloAs(client_);
    r.tls.max_version = version;
    r.tls.session_group = std::string("case-1/") + version;
    ClientResponse first = Send(r);
    ASSERT_EQ(first.outcome, TransportOutcome::kOk) << first.error;
    EXPECT_FALSE(first.tls.session_resumed);
    EXPECT_FALSE(Seen()->tls_session_resumed);
    ClientResponse second = Send(r);
    ASSERT_EQ(second.outcome, TransportOutcome::kOk) << second.error;
    EXPECT_GT(second.timings.connect_ms, 0);  // a new connection, not a kept one
    EXPECT_TRUE(second.tls.session_resumed);
    ASSERT_TRUE(Seen()->tls_session_resumed);
    ASSERT_TRUE(Seen()->client_cert.has_value());
    EXPECT_EQ(Seen()->client_cert->sha256_fingerprint, client_.sha256);
  }
  ClientRequest plain = HelloAs(client_);
  Send(plain);
  ClientResponse again = Send(plain);
  EXPECT_FALSE(again.tls.session_resumed);
  EXPECT_FALSE(Seen()->tls_session_resumed);
}

TEST_F(TlsTest, OptionalClientCertificateMayBeAbsent) {
  ServerTlsOptions tls = MutualTls();
  tls.require_client_cert = false;
  Start(tls);
  ClientResponse r = Send(Hello());
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_TRUE(r.tls.certificate_requested);
  ASSERT_TRUE(Seen().has_value());
  EXPECT_FALSE(Seen()->client_cert.has_value());
}

TEST_F(TlsTest, UnreadableServerFilesAreInvalidArgumentNamingTheFile) {
  ServerOptions options;
  options.tls = true;
  options.tls_options = ServerTls();
  options.tls_options.cert_chain_file = pki_.Path("missing.crt");
  Server server(options, Router());
  Status st = server.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("missing.crt"));

  options.tls_options = ServerTls();
  options.tls_options.key_file = client_.key_file;  // readable, but not this cert's key
  Server mismatched(options, Router());
  st = mismatched.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("client.key"));
}

TEST_F(TlsTest, UnreadableClientKeyIsInvalidArgument) {
  Start(ServerTls());
  ClientRequest req = HelloAs(client_);
  req.tls.key_file = pki_.Path("nope.key");
  auto res = client_http_.Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(res.status().message(), HasSubstr("nope.key"));
}

TEST_F(TlsTest, KeyNotMatchingTheCertificateIsInvalidArgument) {
  Start(ServerTls());
  ClientRequest req = HelloAs(client_);
  req.tls.key_file = server_.key_file;
  auto res = client_http_.Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(res.status().message(), HasSubstr("server.key"));
}

}  // namespace
}  // namespace tollgate
