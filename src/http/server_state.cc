#include "http/server_state.h"

namespace tollgate::http_internal {

ServerState::ServerState(ServerOptions options, Router router,
                         std::shared_ptr<boost::asio::ssl::context> ssl)
    : options_(std::move(options)), router_(std::move(router)), ssl_(std::move(ssl)) {}

std::optional<std::uint64_t> ServerState::Admit() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || sessions_.size() >= options_.max_connections) return std::nullopt;
  std::uint64_t id = next_id_++;
  sessions_.emplace(id, std::weak_ptr<SessionControl>());
  return id;
}

bool ServerState::Attach(std::uint64_t id, std::weak_ptr<SessionControl> session) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) it->second = std::move(session);
  return !stopping_;
}

void ServerState::Release(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(id);
  if (sessions_.empty()) idle_.notify_all();
}

std::size_t ServerState::open_connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

std::vector<std::shared_ptr<SessionControl>> ServerState::BeginStop() {
  std::vector<std::shared_ptr<SessionControl>> out;
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  // Copy strong references under the lock, act on them after (Beast's chat-multi
  // shared_state pattern): RequestClose must not run while we hold mu_.
  for (auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

bool ServerState::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

bool ServerState::WaitUntilIdle(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_.wait_for(lock, limit, [&] { return sessions_.empty(); });
}

void ServerState::ReportError(const std::string& text) const {
  if (!options_.on_connection_error) return;
  try {
    options_.on_connection_error(text);
  } catch (...) {
    // A reporting hook must not take a connection (or an I/O thread) down with it.
  }
}

}  // namespace tollgate::http_internal
