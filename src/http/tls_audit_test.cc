// The TLS audit against in-process servers on 127.0.0.1:0: each finding fires on a server
// configured with its defect and not on a correct one.

#include "tollgate/http/tls_audit.h"

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "http/tls_fixture.h"

namespace tollgate {
namespace {

using http::AuditTls;
using http::ClientAuthMode;
using http::TlsAuditOptions;
using http::TlsAuditResult;
using http::TlsSeverity;
using testing::CertSpec;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using TlsAuditTest = testing::TlsFixture;

// The ids of the findings; each must be one `tls: {audit: {findings: ...}}` can name.
std::vector<std::string> Ids(const TlsAuditResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) {
    const auto& known = http::TlsAuditFindingIds();
    EXPECT_TRUE(std::any_of(known.begin(), known.end(),
                            [&](const http::TlsFindingId& k) { return k.id == f.id; }))
        << f.id << " is not in TlsAuditFindingIds()";
    out.push_back(f.id);
  }
  return out;
}

std::string Offered(const TlsAuditResult& r) {
  std::string out;
  for (const auto& v : r.versions) out += v.version + (v.offered ? "+ " : "- ");
  return out;
}

// A bare OpenSSL server that allows client-initiated renegotiation, which the project's
// server never does (SSL_OP_NO_RENEGOTIATION): the defect the renegotiation question looks
// for. Serves connections one at a time until destroyed; answers any request with 200.
class RenegotiatingServer {
 public:
  RenegotiatingServer(const std::string& cert, const std::string& key) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx_, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str());
    SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RenegotiatingServer() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  unsigned short port() const { return port_; }

 private:
  void Serve() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      timeval tv{2, 0};  // a stuck client cannot hold the server
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, c);
      if (SSL_accept(ssl) == 1) {
        char buf[1024];
        if (SSL_read(ssl, buf, sizeof buf) > 0) {
          const char kAnswer[] =
              "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
          SSL_write(ssl, kAnswer, sizeof kAnswer - 1);
        }
        SSL_shutdown(ssl);
      }
      SSL_free(ssl);
      ::close(c);
    }
  }

  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  unsigned short port_ = 0;
  std::thread thread_;
};

