#pragma once
// Kind `sage-connector`: the reference partner connector of the Sage-style profile.
// The banking platform
//   POSTs {notification_path} with `Authorization: Bearer <ID token>` (scope
//     WebhooksLambda) and the partner's custom header, announcing an `authorisation`
//     resource with an AuthorisationID                     -> 200, the id is recorded
//     (bad or missing token -> 401, wrong scope -> 403, header missing or wrong -> 401,
//      body not an authorisation announcement -> 400; nothing is recorded)
//   GETs {auth_path} or {authrefresh_path}?AuthorisationID=ID
//                                                          -> 200 once, within the lifetime;
//     unknown, mismatched, used or expired ids -> 403; no id -> 400
//   GETs {accounts_path} with an ID token of scope ProviderAPI -> 200 (other scopes 403).
//
// The ID token is checked against the trusted key set (RemoteJwks: cache on the shared
// clock honouring max-age, refetch on an unknown kid with a cooldown, fail closed). The
// trusted service is an `issuer` (found by discovery) or a `jwks` host (pinned URL, as the
// guide gives the key set's URL). The custom header is compared in constant time.
//
// Faults (each breaks exactly one rule):
//   ignore_audience, ignore_issuer, accept_expired, accept_not_yet_valid, skip_signature,
//   accept_alg_none, accept_embedded_jwk, hs256_key_confusion   (see fault_verifier.h)
//   no_scope_check            the notification accepts an ID token of any scope
//   accounts_any_scope        the accounts endpoint accepts an ID token of any scope
//   accept_any_header_value   the custom header must be present, its value is not checked
//   record_rejected_notifications  the id is recorded before the notification is checked
//   allow_id_reuse, ignore_id_lifetime
//   short_id_lifetime         ids expire after 5 minutes whatever authorisation_ttl says
//   racy_id_use               check and mark of an id are not atomic (parallel uses all win)
//   accept_mismatched_id      ids compared on their first 8 characters
//   refetch_jwks_every_request, no_jwks_refetch, cache_jwks_forever
//   coalesced_jwks_refetch    refetches on every unknown kid, sharing in-flight fetches
//   fail_open_when_jwks_down  unverified claims are trusted when no keys can be had

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mocks/remote_jwks.h"
#include "mocks/sage_authorisations.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe: configuration is immutable; the key cache and the id store lock.
class SageConnector : public MockService {
 public:
  /// Reads trust {issuer, audience}, notification_header {name, value} (required),
  /// authorisation_ttl, notification_scope, accounts_scope, the four paths, leeway,
  /// refetch_cooldown.
  static StatusOr<std::unique_ptr<SageConnector>> Create(const ServiceDecl& decl,
                                                         ServiceContext ctx);

  void AddRoutes(ServiceRouter& router) override;
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  /// A partner connector serves each notification on its own thread (a key-set fetch
  /// blocks its handler), so concurrent probes really overlap: 12, above any flood the
  /// profile sends.
  int HandlerThreads() const override { return 12; }
  /// issuer, audience, header_name, header_value (secret), the paths, the scopes and
  /// authorisation_ttl (seconds).
  std::vector<TargetSetting> TargetSettings() const override;
  /// Forgets its key cache, so a case that rotated keys leaves no trace in the next.
  void Restore() override;

  Handled HandleNotification(const ServerRequest& request);
  /// /auth and /authrefresh.
  Handled HandleAuth(const ServerRequest& request);
  Handled HandleAccounts(const ServerRequest& request);

 private:
  struct Authn {
    std::optional<nlohmann::json> claims;
    Handled refusal;
  };

  explicit SageConnector(const ServiceDecl& decl, ServiceContext ctx);
  // A valid ID token carrying `scope`, or the refusal.
  Authn Authenticate(const ServerRequest& request, const std::string& scope, bool check_scope);
  std::optional<Handled> CheckCustomHeader(const ServerRequest& request) const;
  std::shared_ptr<RemoteJwks> Remote();
  // The AuthorisationID announced by a notification body, or "" when it announces none.
  static std::string AnnouncedId(const std::string& body);

  std::string trust_;  // service name of an issuer or jwks host
  std::string audience_;
  std::string header_name_;
  std::string header_value_;
  std::chrono::seconds authorisation_ttl_{20 * 60};
  std::string notification_scope_ = "WebhooksLambda";
  std::string accounts_scope_ = "ProviderAPI";
  std::string notification_path_ = "/notification";
  std::string auth_path_ = "/auth";
  std::string authrefresh_path_ = "/authrefresh";
  std::string accounts_path_ = "/accounts";
  std::chrono::seconds leeway_{60};
  std::chrono::seconds refetch_cooldown_{30};

  std::mutex remote_mu_;
  std::shared_ptr<RemoteJwks> remote_;  // created on first use: faults are known by then
  std::unique_ptr<AuthorisationStore> ids_;
  std::once_flag ids_once_;
  AuthorisationStore& Ids();
};

}  // namespace tollgate::mocks
