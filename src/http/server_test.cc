// The server core over loopback: a libcurl client or hand-made bytes on a raw socket
// against a Server bound to 127.0.0.1:0.

#include "tollgate/http/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "http/test_util.h"
#include "tollgate/http/client.h"

namespace tollgate {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::RawSocket;
using ::testing::StartsWith;

// The last request the handlers saw, and every peer port seen (one per connection).
struct Seen {
  std::mutex mu;
  ServerRequest last;
  std::set<int> peer_ports;
  int calls = 0;

  void Record(const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    last = r;
    peer_ports.insert(r.peer_port);
    ++calls;
  }
};

Router EchoRouter(Seen* seen) {
  Router router;
  auto echo = [seen](const ServerRequest& r) {
    seen->Record(r);
    ServerResponse out = ServerResponse::Text(r.method == "POST" ? 201 : 200, "got:" + r.body);
    out.headers.Add("X-Reply", "one");
    out.headers.Add("X-Reply", "two");
    return out;
  };
  router.Add("GET", "/echo", echo);
  router.Add("POST", "/echo", echo);
  router.Add("GET", "/boom", [seen](const ServerRequest& r) -> ServerResponse {
    seen->Record(r);
    throw std::runtime_error("database password is hunter2");
  });
  return router;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    server_ = std::make_unique<Server>(std::move(options), EchoRouter(&seen_));
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  ClientResponse Get(const std::string& path,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    ClientRequest req;
    req.url = server_->url() + path;
    req.headers = std::move(headers);
    req.timeout = milliseconds(1500);
    auto res = client_.Send(req);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : ClientResponse{};
  }

  Seen seen_;
  std::unique_ptr<Server> server_;
  HttpClient client_;
};

TEST_F(ServerTest, PostRoundTripCarriesHeadersBodyAndQuery) {
  StartServer();
  ClientRequest req;
  req.method = "POST";
  req.url = server_->url() + "/echo?a=1&b=2";
  req.headers = {{"X-Test", "first"}, {"X-Test", "second"}, {"X-Empty", ""}};
  req.body = "hello";
  auto res = client_.Send(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->outcome, TransportOutcome::kOk);
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "got:hello");
  EXPECT_EQ(res->http_version, "1.1");
  EXPECT_EQ(res->tls_version, "");
  EXPECT_THAT(res->headers.GetAll("X-Reply"), ElementsAre("one", "two"));
  EXPECT_EQ(res->headers.Get("Server"), "tollgate");
  EXPECT_EQ(res->headers.Get("Content-Length"), "9");
  EXPECT_GT(res->timings.total_ms, 0.0);
  EXPECT_GE(res->timings.total_ms, res->timings.connect_ms);

  std::lock_guard<std::mutex> lock(seen_.mu);
  const ServerRequest& got = seen_.last;
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/echo?a=1&b=2");
  EXPECT_EQ(got.path, "/echo");
  EXPECT_EQ(got.query, "a=1&b=2");
  EXPECT_EQ(got.body, "hello");
  EXPECT_THAT(got.headers.GetAll("X-Test"), ElementsAre("first", "second"));
  EXPECT_EQ(got.headers.Get("X-Empty"), "");
  // Only what the scenario asked for: no curl defaults.
  EXPECT_FALSE(got.headers.Has("Expect"));
  EXPECT_FALSE(got.headers.Has("Accept"));
  EXPECT_FALSE(got.headers.Has("Content-Type"));
  EXPECT_EQ(got.peer_address, "127.0.0.1");
  EXPECT_NE(got.peer_port, 0);
  EXPECT_FALSE(got.tls);
  EXPECT_FALSE(got.client_cert.has_value());
}

TEST_F(ServerTest, GetRoundTripAndHeadWithoutBody) {
  StartServer();
  ClientResponse get = Get("/echo");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "got:");

  ClientRequest head;
  head.method = "HEAD";
  head.url = server_->url() + "/echo";
  auto res = client_.Send(head);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "");
  EXPECT_EQ(res->headers.Get("Content-Length"), "4");  // what GET would have sent
}