class Audit : public TlsAuditTest {
 protected:
  TlsAuditOptions Options(bool with_identity) const {
    TlsAuditOptions o;
    o.host = "127.0.0.1";
    o.port = server_listener_->port();
    o.ca_file = root_.cert_file;
    o.timeout = std::chrono::milliseconds(3000);
    o.min_days_left = 5;  // the fixture's certificates have ten days
    if (with_identity) {
      o.cert_file = client_.chain_file;
      o.key_file = client_.key_file;
      o.identity = "client";
    }
    return o;
  }
  TlsAuditResult Run(const TlsAuditOptions& o) {
    auto r = AuditTls(o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : TlsAuditResult{};
  }
};

TEST_F(Audit, CorrectMutualTlsHostHasNoFindingWorthFailing) {
  Start(MutualTls());
  TlsAuditResult r = Run(Options(true));
  EXPECT_EQ(Offered(r), "1.0- 1.1- 1.2+ 1.3+ ");
  EXPECT_EQ(r.client_auth, ClientAuthMode::kRequired);
  EXPECT_THAT(r.ca_names, ElementsAre(root_.subject));
  ASSERT_EQ(r.missing_cert.size(), 2u);
  EXPECT_EQ(r.missing_cert[0].version, "1.3");
  EXPECT_EQ(r.missing_cert[0].alert, "certificate_required");
  EXPECT_EQ(r.missing_cert[1].version, "1.2");
  EXPECT_EQ(r.missing_cert[1].alert, "handshake_failure");
  ASSERT_TRUE(r.renegotiation_refused.has_value());
  EXPECT_TRUE(*r.renegotiation_refused) << r.renegotiation_detail;
  EXPECT_THAT(r.renegotiation_detail, HasSubstr("no_renegotiation"));
  ASSERT_FALSE(r.tls12_suites.empty());
  for (const auto& s : r.tls12_suites) EXPECT_NE(s.verdict, "weak") << s.name;
  EXPECT_GT(r.tls12_suites_probed, 30);
  EXPECT_THAT(r.tls13_suites, Contains("TLS_AES_128_GCM_SHA256"));
  ASSERT_FALSE(r.chain.empty());
  EXPECT_EQ(r.chain[0].sha256, server_.sha256);
  EXPECT_EQ(r.chain_trusted, true);
  EXPECT_EQ(r.host_matched, true);
  EXPECT_FALSE(r.HasMustFinding()) << ::testing::PrintToString(Ids(r));
  EXPECT_THAT(Ids(r), ::testing::Not(Contains("client_auth.optional")));
  EXPECT_THAT(Ids(r), ::testing::Not(Contains("client_auth.broad_ca_list")));
}

TEST_F(Audit, WithoutAnIdentityTheClientAuthQuestionsStillAnswer) {
  Start(MutualTls());
  TlsAuditResult r = Run(Options(false));
  EXPECT_EQ(Offered(r), "1.0- 1.1- 1.2+ 1.3+ ");
  EXPECT_EQ(r.client_auth, ClientAuthMode::kRequired);
  EXPECT_THAT(r.ca_names, ElementsAre(root_.subject));
  EXPECT_FALSE(r.tls12_suites.empty());  // a ServerHello answers the suite question
  EXPECT_FALSE(r.renegotiation_refused.has_value());
  EXPECT_THAT(r.renegotiation_detail, HasSubstr("needs an identity"));
  EXPECT_FALSE(r.resumed.has_value());
}

TEST_F(Audit, Tls10EnabledIsAMustFinding) {
  ServerTlsOptions tls = ServerTls();
  tls.min_version = "1.0";
  Start(tls);
  TlsAuditResult r = Run(Options(false));
  EXPECT_EQ(Offered(r), "1.0+ 1.1+ 1.2+ 1.3+ ");
  EXPECT_THAT(Ids(r), Contains("protocol.tls10"));
  EXPECT_THAT(Ids(r), Contains("protocol.tls11"));
  EXPECT_TRUE(r.HasMustFinding());
  EXPECT_EQ(r.client_auth, ClientAuthMode::kNone);
}

TEST_F(Audit, NoTls13IsAShouldFinding) {
  ServerTlsOptions tls = ServerTls();
  tls.max_version = "1.2";
  Start(tls);
  TlsAuditResult r = Run(Options(false));
  EXPECT_EQ(Offered(r), "1.0- 1.1- 1.2+ 1.3- ");
  EXPECT_THAT(Ids(r), Contains("protocol.no_tls13"));
  EXPECT_FALSE(r.HasMustFinding());
}

TEST_F(Audit, WeakAndCbcSuitesAreFindings) {
  ServerTlsOptions tls = ServerTls();
  tls.security_level = 0;
  tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-NULL-SHA";
  Start(tls);
  TlsAuditResult r = Run(Options(false));
  std::vector<std::string> accepted;
  for (const auto& s : r.tls12_suites) accepted.push_back(s.name + "=" + s.verdict);
  EXPECT_THAT(accepted, ElementsAre("ECDHE-ECDSA-AES128-GCM-SHA256=recommended",
                                    "ECDHE-ECDSA-AES128-SHA=legacy", "ECDHE-ECDSA-NULL-SHA=weak"));
  EXPECT_THAT(Ids(r), Contains("cipher.weak"));
  EXPECT_THAT(Ids(r), Contains("cipher.not_recommended"));
  EXPECT_TRUE(r.HasMustFinding());
}

TEST_F(Audit, OptionalClientAuthIsAFinding) {
  ServerTlsOptions tls = MutualTls();
  tls.require_client_cert = false;
  Start(tls);
  TlsAuditResult r = Run(Options(true));
  EXPECT_EQ(r.client_auth, ClientAuthMode::kOptional);
  EXPECT_THAT(Ids(r), Contains("client_auth.optional"));
  ASSERT_FALSE(r.missing_cert.empty());
  EXPECT_TRUE(r.missing_cert[0].accepted);
  EXPECT_EQ(r.missing_cert[0].http_status, 404);  // the fixture routes only /hello
}

// A terminator that completes the handshake without a certificate and refuses over HTTP,
// as nginx does: told apart from an optional host by the same request with the identity.
TEST_F(Audit, RefusalOverHttpIsRequiredWhenTheIdentityIsServed) {
  ServerOptions options;
  options.tls = true;
  options.tls_options = MutualTls();
  options.tls_options.require_client_cert = false;
  Router router;
  router.Add("GET", "/", [](const ServerRequest& r) {
    return r.client_cert ? ServerResponse::Text(200, "ok")
                         : ServerResponse::Text(403, "certificate needed");
  });
  server_listener_ = std::make_unique<Server>(options, std::move(router));
  ASSERT_TRUE(server_listener_->Start().ok());
  TlsAuditResult r = Run(Options(true));
  EXPECT_EQ(r.client_auth, ClientAuthMode::kRequired);
  ASSERT_FALSE(r.missing_cert.empty());
  EXPECT_EQ(r.missing_cert[0].http_status, 403);
  EXPECT_FALSE(r.missing_cert[0].accepted);
  EXPECT_THAT(Ids(r), ::testing::Not(Contains("client_auth.optional")));
  // Without an identity a 403 cannot be told from the application's own: optional.
  r = Run(Options(false));
  EXPECT_EQ(r.client_auth, ClientAuthMode::kOptional);
}

TEST_F(Audit, OverBroadCaListIsAFinding) {
  std::vector<std::string> roots{root_.cert_file};
  for (int i = 0; i < 6; ++i) {
    std::string name = "extra-root-" + std::to_string(i);
    roots.push_back(pki_.Make(name, CertSpec::Root(name)).cert_file);
  }
  ServerTlsOptions tls = MutualTls();
  tls.client_ca_file = pki_.Concat(roots, "many-roots.pem");
  Start(tls);
  TlsAuditResult r = Run(Options(true));
  EXPECT_EQ(r.ca_names.size(), 7u);
  EXPECT_THAT(Ids(r), Contains("client_auth.broad_ca_list"));
  EXPECT_EQ(r.client_auth, ClientAuthMode::kRequired);
}

TEST_F(Audit, ResumedClientAuthenticatedSessionIsReported) {
  Start(MutualTls());
  TlsAuditResult r = Run(Options(true));
  ASSERT_TRUE(r.resumed.has_value()) << r.resumption_detail;
  EXPECT_TRUE(*r.resumed) << r.resumption_detail;
  EXPECT_THAT(r.resumption_detail, HasSubstr("established as identity client"));
  EXPECT_THAT(Ids(r), Contains("resumption.identity_carried"));
}

TEST_F(Audit, SessionWithoutClientAuthIsNoResumptionFinding) {
  Start(ServerTls());
  TlsAuditResult r = Run(Options(true));
  EXPECT_EQ(r.resumed, true) << r.resumption_detail;
  EXPECT_THAT(r.resumption_detail, HasSubstr("established without a certificate"));
  EXPECT_THAT(Ids(r), ::testing::Not(Contains("resumption.identity_carried")));
}

TEST_F(Audit, UntrustedAndWrongHostCertificatesAreMustFindings) {
  Start(ServerTls());
  TlsAuditOptions o = Options(false);
  o.ca_file = other_root_.cert_file;
  o.server_name = "elsewhere.example";
  TlsAuditResult r = Run(o);
  EXPECT_THAT(Ids(r), Contains("certificate.untrusted"));
  EXPECT_THAT(Ids(r), Contains("certificate.host"));
  o = Options(false);
  o.min_days_left = 30;
  r = Run(o);
  EXPECT_THAT(Ids(r), Contains("certificate.expires_soon"));
  EXPECT_FALSE(r.HasMustFinding());
}

TEST_F(Audit, AcceptedClientRenegotiationIsAFinding) {
  RenegotiatingServer server(server_.cert_file, server_.key_file);
  TlsAuditOptions o;
  o.host = "127.0.0.1";
  o.port = server.port();
  o.ca_file = root_.cert_file;
  o.min_days_left = 5;
  TlsAuditResult r = Run(o);
  ASSERT_TRUE(r.renegotiation_refused.has_value()) << r.renegotiation_detail;
  EXPECT_FALSE(*r.renegotiation_refused) << r.renegotiation_detail;
  EXPECT_THAT(Ids(r), Contains("renegotiation.client_initiated"));
}

TEST_F(Audit, HostThatNeverAnswersCostsOneTimeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 8), 0);  // the kernel accepts; nobody ever answers
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  TlsAuditOptions o;
  o.host = "127.0.0.1";
  o.port = ntohs(addr.sin_port);
  o.timeout = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto r = AuditTls(o);
  auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(), HasSubstr("TLS 1.3: no answer within 200 ms"));
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST_F(Audit, UnusableIdentityFilesAreInvalidArgument) {
  Start(ServerTls());
  TlsAuditOptions o = Options(true);
  o.key_file = server_.key_file;  // readable, not the certificate's key
  auto r = AuditTls(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("server.key"));
  o = Options(true);
  o.cert_file = pki_.Path("missing.pem");
  r = AuditTls(o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("missing.pem' cannot be read"));
}

TEST(TlsSuiteTable, ClassifiesByTheTable) {
  struct Case {
    const char* name;
    const char* verdict;
  } cases[] = {
      {"ECDHE-RSA-AES128-GCM-SHA256", "recommended"},
      {"DHE-RSA-AES256-GCM-SHA384", "recommended"},
      {"ECDHE-RSA-CHACHA20-POLY1305", "acceptable"},
      {"ECDHE-RSA-AES128-SHA256", "legacy"},
      {"AES128-GCM-SHA256", "legacy"},
      {"DES-CBC3-SHA", "weak"},
      {"RC4-SHA", "weak"},
      {"NULL-SHA256", "weak"},
      {"ADH-AES128-SHA", "weak"},
  };
  for (const Case& c : cases) {
    std::string source;
    EXPECT_EQ(http::ClassifyTls12Suite(c.name, &source), c.verdict) << c.name;
    EXPECT_FALSE(source.empty()) << c.name;
  }
  for (const auto& row : http::RecommendedTls12Suites()) EXPECT_FALSE(row.source.empty());
}

}  // namespace
}  // namespace tollgate
