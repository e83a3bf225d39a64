// The server core's limits against hostile clients, over loopback with hand-made bytes:
// every limit answers its 4xx and closes, memory-holding tricks (chunk extensions,
// trailers, trickled headers) are cut off before they are read whole, and connection caps
// keep room for prompt clients.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "http/test_util.h"
#include "http/tls_fixture.h"
#include "tollgate/http/client.h"
#include "tollgate/http/server.h"

namespace tollgate {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testing::RawSocket;
using ::testing::StartsWith;

class LimitsTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options) {
    Router router;
    auto echo = [this](const ServerRequest& r) {
      ++calls_;
      std::string trailer = r.headers.Get("X-Trailer").value_or("");
      return ServerResponse::Text(200, "got:" + r.body + trailer);
    };
    router.Add("GET", "/echo", echo);
    router.Add("POST", "/echo", echo);
    server_ = std::make_unique<Server>(std::move(options), std::move(router));
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  RawSocket Connect() {
    RawSocket s = RawSocket::Connect(server_->port());
    EXPECT_TRUE(s.ok());
    return s;
  }

  // Sends `bytes` on a new connection; what came back before the server closed it (or
  // "<open>" when it did not close within a second).
  std::string Exchange(const std::string& bytes) {
    RawSocket s = Connect();
    if (!s.SendAll(bytes)) return "<send failed>";
    std::string data;
    if (!s.ReadToEof(milliseconds(1500), &data)) return "<open>" + data;
    return data;
  }

  // A request on a connection that stays open: the response's first line.
  static std::string Served(RawSocket& s, const std::string& path = "/echo") {
    if (!s.SendAll("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")) return "<send failed>";
    std::string r = s.ReadResponse(milliseconds(1500));
    return r.substr(0, r.find("\r\n"));
  }

  static std::string Chunked(const std::string& chunks) {
    return "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks;
  }

  std::atomic<int> calls_{0};
  std::unique_ptr<Server> server_;
};

