#include "mocks/sage_connector.h"

#include <openssl/crypto.h>

#include "mocks/config.h"
#include "mocks/fault_verifier.h"
#include "mocks/key_ring.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/scope.h"
#include "tollgate/http/authorization.h"
#include "tollgate/http/form.h"

namespace tollgate::mocks {
namespace {

Handled Refuse(int status, const std::string& error, const std::string& reason) {
  nlohmann::json body = {{"error", error}, {"error_description", reason}};
  ServerResponse r = ServerResponse::Json(status, body.dump());
  if (status == 401) r.headers.Add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  if (status == 403 && error == "insufficient_scope") {
    r.headers.Add("WWW-Authenticate", "Bearer error=\"insufficient_scope\"");
  }
  return {std::move(r), "refused: " + reason};
}

std::string Normalised(std::string path, const std::string& def) {
  if (path.empty()) return def;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

StatusOr<std::unique_ptr<SageConnector>> SageConnector::Create(const ServiceDecl& decl,
                                                               ServiceContext ctx) {
  std::unique_ptr<SageConnector> s(new SageConnector(decl, ctx));
  const nlohmann::json& c = decl.config;
  auto bad = [&](const std::string& what) {
    return InvalidArgumentError("service `" + decl.name + "` (kind sage-connector): " + what);
  };
  // The loader has checked the schema (Vocabulary().keys): `trust` and
  // `notification_header` are there, `trust.issuer` names an issuer or jwks host above.
  // What is left: values that must not be empty, and the shape of paths.
  const nlohmann::json& trust = GetObject(c, "trust");
  s->trust_ = GetString(trust, "issuer", "");
  s->audience_ = GetString(trust, "audience", "");
  if (s->audience_.empty()) return bad("`trust.audience` must not be empty");
  const nlohmann::json& header = GetObject(c, "notification_header");
  s->header_name_ = GetString(header, "name", "");
  s->header_value_ = GetString(header, "value", "");
  if (s->header_name_.empty() || s->header_value_.empty()) {
    return bad("`notification_header` needs a non-empty `name` and `value`");
  }
  if (ctx.redactor) ctx.redactor->AddSecret(s->header_value_);
  s->authorisation_ttl_ = GetSeconds(c, "authorisation_ttl", s->authorisation_ttl_);
  s->leeway_ = GetSeconds(c, "leeway", s->leeway_);
  s->refetch_cooldown_ = GetSeconds(c, "refetch_cooldown", s->refetch_cooldown_);
  s->notification_scope_ = GetString(c, "notification_scope", s->notification_scope_);
  s->accounts_scope_ = GetString(c, "accounts_scope", s->accounts_scope_);
  s->notification_path_ = Normalised(GetString(c, "notification_path", ""), "/notification");
  s->auth_path_ = Normalised(GetString(c, "auth_path", ""), "/auth");
  s->authrefresh_path_ = Normalised(GetString(c, "authrefresh_path", ""), "/authrefresh");
  s->accounts_path_ = Normalised(GetString(c, "accounts_path", ""), "/accounts");
  for (const std::string* p :
       {&s->notification_path_, &s->auth_path_, &s->authrefresh_path_, &s->accounts_path_}) {
    if (p->front() != '/') return bad("path `" + *p + "` must start with /");
  }
  return s;
}

SageConnector::SageConnector(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx) {}

const KindTerms& SageConnector::Vocabulary() {
  using T = FieldType;
  static const KindTerms kTerms = {
      "sage-connector",
      /*actions=*/{},
      /*faults=*/
      {{"ignore_audience",
        "accepts an ID token whose `aud` is not the configured audience, or has none"},
       {"ignore_issuer",
        "accepts an ID token whose `iss` is not the trusted issuer's, or has none"},
       {"accept_expired", "accepts an ID token whose `exp` has passed (beyond the leeway)"},
       {"skip_signature",
        "accepts any ID-token signature when the kid is known and the alg allowed"},
       {"accept_alg_none", "accepts an unsigned ID token with `alg` none in any letter case"},
       {"no_scope_check",
        "accepts notifications with an ID token of any scope (no `WebhooksLambda`)"},
       {"accounts_any_scope",
        "serves the accounts API to an ID token of any scope (no `ProviderAPI`)"},
       {"accept_any_header_value", "requires the custom header but does not check its value"},
       {"record_rejected_notifications",
        "records a notification's AuthorisationID before checking it, even if refused"},
       {"allow_id_reuse", "lets an AuthorisationID open /auth or /authrefresh more than once"},
       {"ignore_id_lifetime", "accepts an AuthorisationID after its lifetime (ids never expire)"},
       {"accept_mismatched_id", "matches AuthorisationIDs on their first 8 characters only"},
       {"refetch_jwks_every_request", "fetches the key set again on every request (no caching)"},
       {"no_jwks_refetch",
        "never refetches the key set on an unknown kid: a rotated-in key fails until expiry"},
       {"cache_jwks_forever",
        "ignores the key set's max-age: keeps retired keys and hides an outage"},
       {"fail_open_when_jwks_down",
        "trusts the ID token's claims unverified when no key set can be had"},
       {"accept_not_yet_valid", "accepts an ID token whose `nbf` or `iat` is in the future"},
       {"accept_embedded_jwk", "verifies the ID token with the key in its own `jwk` header"},
       {"hs256_key_confusion", "accepts HS256 keyed with a published public key's PEM or JWK text"},
       {"short_id_lifetime",
        "expires AuthorisationIDs after 5 minutes, whatever `authorisation_ttl` says"},
       {"racy_id_use",
        "checks and marks an AuthorisationID non-atomically: parallel uses all succeed"},
       {"coalesced_jwks_refetch",
        "refetches on every unknown kid with no cooldown; concurrent ones share a fetch"}},
      /*keys=*/
      {Key("trust", T::kObject, "whose ID tokens it accepts")
           .Required()
           .Of({Key("issuer", T::kServiceRef,
                    "an `issuer` (found by discovery) or a `jwks` host (its `/jwks` URL pinned) "
                    "declared above it")
                    .Required()
                    .OneOf({"issuer", "jwks"}),
                Key("audience", T::kString, "the `aud` its ID tokens must have").Required()}),
       Key("notification_header", T::kObject, "the partner's custom header on notifications")
           .Required()
           .Of({Key("name", T::kString, "its name").Required(),
                Key("value", T::kString, "its value (a secret, redacted)").Required()}),
       Key("authorisation_ttl", T::kDuration,
           "the AuthorisationID lifetime, on the shared clock (default 20m)"),
       Key("notification_scope", T::kString,
           "the scope a notification's ID token needs (default `WebhooksLambda`)"),
       Key("accounts_scope", T::kString,
           "the scope the accounts API needs (default `ProviderAPI`)"),
       Key("notification_path", T::kString, "default `/notification`"),
       Key("auth_path", T::kString, "default `/auth`"),
       Key("authrefresh_path", T::kString, "default `/authrefresh`"),
       Key("accounts_path", T::kString, "default `/accounts`"),
       Key("leeway", T::kDuration, "clock skew allowed on `exp` (default 60s)"),
       Key("refetch_cooldown", T::kDuration,
           "least time between two JWKS fetches for an unknown kid (default 30s)")}};
  return kTerms;
}

AuthorisationStore& SageConnector::Ids() {
  std::call_once(ids_once_, [this] {
    AuthorisationFaults f;
    f.allow_reuse = HasFault("allow_id_reuse");
    f.ignore_lifetime = HasFault("ignore_id_lifetime");
    f.prefix_match = HasFault("accept_mismatched_id");
    f.racy_use = HasFault("racy_id_use");
    // The fault: a lifetime far shorter than the guide's "around 20 minutes".
    std::chrono::seconds ttl =
        HasFault("short_id_lifetime") ? std::chrono::seconds(5 * 60) : authorisation_ttl_;
    ids_ = std::make_unique<AuthorisationStore>(ctx().clock, ttl, f);
  });
  return *ids_;
}

std::shared_ptr<RemoteJwks> SageConnector::Remote() {
  std::lock_guard<std::mutex> lock(remote_mu_);
  if (remote_) return remote_;
  RemoteJwksOptions options;
  options.refetch_cooldown = refetch_cooldown_;
  options.refetch_on_unknown_kid = !HasFault("no_jwks_refetch");
  options.honour_max_age = !HasFault("cache_jwks_forever");
  if (HasFault("refetch_jwks_every_request")) {
    options.default_max_age = options.max_max_age = std::chrono::seconds(0);
  }
  if (HasFault("coalesced_jwks_refetch")) {
    // No cooldown, but concurrent unknown kids share one in-flight fetch, which takes as
    // long as a remote key set's round trip: a concurrent flood costs about one fetch, a
    // sequential one a fetch per request.
    options.refetch_cooldown = std::chrono::seconds(0);
    options.share_inflight_fetch = true;
    // Long enough that every copy of the concurrent flood arrives while the one fetch
    // runs, even on a loaded machine.
    options.fetch_latency = std::chrono::milliseconds(400);
  }
  auto url = ctx().service_url;
  std::string trust = trust_;
  MockService* service = ctx().service ? ctx().service(trust_) : nullptr;
  if (service && service->kind() == "jwks" && service->keys()) {
    // A key set given by URL, with the issuer name the guide states beside it.
    options.pinned_jwks_url = [url, trust] { return url ? url(trust) + "/jwks" : std::string(); };
    options.pinned_issuer = service->keys()->Issuer();
  }
  remote_ = std::make_shared<RemoteJwks>([url, trust] { return url ? url(trust) : std::string(); },
                                         ctx().clock, options);
  return remote_;
}

void SageConnector::Restore() {
  std::lock_guard<std::mutex> lock(remote_mu_);
  remote_.reset();
}

void SageConnector::AddRoutes(ServiceRouter& router) {
  router.Add("*", notification_path_,
             [this](const ServerRequest& r) { return HandleNotification(r); });
  router.Add("*", auth_path_, [this](const ServerRequest& r) { return HandleAuth(r); });
  router.Add("*", authrefresh_path_, [this](const ServerRequest& r) { return HandleAuth(r); });
  router.Add("*", accounts_path_, [this](const ServerRequest& r) { return HandleAccounts(r); });
}

std::vector<TargetSetting> SageConnector::TargetSettings() const {
  return {
      {"issuer", trust_, false, "the `iss` your API accepts in ID tokens"},
      {"audience", audience_, false, "the `aud` your API requires in ID tokens"},
      {"header_name", header_name_, false,
       "the partner's custom header every notification carries"},
      {"header_value", header_value_, true,
       "the value of the custom header named by `header_name`"},
      {"notification_path", notification_path_, false, "the path notifications are posted to"},
      {"auth_path", auth_path_, false, "the path that issues an AuthorisationID"},
      {"authrefresh_path", authrefresh_path_, false, "the path that refreshes an AuthorisationID"},
      {"accounts_path", accounts_path_, false, "the path of the accounts API"},
      {"notification_scope", notification_scope_, false,
       "the scope a token needs to post notifications"},
      {"accounts_scope", accounts_scope_, false, "the scope a token needs for the accounts API"},
      {"authorisation_ttl", std::to_string(authorisation_ttl_.count()) + "s", false,
       "how long an AuthorisationID stays valid"},
      {"leeway", std::to_string(leeway_.count()) + "s", false,
       "the clock skew your API allows on exp and nbf"},
      // What the real-time (`slow`) variants wait for: the key set's cache lifetime when
      // its host names none, and the gap between refetches on an unknown kid.
      {"jwks_cache_ttl", std::to_string(RemoteJwksOptions{}.default_max_age.count()) + "s", false,
       "how long your API keeps a fetched key set when its host names no max-age"},
      {"jwks_refetch_cooldown", std::to_string(refetch_cooldown_.count()) + "s", false,
       "the least time between two key-set refetches for unknown kids"},
  };
}

SageConnector::Authn SageConnector::Authenticate(const ServerRequest& request,
                                                 const std::string& scope, bool check_scope) {
  std::vector<std::string> headers = request.headers.GetAll("Authorization");
  if (headers.size() != 1) {
    return {std::nullopt,
            Refuse(401, "invalid_token",
                   headers.empty() ? "no ID token" : "more than one Authorization header")};
  }
  Authorization authz = SplitAuthorization(headers[0]);
  if (!authz.IsScheme("Bearer") || authz.credentials.empty()) {
    return {std::nullopt, Refuse(401, "invalid_token", "Authorization is not a Bearer token")};
  }
  std::string token = authz.credentials;
  std::string kid;
  auto parts = jose::ParseCompact(token);
  if (parts.ok()) {
    if (auto it = parts->header.find("kid"); it != parts->header.end() && it->is_string()) {
      kid = it->get<std::string>();
    }
  }
  jose::ValidationPolicy policy;
  if (!HasFault("ignore_audience")) policy.audiences = {audience_};
  policy.algorithms = {jose::Alg::kRS256, jose::Alg::kES256, jose::Alg::kPS256};
  policy.typ = std::nullopt;  // the guide says nothing of the ID token's typ
  policy.leeway_seconds = leeway_.count();
  StatusOr<TrustedKeys> trusted = Remote()->Get(kid);
  std::optional<nlohmann::json> claims;
  if (!trusted.ok()) {
    if (!HasFault("fail_open_when_jwks_down") || !parts.ok()) {
      return {std::nullopt,
              Refuse(401, "invalid_token",
                     "keys unavailable (fail closed): " + trusted.status().message())};
    }
    // The fault: the claims are read without a signature check.
    nlohmann::json c = nlohmann::json::parse(parts->payload, nullptr, false);
    if (!c.is_object()) return {std::nullopt, Refuse(401, "invalid_token", "unreadable claims")};
    claims = c;
  } else {
    if (!HasFault("ignore_issuer")) policy.issuers = {trusted->issuer};
    // Its fault table names six of the verifier's faults; the others cannot be switched on.
    VerifierFaults faults =
        EnabledVerifierFaults([this](const std::string& name) { return HasFault(name); });
    jose::VerifyResult result =
        VerifyWithFaults(token, trusted->keys, policy, *ctx().clock, faults);
    if (!result.ok) {
      return {std::nullopt,
              Refuse(401, "invalid_token",
                     "ID token " + result.rejection.code + ": " + result.rejection.message)};
    }
    claims = result.ok->claims;
  }
  if (check_scope && !jose::HasScope(*claims, scope)) {
    return {std::nullopt, Refuse(403, "insufficient_scope", "ID token lacks scope " + scope)};
  }
  return {claims, {}};
}

std::optional<Handled> SageConnector::CheckCustomHeader(const ServerRequest& request) const {
  std::vector<std::string> values = request.headers.GetAll(header_name_);
  if (values.empty())
    return Refuse(401, "invalid_request", "custom header " + header_name_ + " missing");
  if (values.size() > 1) return Refuse(401, "invalid_request", "custom header sent twice");
  if (HasFault("accept_any_header_value")) return std::nullopt;
  // Constant time: compare digests of equal length, so neither the length nor a common
  // prefix of the secret leaks through timing.
  std::string got = Sha256(values[0]);
  std::string want = Sha256(header_value_);
  if (CRYPTO_memcmp(got.data(), want.data(), want.size()) != 0) {
    return Refuse(401, "invalid_request", "custom header " + header_name_ + " has the wrong value");
  }
  return std::nullopt;
}

std::string SageConnector::AnnouncedId(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  auto res = j.find("resource");
  if (res == j.end() || !res->is_object()) return "";
  auto type = res->find("type");
  auto id = res->find("id");
  if (type == res->end() || !type->is_string() || *type != "authorisation") return "";
  if (id == res->end() || !id->is_string()) return "";
  return id->get<std::string>();
}

Handled SageConnector::HandleNotification(const ServerRequest& request) {
  if (request.method != "POST") {
    ServerResponse r = ServerResponse::Json(405, R"({"error":"method_not_allowed"})");
    r.headers.Add("Allow", "POST");
    return {std::move(r), "refused: method not allowed"};
  }
  std::string id = AnnouncedId(request.body);
  if (HasFault("record_rejected_notifications") && !id.empty()) Ids().Announce(id);
  Authn authn = Authenticate(request, notification_scope_, !HasFault("no_scope_check"));
  if (!authn.claims) return authn.refusal;
  if (auto refused = CheckCustomHeader(request)) return *refused;
  if (id.empty()) {
    nlohmann::json j = nlohmann::json::parse(request.body, nullptr, false);
    if (!j.is_object() || !j.contains("resource")) {
      return Refuse(400, "invalid_request", "body is not a resource notification");
    }
    return {ServerResponse::Json(200, R"({"received":true})"),
            "accepted: a notification for another resource type"};
  }
  if (id.empty() || id.size() > 256) {
    return Refuse(400, "invalid_request", "AuthorisationID is empty or too long");
  }
  Ids().Announce(id);
  return {ServerResponse::Json(200, R"({"received":true})"),
          "accepted: AuthorisationID " + id + " recorded"};
}

Handled SageConnector::HandleAuth(const ServerRequest& request) {
  if (request.method != "GET") {
    ServerResponse r = ServerResponse::Json(405, R"({"error":"method_not_allowed"})");
    r.headers.Add("Allow", "GET");
    return {std::move(r), "refused: method not allowed"};
  }
  StatusOr<FormFields> query = ParseForm(request.query);
  if (!query.ok()) return Refuse(400, "invalid_request", "the query: " + query.status().message());
  std::string id = query->Get("AuthorisationID");
  if (id.empty()) return Refuse(400, "invalid_request", "no AuthorisationID");
  UseResult used = Ids().Use(id);
  if (used != UseResult::kAccepted) {
    return Refuse(403, "access_denied",
                  std::string("AuthorisationID ") + UseResultName(used) + " at " + request.path);
  }
  return {ServerResponse::Json(200, nlohmann::json{{"authorised", id}}.dump()),
          "accepted: AuthorisationID " + id + " used at " + request.path};
}

Handled SageConnector::HandleAccounts(const ServerRequest& request) {
  if (request.method != "GET") {
    ServerResponse r = ServerResponse::Json(405, R"({"error":"method_not_allowed"})");
    r.headers.Add("Allow", "GET");
    return {std::move(r), "refused: method not allowed"};
  }
  Authn authn = Authenticate(request, accounts_scope_, !HasFault("accounts_any_scope"));
  if (!authn.claims) return authn.refusal;
  nlohmann::json body = {{"accounts", {{{"id", "acc-1"}, {"name", "Current account"}}}}};
  return {ServerResponse::Json(200, body.dump()), "accepted: accounts listed"};
}

}  // namespace tollgate::mocks
