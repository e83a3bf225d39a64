#include "tollgate/mocks/journal.h"

#include "tollgate/base/digest.h"
#include "tollgate/base/time_format.h"

namespace tollgate {

nlohmann::json JournalEntry::ToJson() const {
  nlohmann::json headers_json = nlohmann::json::array();
  for (const auto& [name, value] : headers) headers_json.push_back({name, value});
  nlohmann::json j = {{"seq", seq},       {"time", time},          {"method", method},
                      {"path", path},     {"query", query},        {"headers", headers_json},
                      {"body", body},     {"body_bytes", body_bytes},
                      {"body_sha256", body_sha256},                {"peer", peer},
                      {"status", status}, {"note", note}};
  if (!client_cert_sha256.empty()) {
    j["client_cert"] = {{"sha256", client_cert_sha256}, {"subject", client_cert_subject}};
  }
  return j;
}

Journal::Journal(std::size_t limit, const Redactor* redactor, const Clock* clock)
    : limit_(limit == 0 ? 1 : limit), redactor_(redactor), clock_(clock) {}

void Journal::Record(const ServerRequest& request, const ServerResponse& response,
                     std::string note) {
  JournalEntry e;
  e.time = FormatIso8601(clock_->Now());
  e.method = request.method;
  e.path = redactor_->Redact(request.path);
  e.query = redactor_->Redact(request.query);
  for (const auto& [name, value] : request.headers.items()) {
    e.headers.emplace_back(name, redactor_->RedactHeader(name, value));
  }
  e.body_bytes = request.body.size();
  e.body_sha256 = Sha256Hex(request.body);
  e.body = redactor_->Redact(request.body.substr(0, kBodyPreview));
  e.peer = request.peer_address;
  if (request.client_cert) {
    e.client_cert_sha256 = request.client_cert->sha256_fingerprint;
    e.client_cert_subject = request.client_cert->subject;
  }
  e.status = response.status;
  e.note = redactor_->Redact(note);
  std::lock_guard<std::mutex> lock(mu_);
  e.seq = ++seq_;
  entries_.push_back(std::move(e));
  while (entries_.size() > limit_) entries_.pop_front();
}

std::vector<JournalEntry> Journal::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {entries_.begin(), entries_.end()};
}

std::uint64_t Journal::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

nlohmann::json Journal::ToJson(const std::string& service) const {
  nlohmann::json entries = nlohmann::json::array();
  std::uint64_t total_seen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const JournalEntry& e : entries_) entries.push_back(e.ToJson());
    total_seen = seq_;
  }
  return {{"service", service}, {"total", total_seen}, {"entries", entries}};
}

}  // namespace tollgate
