// The HTTP server core (Beast listener, session, router) on real sockets: one
// tollgate::Server on 127.0.0.1, port 0, started once with a small router; each input is
// sent as the bytes of one loopback TCP connection, the write side is closed, and the
// answer is read until the server closes or a short timeout passes. The server must
// never crash, and must keep answering: every 256 inputs a plain GET must get its 200.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "tollgate/http/server.h"

namespace {

using Ms = std::chrono::milliseconds;

// A server with limits small enough for a fuzzer's inputs to reach them.
tollgate::Server* StartServer() {
  tollgate::Router router;
  router.Add("GET", "/", [](const tollgate::ServerRequest&) {
    return tollgate::ServerResponse::Text(200, "ok");
  });
  router.Add("POST", "/echo", [](const tollgate::ServerRequest& r) {
    tollgate::ServerResponse resp = tollgate::ServerResponse::Text(200, r.body);
    for (const auto& [name, value] : r.headers.items()) resp.headers.Add("X-Echo-" + name, value);
    return resp;
  });
  router.AddPrefix("*", "/p/", [](const tollgate::ServerRequest& r) {
    return tollgate::ServerResponse::Json(
        201, "{\"path\":\"" + std::to_string(r.path.size()) +
                 "\",\"query\":" + std::to_string(r.query.size()) + "}");
  });
  tollgate::ServerOptions options;
  options.max_header_bytes = 4 * 1024;
  options.max_body_bytes = 16 * 1024;
  options.max_connections = 64;
  options.io_timeout = Ms(500);
  options.threads = 2;
  // Leaked on purpose: the server lives as long as the fuzzing process.
  auto* server = new tollgate::Server(options, std::move(router));
  tollgate::Status st = server->Start();
  if (!st.ok()) {
    std::fprintf(stderr, "fuzz_http_server: cannot start the server: %s\n", st.message().c_str());
    std::abort();
  }
  return server;
}

// Sends `bytes` on a fresh connection, half-closes, and returns what came back before the
// server closed or `timeout` passed without data.
std::string Exchange(unsigned short port, std::string_view bytes, Ms timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return answer;
  }
  // A bounded send: a server that stops reading must not hang the fuzzer.
  timeval tv{0, 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, static_cast<int>(timeout.count())) > 0) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static tollgate::Server* server = StartServer();
  static unsigned long runs = 0;
  Exchange(server->port(), std::string_view(reinterpret_cast<const char*>(data), size), Ms(300));
  if (++runs % 256 == 0) {
    // A few tries: a busy machine may leave one check without its answer (or without a
    // client port) for a moment; a server that stopped answering fails all of them.
    std::string answer;
    for (int attempt = 0; attempt < 5 && answer.rfind("HTTP/1.1 200", 0) != 0; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(Ms(200));
      answer = Exchange(server->port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        Ms(3000));
    }
    if (answer.rfind("HTTP/1.1 200", 0) != 0) {
      std::fprintf(stderr, "fuzz_http_server: the server stopped answering after %lu inputs\n",
                   runs);
      std::abort();
    }
  }
  return 0;
}
