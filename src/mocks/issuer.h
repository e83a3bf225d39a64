#pragma once
// Kind `issuer`: an OAuth 2.0 authorization server for machine clients. Discovery
// (OIDC Discovery and RFC 8414, the same document at both addresses), a JWKS with caching
// headers, and a token endpoint for client_credentials and refresh_token that answers
// exactly as RFC 6749 §5 says: the right error code for each refusal, 401 with a Basic
// challenge for invalid_client, `Cache-Control: no-store` on every answer. Refresh tokens
// rotate, and reusing one revokes its whole family (RFC 9700 §4.14.2).
//
// Where common authorization servers fall short, this one does not:
// client secrets are checked; unsupported_grant_type and unauthorized_client are told apart;
// grant_types_supported and token_endpoint_auth_methods_supported are advertised; keys
// rotate at runtime with the old key kept published, and can be removed; the JWKS carries
// Cache-Control and a strong ETag.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "mocks/key_ring.h"
#include "tollgate/http/form.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// One registered client.
struct IssuerClient {
  std::string id;
  std::string secret;
  std::vector<std::string> scopes;
  std::vector<std::string> roles;
  std::string audience;             // "" when the issuer has no audiences
  std::vector<std::string> grants;  // client_credentials, refresh_token
};

/// Thread-safe: configuration is immutable; keys and refresh tokens are behind locks.
class IssuerService : public MockService, public KeyHolder {
 public:
  /// Reads the config (keys, issuer, audiences, clients, token_ttl, refresh_ttl, typ,
  /// jwks_max_age) and generates the keys. InvalidArgument for a bad value.
  static StatusOr<std::unique_ptr<IssuerService>> Create(const ServiceDecl& decl,
                                                         ServiceContext ctx);

  void AddRoutes(ServiceRouter& router) override;
  std::vector<TargetSetting> TargetSettings() const override;
  /// Faults of the platform's token service (the issuer is the target side of the token
  /// endpoint checks): accept_wrong_secret, token_cacheable (no Cache-Control: no-store),
  /// long_lived_tokens (30 days), refresh_reuse_allowed, no_family_revocation.
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  /// rotate_keys {kid?}, add_key {kid, alg?}, remove_key {kid}, restore.
  Status Control(const std::string& action, const nlohmann::json& args) override;
  /// Back to the configured keys. Refresh-token state is kept: it is the server's memory
  /// of what it issued, not a setting a case changed.
  void Restore() override;
  const KeyHolder* keys() const override { return this; }

  jose::Jwks PublishedKeys() const override;
  std::optional<jose::Jwk> SigningKey(const std::string& kid) const override;
  std::string Issuer() const override;
  std::chrono::seconds TokenTtl() const override { return token_ttl_; }
  std::string TokenType() const override { return typ_; }

  /// The registered clients, ordered by id (reference targets read them for their
  /// target settings).
  const std::vector<IssuerClient>& clients() const { return clients_; }
  /// The URL the service is reached at ("" before it started).
  std::string BaseUrl() const;

  /// GET /.well-known/openid-configuration and /.well-known/oauth-authorization-server.
  Handled HandleDiscovery(const ServerRequest& request) const;
  /// GET /jwks.
  Handled HandleJwks(const ServerRequest& request) const;
  /// /authorize: no interactive flows; 501 unsupported_response_type.
  Handled HandleAuthorize(const ServerRequest& request) const;
  /// POST /token.
  Handled HandleToken(const ServerRequest& request);

 private:
  struct RefreshRecord {
    std::string client_id;
    std::string family;
    std::string scope;  // as granted when the family started
    std::int64_t expires_at = 0;
    bool used = false;
  };

  IssuerService(const ServiceDecl& decl, ServiceContext ctx);
  Handled ClientCredentials(const IssuerClient& client, const FormFields& form);
  Handled Refresh(const IssuerClient& client, const FormFields& form);
  // Access token + (when the client may refresh) a refresh token of `family`. Requires
  // refresh_mu_.
  Handled Issue(const IssuerClient& client, const std::string& scope, const std::string& rt_scope,
                const std::string& family);
  const IssuerClient* FindClient(const std::string& id) const;

  std::string issuer_;  // "" means the service URL
  std::vector<std::string> audiences_;
  std::vector<IssuerClient> clients_;
  std::chrono::seconds token_ttl_{3600};
  std::chrono::seconds refresh_ttl_{24 * 3600};
  std::string typ_ = "at+jwt";
  std::chrono::seconds jwks_max_age_{300};
  std::unique_ptr<KeyRing> keys_;

  std::mutex refresh_mu_;
  std::map<std::string, RefreshRecord> refresh_;  // by SHA-256 of the token: none kept raw
  std::set<std::string> revoked_families_;
};

}  // namespace tollgate::mocks
