#pragma once
// Test-only: an HTTPS server on 127.0.0.1:0 with a test PKI (a root CA, a server leaf
// for localhost/127.0.0.1 and client leaves) and the libcurl client, shared by the TLS
// tests of the http module.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <optional>

#include "http/test_pki.h"
#include "tollgate/http/client.h"
#include "tollgate/http/server.h"

namespace tollgate::testing {

class TlsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = pki_.Make("root", CertSpec::Root("tollgate-root"));
    server_ = pki_.Make("server", CertSpec::Leaf("tollgate-server", "root").Eku("serverAuth"));
    client_ = pki_.Make("client", CertSpec::Leaf("tollgate-client", "root").Eku("clientAuth"));
    other_root_ = pki_.Make("other-root", CertSpec::Root("tollgate-other-root"));
    ASSERT_FALSE(root_.cert_file.empty() || server_.cert_file.empty() ||
                 client_.cert_file.empty() || other_root_.cert_file.empty());
  }

  void TearDown() override { server_listener_.reset(); }

  /// TLS options for a server with the fixture's server certificate.
  ServerTlsOptions ServerTls() const {
    ServerTlsOptions o;
    o.cert_chain_file = server_.cert_file;
    o.key_file = server_.key_file;
    return o;
  }
  /// Same, asking for and requiring client certificates from the fixture's root.
  ServerTlsOptions MutualTls() const {
    ServerTlsOptions o = ServerTls();
    o.client_ca_file = root_.cert_file;
    o.require_client_cert = true;
    return o;
  }

  void Start(const ServerTlsOptions& tls) {
    ServerOptions options;
    options.tls = true;
    options.tls_options = tls;
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
    server_listener_ = std::make_unique<Server>(options, std::move(router));
    Status st = server_listener_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  /// A request to /hello trusting the fixture's root.
  ClientRequest Hello() const {
    ClientRequest r;
    r.url = server_listener_->url() + "/hello";
    r.timeout = std::chrono::milliseconds(3000);
    r.tls.ca_file = root_.cert_file;
    return r;
  }
  ClientRequest HelloAs(const TestCert& id) const {
    ClientRequest r = Hello();
    r.tls.cert_file = id.chain_file;
    r.tls.key_file = id.key_file;
    return r;
  }

  ClientResponse Send(const ClientRequest& r) {
    auto res = client_http_.Send(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : ClientResponse{};
  }

  std::string ConnectionError() {
    auto f = connection_error_.get_future();
    return f.wait_for(std::chrono::seconds(2)) == std::future_status::ready ? f.get() : "";
  }

  std::optional<ServerRequest> Seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  TestPki pki_;
  TestCert root_, server_, client_, other_root_;
  std::unique_ptr<Server> server_listener_;
  HttpClient client_http_;
  std::mutex mu_;
  std::optional<ServerRequest> seen_;
  std::promise<std::string> connection_error_;
  bool connection_error_reported_ = false;
};

/// The name of the alert the server sent, or "none".
inline std::string ReceivedAlert(const ClientResponse& r) {
  return r.tls.alert_received ? r.tls.alert_received->name : "none";
}

}  // namespace tollgate::testing
