#pragma once
// The accept loop of one server: gives each connection its own strand and enforces the
// connection caps (evicting the slowest to make room, answering 503 over the cap on plain
// and TLS listeners alike).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "http/server_state.h"
#include "tollgate/base/status.h"

namespace tollgate::http {

/// Accepts connections and starts sessions. Open() and Run() from the thread that owns
/// the server, before Close(); Close() from any thread.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  /// `ioc` is borrowed and must outlive the listener and its pending operations.
  Listener(boost::asio::io_context& ioc, std::shared_ptr<ServerState> state);

  /// Binds and listens. InvalidArgument for a bad address, Unavailable when the address
  /// cannot be bound (port taken, address not local).
  Status Open(const std::string& address, unsigned short port);
  /// The bound port, after Open().
  unsigned short port() const { return port_; }
  /// Starts accepting on the I/O threads.
  void Run();
  /// Stops accepting. Asynchronous: the acceptor closes on its strand.
  void Close();

 private:
  void DoAccept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  const std::shared_ptr<ServerState> state_;
  boost::asio::ip::tcp::acceptor acceptor_;  // on its own strand
  boost::asio::steady_timer retry_;          // same strand: backs off after accept errors
  unsigned short port_ = 0;
};

}  // namespace tollgate::http
