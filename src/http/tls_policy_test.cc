// Who refused whom, for TLS 1.2 and 1.3 alike, classified from the alert records and our
// own verification (not from curl's code); and each server-side policy: CRL, EKU, version
// range, ciphers, one-way listeners.

#include "http/tls_fixture.h"

namespace tollgate {
namespace {

using testing::CertSpec;
using ::testing::HasSubstr;
using testing::ReceivedAlert;
using testing::TestCert;
using TlsPolicyTest = testing::TlsFixture;

struct RefusalCase {
  std::string name;
  std::string version;  // client min = max
  std::string client;   // "", "client", "expired", "stranger", "not_yet"
  std::string alert;    // expected alert from the server
};

class ClientRefusalTest : public testing::TlsFixture,
                          public ::testing::WithParamInterface<RefusalCase> {};

TEST_P(ClientRefusalTest, ServerRefusesOurCertificateWithAlert) {
  const RefusalCase& c = GetParam();
  pki_.Make("expired",
            CertSpec::Leaf("expired", "root").Eku("clientAuth").Validity(-10 * 86400, -86400));
  pki_.Make("not_yet",
            CertSpec::Leaf("not-yet", "root").Eku("clientAuth").Validity(86400, 10 * 86400));
  pki_.Make("stranger", CertSpec::Leaf("stranger", "other-root").Eku("clientAuth"));
  Start(MutualTls());
  ClientRequest req = Hello();
  if (!c.client.empty()) {
    req.tls.cert_file = pki_.Path(c.client + ".chain.pem");
    req.tls.key_file = pki_.Path(c.client + ".key");
  }
  req.tls.min_version = req.tls.max_version = c.version;
  ClientResponse r = Send(req);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << c.name << ": " << r.error;
  EXPECT_EQ(ReceivedAlert(r), c.alert) << c.name;
  EXPECT_EQ(r.tls.refusal, TlsRefusal::kPeerAlert) << c.name;
  EXPECT_THAT(r.tls_error, HasSubstr("peer sent alert " + c.alert)) << c.name;
  EXPECT_THAT(ConnectionError(), HasSubstr("TLS handshake from 127.0.0.1:")) << c.name;
  EXPECT_FALSE(Seen().has_value()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Tls12And13, ClientRefusalTest,
    ::testing::Values(RefusalCase{"no cert 1.2", "1.2", "", "handshake_failure"},
                      RefusalCase{"no cert 1.3", "1.3", "", "certificate_required"},
                      RefusalCase{"expired 1.2", "1.2", "expired", "certificate_expired"},
                      RefusalCase{"expired 1.3", "1.3", "expired", "certificate_expired"},
                      RefusalCase{"not yet valid 1.3", "1.3", "not_yet", "bad_certificate"},
                      RefusalCase{"untrusted 1.2", "1.2", "stranger", "unknown_ca"},
                      RefusalCase{"untrusted 1.3", "1.3", "stranger", "unknown_ca"}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

TEST_F(TlsPolicyTest, WeRefuseAnUntrustedServerCertificate) {
  Start(ServerTls());
  ClientRequest req = Hello();
  req.tls.ca_file = other_root_.cert_file;
  ClientResponse r = Send(req);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_EQ(r.tls.refusal, TlsRefusal::kWeRefusedServer);
  EXPECT_NE(r.tls.verify_error, 0);
  EXPECT_THAT(r.tls_error,
              HasSubstr("we refused the server's certificate: unable to get local issuer"));
  EXPECT_EQ(ReceivedAlert(r), "none");
  ASSERT_EQ(r.tls.server_chain.size(), 1u);  // what it presented is still on record
  EXPECT_EQ(r.tls.server_chain[0].sha256, server_.sha256);
}

TEST_F(TlsPolicyTest, WeRefuseAHostNameMismatch) {
  TestCert wrong = pki_.Make(
      "wrong-host", CertSpec::Leaf("wrong", "root").Eku("serverAuth").San("DNS:elsewhere.example"));
  ServerTlsOptions tls = ServerTls();
  tls.cert_chain_file = wrong.cert_file;
  tls.key_file = wrong.key_file;
  Start(tls);
  ClientResponse r = Send(Hello());
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_EQ(r.tls.refusal, TlsRefusal::kWeRefusedServer);
  EXPECT_EQ(r.tls.host_matched, false);
  EXPECT_THAT(r.tls_error, HasSubstr("we refused the server's certificate: host name mismatch"));

  ClientRequest lax = Hello();
  lax.tls.verify_host = false;
  ClientResponse ok = Send(lax);
  EXPECT_EQ(ok.outcome, TransportOutcome::kOk) << ok.error;
  EXPECT_EQ(ok.tls.host_matched, false);  // still reported, so a suite can check it
}

TEST_F(TlsPolicyTest, Tls11OfferedToATls12FloorGetsProtocolVersion) {
  Start(ServerTls());
  ClientRequest req = Hello();
  req.tls.min_version = "1.0";
  req.tls.max_version = "1.1";
  ClientResponse r = Send(req);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_EQ(ReceivedAlert(r), "protocol_version");
  EXPECT_EQ(r.tls.refusal, TlsRefusal::kPeerAlert);
}

TEST_F(TlsPolicyTest, LegacyTls10WorksWhenBothSidesAllowIt) {
  ServerTlsOptions tls = ServerTls();
  tls.min_version = "1.0";
  Start(tls);
  ClientRequest req = Hello();
  req.tls.min_version = req.tls.max_version = "1.0";
  ClientResponse r = Send(req);
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.tls.protocol, "TLSv1");
}

TEST_F(TlsPolicyTest, ServerMaxVersionCapsTheHandshake) {
  ServerTlsOptions tls = ServerTls();
  tls.max_version = "1.2";
  Start(tls);
  ClientResponse r = Send(Hello());
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.tls.protocol, "TLSv1.2");
  ClientRequest only13 = Hello();
  only13.tls.min_version = "1.3";
  ClientResponse refused = Send(only13);
  EXPECT_EQ(refused.outcome, TransportOutcome::kTlsRejected) << refused.error;
  EXPECT_EQ(ReceivedAlert(refused), "protocol_version");
}

TEST_F(TlsPolicyTest, ServerMaxBelowMinIsInvalidArgument) {
  ServerOptions options;
  options.tls = true;
  options.tls_options = ServerTls();
  options.tls_options.max_version = "1.1";
  Server server(options, Router());
  Status st = server.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("max_version '1.1' is below min_version '1.2'"));
}

TEST_F(TlsPolicyTest, CipherListsOnBothSides) {
  ServerTlsOptions tls = ServerTls();
  tls.max_version = "1.2";
  tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  Start(tls);
  ClientResponse r = Send(Hello());
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.tls.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
  // A client offering only NULL-encryption suites (security level 0) is refused. (3DES
  // and RC4 are not built into Debian's OpenSSL 3, so NULL and aNULL are the weak
  // categories a client can offer here.)
  ClientRequest weak = Hello();
  weak.tls.max_version = "1.2";
  weak.tls.ciphers = "eNULL";
  weak.tls.security_level = 0;
  ClientResponse refused = Send(weak);
  EXPECT_EQ(refused.outcome, TransportOutcome::kTlsRejected) << refused.error;
  EXPECT_EQ(ReceivedAlert(refused), "handshake_failure");
}

TEST_F(TlsPolicyTest, AServerThatAcceptsNullCiphersIsCaught) {
  ServerTlsOptions tls = ServerTls();
  tls.max_version = "1.2";
  tls.ciphers = "ECDHE-ECDSA-NULL-SHA";
  tls.security_level = 0;
  Start(tls);
  ClientRequest weak = Hello();
  weak.tls.max_version = "1.2";
  weak.tls.ciphers = "eNULL";
  weak.tls.security_level = 0;
  ClientResponse r = Send(weak);
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.tls.cipher, "ECDHE-ECDSA-NULL-SHA");
}

TEST_F(TlsPolicyTest, Tls13SuitesAreHonoured) {
  Start(ServerTls());
  ClientRequest req = Hello();
  req.tls.tls13_ciphers = "TLS_CHACHA20_POLY1305_SHA256";
  ClientResponse r = Send(req);
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.tls.cipher, "TLS_CHACHA20_POLY1305_SHA256");
}

