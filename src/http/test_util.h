#pragma once
// Test-only (header-only, so it never lands in the library): a blocking POSIX socket to
// send hand-made bytes to a server and read exactly what comes back, with every wait
// bounded.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>

namespace tollgate::testing {

class RawSocket {
 public:
  /// Connects to host:port (IPv4); check ok().
  static RawSocket Connect(unsigned short port, const char* host = "127.0.0.1") {
    RawSocket s;
    s.fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, host, &addr.sin_addr);
    if (s.fd_ >= 0 && ::connect(s.fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      s.Close();
    }
    return s;
  }

  RawSocket() = default;
  RawSocket(RawSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  RawSocket& operator=(RawSocket&& o) noexcept {
    Close();
    fd_ = o.fd_;
    o.fd_ = -1;
    return *this;
  }
  ~RawSocket() { Close(); }

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool SendAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads until `done(bytes so far)`, end of stream, an error or `limit`. `*eof` (when
  /// given) says whether the peer closed.
  std::string ReadUntil(const std::function<bool(const std::string&)>& done,
                        std::chrono::milliseconds limit, bool* eof = nullptr) {
    std::string out;
    if (eof != nullptr) *eof = false;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done(out)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (eof != nullptr) *eof = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

  /// One complete response (headers plus Content-Length bytes of body).
  std::string ReadResponse(std::chrono::milliseconds limit = std::chrono::milliseconds(1000)) {
    return ReadUntil(&ResponseComplete, limit);
  }

  /// True when the peer closes within `limit`; whatever arrived first goes to `*data`.
  bool ReadToEof(std::chrono::milliseconds limit, std::string* data = nullptr) {
    bool eof = false;
    std::string got = ReadUntil([](const std::string&) { return false; }, limit, &eof);
    if (data != nullptr) *data = got;
    return eof;
  }

  static bool ResponseComplete(const std::string& s) {
    std::size_t end = s.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    std::size_t length = 0;
    std::size_t cl = s.find("Content-Length: ");
    if (cl != std::string::npos && cl < end)
      length = std::strtoul(s.c_str() + cl + 16, nullptr, 10);
    return s.size() >= end + 4 + length;
  }

 private:
  int fd_ = -1;
};

}  // namespace tollgate::testing
