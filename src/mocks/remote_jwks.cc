#include "mocks/remote_jwks.h"

#include <nlohmann/json.hpp>
#include <thread>

namespace tollgate::mocks {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return out;
}

StatusOr<ClientResponse> HttpGet(HttpClient& http, const std::string& url,
                                 std::chrono::milliseconds timeout, const std::string& ca_file,
                                 const char* what) {
  ClientRequest q;
  q.method = "GET";
  q.url = url;
  q.timeout = timeout;
  q.tls.ca_file = ca_file;
  q.headers.emplace_back("Accept", "application/json");
  StatusOr<ClientResponse> r = http.Send(q);
  if (!r.ok()) return r.status().WithContext(std::string(what) + " " + url);
  if (r->outcome != TransportOutcome::kOk) {
    return UnavailableError(std::string(what) + " " + url + ": " +
                            TransportOutcomeName(r->outcome) +
                            (r->error.empty() ? "" : " (" + r->error + ")"));
  }
  if (r->status != 200) {
    return UnavailableError(std::string(what) + " " + url + ": HTTP " + std::to_string(r->status));
  }
  return r;
}

}  // namespace

std::optional<std::chrono::seconds> CacheMaxAge(std::string_view cache_control) {
  std::string v = Lower(cache_control);
  std::optional<std::chrono::seconds> out;
  std::size_t start = 0;
  while (start <= v.size()) {
    std::size_t comma = v.find(',', start);
    std::string item =
        v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item == "no-store" || item == "no-cache") return std::chrono::seconds(0);
    if (item.starts_with("max-age=")) {
      std::string n = item.substr(8);
      if (!n.empty() && n.front() == '"' && n.back() == '"' && n.size() >= 2)
        n = n.substr(1, n.size() - 2);
      if (!n.empty() && n.size() <= 10 && n.find_first_not_of("0123456789") == std::string::npos) {
        out = std::chrono::seconds(std::stoll(n));
      } else {
        out = std::chrono::seconds(0);  // RFC 9111 §4.2.1: an invalid max-age is stale
      }
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

RemoteJwks::RemoteJwks(std::function<std::string()> issuer_url, const Clock* clock,
                       RemoteJwksOptions options)
    : issuer_url_(std::move(issuer_url)), clock_(clock), options_(options) {
  InitHttpClientLibrary();
  http_ = std::make_unique<HttpClient>();
}

RemoteJwks::~RemoteJwks() = default;

int RemoteJwks::jwks_fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

Status RemoteJwks::DiscoverLocked() {
  if (options_.pinned_jwks_url) {
    std::string url = options_.pinned_jwks_url();
    if (url.empty()) return UnavailableError("the pinned JWKS host has no URL (is it running?)");
    issuer_ = options_.pinned_issuer;
    jwks_uri_ = url;
    return Status::Ok();
  }
  std::string base = issuer_url_ ? issuer_url_() : "";
  if (base.empty()) return UnavailableError("the trusted issuer has no URL (is it running?)");
  std::string url = base + "/.well-known/openid-configuration";
  ASSIGN_OR_RETURN(ClientResponse r,
                   HttpGet(*http_, url, options_.timeout, options_.ca_file, "discovery"));
  nlohmann::json doc = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("issuer") || !doc["issuer"].is_string() ||
      doc["issuer"].get<std::string>().empty() || !doc.contains("jwks_uri") ||
      !doc["jwks_uri"].is_string() || doc["jwks_uri"].get<std::string>().empty()) {
    return UnavailableError("discovery " + url +
                            ": not a metadata document with issuer and jwks_uri");
  }
  issuer_ = doc["issuer"].get<std::string>();
  jwks_uri_ = doc["jwks_uri"].get<std::string>();
  return Status::Ok();
}

Status RemoteJwks::FetchLocked(Clock::TimePoint now) {
  ++fetches_;
  if (options_.fetch_latency.count() > 0) std::this_thread::sleep_for(options_.fetch_latency);
  struct Done {
    std::atomic<int>& n;
    ~Done() { ++n; }
  } done{completed_fetches_};
  ASSIGN_OR_RETURN(ClientResponse r,
                   HttpGet(*http_, jwks_uri_, options_.timeout, options_.ca_file, "JWKS"));
  StatusOr<jose::Jwks> parsed = jose::Jwks::Parse(r.body);
  if (!parsed.ok()) return UnavailableError("JWKS " + jwks_uri_ + ": " + parsed.status().message());
  std::chrono::seconds max_age = options_.default_max_age;
  if (auto cc = r.headers.Get("Cache-Control")) {
    if (auto m = CacheMaxAge(*cc)) max_age = std::min(*m, options_.max_max_age);
  }
  keys_ = std::move(parsed).value();
  expires_at_ = options_.honour_max_age ? now + max_age : Clock::TimePoint::max();
  return Status::Ok();
}

StatusOr<TrustedKeys> RemoteJwks::Get(const std::string& kid) {
  const int fetches_before_wait = completed_fetches_.load();
  std::lock_guard<std::mutex> lock(mu_);
  const bool fetched_while_waiting = completed_fetches_.load() != fetches_before_wait;
  if (jwks_uri_.empty()) RETURN_IF_ERROR(DiscoverLocked());
  Clock::TimePoint now = clock_->Now();
  if (!keys_ || now >= expires_at_) {
    if (Status st = FetchLocked(now); !st.ok()) {
      keys_.reset();  // fail closed: expired keys are not trusted any longer
      return st;
    }
  } else if (!kid.empty() && keys_->Find(kid) == nullptr && options_.refetch_on_unknown_kid &&
             !(options_.share_inflight_fetch && fetched_while_waiting) &&
             (!last_kid_refetch_ || now >= *last_kid_refetch_ + options_.refetch_cooldown)) {
    last_kid_refetch_ = now;
    // A failed refetch keeps the cached keys: they are still within their max-age.
    (void)FetchLocked(now);
  }
  return TrustedKeys{issuer_, *keys_};
}

}  // namespace tollgate::mocks
