#pragma once
// The replay guard of a signed API: records (key id, nonce) for at least twice the
// timestamp window, bounded in size, with an atomic insert-if-absent, so of N concurrent
// copies of one request exactly one gets through.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace tollgate::mocks {

/// Thread-safe.
class NonceStore {
 public:
  /// `ttl_seconds` should be at least 2 x the window; `capacity` bounds the entries.
  NonceStore(std::int64_t ttl_seconds, std::size_t capacity)
      : ttl_(ttl_seconds), capacity_(capacity) {}

  enum class Outcome { kFresh, kReplay, kFull };

  /// Atomically records (key_id, nonce) seen at `now` unless already present and unexpired.
  Outcome Insert(const std::string& key_id, const std::string& nonce, std::int64_t now);

  /// The `racy_nonce_store` fault: checks, then (after `between` has run with no lock held)
  /// inserts, so concurrent copies can all pass the check. Never use outside a fault.
  Outcome InsertRacy(const std::string& key_id, const std::string& nonce, std::int64_t now,
                     const std::function<void()>& between);

  /// Entries now held (tests).
  std::size_t size() const;
  /// Forgets everything.
  void Clear();

 private:
  // Requires mu_. Drops expired entries when the store is at capacity.
  void PruneLocked(std::int64_t now);

  const std::int64_t ttl_;
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::int64_t> expires_;  // -> expiry
};

}  // namespace tollgate::mocks
