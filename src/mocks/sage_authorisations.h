#pragma once
// The AuthorisationIDs a Sage-style connector has been told about by valid notifications:
// each may open /auth or /authrefresh once, within its lifetime (the guide: "The lifetime of
// this authorisation session is around 20 minutes and can only be used 1 time").

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "tollgate/base/clock.h"

namespace tollgate::mocks {

/// Rules a faulty connector breaks. All false: correct.
struct AuthorisationFaults {
  bool allow_reuse = false;      // an id may be used again
  bool ignore_lifetime = false;  // an id never expires
  bool prefix_match = false;     // ids compared on their first 8 characters only
  /// Check and mark are not atomic: a use that passes the check waits (up to 1 s, real time: it
  /// only widens the window of a fault) for a concurrent use of the same id to pass it too, so a
  /// race is won by every racer.
  bool racy_use = false;
};

/// Why an id was (not) accepted.
enum class UseResult { kAccepted, kUnknown, kUsed, kExpired };

/// "accepted", "unknown", "already used", "expired".
const char* UseResultName(UseResult r);

/// Thread-safe: one lock around check-and-mark, so N concurrent uses of one id accept at
/// most one. Bounded: the oldest ids are dropped past `capacity`.
class AuthorisationStore {
 public:
  /// `clock` is borrowed and must outlive the store.
  AuthorisationStore(const Clock* clock, std::chrono::seconds lifetime, AuthorisationFaults faults,
                     std::size_t capacity = 10000);

  /// Records an id announced by a valid notification (again: a fresh lifetime, unused).
  void Announce(const std::string& id);
  /// Uses an id: accepted once, within its lifetime.
  UseResult Use(const std::string& id);
  /// Forgets every id.
  void Clear();

 private:
  struct Entry {
    Clock::TimePoint expires_at;
    bool used = false;
    std::uint64_t order = 0;
  };
  std::map<std::string, Entry>::iterator FindLocked(const std::string& id);

  const Clock* clock_;
  const std::chrono::seconds lifetime_;
  const AuthorisationFaults faults_;
  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable racers_;       // racy_use only
  std::map<std::string, int> checking_;  // racy_use: uses past the check, per id
  std::map<std::string, Entry> ids_;
  std::uint64_t next_order_ = 0;
};

}  // namespace tollgate::mocks
