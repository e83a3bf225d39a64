// A connection that closes where a TLS 1.3 server refuses a client certificate (after our
// Finished, before any HTTP answer) is a TLS rejection; the same close elsewhere is not.

#include "http/transport_outcome.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "http/tls_fixture.h"

namespace tollgate {
namespace {

using http::ClassifyCurlError;

ClientTlsFacts AskedForOurCertificate() {
  ClientTlsFacts f;
  f.protocol = "TLSv1.3";
  f.certificate_requested = true;
  return f;
}

TEST(ClassifyCurlError, CloseAfterACertificateRequestBeforeAnyAnswerIsATlsRejection) {
  const ClientTlsFacts asked = AskedForOurCertificate();
  for (CURLcode code : {CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING}) {
    EXPECT_EQ(ClassifyCurlError(code, "Connection reset by peer", asked),
              TransportOutcome::kTlsRejected)
        << code;
    // Once a status line arrived, the server had accepted us: a close is its own fault.
    EXPECT_EQ(ClassifyCurlError(code, "Connection reset by peer", asked, true),
              TransportOutcome::kProtocolError)
        << code;
  }
}

TEST(ClassifyCurlError, CloseWithoutACertificateRequestIsAProtocolError) {
  ClientTlsFacts plain;
  plain.protocol = "TLSv1.3";
  EXPECT_EQ(ClassifyCurlError(CURLE_GOT_NOTHING, "Empty reply from server", plain),
            TransportOutcome::kProtocolError);
  EXPECT_EQ(ClassifyCurlError(CURLE_RECV_ERROR, "Connection reset by peer", plain),
            TransportOutcome::kProtocolError);
  // A timeout stays a timeout, whatever the handshake asked for.
  EXPECT_EQ(ClassifyCurlError(CURLE_OPERATION_TIMEDOUT, "timed out", AskedForOurCertificate()),
            TransportOutcome::kTimeout);
}

// A raw OpenSSL server on 127.0.0.1:0 that completes one handshake and then closes the
// connection without an alert and without answering, as a server that refuses our
// certificate by closing does. `reset`: an RST (SO_LINGER 0) instead of a FIN.
class ClosingServer {
 public:
  ClosingServer(const testing::TestCert& cert, bool request_certificate, bool reset)
      : reset_(reset) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_chain_file(ctx_, cert.chain_file.c_str());
    SSL_CTX_use_PrivateKey_file(ctx_, cert.key_file.c_str(), SSL_FILETYPE_PEM);
    // Ask for a certificate and take any: the refusal is the close, not the verification.
    if (request_certificate) {
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    }
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 1);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { ServeOne(); });
  }
  ~ClosingServer() {
    shutdown(listen_fd_, SHUT_RDWR);  // unblocks accept() if the client never came
    thread_.join();
    close(listen_fd_);
    SSL_CTX_free(ctx_);
  }
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/x"; }

 private:
  void ServeOne() {
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1 && reset_) {
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    SSL_free(ssl);  // no SSL_shutdown: no close_notify, no alert
    close(fd);
  }
  bool reset_;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

class ClosedAfterHandshakeTest : public testing::TlsFixture,
                                 public ::testing::WithParamInterface<const char*> {
 protected:
  ClientResponse SendTo(const ClosingServer& server) {
    ClientRequest q;
    q.url = server.Url();
    q.timeout = std::chrono::milliseconds(3000);
    q.tls.ca_file = root_.cert_file;
    q.tls.cert_file = client_.chain_file;
    q.tls.key_file = client_.key_file;
    q.tls.min_version = q.tls.max_version = GetParam();
    return Send(q);
  }
};

// Whatever curl calls it (receive error, send error, empty reply), a close or reset after
// a handshake that asked for our certificate is the server refusing it.
TEST_P(ClosedAfterHandshakeTest, IsATlsRejectionWhenOurCertificateWasAskedFor) {
  for (bool reset : {false, true}) {
    ClosingServer server(server_, /*request_certificate=*/true, reset);
    ClientResponse r = SendTo(server);
    EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << reset << " " << r.error;
    EXPECT_TRUE(r.tls.certificate_requested);
    EXPECT_FALSE(r.tls.alert_received.has_value());
    EXPECT_EQ(r.tls.refusal, TlsRefusal::kOther);
    EXPECT_THAT(r.tls_error, ::testing::HasSubstr("connection closed after the handshake"));
  }
}

TEST_P(ClosedAfterHandshakeTest, IsAProtocolErrorWhenNoCertificateWasAskedFor) {
  ClosingServer server(server_, /*request_certificate=*/false, /*reset=*/false);
  ClientResponse r = SendTo(server);
  EXPECT_EQ(r.outcome, TransportOutcome::kProtocolError) << r.error;
  EXPECT_FALSE(r.tls.certificate_requested);
}

INSTANTIATE_TEST_SUITE_P(Tls12And13, ClosedAfterHandshakeTest, ::testing::Values("1.2", "1.3"));

}  // namespace
}  // namespace tollgate
