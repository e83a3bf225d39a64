// HTTPS end to end: a TLS server and the libcurl client with certificates made at test
// time (EC P-256, self-signed) in a temporary directory.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>

#include "tollgate/http/client.h"
#include "tollgate/http/server.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Identity {
  std::string cert_file;
  std::string key_file;
  std::string sha256;  // of the DER certificate, lower-case hex
};

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A self-signed certificate valid for localhost and 127.0.0.1, usable both as a server
// certificate and as its own trust anchor (as a client certificate too).
std::optional<Identity> MakeSelfSigned(const fs::path& dir, const std::string& name,
                                       const std::string& cn, long serial) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  if (key == nullptr || cert == nullptr) return std::nullopt;
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("tollgate-test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, subject);
  bool ok = AddExtension(cert, NID_basic_constraints, "critical,CA:TRUE") &&
            AddExtension(cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
            AddExtension(cert, NID_subject_key_identifier, "hash") &&
            X509_sign(cert, key, EVP_sha256()) > 0;

  Identity id;
  id.cert_file = (dir / (name + ".crt")).string();
  id.key_file = (dir / (name + ".key")).string();
  if (ok) {
    std::FILE* f = std::fopen(id.cert_file.c_str(), "wb");
    ok = f != nullptr && PEM_write_X509(f, cert) == 1;
    if (f != nullptr) std::fclose(f);
  }
  if (ok) {
    std::FILE* f = std::fopen(id.key_file.c_str(), "wb");
    ok = f != nullptr && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (f != nullptr) std::fclose(f);
    fs::permissions(id.key_file, fs::perms::owner_read | fs::perms::owner_write);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (ok && X509_digest(cert, EVP_sha256(), md, &md_len) == 1) {
    static const char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < md_len; ++i) {
      id.sha256 += kHex[md[i] >> 4];
      id.sha256 += kHex[md[i] & 15];
    }
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) return std::nullopt;
  return id;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "tollgate-tls-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto server = MakeSelfSigned(dir_, "server", "tollgate-server", 1);
    auto other = MakeSelfSigned(dir_, "other", "tollgate-other", 2);
    auto client = MakeSelfSigned(dir_, "client", "tollgate-client", 3);
    ASSERT_TRUE(server && other && client);
    server_id_ = *server;
    other_id_ = *other;
    client_id_ = *client;
  }

  void TearDown() override {
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Starts an HTTPS server whose /hello records the request. `client_ca` empty: no
  // client certificates requested.
  void StartServer(const std::string& client_ca = "", bool require = false,
                   const std::string& min_version = "1.2") {
    ServerOptions options;
    options.tls = true;
    options.tls_options.cert_chain_file = server_id_.cert_file;
    options.tls_options.key_file = server_id_.key_file;
    options.tls_options.client_ca_file = client_ca;
    options.tls_options.require_client_cert = require;
    options.tls_options.min_version = min_version;
    options.on_connection_error = [this](const std::string& text) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!connection_error_reported_) connection_error_.set_value(text);
      connection_error_reported_ = true;
    };
    Router router;
    router.Add("GET", "/hello", [this](const ServerRequest& r) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_ = r;
      return ServerResponse::Text(200, "hello over tls");
    });
    server_ = std::make_unique<Server>(options, std::move(router));
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  ClientRequest Hello() const {
    ClientRequest r;
    r.url = server_->url() + "/hello";
    r.timeout = std::chrono::milliseconds(1500);
    r.tls.ca_file = server_id_.cert_file;
    return r;
  }

  ClientResponse Send(const ClientRequest& r) {
    auto res = client_.Send(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : ClientResponse{};
  }

  std::string ConnectionError() {
    auto f = connection_error_.get_future();
    return f.wait_for(std::chrono::seconds(1)) == std::future_status::ready ? f.get() : "";
  }

  fs::path dir_;
  Identity server_id_, other_id_, client_id_;
  std::unique_ptr<Server> server_;
  HttpClient client_;
  std::mutex mu_;
  std::optional<ServerRequest> seen_;
  std::promise<std::string> connection_error_;
  bool connection_error_reported_ = false;
};

TEST_F(TlsTest, RoundTripReportsTlsVersion) {
  StartServer();
  EXPECT_THAT(server_->url(), StartsWith("https://127.0.0.1:"));
  ClientResponse r = Send(Hello());
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello over tls");
  EXPECT_EQ(r.tls_version, "TLSv1.3");
  EXPECT_GE(r.timings.tls_ms, r.timings.connect_ms);
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_TRUE(seen_.has_value());
  EXPECT_TRUE(seen_->tls);
  EXPECT_FALSE(seen_->client_cert.has_value());
}

