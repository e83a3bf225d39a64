#include "http/listener.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>

#include "http/session.h"

namespace tollgate::http_internal {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// How long an over-capacity connection is kept for its 503 to be read.
constexpr std::chrono::milliseconds kRejectLinger{1000};
// Pause before accepting again after an accept error (EMFILE would otherwise spin).
constexpr std::chrono::milliseconds kAcceptRetry{50};

const std::string& OverCapacityReply() {
  static const std::string reply = [] {
    const std::string body = R"({"error":"too_many_connections"})";
    return "HTTP/1.1 503 Service Unavailable\r\nServer: tollgate\r\n"
           "Content-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return reply;
}

// Answers one connection over the cap with a canned 503 and closes it. Deliberately not
// a session: it parses nothing and holds no slot, and it lives at most kRejectLinger.
class OverCapacity : public std::enable_shared_from_this<OverCapacity> {
 public:
  explicit OverCapacity(tcp::socket&& socket) : stream_(std::move(socket)) {}

  void Start() {
    stream_.expires_after(kRejectLinger);
    net::async_write(stream_, net::buffer(OverCapacityReply()),
                     beast::bind_front_handler(&OverCapacity::OnWrite, shared_from_this()));
  }

 private:
  void OnWrite(boost::system::error_code ec, std::size_t) {
    if (ec) return stream_.close();
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    DoDrain();
  }

  // Reads until the client closes, so the 503 is not destroyed by a reset caused by
  // unread request bytes.
  void DoDrain() {
    stream_.async_read_some(net::buffer(buf_),
                            beast::bind_front_handler(&OverCapacity::OnDrain, shared_from_this()));
  }

  void OnDrain(boost::system::error_code ec, std::size_t) {
    if (ec) return stream_.close();
    DoDrain();
  }

  beast::tcp_stream stream_;
  std::array<char, 2048> buf_{};
};

}  // namespace

Listener::Listener(net::io_context& ioc, std::shared_ptr<ServerState> state)
    : ioc_(ioc),
      state_(std::move(state)),
      acceptor_(net::make_strand(ioc)),
      retry_(acceptor_.get_executor()) {}

Status Listener::Open(const std::string& address, unsigned short port) {
  boost::system::error_code ec;
  net::ip::address addr = net::ip::make_address(address, ec);
  if (ec) return InvalidArgumentError("bind address '" + address + "': " + ec.message());
  tcp::endpoint endpoint(addr, port);
  const std::string where = address + ":" + std::to_string(port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return UnavailableError("cannot open a socket for " + where + ": " + ec.message());
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return UnavailableError("cannot bind " + where + ": " + ec.message());
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return UnavailableError("cannot read the port of " + where + ": " + ec.message());
  return Status::Ok();
}

void Listener::Run() {
  net::dispatch(acceptor_.get_executor(),
                beast::bind_front_handler(&Listener::DoAccept, shared_from_this()));
}

void Listener::Close() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->retry_.cancel();
  });
}

void Listener::DoAccept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand, so its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
}

void Listener::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    state_->ReportError("accept: " + ec.message());
    retry_.expires_after(kAcceptRetry);
    retry_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->DoAccept();
    });
    return;
  }
  if (state_->stopping()) {
    socket.close(ec);
    return;
  }
  if (std::optional<std::uint64_t> slot = state_->Admit()) {
    // Responses and TLS handshake flights are small writes; with Nagle on, a write that
    // follows an unacknowledged one (TLS 1.3 session tickets, then the response) waits for
    // the peer's delayed ACK, ~40 ms on Linux. Every write is a complete message here.
    socket.set_option(tcp::no_delay(true), ec);
    StartSession(std::move(socket), state_, *slot);
  } else if (state_->ssl() != nullptr) {
    // Over the cap on TLS: a 503 would cost a handshake, the very thing being limited.
    socket.close(ec);
  } else {
    try {
      std::make_shared<OverCapacity>(std::move(socket))->Start();
    } catch (...) {
      // Out of memory: the socket closes with the half-built object.
    }
  }
  DoAccept();
}

}  // namespace tollgate::http_internal
