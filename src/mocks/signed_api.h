#pragma once
// Kind `signed-api`: the reference target of the signed-requests profile (access +
// refresh tokens, HMAC-SHA256 v3, gateway allow-listing).
//   POST {prefix}/token       client_credentials (client_id, client_secret in the form) or
//                             refresh_token: opaque access + refresh tokens; refresh tokens
//                             rotate, reuse revokes the family (400 invalid_grant)
//   GET  {prefix}/accounts    Bearer access token; expired or unknown -> 401
//   *    {prefix}/payments... HMAC-signed per the `signing` profile -> 200, else 401
//   every path                source address not on `allow_list` -> 403 (X-Forwarded-For
//                             is never consulted)
// Signed requests: headers present once each, known key id, algorithm label equal to the
// profile's, timestamp within ±window (checked before the nonce store is touched), full MAC
// compared in constant time, then (key id, nonce) inserted atomically in a bounded store
// with TTL 2 x window.
//
// Faults (each breaks exactly one rule):
//   no_nonce_check, racy_nonce_store, nonce_before_window (a refused request burns its
//   nonce), wide_window (24 h), accept_future_timestamps,
//   body_not_signed, method_not_signed, path_not_signed, query_not_signed,
//   host_not_signed, header_not_signed   (that component left out of the profile, which
//                                         the target also advertises)
//   optional_signature, optional_timestamp, optional_nonce, optional_key_id
//                               (a missing header is tolerated; no key id: the first client)
//   accept_duplicate_signature  several signature headers: any one matching will do
//   lenient_encoding            a MAC in the other encoding (hex/base64) is accepted
//   prefix_compare              a truncated MAC is compared as a prefix
//   honour_algorithm_label      the MAC is computed with whatever algorithm the label names
//   skip_mac_check              the MAC is never compared
//   key_id_not_bound            a MAC made with any client's secret is accepted
//   accept_expired_token, refresh_reusable, no_family_revocation
//   trust_forwarded_for         the allow-list reads X-Forwarded-For
//   no_allow_list               any source address is served

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mocks/nonce_store.h"
#include "mocks/signed_api_tokens.h"
#include "tollgate/crypto/signing.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe: configuration is immutable; nonce store and tokens have their own locks.
class SignedApi : public MockService {
 public:
  /// Reads signing (a profile), clients {name: {secret}}, allow_list, prefix, token_ttl,
  /// refresh_ttl, nonce_capacity.
  static StatusOr<std::unique_ptr<SignedApi>> Create(const ServiceDecl& decl, ServiceContext ctx);

  void AddRoutes(ServiceRouter& router) override;
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  /// signing_profile (JSON), key_id, secret, other_key_id, client_id, client_secret,
  /// token_path, accounts_path, payments_path, window_seconds, allowed_source,
  /// blocked_source.
  std::vector<TargetSetting> TargetSettings() const override;

  /// The profile the target verifies with (the configured one, less any component a
  /// `*_not_signed` fault drops).
  signing::Profile EffectiveProfile() const;

  Handled HandleToken(const ServerRequest& request);
  Handled HandleAccounts(const ServerRequest& request);
  Handled HandleSigned(const ServerRequest& request);
  /// 403 when the source is not allow-listed; nullopt when it may pass.
  std::optional<Handled> CheckSource(const ServerRequest& request) const;

 private:
  SignedApi(const ServiceDecl& decl, ServiceContext ctx);
  // The signature verdict with the faults applied ("" when it verifies).
  signing::Verdict VerifySignature(const ServerRequest& request) const;
  std::optional<std::string> SecretOf(const std::string& key_id) const;
  TokenBook::Faults TokenFaults() const;

  signing::Profile profile_;
  std::vector<std::pair<std::string, std::string>> clients_;  // key id -> secret, file order
  std::vector<std::string> allow_list_;
  std::string prefix_ = "/v3";
  std::unique_ptr<NonceStore> nonces_;
  std::unique_ptr<TokenBook> tokens_;
};

}  // namespace tollgate::mocks
