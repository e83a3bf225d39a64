#pragma once
// What a server's listener and sessions share: options, router, TLS context, the registry
// of open sessions that caps connections (in all and per address), evicts the slowest when
// the table fills and lets Stop() close them, and the server-wide body budget.

#include <atomic>
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

namespace tollgate::http {

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

  /// The outcome of Admit: a slot (or none: refuse the connection), and sessions chosen to
  /// make room, which the caller asks to close (RequestClose) once out of the lock.
  struct Admission {
    std::optional<std::uint64_t> slot;
    std::vector<std::shared_ptr<SessionControl>> evicted;
  };
  /// Takes a connection slot for a peer at `address` (its IP, as text). Near the cap (see
  /// ServerOptions::reserved_connections) or at the address's cap, first evicts the
  /// connection of that address, or any, that has waited longest for its request.
  Admission Admit(const std::string& address);
  /// Names the session holding slot `id`. False when the server is stopping (the session
  /// must then close itself: Stop() may already have taken its snapshot).
  bool Attach(std::uint64_t id, std::weak_ptr<SessionControl> session);
  /// The session holding `id` waits for a request (handshake, header, body) since `since`:
  /// it may be evicted, the longest waiting first. Admit marks a new slot waiting.
  void Waiting(std::uint64_t id, std::chrono::steady_clock::time_point since);
  /// The session holding `id` has its whole request: not evictable until Waiting again.
  void Busy(std::uint64_t id);
  /// Frees slot `id` (a session's destructor).
  void Release(std::uint64_t id);
  /// Open connections.
  std::size_t open_connections() const;

  /// Marks the server as stopping and returns the sessions to ask to close.
  std::vector<std::shared_ptr<SessionControl>> BeginStop();
  bool stopping() const;
  /// Waits until every slot is free or `limit` passes; true when all closed.
  bool WaitUntilIdle(std::chrono::milliseconds limit);

  /// Takes `bytes` from the server-wide body budget (max_buffered_body_bytes); false (and
  /// nothing taken) when that would go over it.
  bool ReserveBody(std::size_t bytes);
  void ReleaseBody(std::size_t bytes);
  std::size_t buffered_body_bytes() const { return body_bytes_.load(); }

  /// Over-capacity connections being answered (and lingering) at once are capped too, or a
  /// flood of them would cost what the connection cap saves. False: just close it.
  bool BeginRejection();
  void EndRejection();

  /// Reports a connection-level failure to options().on_connection_error, if set.
  void ReportError(const std::string& text) const;

 private:
  const ServerOptions options_;
  const Router router_;
  const std::shared_ptr<boost::asio::ssl::context> ssl_;

  struct Entry {
    std::weak_ptr<SessionControl> session;
    std::string address;
    bool waiting = true;  // for a request: evictable
    std::chrono::steady_clock::time_point since;
    bool evicting = false;  // asked to close to make room; no longer counted
  };

  // Marks the longest-waiting attached session (of `address` when given) as evicting and
  // adds it to `out`; false when there is none. Requires mu_.
  bool EvictOne(const std::string* address, std::vector<std::shared_ptr<SessionControl>>* out);
  std::size_t reserve() const;
  std::size_t per_address_cap() const;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  std::map<std::uint64_t, Entry> sessions_;             // guarded by mu_
  std::map<std::string, std::size_t> live_by_address_;  // not evicting; guarded by mu_
  std::size_t live_ = 0;                                // not evicting; guarded by mu_
  std::uint64_t next_id_ = 1;                           // guarded by mu_
  bool stopping_ = false;                               // guarded by mu_
  std::atomic<std::size_t> body_bytes_{0};
  std::atomic<std::size_t> rejecting_{0};
};

}  // namespace tollgate::http