TEST_F(ServerTest, KeepAliveServesSequentialRequestsOnOneConnection) {
  StartServer();
  for (int i = 0; i < 3; ++i) {
    ClientResponse r = Get("/echo");
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.headers.Has("Connection")) << "HTTP/1.1 keep-alive needs no header";
  }
  std::lock_guard<std::mutex> lock(seen_.mu);
  EXPECT_EQ(seen_.calls, 3);
  EXPECT_EQ(seen_.peer_ports.size(), 1u);
}

TEST_F(ServerTest, ClientIsThreadSafeWithOneConnectionPerThread) {
  StartServer();
  constexpr int kThreads = 4, kRequests = 10;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequests; ++i) {
        ClientRequest req;
        req.url = server_->url() + "/echo";
        auto res = client_.Send(req);
        if (res.ok() && res->status == 200) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
  std::lock_guard<std::mutex> lock(seen_.mu);
  EXPECT_EQ(seen_.peer_ports.size(), static_cast<std::size_t>(kThreads));
}

TEST_F(ServerTest, SlowClientIsCutOffAfterIoTimeout) {
  ServerOptions options;
  options.io_timeout = milliseconds(200);
  StartServer(options);
  RawSocket slow = RawSocket::Connect(server_->port());
  ASSERT_TRUE(slow.SendAll("GET /echo HTTP/1.1\r\nX-Never: ends"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.ReadToEof(milliseconds(1500)));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(150));
  EXPECT_LT(took, milliseconds(1000));
}

TEST_F(ServerTest, Http10WithoutKeepAliveIsAnsweredAndClosed) {
  StartServer();
  RawSocket s = RawSocket::Connect(server_->port());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.SendAll("GET /echo HTTP/1.0\r\n\r\n"));
  std::string data;
  EXPECT_TRUE(s.ReadToEof(milliseconds(1000), &data));
  EXPECT_THAT(data, StartsWith("HTTP/1.0 200 OK\r\n"));
  EXPECT_THAT(data, HasSubstr("Content-Length: 4\r\n"));
}

TEST_F(ServerTest, Http10KeepAliveIsHonoured) {
  StartServer();
  RawSocket s = RawSocket::Connect(server_->port());
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(s.SendAll("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    std::string r = s.ReadResponse();
    EXPECT_THAT(r, StartsWith("HTTP/1.0 200 OK\r\n"));
    EXPECT_THAT(r, HasSubstr("Connection: keep-alive\r\n"));
  }
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  ClientResponse r = Get("/echo", {{"X-Big", std::string(60 * 1024, 'a')}});
  EXPECT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.headers.Get("Connection"), "close");
  std::lock_guard<std::mutex> lock(seen_.mu);
  EXPECT_EQ(seen_.calls, 0);
}

TEST_F(ServerTest, OversizedBodyIs413AndHandlerNotCalled) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  ClientRequest req;
  req.method = "POST";
  req.url = server_->url() + "/echo";
  req.body = std::string(512 * 1024, 'x');
  auto res = client_.Send(req);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->outcome, TransportOutcome::kOk) << res->error;
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->body, R"({"error":"payload_too_large"})");
  // Exactly at the limit is fine.
  req.body = std::string(1024, 'x');
  res = client_.Send(req);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 201);
  std::lock_guard<std::mutex> lock(seen_.mu);
  EXPECT_EQ(seen_.calls, 1);
}

