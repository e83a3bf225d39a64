#include "mocks/nonce_store.h"

namespace tollgate::mocks {

void NonceStore::PruneLocked(std::int64_t now) {
  if (expires_.size() < capacity_) return;
  std::erase_if(expires_, [&](const auto& e) { return e.second <= now; });
}

NonceStore::Outcome NonceStore::Insert(const std::string& key_id, const std::string& nonce,
                                       std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = std::make_pair(key_id, nonce);
  if (auto it = expires_.find(key); it != expires_.end() && it->second > now)
    return Outcome::kReplay;
  PruneLocked(now);
  if (expires_.size() >= capacity_) return Outcome::kFull;  // refuse rather than forget
  expires_[key] = now + ttl_;
  return Outcome::kFresh;
}

NonceStore::Outcome NonceStore::InsertRacy(const std::string& key_id, const std::string& nonce,
                                           std::int64_t now, const std::function<void()>& between) {
  auto key = std::make_pair(key_id, nonce);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = expires_.find(key); it != expires_.end() && it->second > now)
      return Outcome::kReplay;
  }
  between();  // the check-then-act gap a non-atomic store has (a cache round trip, say)
  std::lock_guard<std::mutex> lock(mu_);
  expires_[key] = now + ttl_;
  return Outcome::kFresh;
}

std::size_t NonceStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return expires_.size();
}

void NonceStore::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  expires_.clear();
}

}  // namespace tollgate::mocks
