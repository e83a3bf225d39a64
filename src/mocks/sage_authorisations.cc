#include "mocks/sage_authorisations.h"

#include <algorithm>

namespace tollgate::mocks {

const char* UseResultName(UseResult r) {
  switch (r) {
    case UseResult::kAccepted:
      return "accepted";
    case UseResult::kUnknown:
      return "unknown";
    case UseResult::kUsed:
      return "already used";
    case UseResult::kExpired:
      return "expired";
  }
  return "unknown";
}

AuthorisationStore::AuthorisationStore(const Clock* clock, std::chrono::seconds lifetime,
                                       AuthorisationFaults faults, std::size_t capacity)
    : clock_(clock),
      lifetime_(lifetime),
      faults_(faults),
      capacity_(std::max<std::size_t>(1, capacity)) {}

void AuthorisationStore::Announce(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  ids_[id] = Entry{clock_->Now() + lifetime_, false, next_order_++};
  if (ids_.size() > capacity_) {
    auto oldest = std::min_element(ids_.begin(), ids_.end(), [](const auto& a, const auto& b) {
      return a.second.order < b.second.order;
    });
    ids_.erase(oldest);
  }
}

std::map<std::string, AuthorisationStore::Entry>::iterator AuthorisationStore::FindLocked(
    const std::string& id) {
  auto it = ids_.find(id);
  if (it != ids_.end() || !faults_.prefix_match || id.size() < 8) return it;
  // The fault: a truncated comparison, as a connector keying on a short prefix would do.
  for (auto i = ids_.begin(); i != ids_.end(); ++i) {
    if (i->first.size() >= 8 && i->first.compare(0, 8, id, 0, 8) == 0) return i;
  }
  return ids_.end();
}

UseResult AuthorisationStore::Use(const std::string& id) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = FindLocked(id);
  if (it == ids_.end()) return UseResult::kUnknown;
  if (!faults_.ignore_lifetime && clock_->Now() >= it->second.expires_at) {
    return UseResult::kExpired;
  }
  if (it->second.used && !faults_.allow_reuse) return UseResult::kUsed;
  if (faults_.racy_use) {
    // The fault: the lock is let go between the check and the mark (as a read-then-write
    // on a database would), and held open until a concurrent racer has passed the check.
    std::string key = it->first;
    int& checking = checking_[key];
    ++checking;
    racers_.notify_all();
    racers_.wait_for(lock, std::chrono::milliseconds(1000), [&] { return checking_[key] >= 2; });
    auto again = ids_.find(key);
    if (again != ids_.end()) again->second.used = true;
    return UseResult::kAccepted;
  }
  it->second.used = true;
  return UseResult::kAccepted;
}

void AuthorisationStore::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  ids_.clear();
}

}  // namespace tollgate::mocks
