#pragma once
// A bounded journal of what a mock service received. Entries are redacted when recorded,
// so nothing secret is ever stored, shown by `received` steps or served at
// GET /__tollgate/journal.

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tollgate/base/clock.h"
#include "tollgate/base/redact.h"
#include "tollgate/http/message.h"

namespace tollgate {

/// One received request, already redacted.
struct JournalEntry {
  std::uint64_t seq = 0;  // 1, 2, ... over the service's life (survives eviction)
  std::string time;       // ISO 8601 UTC on the shared clock
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;         // first kBodyPreview bytes, private keys cut first; redacted, UTF-8
  std::size_t body_bytes = 0;
  std::string body_sha256;  // of the body as received (a digest reveals nothing)
  std::string peer;
  std::string client_cert_sha256;
  std::string client_cert_subject;
  int status = 0;           // what the service answered
  std::string note;         // the service's verdict or reason, if it gave one

  nlohmann::json ToJson() const;
};

/// Thread-safe, bounded (oldest entries evicted first).
class Journal {
 public:
  static constexpr std::size_t kBodyPreview = 4096;

  /// `redactor` and `clock` are borrowed and must outlive the journal.
  Journal(std::size_t limit, const Redactor* redactor, const Clock* clock);

  /// Records a request and the answer given to it.
  void Record(const ServerRequest& request, const ServerResponse& response, std::string note);
  /// A copy of the entries, oldest first.
  std::vector<JournalEntry> Snapshot() const;
  /// How many requests were ever recorded (including evicted ones).
  std::uint64_t total() const;
  /// {"service": ..., "total": N, "entries": [...]}.
  nlohmann::json ToJson(const std::string& service) const;

 private:
  const std::size_t limit_;
  const Redactor* redactor_;
  const Clock* clock_;
  mutable std::mutex mu_;
  std::deque<JournalEntry> entries_;
  std::uint64_t seq_ = 0;
};

}  // namespace tollgate
