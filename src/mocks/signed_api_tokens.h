#pragma once
// The signed API's own opaque access and refresh tokens (the guide's "Acceptance Token" and
// "Refresh Token"): access tokens expire on the shared clock; refresh tokens rotate on use,
// and a used refresh token coming back revokes its whole family (RFC 9700 §4.14.2), the
// design of the issuer mock. Tokens are kept only as SHA-256 digests.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace tollgate::mocks {

/// Thread-safe.
class TokenBook {
 public:
  TokenBook(std::int64_t access_ttl, std::int64_t refresh_ttl)
      : access_ttl_(access_ttl), refresh_ttl_(refresh_ttl) {}

  struct Pair {
    std::string access_token;
    std::string refresh_token;
    std::int64_t expires_in = 0;
  };
  /// Behaviour switches for the reference target's faults.
  struct Faults {
    bool accept_expired = false;        // access tokens never expire
    bool refresh_reusable = false;      // a used refresh token works again
    bool no_family_revocation = false;  // reuse is refused but the family lives on
  };

  /// A new family for `client`.
  Pair Issue(const std::string& client, std::int64_t now);
  /// Rotates `refresh_token` of `client`; nullopt with `why` set when refused.
  std::optional<Pair> Refresh(const std::string& client, const std::string& refresh_token,
                              std::int64_t now, const Faults& faults, std::string& why);
  /// The client an unexpired access token belongs to; nullopt with `why` when refused.
  std::optional<std::string> Check(const std::string& access_token, std::int64_t now,
                                   const Faults& faults, std::string& why) const;

 private:
  struct Access {
    std::string client, family;
    std::int64_t expires_at;
  };
  struct RefreshRec {
    std::string client, family;
    std::int64_t expires_at;
    bool used = false;
  };
  // Requires mu_.
  Pair IssueLocked(const std::string& client, const std::string& family, std::int64_t now);

  const std::int64_t access_ttl_, refresh_ttl_;
  mutable std::mutex mu_;
  std::map<std::string, Access> access_;       // by digest
  std::map<std::string, RefreshRec> refresh_;  // by digest
  std::set<std::string> revoked_families_;
};

}  // namespace tollgate::mocks
