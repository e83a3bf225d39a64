#include "http/server_state.h"

#include <algorithm>

namespace tollgate::http {

ServerState::ServerState(ServerOptions options, Router router,
                         std::shared_ptr<boost::asio::ssl::context> ssl)
    : options_(std::move(options)), router_(std::move(router)), ssl_(std::move(ssl)) {}

namespace {

// Over-capacity connections answered at once; beyond, they are closed unanswered.
constexpr std::size_t kMaxRejecting = 64;

}  // namespace

std::size_t ServerState::reserve() const {
  return std::min(options_.reserved_connections, options_.max_connections / 8);
}

std::size_t ServerState::per_address_cap() const {
  std::size_t cap = options_.max_connections_per_address;
  if (cap == 0) cap = options_.max_connections - options_.max_connections / 4;
  return std::max<std::size_t>(cap, 1);
}

bool ServerState::EvictOne(const std::string* address,
                           std::vector<std::shared_ptr<SessionControl>>* out) {
  Entry* oldest = nullptr;
  std::shared_ptr<SessionControl> victim;
  for (auto& [id, entry] : sessions_) {
    if (entry.evicting || !entry.waiting) continue;
    if (address != nullptr && entry.address != *address) continue;
    if (oldest != nullptr && entry.since >= oldest->since) continue;
    // Not attached yet (or already ending): nothing to ask to close.
    std::shared_ptr<SessionControl> s = entry.session.lock();
    if (!s) continue;
    oldest = &entry;
    victim = std::move(s);
  }
  if (oldest == nullptr) return false;
  oldest->evicting = true;
  --live_;
  if (--live_by_address_[oldest->address] == 0) live_by_address_.erase(oldest->address);
  out->push_back(std::move(victim));
  return true;
}

ServerState::Admission ServerState::Admit(const std::string& address) {
  Admission out;
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return out;
  const std::size_t max = options_.max_connections;
  const std::size_t room = reserve();
  auto mine = [&] {
    auto it = live_by_address_.find(address);
    return it == live_by_address_.end() ? std::size_t{0} : it->second;
  };
  if (room > 0) {
    // Make room before the table is full, so a prompt client always finds a slot while
    // trickling ones, which cannot tell their connection from any other, take turns.
    if (mine() >= per_address_cap()) EvictOne(&address, &out.evicted);
    if (live_ >= max - room) EvictOne(nullptr, &out.evicted);
  }
  // Evicted sessions still hold their slot until they are gone: the table never exceeds
  // max + room, whatever the churn.
  if (live_ >= max || mine() >= per_address_cap() || sessions_.size() >= max + room) return out;
  std::uint64_t id = next_id_++;
  Entry entry;
  entry.address = address;
  entry.since = std::chrono::steady_clock::now();
  sessions_.emplace(id, std::move(entry));
  ++live_;
  ++live_by_address_[address];
  out.slot = id;
  return out;
}

bool ServerState::Attach(std::uint64_t id, std::weak_ptr<SessionControl> session) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) it->second.session = std::move(session);
  return !stopping_;
}

void ServerState::Waiting(std::uint64_t id, std::chrono::steady_clock::time_point since) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  it->second.waiting = true;
  it->second.since = since;
}

void ServerState::Busy(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) it->second.waiting = false;
}

void ServerState::Release(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (!it->second.evicting) {
    --live_;
    auto by = live_by_address_.find(it->second.address);
    if (by != live_by_address_.end() && --by->second == 0) live_by_address_.erase(by);
  }
  sessions_.erase(it);
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
  for (auto& [id, entry] : sessions_) {
    if (auto s = entry.session.lock()) out.push_back(std::move(s));
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

bool ServerState::ReserveBody(std::size_t bytes) {
  std::size_t now = body_bytes_.load();
  do {
    if (bytes > options_.max_buffered_body_bytes ||
        now > options_.max_buffered_body_bytes - bytes) {
      return false;
    }
  } while (!body_bytes_.compare_exchange_weak(now, now + bytes));
  return true;
}

void ServerState::ReleaseBody(std::size_t bytes) { body_bytes_.fetch_sub(bytes); }

bool ServerState::BeginRejection() {
  if (rejecting_.fetch_add(1) < kMaxRejecting) return true;
  rejecting_.fetch_sub(1);
  return false;
}

void ServerState::EndRejection() { rejecting_.fetch_sub(1); }

void ServerState::ReportError(const std::string& text) const {
  if (!options_.on_connection_error) return;
  try {
    options_.on_connection_error(text);
  } catch (...) {
    // A reporting hook must not take a connection (or an I/O thread) down with it.
  }
}

}  // namespace tollgate::http