TEST_F(ServerTest, ConnectionsOverTheCapGet503UntilASlotFrees) {
  ServerOptions options;
  options.max_connections = 1;
  StartServer(options);
  // Holds the only slot: once its response arrived the session is surely registered.
  RawSocket holder = RawSocket::Connect(server_->port());
  ASSERT_TRUE(holder.SendAll("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_THAT(holder.ReadResponse(), StartsWith("HTTP/1.1 200"));

  ClientResponse rejected = Get("/echo");
  EXPECT_EQ(rejected.outcome, TransportOutcome::kOk) << rejected.error;
  EXPECT_EQ(rejected.status, 503);
  EXPECT_EQ(rejected.body, R"({"error":"too_many_connections"})");

  holder.Close();
  // The server notices the close asynchronously; the slot must come back promptly.
  auto deadline = std::chrono::steady_clock::now() + milliseconds(1500);
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) status = Get("/echo").status;
  EXPECT_EQ(status, 200);
}

TEST_F(ServerTest, MalformedRequestsGet400AndServerKeepsServing) {
  StartServer();
  static const char kTlsHello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 junk\r\n\r\n";
  const std::string garbage[] = {
      std::string(kTlsHello, sizeof kTlsHello - 1),  // TLS spoken to a plain port
      "GET /echo HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
      "GET /echo HTTP/1.1\r\nBad Header\r\n\r\n",
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  };
  for (const std::string& bytes : garbage) {
    RawSocket s = RawSocket::Connect(server_->port());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s.SendAll(bytes));
    std::string data;
    EXPECT_TRUE(s.ReadToEof(milliseconds(1000), &data));
    EXPECT_THAT(data, StartsWith("HTTP/1.1 400 Bad Request\r\n")) << bytes;
  }
  // Bytes and then a vanished client.
  {
    RawSocket s = RawSocket::Connect(server_->port());
    ASSERT_TRUE(s.SendAll("POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc"));
  }
  EXPECT_EQ(Get("/echo").status, 200);
}

TEST_F(ServerTest, HandlerExceptionIs500WithoutDetailAndConnectionSurvives) {
  StartServer();
  ClientResponse boom = Get("/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body, R"({"error":"internal_error"})");
  EXPECT_EQ(Get("/echo").status, 200);
  std::lock_guard<std::mutex> lock(seen_.mu);
  EXPECT_EQ(seen_.peer_ports.size(), 1u) << "the 500 must not cost the connection";
}

TEST_F(ServerTest, ExpectContinueGets100BeforeTheBody) {
  StartServer();
  RawSocket s = RawSocket::Connect(server_->port());
  ASSERT_TRUE(s.SendAll(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  EXPECT_EQ(s.ReadResponse(), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(s.SendAll("hello"));
  std::string r = s.ReadResponse();
  EXPECT_THAT(r, StartsWith("HTTP/1.1 201 Created\r\n"));
  EXPECT_THAT(r, HasSubstr("got:hello"));
}

TEST_F(ServerTest, StopWithIdleKeepAliveConnectionIsPrompt) {
  ServerOptions options;
  options.io_timeout = milliseconds(10'000);
  StartServer(options);
  RawSocket idle = RawSocket::Connect(server_->port());
  ASSERT_TRUE(idle.SendAll("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_THAT(idle.ReadResponse(), StartsWith("HTTP/1.1 200"));

  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, milliseconds(1000));
  EXPECT_TRUE(idle.ReadToEof(milliseconds(500))) << "the idle connection must be closed";
  server_->Stop();  // twice is harmless
  EXPECT_FALSE(RawSocket::Connect(server_->port()).ok()) << "nothing listens any more";
}

TEST_F(ServerTest, StartTwiceFailsAndPortInUseIsUnavailable) {
  StartServer();
  Status again = server_->Start();
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);

  ServerOptions same;
  same.port = server_->port();
  Server clash(same, Router());
  Status st = clash.Start();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_THAT(st.message(), HasSubstr(std::to_string(server_->port())));
}

TEST_F(ServerTest, RestartsAfterStop) {
  StartServer();
  server_->Stop();
  ASSERT_TRUE(server_->Start().ok());
  EXPECT_EQ(Get("/echo").status, 200);
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405) {
  StartServer();
  ClientResponse missing = Get("/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"error":"not_found"})");
  ClientRequest del;
  del.method = "DELETE";
  del.url = server_->url() + "/echo";
  auto res = client_.Send(del);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->headers.Get("Allow"), "GET, POST");
}

}  // namespace
}  // namespace tollgate
