#pragma once
// The relying-party side of key discovery, as reference targets do it correctly: discover
// the issuer lazily (OIDC Discovery), fetch its JWKS over HTTP, cache it for the response's
// max-age on the shared clock, refetch on an unknown kid at most once per cooldown (OIDC
// Core §10.1.1 requires the refetch; the cooldown stops random kids from turning into a
// flood on the issuer), and fail closed when discovery or the JWKS cannot be fetched or
// parsed. An expired cache whose refetch fails is dropped, not served stale: tollgate's
// profiles require fail-closed (serving stale on error is an option some relying parties
// take; it is not taken here).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "tollgate/base/clock.h"
#include "tollgate/base/status.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/http/client.h"

namespace tollgate::mocks {

/// Cache and refetch policy.
struct RemoteJwksOptions {
  std::chrono::seconds refetch_cooldown{30};
  std::chrono::seconds default_max_age{300};  // when the JWKS answer names none
  std::chrono::seconds max_max_age{24 * 3600};
  bool refetch_on_unknown_kid = true;
  /// False: the cache never expires (a relying party's mistake, for reference-target faults).
  bool honour_max_age = true;
  /// A pinned JWKS URL ("" while unknown) instead of discovery, for relying parties given
  /// the key set's URL and the issuer name directly (as the Sage guide does).
  std::function<std::string()> pinned_jwks_url;
  std::string pinned_issuer;
  std::chrono::milliseconds timeout{5000};
  /// The root that verifies an https issuer's certificate ("" = the system store): a mock
  /// issuer serving its own TLS (`mtls:`) names it in TrustFile().
  std::string ca_file;
  /// True (a reference-target fault): a request that waited while another request's fetch
  /// ran takes that fetch's keys instead of fetching again ("single flight"), so concurrent
  /// unknown kids cost one fetch while sequential ones cost one each.
  bool share_inflight_fetch = false;
  /// Added to every JWKS fetch, as a remote key set's round trip would (fault use only).
  std::chrono::milliseconds fetch_latency{0};
};

/// What a relying party trusts now: the discovered issuer and its keys.
struct TrustedKeys {
  std::string issuer;
  jose::Jwks keys;
};

/// The max-age of a Cache-Control value: 0 for no-store or no-cache, nullopt when it says
/// nothing about freshness.
std::optional<std::chrono::seconds> CacheMaxAge(std::string_view cache_control);

/// Thread-safe. Fetches run under the lock, so concurrent requests with an unknown kid
/// cause one fetch, not one each.
class RemoteJwks {
 public:
  /// `issuer_url` yields the issuer's base URL ("" while unknown) and is asked lazily,
  /// because mock URLs are known only once the environment has started. `clock` is
  /// borrowed and must outlive this object.
  RemoteJwks(std::function<std::string()> issuer_url, const Clock* clock,
             RemoteJwksOptions options);
  ~RemoteJwks();

  /// Keys to verify a token whose header names `kid` ("" when it names none).
  /// Unavailable (fail closed) when discovery or the JWKS cannot be had.
  StatusOr<TrustedKeys> Get(const std::string& kid);
  /// JWKS fetches attempted so far.
  int jwks_fetches() const;

 private:
  Status DiscoverLocked();
  Status FetchLocked(Clock::TimePoint now);

  const std::function<std::string()> issuer_url_;
  const Clock* clock_;
  const RemoteJwksOptions options_;
  std::unique_ptr<HttpClient> http_;

  mutable std::mutex mu_;
  std::string issuer_;  // from discovery ("" until discovered)
  std::string jwks_uri_;
  std::optional<jose::Jwks> keys_;
  Clock::TimePoint expires_at_{};
  std::optional<Clock::TimePoint> last_kid_refetch_;
  int fetches_ = 0;
  std::atomic<int> completed_fetches_{0};  // read before taking mu_ (share_inflight_fetch)
};

}  // namespace tollgate::mocks
