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
//
// Sender-constrained tokens: a token request with a `DPoP` proof (RFC 9449 §5) gets
// `token_type: DPoP` and an access token with `cnf.jkt`, after the proof is checked
// (docs/dpop.md) with its own nonce challenge when configured (§8); a client presenting a
// certificate on the `mtls:` listener gets `cnf.x5t#S256` (RFC 8705 §3.1). A public
// client's refresh tokens are bound to its DPoP key (RFC 9449 §5).

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "mocks/key_ring.h"
#include "tollgate/crypto/dpop.h"
#include "tollgate/http/form.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// One registered client.
struct IssuerClient {
  std::string id;
  std::string secret;  // "" for a public client
  /// A public client (token_endpoint_auth_method `none`): it sends only its client_id in
  /// the body. The issuer has no interactive grant, so it may use client_credentials, which
  /// stands in for the authorization-code grant of a real public client.
  bool is_public = false;
  /// RFC 9449 §5.2 `dpop_bound_access_tokens`: a token request without a proof is refused.
  bool dpop_bound = false;
  /// RFC 8705 §3.4 `tls_client_certificate_bound_access_tokens`: a token request without a
  /// client certificate is refused.
  bool cert_bound = false;
  std::vector<std::string> scopes;
  std::vector<std::string> roles;
  std::string audience;             // "" when the issuer has no audiences
  std::vector<std::string> grants;  // client_credentials, refresh_token
};

/// Thread-safe: configuration is immutable; keys and refresh tokens are behind locks.
class IssuerService : public MockService, public KeyHolder {
 public:
  /// Reads the config (keys, issuer, audiences, clients, token_ttl, refresh_ttl, typ,
  /// jwks_max_age, dpop, mtls) and generates the keys; resolves the `mtls:` identities when
  /// the context can. InvalidArgument for a bad value.
  static StatusOr<std::unique_ptr<IssuerService>> Create(const ServiceDecl& decl,
                                                         ServiceContext ctx);

  void AddRoutes(ServiceRouter& router) override;
  std::vector<TargetSetting> TargetSettings() const override;
  /// Faults of the platform's token service (the issuer is the target side of the token
  /// endpoint checks): accept_wrong_secret, token_cacheable (no Cache-Control: no-store),
  /// long_lived_tokens (30 days), refresh_reuse_allowed, no_family_revocation, and the
  /// sender-constraint faults (dpop_*, cert_binding_not_required).
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  /// rotate_keys {kid?}, add_key {kid, alg?}, remove_key {kid}, restore.
  Status Control(const std::string& action, const nlohmann::json& args) override;
  /// Back to the configured keys. Refresh-token state is kept: it is the server's memory
  /// of what it issued, not a setting a case changed.
  void Restore() override;
  const KeyHolder* keys() const override { return this; }
  /// With `mtls:`: HTTPS that asks for a client certificate without requiring one.
  std::optional<ServerTlsOptions> ListenerTls() const override { return mtls_tls_; }
  std::string TrustFile() const override { return mtls_trust_file_; }

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
  /// The nonce a proof must carry now (with `dpop.nonce: required`); rotates every
  /// `dpop.nonce_lifetime` on the shared clock, the previous one staying good for one more.
  std::string DpopNonce();

 private:
  struct RefreshRecord {
    std::string client_id;
    std::string family;
    std::string scope;  // as granted when the family started
    std::int64_t expires_at = 0;
    bool used = false;
    std::string jkt;  // the DPoP key a public client's token is bound to; "" unbound
  };
  // What the request's proof and certificate bind the tokens to ("" for none).
  struct Binding {
    std::string jkt;       // thumbprint of the DPoP proof's key
    std::string x5t_s256;  // base64url SHA-256 of the presented leaf
  };

  IssuerService(const ServiceDecl& decl, ServiceContext ctx);
  // An RFC 6749 §5.2 error response (no-store; a Basic challenge on 401).
  static Handled TokenError(int status, const std::string& error, const std::string& description,
                            const std::string& realm, std::string note = "");
  // The rest of this block is in issuer_binding.cc.
  // `dpop:` (algorithms, nonce, nonce_lifetime, iat_skew).
  Status ReadDpopConfig(const nlohmann::json& dpop);
  // `mtls:`: the listener's TLS options, from the PKI identities.
  Status SetUpMtls(const nlohmann::json& mtls);
  // What the request's DPoP proof and client certificate bind its tokens to, or the
  // refusal when they are wrong or missing where the client must bind them.
  std::optional<Handled> Bind(const ServerRequest& request, const IssuerClient& client,
                              Binding* binding);
  // The request's DPoP proof checked (RFC 9449 §4.3, §8); sets binding->jkt, or returns
  // the refusal.
  std::optional<Handled> CheckDpopProof(const ServerRequest& request, const std::string& proof,
                                        Binding* binding);
  Handled ClientCredentials(const IssuerClient& client, const FormFields& form,
                            const Binding& binding);
  Handled Refresh(const IssuerClient& client, const FormFields& form, const Binding& binding);
  // Access token + (when the client may refresh) a refresh token of `family`, bound to
  // `rt_jkt`. Requires refresh_mu_.
  Handled Issue(const IssuerClient& client, const std::string& scope, const std::string& rt_scope,
                const std::string& family, const Binding& binding, const std::string& rt_jkt);
  const IssuerClient* FindClient(const std::string& id) const;

  std::string issuer_;  // "" means the service URL
  std::vector<std::string> audiences_;
  std::vector<IssuerClient> clients_;
  std::chrono::seconds token_ttl_{3600};
  std::chrono::seconds refresh_ttl_{24 * 3600};
  std::string typ_ = "at+jwt";
  std::chrono::seconds jwks_max_age_{300};
  std::unique_ptr<KeyRing> keys_;

  // DPoP at the token endpoint (`dpop:`).
  std::vector<jose::Alg> dpop_algs_;
  bool dpop_nonce_required_ = false;
  std::chrono::seconds dpop_nonce_ttl_{300};
  std::chrono::seconds dpop_iat_skew_{60};
  jose::DpopReplayCache replay_;
  std::mutex nonce_mu_;
  std::string nonce_, previous_nonce_;
  std::int64_t nonce_since_ = 0;

  // Mutual TLS (`mtls:`): set when configured, resolved when the context has a PKI.
  bool mtls_ = false;
  std::optional<ServerTlsOptions> mtls_tls_;
  std::string mtls_trust_file_;

  std::mutex refresh_mu_;
  std::map<std::string, RefreshRecord> refresh_;  // by SHA-256 of the token: none kept raw
  std::set<std::string> revoked_families_;
};

}  // namespace tollgate::mocks