TEST_F(TlsPolicyTest, BadClientCipherListIsInvalidArgument) {
  Start(ServerTls());
  ClientRequest req = Hello();
  req.tls.max_version = "1.2";
  req.tls.ciphers = "NO-SUCH-CIPHER";
  auto res = client_http_.Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_THAT(res.status().message(), HasSubstr("TLS ciphers 'NO-SUCH-CIPHER'"));
}

TEST_F(TlsPolicyTest, WeakClientKeyNeedsSecurityLevelZeroToBeSent) {
  TestCert weak = pki_.Make("weak", CertSpec::Leaf("weak", "root").Eku("clientAuth").Rsa1024());
  ServerTlsOptions tls = MutualTls();
  tls.security_level = 2;  // refuses keys under 2048 bits
  Start(tls);
  ClientRequest req = HelloAs(weak);
  req.tls.security_level = 2;
  auto res = client_http_.Send(req);
  ASSERT_FALSE(res.ok());  // our own stack will not even load it
  EXPECT_THAT(res.status().message(), HasSubstr("weak.chain.pem"));
  req.tls.security_level = 0;
  ClientResponse r = Send(req);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_EQ(r.tls.client_cert_subject, weak.subject);  // it went out
  EXPECT_EQ(r.tls.refusal, TlsRefusal::kPeerAlert);
}