TEST_F(LimitsTest, ChunkExtensionWithinTheLimitIsAccepted) {
  ServerOptions options;
  options.max_chunk_extension_bytes = 64;
  StartServer(options);
  std::string ext = ";name=" + std::string(58, 'v');  // 64 bytes
  std::string data = Exchange(Chunked("5" + ext + "\r\nhello\r\n0\r\n\r\n") +
                              "GET /echo HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(data, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(data, HasSubstr("got:hello"));
}

TEST_F(LimitsTest, ChunkExtensionOverTheLimitIs400AndClosed) {
  ServerOptions options;
  options.max_chunk_extension_bytes = 64;
  StartServer(options);
  std::string ext = ";name=" + std::string(59, 'v');  // 65 bytes
  std::string data = Exchange(Chunked("5" + ext + "\r\nhello\r\n0\r\n\r\n"));
  EXPECT_THAT(data, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(data, HasSubstr(R"({"error":"chunk_extension_too_large"})"));
  EXPECT_THAT(data, HasSubstr("Connection: close\r\n"));
  EXPECT_EQ(calls_, 0);
}

TEST_F(LimitsTest, EndlessChunkExtensionIsRefusedBeforeItsLineEnds) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  StartServer(options);
  // The line never ends: the server must answer once its buffer is full, not wait for it.
  std::string data = Exchange(Chunked("5;name=" + std::string(64 * 1024, 'v')));
  EXPECT_THAT(data, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(data, HasSubstr("chunk_extension_too_large"));
  EXPECT_EQ(calls_, 0);
}

TEST_F(LimitsTest, TrailerWithinTheHeaderLimitIsAccepted) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  std::string data = Exchange(Chunked("5\r\nhello\r\n0\r\nX-Trailer: !\r\n\r\n") +
                              "GET /echo HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(data, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(data, HasSubstr("got:hello!"));
}

TEST_F(LimitsTest, TrailerOverTheHeaderLimitIs431AndClosed) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  // Never-ending trailer field: refused once the buffer holds max_header_bytes.
  std::string data =
      Exchange(Chunked("5\r\nhello\r\n0\r\nX-Trailer: " + std::string(64 * 1024, 't')));
  EXPECT_THAT(data, StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  EXPECT_THAT(data, HasSubstr("Connection: close\r\n"));
  // Many small trailer fields, each line complete.
  std::string fields;
  for (int i = 0; i < 200; ++i) fields += "X-T" + std::to_string(i) + ": v\r\n";
  data = Exchange(Chunked("5\r\nhello\r\n0\r\n" + fields + "\r\n"));
  EXPECT_THAT(data, StartsWith("HTTP/1.1 431 "));
  EXPECT_EQ(calls_, 0);
}

TEST_F(LimitsTest, TooManyHeaderFieldsIs431AndClosed) {
  ServerOptions options;
  options.max_header_fields = 5;
  StartServer(options);
  std::string four;
  for (int i = 0; i < 4; ++i) four += "X-F" + std::to_string(i) + ": v\r\n";
  // Host plus four: at the limit.
  EXPECT_THAT(Exchange("GET /echo HTTP/1.1\r\nHost: x\r\n" + four + "Connection: close\r\n\r\n"),
              StartsWith("HTTP/1.1 431 "))
      << "Connection counts too: six fields";
  EXPECT_THAT(Exchange("GET /echo HTTP/1.0\r\nHost: x\r\n" + four + "\r\n"),
              StartsWith("HTTP/1.0 200 OK\r\n"));
  std::string data = Exchange("GET /echo HTTP/1.1\r\nHost: x\r\n" + four + "X-F9: v\r\n\r\n");
  EXPECT_THAT(data, StartsWith("HTTP/1.1 431 "));
  EXPECT_THAT(data, HasSubstr("request_header_fields_too_large"));
  // Trailer fields count with the header's.
  data = Exchange(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1\r\na\r\n0\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\n\r\n");
  EXPECT_THAT(data, StartsWith("HTTP/1.1 431 "));
  EXPECT_EQ(calls_, 1);
}

TEST_F(LimitsTest, HeaderBytesOverTheLimitAre431AndClosed) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  std::string data =
      Exchange("GET /echo HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  EXPECT_THAT(data, StartsWith("HTTP/1.1 431 "));
  // A header line that never ends is cut off at the limit too.
  data = Exchange("GET /echo HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'a'));
  EXPECT_THAT(data, StartsWith("HTTP/1.1 431 "));
  EXPECT_EQ(calls_, 0);
}

TEST_F(LimitsTest, ChunkedBodyOverTheLimitIs413BeforeItsDataIsRead) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  // The chunk's size alone is over the limit: refused without waiting for its data.
  std::string data = Exchange(Chunked("801\r\n"));
  EXPECT_THAT(data, StartsWith("HTTP/1.1 413 Payload Too Large\r\n"));
  // Several chunks adding up to more.
  data = Exchange(Chunked("200\r\n" + std::string(512, 'a') + "\r\n200\r\n" +
                          std::string(512, 'b') + "\r\n1\r\n"));
  EXPECT_THAT(data, StartsWith("HTTP/1.1 413 "));
  EXPECT_EQ(calls_, 0);
}

TEST_F(LimitsTest, BodiesOverTheServerBudgetGet503BeforeTheyAreRead) {
  ServerOptions options;
  options.max_body_bytes = 4096;
  options.max_buffered_body_bytes = 6000;
  StartServer(options);
  // One connection declares 4000 bytes and sends none: its share stays taken.
  RawSocket holder = Connect();
  ASSERT_TRUE(holder.SendAll(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4000\r\n\r\n"));
  // The share is taken before the 100 goes out.
  ASSERT_EQ(holder.ReadResponse(), "HTTP/1.1 100 Continue\r\n\r\n");
  std::string data = Exchange("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n");
  EXPECT_THAT(data, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_THAT(data, HasSubstr(R"({"error":"server_busy"})"));
  EXPECT_THAT(data, HasSubstr("Retry-After: 1\r\n"));
  // Chunked bodies take their share chunk by chunk.
  data = Exchange(Chunked("BB8\r\n"));  // 3000
  EXPECT_THAT(data, StartsWith("HTTP/1.1 503 "));
  // What fits still goes through; the holder's share comes back once it is served.
  data = Exchange(
      "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_THAT(data, StartsWith("HTTP/1.1 200 OK"));
  ASSERT_TRUE(holder.SendAll(std::string(4000, 'h')));
  EXPECT_THAT(holder.ReadResponse(), StartsWith("HTTP/1.1 200 OK"));
  data = Exchange(
      "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3000\r\n\r\n" +
      std::string(3000, 'z'));
  EXPECT_THAT(data, StartsWith("HTTP/1.1 200 OK"));
}

TEST_F(LimitsTest, TrickledHeaderIsCutAtTheHeaderDeadline) {
  ServerOptions options;
  options.header_timeout = milliseconds(300);
  options.io_timeout = milliseconds(10'000);
  StartServer(options);
  RawSocket slow = Connect();
  const std::string request = "GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(100, 's');
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  // One byte every 20 ms: each read is prompt, the header as a whole is not.
  for (char c : request) {
    if (!slow.SendAll(std::string(1, c))) break;
    if (slow.ReadToEof(milliseconds(20))) {
      closed = true;
      break;
    }
  }
  if (!closed) closed = slow.ReadToEof(milliseconds(1500));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_GE(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(1500));
}

TEST_F(LimitsTest, IdleKeepAliveConnectionIsClosedAtTheHeaderDeadline) {
  ServerOptions options;
  options.header_timeout = milliseconds(300);
  StartServer(options);
  RawSocket s = Connect();
  ASSERT_EQ(Served(s), "HTTP/1.1 200 OK");
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(s.ReadToEof(milliseconds(2000)));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(1500));
}

TEST_F(LimitsTest, PerAddressCapRefusesWithoutEviction) {
  ServerOptions options;
  options.max_connections_per_address = 2;
  options.reserved_connections = 0;
  StartServer(options);
  RawSocket a = Connect(), b = Connect();
  ASSERT_EQ(Served(a), "HTTP/1.1 200 OK");
  ASSERT_EQ(Served(b), "HTTP/1.1 200 OK");
  std::string data = Exchange("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(data, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  EXPECT_THAT(data, HasSubstr("too_many_connections"));
  EXPECT_EQ(Served(a), "HTTP/1.1 200 OK") << "the ones holding the slots are untouched";
}

TEST_F(LimitsTest, PerAddressCapEvictsThatAddresssLongestWaiting) {
  ServerOptions options;
  options.max_connections = 64;
  options.max_connections_per_address = 2;
  StartServer(options);
  RawSocket first = Connect();
  ASSERT_TRUE(first.SendAll("GET /echo HTTP/1.1\r\n"));  // waiting the longest
  RawSocket second = Connect();
  ASSERT_EQ(Served(second), "HTTP/1.1 200 OK");
  RawSocket third = Connect();
  EXPECT_EQ(Served(third), "HTTP/1.1 200 OK");
  EXPECT_TRUE(first.ReadToEof(milliseconds(1000))) << "the longest waiting made room";
  EXPECT_EQ(Served(second), "HTTP/1.1 200 OK");
}

TEST_F(LimitsTest, NearlyFullTableEvictsTheLongestWaitingForPromptClients) {
  ServerOptions options;
  options.max_connections = 16;
  options.reserved_connections = 2;  // evicting once 14 are open
  options.max_connections_per_address = 16;
  StartServer(options);
  // Fourteen connections that trickle a header and never finish it.
  std::vector<RawSocket> slow;
  for (int i = 0; i < 14; ++i) {
    slow.push_back(Connect());
    ASSERT_TRUE(slow.back().SendAll("GET /echo HTTP/1.1\r\nX-Slow: "));
  }
  // Prompt clients are served, each at the expense of the slow one waiting longest (they
  // stay open, idle for less time than any slow one has waited).
  std::vector<RawSocket> prompt;
  for (int i = 0; i < 5; ++i) {
    prompt.push_back(Connect());
    EXPECT_EQ(Served(prompt.back()), "HTTP/1.1 200 OK") << i;
  }
  for (int i = 0; i < 14; ++i) {
    EXPECT_EQ(slow[i].ReadToEof(milliseconds(i < 5 ? 1000 : 20)), i < 5) << "slow " << i;
  }
}

TEST_F(LimitsTest, ARequestBeingHandledIsNeverEvicted) {
  ServerOptions options;
  options.max_connections = 8;
  options.reserved_connections = 1;  // evicting once 7 are open
  options.max_connections_per_address = 8;
  options.threads = 10;
  std::atomic<int> entered{0};
  std::atomic<bool> release{false};
  Router router;
  router.Add("GET", "/block", [&](const ServerRequest&) {
    ++entered;
    // Bounded, so a failing test cannot hang.
    for (int i = 0; i < 3000 && !release; ++i) std::this_thread::sleep_for(milliseconds(1));
    return ServerResponse::Text(200, "done");
  });
  router.Add("GET", "/echo", [](const ServerRequest&) { return ServerResponse::Text(200, "e"); });
  server_ = std::make_unique<Server>(options, std::move(router));
  ASSERT_TRUE(server_->Start().ok());
  std::vector<RawSocket> busy;
  for (int i = 0; i < 7; ++i) {
    busy.push_back(Connect());
    ASSERT_TRUE(busy.back().SendAll("GET /block HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  for (int i = 0; i < 2000 && entered < 7; ++i) std::this_thread::sleep_for(milliseconds(1));
  ASSERT_EQ(entered, 7);
  // Nothing to evict: the eighth (a header that never ends) takes the last slot, and the
  // ninth evicts it, never one of the seven being handled.
  RawSocket eighth = Connect();
  ASSERT_TRUE(eighth.SendAll("GET /echo HTTP/1.1\r\n"));
  RawSocket ninth = Connect();
  EXPECT_EQ(Served(ninth), "HTTP/1.1 200 OK");
  EXPECT_TRUE(eighth.ReadToEof(milliseconds(1000)));
  release = true;
  for (RawSocket& s : busy) EXPECT_THAT(s.ReadResponse(), StartsWith("HTTP/1.1 200 OK"));
}

class LimitsTlsTest : public testing::TlsFixture {};

TEST_F(LimitsTlsTest, OverTheCapTlsListenerAnswers503AfterTheHandshake) {
  ServerOptions options;
  options.tls = true;
  options.tls_options = ServerTls();
  options.max_connections = 1;
  options.reserved_connections = 0;
  Router router;
  router.Add("GET", "/hello", [](const ServerRequest&) { return ServerResponse::Text(200, "hi"); });
  server_listener_ = std::make_unique<Server>(options, std::move(router));
  ASSERT_TRUE(server_listener_->Start().ok());
  // Holds the only slot: a TCP connection that has not started its handshake.
  RawSocket holder = RawSocket::Connect(server_listener_->port());
  ASSERT_TRUE(holder.ok());
  ClientResponse r;
  for (int i = 0; i < 50 && r.status != 503; ++i) r = Send(Hello());
  EXPECT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, R"({"error":"too_many_connections"})");
  holder.Close();
  auto deadline = std::chrono::steady_clock::now() + milliseconds(2000);
  while (r.status != 200 && std::chrono::steady_clock::now() < deadline) r = Send(Hello());
  EXPECT_EQ(r.status, 200);
}

}  // namespace
}  // namespace tollgate
