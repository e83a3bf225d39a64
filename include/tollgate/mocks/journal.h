#pragma once
// A bounded journal of what a mock service received. Entries are redacted when recorded,
// so nothing secret is ever stored, shown by `received` steps or served at
// GET /__tollgate/journal.

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

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
  std::string body;  // first kBodyPreview bytes, private keys cut first; redacted, UTF-8
  std::size_t body_bytes = 0;
  std::string body_sha256;  // of the body as received (a digest reveals nothing)
  std::string peer;
  std::string client_cert_sha256;
  std::string client_cert_subject;
  int status = 0;    // what the service answered
  std::string note;  // the service's verdict or reason, if it gave one

  nlohmann::json ToJson() const;
};

/// Thread-safe, bounded (oldest entries evicted first).
class Journal {
 public:
  static constexpr std::size_t kBodyPreview = 4096;
  /// One served read holds at most this many bytes of entries (and always at least one entry
  /// when any is left), so a full journal of large previews is read in pages, not at once.
  static constexpr std::size_t kMaxReadBytes = 512 * 1024;
  /// Reads being served at the same moment; one more is refused with 503 and Retry-After.
  static constexpr int kMaxConcurrentReads = 4;

  /// One of the kMaxConcurrentReads read slots, held while alive; empty when none was free.
  class ReadSlot {
   public:
    ReadSlot() = default;
    explicit ReadSlot(std::atomic<int>* in_flight) : in_flight_(in_flight) {}
    ReadSlot(ReadSlot&& other) noexcept : in_flight_(std::exchange(other.in_flight_, nullptr)) {}
    ReadSlot& operator=(ReadSlot&&) = delete;
    ~ReadSlot() {
      if (in_flight_ != nullptr) in_flight_->fetch_sub(1);
    }
    explicit operator bool() const { return in_flight_ != nullptr; }

   private:
    std::atomic<int>* in_flight_ = nullptr;
  };

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

  /// A read slot, or an empty one when kMaxConcurrentReads reads are being served.
  ReadSlot TryReadSlot() const;
  /// The answer to GET /__tollgate/journal[?since=SEQ][&limit=N]: the entries after SEQ
  /// (default 0), oldest first, at most N of them and about kMaxReadBytes, as
  /// {"entries": [...], "last_seq": S, "more": B, "service": ..., "total": N}; a client pages
  /// on with since=last_seq while `more` is true. Entries are serialised once, when
  /// recorded, so a read only concatenates them. 400 on a bad parameter; 503 (Retry-After)
  /// when kMaxConcurrentReads reads are already being served.
  ServerResponse Serve(const std::string& service, const ServerRequest& request) const;

 private:
  struct Stored {
    JournalEntry entry;
    std::string json;  // entry.ToJson().dump(), made once when recorded
  };

  const std::size_t limit_;
  const Redactor* redactor_;
  const Clock* clock_;
  mutable std::mutex mu_;
  std::deque<Stored> entries_;
  std::uint64_t seq_ = 0;
  mutable std::atomic<int> reads_in_flight_{0};
};

}  // namespace tollgate
