#pragma once
// What a server's listener and sessions share: options, router, TLS context and the
// registry of open sessions that caps connections and lets Stop() close them.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tollgate/http/server.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace tollgate::http_internal {

/// The part of a session other threads may touch.
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  /// Asks the session to close: at once when idle, after the response being written
  /// otherwise. Safe from any thread.
  virtual void RequestClose() = 0;
};

/// State shared by one server's listener and sessions. Thread-safe.
class ServerState {
 public:
  /// `ssl` is null for plain HTTP.
  ServerState(ServerOptions options, Router router, std::shared_ptr<boost::asio::ssl::context> ssl);

  const ServerOptions& options() const { return options_; }
  /// Read-only once the server runs, so handlers may be called concurrently.
  const Router& router() const { return router_; }
  /// Borrowed; lives as long as this state. Null for plain HTTP.
  boost::asio::ssl::context* ssl() const { return ssl_.get(); }

  /// Takes a connection slot: its id, or nullopt when max_connections are open.
  std::optional<std::uint64_t> Admit();
  /// Names the session holding slot `id`. False when the server is stopping (the session
  /// must then close itself: Stop() may already have taken its snapshot).
  bool Attach(std::uint64_t id, std::weak_ptr<SessionControl> session);
  /// Frees slot `id` (a session's destructor).
  void Release(std::uint64_t id);
  /// Open connections.
  std::size_t open_connections() const;

  /// Marks the server as stopping and returns the sessions to ask to close.
  std::vector<std::shared_ptr<SessionControl>> BeginStop();
  bool stopping() const;
  /// Waits until every slot is free or `limit` passes; true when all closed.
  bool WaitUntilIdle(std::chrono::milliseconds limit);

  /// Reports a connection-level failure to options().on_connection_error, if set.
  void ReportError(const std::string& text) const;

 private:
  const ServerOptions options_;
  const Router router_;
  const std::shared_ptr<boost::asio::ssl::context> ssl_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  std::map<std::uint64_t, std::weak_ptr<SessionControl>> sessions_;  // guarded by mu_
  std::uint64_t next_id_ = 1;                                        // guarded by mu_
  bool stopping_ = false;                                            // guarded by mu_
};

}  // namespace tollgate::http_internal
