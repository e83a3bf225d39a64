#include "mocks/signed_api_tokens.h"

#include "mocks/key_ring.h"
#include "tollgate/base/digest.h"

namespace tollgate::mocks {
namespace {
constexpr std::size_t kPruneAbove = 10'000;
}  // namespace

TokenBook::Pair TokenBook::IssueLocked(const std::string& client, const std::string& family,
                                       std::int64_t now) {
  if (access_.size() > kPruneAbove)
    std::erase_if(access_, [&](const auto& e) { return e.second.expires_at <= now; });
  if (refresh_.size() > kPruneAbove)
    std::erase_if(refresh_, [&](const auto& e) { return e.second.expires_at <= now; });
  Pair p{RandomToken(32), RandomToken(32), access_ttl_};
  access_[Sha256Hex(p.access_token)] = {client, family, now + access_ttl_};
  refresh_[Sha256Hex(p.refresh_token)] = {client, family, now + refresh_ttl_, false};
  return p;
}

TokenBook::Pair TokenBook::Issue(const std::string& client, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  return IssueLocked(client, RandomToken(12), now);
}

std::optional<TokenBook::Pair> TokenBook::Refresh(const std::string& client,
                                                  const std::string& refresh_token,
                                                  std::int64_t now, const Faults& faults,
                                                  std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = refresh_.find(Sha256Hex(refresh_token));
  if (it == refresh_.end()) return why = "unknown refresh token", std::nullopt;
  RefreshRec& rec = it->second;
  if (rec.client != client) return why = "refresh token of another client", std::nullopt;
  if (revoked_families_.count(rec.family))
    return why = "refresh token family revoked", std::nullopt;
  if (rec.used && !faults.refresh_reusable) {
    if (!faults.no_family_revocation) {
      revoked_families_.insert(rec.family);
      return why = "refresh token reused: family revoked", std::nullopt;
    }
    return why = "refresh token reused", std::nullopt;
  }
  if (now >= rec.expires_at) return why = "refresh token expired", std::nullopt;
  rec.used = true;
  std::string family = rec.family;
  return IssueLocked(client, family, now);
}

std::optional<std::string> TokenBook::Check(const std::string& access_token, std::int64_t now,
                                            const Faults& faults, std::string& why) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = access_.find(Sha256Hex(access_token));
  if (it == access_.end()) return why = "unknown access token", std::nullopt;
  if (revoked_families_.count(it->second.family)) return why = "token family revoked", std::nullopt;
  if (now >= it->second.expires_at && !faults.accept_expired)
    return why = "access token expired", std::nullopt;
  return it->second.client;
}

}  // namespace tollgate::mocks
