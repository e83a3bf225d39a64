#include "http/listener.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <type_traits>

#include "http/session.h"

namespace tollgate::http {
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

// Answers one connection over the cap with a canned 503 and closes it, on TLS after a
// handshake held to kRejectLinger too. Deliberately not a session: it parses nothing and
// holds no slot, it lives at most kRejectLinger (twice on TLS), and at most kMaxRejecting
// of them exist at once (ServerState::BeginRejection).
template <bool kTls>
class OverCapacity : public std::enable_shared_from_this<OverCapacity<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  OverCapacity(tcp::socket&& socket, std::shared_ptr<ServerState> state)
      : state_(std::move(state)), stream_(MakeStream(std::move(socket), *state_)) {}
  ~OverCapacity() { state_->EndRejection(); }

  void Start() {
    beast::get_lowest_layer(stream_).expires_after(kRejectLinger);
    if constexpr (kTls) {
      stream_.async_handshake(
          net::ssl::stream_base::server,
          beast::bind_front_handler(&OverCapacity::OnHandshake, this->shared_from_this()));
    } else {
      Write();
    }
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, ServerState& state) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *state.ssl());
    } else {
      return Stream(std::move(socket));
    }
  }

  void OnHandshake(boost::system::error_code ec) {
    if (ec) return beast::get_lowest_layer(stream_).close();
    beast::get_lowest_layer(stream_).expires_after(kRejectLinger);
    Write();
  }

  void Write() {
    net::async_write(stream_, net::buffer(OverCapacityReply()),
                     beast::bind_front_handler(&OverCapacity::OnWrite, this->shared_from_this()));
  }

  void OnWrite(boost::system::error_code ec, std::size_t) {
    if (ec) return beast::get_lowest_layer(stream_).close();
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](boost::system::error_code) {
        beast::get_lowest_layer(self->stream_).close();
      });
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      DoDrain();
    }
  }

  // Reads until the client closes, so the 503 is not destroyed by a reset caused by
  // unread request bytes.
  void DoDrain() {
    stream_.async_read_some(net::buffer(buf_), beast::bind_front_handler(&OverCapacity::OnDrain,
                                                                         this->shared_from_this()));
  }

  void OnDrain(boost::system::error_code ec, std::size_t) {
    if (ec) return beast::get_lowest_layer(stream_).close();
    DoDrain();
  }

  const std::shared_ptr<ServerState> state_;
  Stream stream_;
  std::array<char, 2048> buf_{};
};

void RejectOverCapacity(tcp::socket&& socket, const std::shared_ptr<ServerState>& state) {
  if (!state->BeginRejection()) return;  // the socket closes as it goes out of scope
  std::shared_ptr<void> built;           // once set, the object's destructor ends the rejection
  try {
    if (state->ssl() != nullptr) {
      auto r = std::make_shared<OverCapacity<true>>(std::move(socket), state);
      built = r;
      r->Start();
    } else {
      auto r = std::make_shared<OverCapacity<false>>(std::move(socket), state);
      built = r;
      r->Start();
    }
  } catch (...) {
    // Out of memory or SSL_new failed: the socket closes with the half-built object.
    if (!built) state->EndRejection();
  }
}

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
  boost::system::error_code peer_ec;
  tcp::endpoint peer = socket.remote_endpoint(peer_ec);
  ServerState::Admission admission = state_->Admit(peer_ec ? "" : peer.address().to_string());
  for (auto& session : admission.evicted) session->RequestClose();
  if (admission.slot) {
    // Responses and TLS handshake flights are small writes; with Nagle on, a write that
    // follows an unacknowledged one (TLS 1.3 session tickets, then the response) waits for
    // the peer's delayed ACK, ~40 ms on Linux. Every write is a complete message here.
    socket.set_option(tcp::no_delay(true), ec);
    StartSession(std::move(socket), state_, *admission.slot);
  } else {
    RejectOverCapacity(std::move(socket), state_);
  }
  DoAccept();
}

}  // namespace tollgate::http
