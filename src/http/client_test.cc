// The libcurl client: how transport failures are classified, what it sends and reads.

#include "tollgate/http/client.h"

#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "http/test_util.h"
#include "http/transport_outcome.h"
#include "tollgate/http/server.h"

namespace tollgate {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A listening socket on 127.0.0.1:0 that answers one connection with canned bytes after
// reading the request head, then closes. Every wait is bounded.
class CannedServer {
 public:
  explicit CannedServer(std::string reply) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, reply = std::move(reply)] {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        pollfd q{conn, POLLIN, 0};
        if (::poll(&q, 1, 2000) <= 0) break;
        ssize_t n = ::recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        head.append(buf, static_cast<std::size_t>(n));
      }
      request_.set_value(head);
      ::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::shutdown(conn, SHUT_WR);
      pollfd q{conn, POLLIN, 0};
      if (::poll(&q, 1, 1000) > 0) ::recv(conn, buf, sizeof buf, 0);
      ::close(conn);
    });
  }
  ~CannedServer() {
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  /// The request head the server read (waits at most 2 s).
  std::string request() {
    auto f = request_.get_future();
    return f.wait_for(std::chrono::seconds(2)) == std::future_status::ready ? f.get() : "";
  }

 private:
  int fd_ = -1;
  unsigned short port_ = 0;
  std::promise<std::string> request_;
  std::thread thread_;
};

ClientRequest To(std::string url) {
  ClientRequest r;
  r.url = std::move(url);
  r.timeout = milliseconds(1500);
  return r;
}

TEST(HttpClient, RefusedConnectionIsConnectFailed) {
  // A port that was free a moment ago and has no listener.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);

  HttpClient client;
  auto res = client.Send(To("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"));
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->outcome, TransportOutcome::kConnectFailed);
  EXPECT_THAT(res->error, HasSubstr("connect failed"));
  EXPECT_EQ(res->status, 0);
}

TEST(HttpClient, SlowHandlerIsTimeout) {
  Router router;
  router.Add("GET", "/slow", [](const ServerRequest&) {
    std::this_thread::sleep_for(milliseconds(300));  // the one bounded sleep
    return ServerResponse::Text(200, "late");
  });
  Server server(ServerOptions{}, std::move(router));
  ASSERT_TRUE(server.Start().ok());
  HttpClient client;
  ClientRequest req = To(server.url() + "/slow");
  req.timeout = milliseconds(100);
  auto start = std::chrono::steady_clock::now();
  auto res = client.Send(req);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->outcome, TransportOutcome::kTimeout);
  EXPECT_LT(took, milliseconds(280)) << "must give up before the handler answers";
}

TEST(HttpClient, SourceAddressIsWhatTheServerSees) {
  {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.2", &addr.sin_addr);
    bool can_bind = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (!can_bind) GTEST_SKIP() << "cannot bind 127.0.0.2 on this host";
  }
  std::promise<std::string> peer;
  Router router;
  router.Add("GET", "/", [&peer](const ServerRequest& r) {
    peer.set_value(r.peer_address);
    return ServerResponse::Text(200, "ok");
  });
  Server server(ServerOptions{}, std::move(router));
  ASSERT_TRUE(server.Start().ok());
  HttpClient client;
  ClientRequest req = To(server.url() + "/");
  req.source_address = "127.0.0.2";
  auto res = client.Send(req);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->outcome, TransportOutcome::kOk) << res->error;
  EXPECT_EQ(peer.get_future().get(), "127.0.0.2");
}

TEST(HttpClient, GarbageReplyIsProtocolError) {
  CannedServer server("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  HttpClient client;
  auto res = client.Send(To(server.url()));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->outcome, TransportOutcome::kProtocolError) << res->error;
}

TEST(HttpClient, EmptyReplyIsProtocolError) {
  CannedServer server("");
  HttpClient client;
  auto res = client.Send(To(server.url()));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->outcome, TransportOutcome::kProtocolError) << res->error;
  EXPECT_THAT(res->error, HasSubstr("protocol error"));
}

TEST(HttpClient, KeepsOnlyFinalResponseHeadersWithDuplicatesInOrder) {
  CannedServer server(
      "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
      "HTTP/1.1 202 Accepted\r\nSet-Cookie: a=1\r\nX-Folded: one\r\n two\r\n"
      "set-cookie: b=2\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  HttpClient client;
  auto res = client.Send(To(server.url()));
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->outcome, TransportOutcome::kOk) << res->error;
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(res->body, "ok");
  EXPECT_FALSE(res->headers.Has("X-Interim"));
  EXPECT_THAT(res->headers.GetAll("Set-Cookie"), ElementsAre("a=1", "b=2"));
  EXPECT_EQ(res->headers.Get("X-Folded"), "one two");
  EXPECT_EQ(res->headers.items().front().first, "Set-Cookie");
}