TEST_F(TlsTest, MaxVersionIsHonoured) {
  StartServer();
  ClientRequest req = Hello();
  req.tls.max_version = "1.2";
  ClientResponse r = Send(req);
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.tls_version, "TLSv1.2");
}

TEST_F(TlsTest, LegacyTls10WorksWhenBothSidesAllowIt) {
  StartServer("", false, "1.0");
  ClientRequest req = Hello();
  req.tls.min_version = "1.0";
  req.tls.max_version = "1.0";
  ClientResponse r = Send(req);
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.tls_version, "TLSv1");
}

TEST_F(TlsTest, ServerMinimumVersionRejectsOlderClients) {
  StartServer("", false, "1.3");
  ClientRequest req = Hello();
  req.tls.max_version = "1.2";
  ClientResponse r = Send(req);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_THAT(r.tls_error, HasSubstr("alert"));
}

TEST_F(TlsTest, UntrustedServerCertificateIsTlsRejected) {
  StartServer();
  ClientRequest req = Hello();
  req.tls.ca_file = other_id_.cert_file;
  ClientResponse r = Send(req);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_THAT(r.tls_error, HasSubstr("certificate"));
  EXPECT_EQ(r.status, 0);
}

TEST_F(TlsTest, MissingClientCertificateIsTlsRejectedOnTls12) {
  StartServer(client_id_.cert_file, /*require=*/true);
  ClientRequest req = Hello();
  req.tls.max_version = "1.2";
  ClientResponse r = Send(req);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_THAT(r.tls_error, HasSubstr("alert handshake failure"));
  EXPECT_THAT(ConnectionError(), HasSubstr("TLS handshake from 127.0.0.1:"));
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_FALSE(seen_.has_value());
}

TEST_F(TlsTest, MissingClientCertificateIsTlsRejectedOnTls13) {
  StartServer(client_id_.cert_file, /*require=*/true);
  ClientRequest req = Hello();
  req.tls.min_version = "1.3";
  ClientResponse r = Send(req);
  // The server's alert arrives after the client finished its handshake (catalog §1.3).
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_THAT(r.tls_error, HasSubstr("certificate required"));
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_FALSE(seen_.has_value());
}

TEST_F(TlsTest, UntrustedClientCertificateIsTlsRejected) {
  StartServer(client_id_.cert_file, /*require=*/true);
  ClientRequest req = Hello();
  req.tls.cert_file = other_id_.cert_file;
  req.tls.key_file = other_id_.key_file;
  ClientResponse r = Send(req);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_THAT(r.tls_error, HasSubstr("alert"));
}

TEST_F(TlsTest, PresentedClientCertificateIsExposedToHandlers) {
  StartServer(client_id_.cert_file, /*require=*/true);
  ClientRequest req = Hello();
  req.tls.cert_file = client_id_.cert_file;
  req.tls.key_file = client_id_.key_file;
  ClientResponse r = Send(req);
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.status, 200);
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_TRUE(seen_.has_value());
  ASSERT_TRUE(seen_->client_cert.has_value());
  const PeerCertificate& cert = *seen_->client_cert;
  EXPECT_EQ(cert.sha256_fingerprint, client_id_.sha256);
  EXPECT_EQ(cert.subject, "CN=tollgate-client,O=tollgate-test");
  EXPECT_EQ(cert.issuer, "CN=tollgate-client,O=tollgate-test");
  EXPECT_THAT(cert.pem, StartsWith("-----BEGIN CERTIFICATE-----\n"));
}

TEST_F(TlsTest, OptionalClientCertificateMayBeAbsent) {
  StartServer(client_id_.cert_file, /*require=*/false);
  ClientResponse r = Send(Hello());
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_TRUE(seen_.has_value());
  EXPECT_FALSE(seen_->client_cert.has_value());
}

TEST_F(TlsTest, UnreadableServerFilesAreInvalidArgumentNamingTheFile) {
  ServerOptions options;
  options.tls = true;
  options.tls_options.cert_chain_file = (dir_ / "missing.crt").string();
  options.tls_options.key_file = server_id_.key_file;
  Server server(options, Router());
  Status st = server.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("missing.crt"));

  options.tls_options.cert_chain_file = server_id_.cert_file;
  options.tls_options.key_file = other_id_.key_file;  // readable, but not this cert's key
  Server mismatched(options, Router());
  st = mismatched.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("other.key"));
}

TEST_F(TlsTest, UnreadableClientKeyIsInvalidArgument) {
  StartServer();
  ClientRequest req = Hello();
  req.tls.cert_file = client_id_.cert_file;
  req.tls.key_file = (dir_ / "nope.key").string();
  auto res = client_.Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(res.status().message(), HasSubstr("nope.key"));
}

}  // namespace
}  // namespace tollgate
