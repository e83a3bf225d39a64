#pragma once
// Kind `gateway`: the reference target of the Gateway profile: a client id and secret buy
// a JWT from the authentication service (an `issuer` mock); POSTs to message types carry
// it as a Bearer token.
//   no valid JWT                      -> 401 (RFC 6750 §3 challenge)
//   message type not assigned (roles) -> 403 (the guide also says 401: `unassigned_status`)
//   message not conforming            -> 400 (only once authenticated and authorised)
//   valid                             -> 200
// plus scoped GET endpoints (the OAuth-scopes profile): 403 insufficient_scope with the
// scope named in the challenge.
//
// The gateway is a relying party of its issuer: it discovers it over HTTP(S) on first use
// (RemoteJwks: cache on the shared clock, refetch on unknown kid with a cooldown, fail
// closed). Like every kind, it serves HTTPS when its service has `tls:`, plain HTTP
// otherwise.
//
// Faults (each breaks exactly one rule):
//   the token verifier's (VerifierFaultNames(), see fault_verifier.h): accept_expired,
//   accept_not_yet_valid, exp_optional, lenient_exp, skip_signature, accept_alg_none,
//   accept_embedded_jwk, hs256_key_confusion, hs256_empty_secret, kid_as_file_path,
//   kid_in_sql_query, try_every_key, unknown_kid_fail_open, duplicate_members_first_wins,
//   ignore_crit, lenient_base64 and accept_jws_json (these two also skip the b64token
//   syntax check: the credential goes to the lenient parser as sent), accept_unverified_jwe
//   ignore_audience, ignore_issuer, ignore_typ  (dropped from the validation policy)
//   no_role_check              any authenticated client may post any known message type
//   validate_body_before_auth  a malformed body gets 400 before the token is looked at
//   no_jwks_refetch            an unknown kid never triggers a JWKS refetch before max-age
//   no_scope_check             scoped paths accept any valid token
//   omit_bearer_challenge      401 without WWW-Authenticate
//   lowercase_scheme_rejected  only "Bearer" spelt exactly opens the API

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mocks/remote_jwks.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe: configuration is immutable; the key cache has its own lock.
class Gateway : public MockService {
 public:
  /// Reads trust {issuer, audience} (required), path, message_types, unassigned_status,
  /// algorithms, leeway, typ, scoped_paths, refetch_cooldown, realm.
  static StatusOr<std::unique_ptr<Gateway>> Create(const ServiceDecl& decl, ServiceContext ctx);

  void AddRoutes(ServiceRouter& router) override;
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  /// token_url, issuer, audience, message_path, assigned_type, unassigned_type,
  /// assigned_required, unassigned_status, scoped_path, scope, leeway, realm, and
  /// client_id/client_secret of the issuer's first client that has roles.
  std::vector<TargetSetting> TargetSettings() const override;

  /// POST {path}/{type}.
  Handled HandleMessage(const ServerRequest& request);
  /// GET on a scoped path.
  Handled HandleScoped(const ServerRequest& request);
  /// JWKS fetches so far (tests).
  int jwks_fetches();

 private:
  struct MessageType {
    std::string name;
    std::vector<std::string> required;
  };
  // The outcome of authentication: the token's claims, or the answer to give.
  struct Authn {
    std::optional<nlohmann::json> claims;
    Handled refusal;
  };

  Gateway(const ServiceDecl& decl, ServiceContext ctx);
  Authn Authenticate(const ServerRequest& request);
  // 400/415 when the body does not conform to `type`; nullopt when it does.
  std::optional<Handled> CheckBody(const ServerRequest& request, const MessageType& type) const;
  Handled Unauthorized(const std::string& error, const std::string& description,
                       const std::string& note) const;
  const MessageType* FindType(const std::string& name) const;
  RemoteJwks& Remote();

  std::string trust_issuer_;  // service name
  std::string audience_;
  std::string path_;
  std::vector<MessageType> types_;  // ordered by name
  int unassigned_status_ = 403;
  std::vector<jose::Alg> algorithms_{jose::Alg::kRS256, jose::Alg::kES256};
  std::chrono::seconds leeway_{60};
  std::optional<std::string> typ_ = "at+jwt";
  std::vector<std::pair<std::string, std::string>> scoped_paths_;  // path -> scope
  std::chrono::seconds refetch_cooldown_{30};
  std::string realm_;

  std::once_flag remote_once_;  // created on first use: faults are known by then
  std::unique_ptr<RemoteJwks> remote_;
};

}  // namespace tollgate::mocks