TEST(HttpClient, SendsMethodHeadersAndBodyExactly) {
  CannedServer server("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  HttpClient client;
  ClientRequest req = To(server.url() + "pay");
  req.method = "PATCH";
  req.headers = {{"X-Dup", "1"}, {"X-Dup", "2"}, {"X-Empty", ""}, {"Content-Type", "text/x"}};
  req.body = "abc";
  auto res = client.Send(req);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 204);
  std::string head = server.request();
  EXPECT_THAT(head, ::testing::StartsWith("PATCH /pay HTTP/1.1\r\n"));
  EXPECT_THAT(head, HasSubstr("X-Dup: 1\r\nX-Dup: 2\r\nX-Empty:\r\nContent-Type: text/x\r\n"));
  EXPECT_THAT(head, HasSubstr("Content-Length: 3\r\n"));
  EXPECT_THAT(head, ::testing::Not(HasSubstr("Expect")));
  EXPECT_THAT(head, ::testing::Not(HasSubstr("Accept")));
}

TEST(HttpClient, MisuseIsInvalidArgument) {
  HttpClient client;
  struct Case {
    const char* name;
    ClientRequest request;
    const char* message;
  };
  ClientRequest bad_url = To("http://exa mple.com/");
  ClientRequest ftp = To("ftp://127.0.0.1/");
  ClientRequest crlf = To("http://127.0.0.1:1/");
  crlf.headers = {{"X-Inject", "a\r\nEvil: 1"}};
  ClientRequest ca = To("https://127.0.0.1:1/");
  ca.tls.ca_file = "/nonexistent/tollgate-ca.pem";
  ClientRequest version = To("https://127.0.0.1:1/");
  version.tls.min_version = "1.4";
  const Case cases[] = {
      {"malformed URL", bad_url, "URL"},
      {"unsupported scheme", ftp, "scheme"},
      {"header injection", crlf, "X-Inject"},
      {"unreadable CA file", ca, "/nonexistent/tollgate-ca.pem"},
      {"unknown TLS version", version, "1.4"},
  };
  for (const Case& c : cases) {
    auto res = client.Send(c.request);
    ASSERT_FALSE(res.ok()) << c.name;
    EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(res.status().message(), HasSubstr(c.message)) << c.name;
  }
}

TEST(ClassifyCurlError, MapsCodesAndTlsAlerts) {
  using http::ClassifyCurlError;
  struct Case {
    CURLcode code;
    const char* text;
    TransportOutcome want;
  };
  const Case cases[] = {
      {CURLE_COULDNT_CONNECT, "Failed to connect", TransportOutcome::kConnectFailed},
      {CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host", TransportOutcome::kDnsFailed},
      {CURLE_OPERATION_TIMEDOUT, "Operation timed out", TransportOutcome::kTimeout},
      {CURLE_SSL_CONNECT_ERROR, "sslv3 alert handshake failure", TransportOutcome::kTlsRejected},
      {CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem", TransportOutcome::kTlsRejected},
      {CURLE_RECV_ERROR,
       "OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, "
       "errno 0",
       TransportOutcome::kTlsRejected},
      {CURLE_RECV_ERROR, "Recv failure: Connection reset by peer",
       TransportOutcome::kProtocolError},
      {CURLE_SEND_ERROR, "OpenSSL SSL_write: sslv3 alert certificate expired",
       TransportOutcome::kTlsRejected},
      {CURLE_GOT_NOTHING, "Empty reply from server", TransportOutcome::kProtocolError},
      {CURLE_WEIRD_SERVER_REPLY, "Invalid status line", TransportOutcome::kProtocolError},
      {CURLE_UNSUPPORTED_PROTOCOL, "Received HTTP/0.9 when not allowed",
       TransportOutcome::kProtocolError},
      {CURLE_PARTIAL_FILE, "transfer closed", TransportOutcome::kProtocolError},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyCurlError(c.code, c.text), c.want) << c.text;
  }
  EXPECT_STREQ(TransportOutcomeName(TransportOutcome::kTlsRejected), "tls rejected");
}

}  // namespace
}  // namespace tollgate