TEST_F(TlsPolicyTest, RevokedClientCertificateGetsCertificateRevoked) {
  TestCert revoked = pki_.Make("revoked", CertSpec::Leaf("revoked", "root").Eku("clientAuth"));
  ServerTlsOptions tls = MutualTls();
  tls.crl_file = pki_.Crl("root", {"revoked"}, "root.crl");
  Start(tls);
  EXPECT_EQ(Send(HelloAs(client_)).outcome, TransportOutcome::kOk);
  ClientResponse r = Send(HelloAs(revoked));
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_EQ(ReceivedAlert(r), "certificate_revoked");
}

TEST_F(TlsPolicyTest, MissingCrlForTheChainFailsClosed) {
  ServerTlsOptions tls = MutualTls();
  tls.crl_file = pki_.Crl("other-root", {}, "other.crl");  // no CRL from our root
  Start(tls);
  ClientResponse r = Send(HelloAs(client_));
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_EQ(ReceivedAlert(r), "unknown_ca");
}

TEST_F(TlsPolicyTest, UnreadableCrlIsInvalidArgument) {
  ServerOptions options;
  options.tls = true;
  options.tls_options = MutualTls();
  options.tls_options.crl_file = pki_.Path("none.crl");
  Server server(options, Router());
  Status st = server.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("TLS CRL"));
}

struct EkuCase {
  std::string name;
  CertSpec spec;
  bool accepted_default;
  bool accepted_strict;
};

TEST_F(TlsPolicyTest, EkuPolicies) {
  std::vector<EkuCase> cases = {
      {"clientAuth", CertSpec::Leaf("a", "root").Eku("clientAuth"), true, true},
      {"serverAuth only", CertSpec::Leaf("b", "root").Eku("serverAuth"), false, false},
      {"no EKU", CertSpec::Leaf("c", "root"), true, false},
      {"CA:TRUE leaf", CertSpec::Leaf("d", "root").Ca().Eku("clientAuth"), true, false},
  };
  int made = 0;
  for (const ClientEkuPolicy policy :
       {ClientEkuPolicy::kOpenSslDefault, ClientEkuPolicy::kStrict}) {
    ServerTlsOptions tls = MutualTls();
    tls.eku = policy;
    Start(tls);
    for (const EkuCase& c : cases) {
      bool want = policy == ClientEkuPolicy::kStrict ? c.accepted_strict : c.accepted_default;
      std::string label = c.name + (policy == ClientEkuPolicy::kStrict ? " strict" : " default");
      TestCert cert = pki_.Make("eku" + std::to_string(++made), c.spec);
      ClientResponse r = Send(HelloAs(cert));
      EXPECT_EQ(r.outcome == TransportOutcome::kOk, want) << label << ": " << r.error;
      if (!want) {
        EXPECT_EQ(ReceivedAlert(r), "unsupported_certificate") << label;
      }
    }
  }
}

TEST_F(TlsPolicyTest, OneWayListenerNeverAsksForACertificate) {
  ServerTlsOptions tls = MutualTls();
  tls.request_client_cert = false;  // trust anchors configured, but this host is one-way
  tls.require_client_cert = false;
  Start(tls);
  ClientResponse r = Send(HelloAs(client_));
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_FALSE(r.tls.certificate_requested);
  ASSERT_TRUE(Seen().has_value());
  EXPECT_FALSE(Seen()->client_cert.has_value());
}

}  // namespace
}  // namespace tollgate
