#include "mocks/issuer.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "mocks/config.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/dpop.h"
#include "tollgate/crypto/scope.h"
#include "tollgate/http/authorization.h"
#include "tollgate/http/form.h"
#include "tollgate/mocks/environment.h"

namespace tollgate::mocks {
namespace {

const char* const kGrants[] = {"client_credentials", "refresh_token"};
// Refresh-token records are pruned of expired entries past this many.
constexpr std::size_t kPruneAbove = 10'000;

std::string JoinScope(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

void NoStore(ServerResponse& r) {
  r.headers.Add("Cache-Control", "no-store");
  r.headers.Add("Pragma", "no-cache");
}

}  // namespace

StatusOr<std::unique_ptr<IssuerService>> IssuerService::Create(const ServiceDecl& decl,
                                                               ServiceContext ctx) {
  std::unique_ptr<IssuerService> s(new IssuerService(decl, ctx));
  const nlohmann::json& c = decl.config;
  const std::string& name = decl.name;
  s->token_ttl_ = GetSeconds(c, "token_ttl", s->token_ttl_);
  s->refresh_ttl_ = GetSeconds(c, "refresh_ttl", s->refresh_ttl_);
  s->jwks_max_age_ = GetSeconds(c, "jwks_max_age", s->jwks_max_age_);
  // A duration may be 0s, which no token lifetime can be.
  if (s->token_ttl_.count() <= 0 || s->refresh_ttl_.count() <= 0) {
    return InvalidArgumentError("service `" + name +
                                "`: token_ttl and refresh_ttl must be positive");
  }
  // A client presents its secret in this form field (client_secret_post); a wrong one is
  // just as secret (a typo of the real one, or another service's), so the journal keeps none.
  // A Basic password needs nothing here: the journal keeps only the Authorization scheme.
  ctx.redactor->AddSecretField("client_secret");
  for (const auto& [id, v] : GetObject(c, "clients").items()) {
    IssuerClient client;
    client.id = id;
    client.secret = GetString(v, "secret", "");
    client.is_public = v.value("public", false);
    client.dpop_bound = v.value("dpop_bound_access_tokens", false);
    client.cert_bound = v.value("tls_client_certificate_bound_access_tokens", false);
    client.scopes = GetStrings(v, "scopes", {});
    client.roles = GetStrings(v, "roles", {});
    client.audience = GetString(v, "audience", s->audiences_.empty() ? "" : s->audiences_[0]);
    client.grants = GetStrings(v, "grants", {kGrants[0], kGrants[1]});
    // A public client has no secret (token_endpoint_auth_method none); any other has one.
    if (client.is_public != client.secret.empty()) {
      return InvalidArgumentError("service `" + name + "`: client `" + id + "` " +
                                  (client.is_public ? "is public and so has no secret"
                                                    : "needs a secret (or `public: true`)"));
    }
    if (!client.secret.empty()) ctx.redactor->AddSecret(client.secret);
    s->clients_.push_back(std::move(client));
  }
  RETURN_IF_ERROR(s->ReadDpopConfig(GetObject(c, "dpop")));
  if (c.contains("mtls")) {
    if (WantsTls(decl)) {
      return InvalidArgumentError("service `" + name +
                                  "`: `mtls:` brings its own TLS listener; drop `tls:`");
    }
    s->mtls_ = true;
    RETURN_IF_ERROR(s->SetUpMtls(GetObject(c, "mtls")));
  }
  ASSIGN_OR_RETURN(std::vector<KeySpec> specs, ParseKeySpecs(c, name));
  ASSIGN_OR_RETURN(s->keys_, KeyRing::Create(specs));
  return s;
}

IssuerService::IssuerService(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx),
      issuer_(GetString(decl.config, "issuer", "")),
      audiences_(GetStrings(decl.config, "audiences", {})),
      typ_(GetString(decl.config, "typ", "at+jwt")) {}

std::string IssuerService::BaseUrl() const {
  return ctx().service_url ? ctx().service_url(name()) : "";
}

std::string IssuerService::Issuer() const { return issuer_.empty() ? BaseUrl() : issuer_; }

jose::Jwks IssuerService::PublishedKeys() const { return keys_->Published(); }

std::optional<jose::Jwk> IssuerService::SigningKey(const std::string& kid) const {
  return keys_->Signing(kid);
}

const IssuerClient* IssuerService::FindClient(const std::string& id) const {
  for (const IssuerClient& c : clients_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

void IssuerService::AddRoutes(ServiceRouter& router) {
  auto discovery = [this](const ServerRequest& r) { return HandleDiscovery(r); };
  router.Add("GET", "/.well-known/openid-configuration", discovery);
  router.Add("GET", "/.well-known/oauth-authorization-server", discovery);
  router.Add("GET", "/jwks", [this](const ServerRequest& r) { return HandleJwks(r); });
  router.Add("*", "/authorize", [this](const ServerRequest& r) { return HandleAuthorize(r); });
  router.Add("*", "/token", [this](const ServerRequest& r) { return HandleToken(r); });
}

std::vector<TargetSetting> IssuerService::TargetSettings() const {
  std::string base = BaseUrl();
  std::vector<TargetSetting> out = {
      {"issuer", Issuer(), false, "the `iss` of the tokens your server issues"},
      {"token_url", base + "/token", false, "the URL of your token endpoint"},
      {"jwks_url", base + "/jwks", false, "the URL of your key set"},
      {"discovery_url", base + "/.well-known/openid-configuration", false,
       "the URL of your discovery document"},
      {"token_ttl", std::to_string(token_ttl_.count()) + "s", false,
       "the lifetime of an access token"},
      {"refresh_ttl", std::to_string(refresh_ttl_.count()) + "s", false,
       "the lifetime of a refresh token"},
  };
  if (!audiences_.empty()) {
    out.push_back({"audience", audiences_.front(), false, "the `aud` of the tokens it issues"});
  }
  // The first two clients (by id), so suites can test cross-client refresh tokens.
  const char* prefixes[] = {"", "second_"};
  for (std::size_t i = 0; i < clients_.size() && i < 2; ++i) {
    out.push_back({std::string(prefixes[i]) + "client_id", clients_[i].id, false,
                   i == 0 ? "a registered client's id" : "a second client's id"});
    out.push_back({std::string(prefixes[i]) + "client_secret", clients_[i].secret, true,
                   "that client's secret"});
  }
  for (const IssuerClient& c : clients_) {
    if (!c.is_public) continue;
    out.push_back({"public_client_id", c.id, false,
                   "a public client's id (no secret; its refresh tokens are DPoP-bound)"});
    break;
  }
  return out;
}

Status IssuerService::Control(const std::string& action, const nlohmann::json& args) {
  if (action == "restore") {
    Restore();
    return Status::Ok();
  }
  if (action == "rotate_keys" || action == "add_key" || action == "remove_key") {
    return keys_->Apply(action, args).WithContext("service `" + name() + "`");
  }
  return InvalidArgumentError("service `" + name() + "` (kind issuer) has no action `" + action +
                              "`; known actions: " + TermList(Vocabulary().actions));
}

void IssuerService::Restore() { keys_->Restore(); }

Handled IssuerService::HandleDiscovery(const ServerRequest&) const {
  std::string base = BaseUrl();
  std::set<std::string> scopes;
  for (const IssuerClient& c : clients_) scopes.insert(c.scopes.begin(), c.scopes.end());
  std::vector<std::string> algs;
  for (const jose::Jwk& k : keys_->Published().keys) {
    std::string a = jose::AlgName(k.alg());
    if (!Contains(algs, a)) algs.push_back(a);
  }
  nlohmann::json doc = {
      {"issuer", Issuer()},
      {"authorization_endpoint", base + "/authorize"},
      {"token_endpoint", base + "/token"},
      {"jwks_uri", base + "/jwks"},
      {"response_types_supported", {"code"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", algs},
      {"grant_types_supported", {kGrants[0], kGrants[1]}},
      {"token_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
      {"scopes_supported", scopes},
  };
  for (const IssuerClient& c : clients_) {
    if (!c.is_public) continue;
    doc["token_endpoint_auth_methods_supported"].push_back("none");
    break;
  }
  // RFC 9449 §5.1.
  doc["dpop_signing_alg_values_supported"] = nlohmann::json::array();
  for (jose::Alg a : dpop_algs_)
    doc["dpop_signing_alg_values_supported"].push_back(jose::AlgName(a));
  if (mtls_) {
    // RFC 8705 §3.3 and §5: the token endpoint itself takes client certificates.
    doc["tls_client_certificate_bound_access_tokens"] = true;
    doc["mtls_endpoint_aliases"] = {{"token_endpoint", base + "/token"}};
  }
  return {ServerResponse::Json(200, doc.dump()), "discovery"};
}

Handled IssuerService::HandleJwks(const ServerRequest& request) const {
  ServerResponse r = JwksResponse(keys_->Published().ToPublicJson().dump(), jwks_max_age_, request);
  return {std::move(r), r.status == 304 ? "jwks not modified" : "jwks"};
}

Handled IssuerService::HandleAuthorize(const ServerRequest&) const {
  nlohmann::json body = {{"error", "unsupported_response_type"},
                         {"error_description", "this issuer serves machine clients only"}};
  return {ServerResponse::Json(501, body.dump()), "authorize is not supported"};
}

// An RFC 6749 §5.2 error. Every 401 carries a Basic challenge: RFC 9110 §15.5.2 requires a
// WWW-Authenticate on any 401, whichever way the client sent its credentials.
Handled IssuerService::TokenError(int status, const std::string& error,
                                  const std::string& description, const std::string& realm,
                                  std::string note) {
  nlohmann::json body = {{"error", error}, {"error_description", description}};
  ServerResponse r = ServerResponse::Json(status, body.dump());
  if (status == 401) r.headers.Add("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
  NoStore(r);
  return {std::move(r), error + ": " + (note.empty() ? description : note)};
}

Handled IssuerService::HandleToken(const ServerRequest& request) {
  const std::string realm = Issuer();
  if (request.method != "POST") {
    Handled h = TokenError(405, "invalid_request", "the token endpoint takes POST", realm);
    h.response.headers.Add("Allow", "POST");
    return h;
  }
  auto content_type = request.headers.Get("Content-Type");
  if (!content_type || MediaType(*content_type) != "application/x-www-form-urlencoded") {
    return TokenError(400, "invalid_request", "the body must be application/x-www-form-urlencoded",
                      realm);
  }
  // Each parameter at most once (RFC 6749 §3.2); one sent without a value counts as omitted.
  StatusOr<FormFields> form = ParseForm(request.body);
  if (!form.ok()) {
    return TokenError(400, "invalid_request", "the body: " + form.status().message(), realm);
  }

  // Client authentication (RFC 6749 §2.3.1): Basic or the body, never both.
  std::vector<std::string> authz = request.headers.GetAll("Authorization");
  if (authz.size() > 1) {
    return TokenError(400, "invalid_request", "more than one Authorization header", realm);
  }
  std::string client_id, secret;
  if (!authz.empty()) {
    Authorization header = SplitAuthorization(authz[0]);
    if (!header.IsScheme("Basic")) {
      return TokenError(401, "invalid_client",
                        "client authentication must use HTTP Basic or the request body", realm,
                        "Authorization scheme `" + header.scheme + "`");
    }
    if (form->Has("client_secret")) {
      return TokenError(400, "invalid_request",
                        "the client authenticated with both HTTP Basic and client_secret", realm);
    }
    std::optional<tollgate::BasicCredentials> basic = DecodeBasic(header.credentials);
    std::optional<std::string> id, pw;
    if (basic) {
      // The id and secret are form-urlencoded before base64 (RFC 6749 §2.3.1).
      id = PercentDecode(basic->user, true);
      pw = PercentDecode(basic->password, true);
    }
    if (!id || !pw) {
      return TokenError(401, "invalid_client", "client authentication failed", realm,
                        "malformed Basic credentials");
    }
    if (form->Has("client_id") && form->Get("client_id") != *id) {
      return TokenError(400, "invalid_request",
                        "client_id in the body differs from the HTTP Basic client", realm);
    }
    client_id = std::move(*id);
    secret = std::move(*pw);
  } else {
    client_id = form->Get("client_id");
    secret = form->Get("client_secret");
    if (client_id.empty()) {
      return TokenError(401, "invalid_client", "client authentication failed", realm,
                        "no client credentials");
    }
  }
  const IssuerClient* client = FindClient(client_id);
  if (client && client->is_public) {
    // A public client identifies itself with client_id in the body and nothing else
    // (RFC 6749 §2.1, §3.2.1); a secret or Basic credentials mean a confused client.
    if (!authz.empty() || !secret.empty()) {
      return TokenError(401, "invalid_client", "client authentication failed", realm,
                        "credentials presented for public client `" + client_id + "`");
    }
  } else if (authz.empty() && secret.empty()) {
    return TokenError(401, "invalid_client", "client authentication failed", realm,
                      "no client credentials");
  } else if (!client ||
             (!ConstantTimeEquals(secret, client->secret) && !HasFault("accept_wrong_secret"))) {
    // Unknown client and wrong secret get the same answer, so ids cannot be enumerated.
    return TokenError(401, "invalid_client", "client authentication failed", realm,
                      client ? "wrong secret for `" + client_id + "`" : "unknown client");
  }

  std::string grant = form->Get("grant_type");
  if (grant.empty()) return TokenError(400, "invalid_request", "grant_type is missing", realm);
  if (grant != kGrants[0] && grant != kGrants[1]) {
    return TokenError(400, "unsupported_grant_type", "grant_type `" + grant + "` is not supported",
                      realm);
  }
  if (!Contains(client->grants, grant)) {
    return TokenError(400, "unauthorized_client",
                      "the client may not use grant_type `" + grant + "`", realm);
  }

  // Sender constraints (issuer_binding.cc).
  Binding binding;
  if (std::optional<Handled> refused = Bind(request, *client, &binding)) {
    return std::move(*refused);
  }
  return grant == kGrants[0] ? ClientCredentials(*client, *form, binding)
                             : Refresh(*client, *form, binding);
}

Handled IssuerService::ClientCredentials(const IssuerClient& client, const FormFields& form,
                                         const Binding& binding) {
  std::vector<std::string> granted = client.scopes;
  if (form.Has("scope")) {
    granted = jose::SplitScope(form.Get("scope"));
    for (const std::string& s : granted) {
      if (!Contains(client.scopes, s)) {
        return TokenError(400, "invalid_scope", "scope `" + s + "` is not granted to the client",
                          Issuer());
      }
    }
  }
  std::string scope = JoinScope(granted);
  std::lock_guard<std::mutex> lock(refresh_mu_);
  // RFC 9449 §5: a public client's refresh tokens are bound to the key of its proof.
  return Issue(client, scope, scope, RandomToken(16), binding, client.is_public ? binding.jkt : "");
}

namespace {

// The key ring's actions but `leave_out`, then `last`.
Terms KeyRingActionsAnd(const std::set<std::string>& leave_out, Term last) {
  Terms out;
  for (const Term& t : KeyRing::ActionTerms()) {
    if (!leave_out.count(t.name)) out.push_back(t);
  }
  out.push_back(std::move(last));
  return out;
}

}  // namespace

const KindTerms& IssuerService::Vocabulary() {
  using T = FieldType;
  static const KindTerms kTerms = {
      "issuer",
      /*actions=*/
      KeyRingActionsAnd({"same_kid_new_key"}, {"restore",
                                               "brings back the configured keys with their "
                                               "original material (refresh tokens kept)"}),
      /*faults=*/
      {{"accept_wrong_secret", "issues tokens to a registered client whatever secret it presents"},
       {"token_cacheable", "omits `Cache-Control: no-store` from successful token responses"},
       {"long_lived_tokens",
        "issues access tokens whose `exp` is 30 days out (`expires_in` unchanged)"},
       {"refresh_reuse_allowed",
        "accepts a used refresh token again (no single use, no family revocation)"},
       {"no_family_revocation",
        "refuses a reused refresh token but leaves its family's successors valid"},
       {"racy_refresh_rotation",
        "checks a refresh token, then marks it used after a 100 ms unlocked gap: concurrent "
        "copies all pass"},
       {"dpop_proof_not_verified",
        "issues a DPoP-bound token from a proof whose signature does not verify"},
       {"dpop_replay_allowed", "accepts a DPoP proof whose `jti` it accepted before"},
       {"dpop_nonce_not_checked",
        "with `dpop.nonce: required`, accepts proofs without its nonce or with a wrong one"},
       {"dpop_not_required",
        "issues a Bearer token to a `dpop_bound_access_tokens` client that sent no proof"},
       {"dpop_refresh_unbound",
        "accepts a public client's DPoP-bound refresh token with a proof by any key, or none"},
       {"cert_binding_not_required",
        "issues an unbound token to a `tls_client_certificate_bound_access_tokens` client "
        "that presented no certificate"}},
      /*keys=*/
      {SigningKeysField(), Key("issuer", T::kString, "the `iss` of its tokens (default: its URL)"),
       Key("audiences", T::kStringList, "the audiences it knows; the first is the default"),
       Key("clients", T::kObjectMap, "the registered clients, by client id")
           .Of({Key("secret", T::kString, "its secret (redacted); required unless public"),
                Key("public", T::kBool,
                    "a public client: no secret, client_id in the body (auth method `none`); "
                    "its refresh tokens are bound to its DPoP key"),
                Key("dpop_bound_access_tokens", T::kBool,
                    "refuse its token requests without a DPoP proof (RFC 9449 §5.2)"),
                Key("tls_client_certificate_bound_access_tokens", T::kBool,
                    "refuse its token requests without a client certificate (needs `mtls`; "
                    "RFC 8705 §3.4)"),
                Key("scopes", T::kStringList, "the scopes it may be granted"),
                Key("roles", T::kStringList, "the roles its tokens carry"),
                Key("audience", T::kString,
                    "the `aud` of its tokens (default: the first audience)"),
                Key("grants", T::kStringList, "the grants it may use (default: both)")
                    .OneOf({kGrants[0], kGrants[1]})}),
       Key("token_ttl", T::kDuration, "access-token lifetime (default 1h)"),
       Key("refresh_ttl", T::kDuration, "refresh-token lifetime (default 24h)"),
       Key("typ", T::kString, "the `typ` header of its access tokens (default `at+jwt`)"),
       Key("jwks_max_age", T::kDuration, "the max-age its JWKS is served with (default 5m)"),
       Key("dpop", T::kObject, "DPoP proofs at the token endpoint (RFC 9449 §5)")
           .Of({Key("algorithms", T::kStringList,
                    "proof algorithms it accepts and advertises in "
                    "`dpop_signing_alg_values_supported` (default ES256, ES384, EdDSA, RS256, "
                    "PS256)")
                    .OneOf(PublicKeyAlgNames())
                    .Refusing(RefusedPublicKeyAlgs()),
                Key("nonce", T::kString,
                    "`required`: answer `use_dpop_nonce` with a DPoP-Nonce until a proof "
                    "carries it (RFC 9449 §8); default `none`")
                    .OneOf({"none", "required"}),
                Key("nonce_lifetime", T::kDuration,
                    "how long a nonce is current; the previous one is accepted one period "
                    "more (default 5m)"),
                Key("iat_skew", T::kDuration,
                    "how far a proof's `iat` may be from now, either side (default 60s)")}),
       Key("mtls", T::kObject,
           "serve HTTPS that asks for (without requiring) a client certificate, and bind "
           "tokens to it (RFC 8705 §3); instead of `tls:`")
           .Of({Key("identity", T::kString, "PKI identity to serve (default `server`)"),
                Key("client_identity", T::kString,
                    "PKI identity whose anchors verify client certificates (default `client`)"),
                Key("min_version", T::kString, "lowest TLS version (default 1.2)")
                    .OneOf(TlsVersionNames())})}};
  return kTerms;
}

Handled IssuerService::Refresh(const IssuerClient& client, const FormFields& form,
                               const Binding& binding) {
  const std::string realm = Issuer();
  std::string token = form.Get("refresh_token");
  if (token.empty()) return TokenError(400, "invalid_request", "refresh_token is missing", realm);
  const std::string invalid =
      "the refresh token is invalid, expired, revoked, or was issued to another client";
  std::unique_lock<std::mutex> lock(refresh_mu_);
  auto it = refresh_.find(Sha256Hex(token));
  if (it == refresh_.end())
    return TokenError(400, "invalid_grant", invalid, realm, "unknown refresh token");
  RefreshRecord& rec = it->second;
  if (rec.client_id != client.id) {
    return TokenError(400, "invalid_grant", invalid, realm,
                      "refresh token of `" + rec.client_id + "` presented by `" + client.id + "`");
  }
  // RFC 9449 §5: the binding is checked before anything else about the token, so whoever
  // lacks the key neither uses it nor, by replaying it, revokes its family.
  if (!rec.jkt.empty() && !HasFault("dpop_refresh_unbound")) {
    if (binding.jkt.empty()) {
      return TokenError(400, "invalid_dpop_proof",
                        "the refresh token is DPoP-bound: send a proof by its key", realm,
                        "DPoP-bound refresh token without a proof");
    }
    if (binding.jkt != rec.jkt) {
      return TokenError(400, "invalid_grant", invalid, realm,
                        "DPoP-bound refresh token with a proof by another key");
    }
  }
  if (revoked_families_.count(rec.family)) {
    return TokenError(400, "invalid_grant", invalid, realm, "refresh token family revoked");
  }
  if (rec.used && !HasFault("refresh_reuse_allowed")) {
    // RFC 9700 §4.14.2: a used token coming back means one copy was stolen; which copy is
    // the attacker's is unknown, so the whole family goes.
    if (HasFault("no_family_revocation")) {
      return TokenError(400, "invalid_grant", invalid, realm, "refresh token reused");
    }
    revoked_families_.insert(rec.family);
    return TokenError(400, "invalid_grant", invalid, realm, "refresh token reused: family revoked");
  }
  if (ctx().clock->NowSeconds() >= rec.expires_at) {
    return TokenError(400, "invalid_grant", invalid, realm, "refresh token expired");
  }
  std::vector<std::string> original = jose::SplitScope(rec.scope);
  std::vector<std::string> granted = original;
  if (form.Has("scope")) {
    granted = jose::SplitScope(form.Get("scope"));
    for (const std::string& s : granted) {
      if (!Contains(original, s)) {
        return TokenError(400, "invalid_scope",
                          "scope `" + s + "` exceeds the scope originally granted", realm);
      }
    }
  }
  if (HasFault("racy_refresh_rotation")) {
    // Checked, then marked used after an unlocked gap: every concurrent copy passes the
    // check before the first marks it. Records are never erased, so `rec` stays valid.
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lock.lock();
  }
  rec.used = true;
  // The new refresh token keeps the original scope (RFC 6749 §6).
  std::string family = rec.family, rt_scope = rec.scope;
  // A bound family stays bound to its key; an unbound one of a public client becomes bound
  // once the client proves a key.
  std::string rt_jkt = !rec.jkt.empty() ? rec.jkt : client.is_public ? binding.jkt : "";
  return Issue(client, JoinScope(granted), rt_scope, family, binding, rt_jkt);
}

// Requires refresh_mu_: issuing and recording the refresh token is one step, so a
// concurrent reuse can never see a family half-made.
Handled IssuerService::Issue(const IssuerClient& client, const std::string& scope,
                             const std::string& rt_scope, const std::string& family,
                             const Binding& binding, const std::string& rt_jkt) {
  std::optional<jose::Jwk> key = keys_->Signing("");
  if (!key) {
    return TokenError(500, "server_error", "the issuer has no signing key", Issuer(),
                      "every key was removed");
  }
  std::int64_t now = ctx().clock->NowSeconds();
  nlohmann::json claims = {
      {"iss", Issuer()},
      {"sub", client.id},
      {"client_id", client.id},
      {"iat", now},
      {"exp", now + (HasFault("long_lived_tokens") ? 86400 * 30 : token_ttl_.count())},
      {"jti", RandomToken(16)},
      {"roles", client.roles},
  };
  if (!client.audience.empty()) claims["aud"] = client.audience;
  if (!scope.empty()) claims["scope"] = scope;
  // RFC 9449 §6.1 and RFC 8705 §3.1: the key and the certificate the token is bound to.
  if (!binding.jkt.empty()) claims["cnf"]["jkt"] = binding.jkt;
  if (!binding.x5t_s256.empty()) claims["cnf"]["x5t#S256"] = binding.x5t_s256;
  StatusOr<std::string> jwt = jose::Sign(*key, {{"typ", typ_}}, claims.dump());
  if (!jwt.ok()) {
    return TokenError(500, "server_error", "signing failed", Issuer(), jwt.status().ToString());
  }
  // RFC 9449 §5: a DPoP-bound token says so; a certificate-bound one stays Bearer (RFC 8705
  // §3: the binding is checked by the resource server's TLS layer).
  nlohmann::json body = {{"access_token", *jwt},
                         {"token_type", binding.jkt.empty() ? "Bearer" : "DPoP"},
                         {"expires_in", token_ttl_.count()}};
  if (!scope.empty()) body["scope"] = scope;
  std::string note = "issued to " + client.id;
  if (!binding.jkt.empty()) note += ", DPoP-bound";
  if (!binding.x5t_s256.empty()) note += ", certificate-bound";
  if (Contains(client.grants, kGrants[1])) {
    std::string rt = RandomToken(32);
    if (refresh_.size() > kPruneAbove) {
      std::erase_if(refresh_, [&](const auto& e) { return e.second.expires_at <= now; });
    }
    refresh_[Sha256Hex(rt)] = {client.id, family, rt_scope, now + refresh_ttl_.count(),
                               false,     rt_jkt};
    body["refresh_token"] = rt;
    note += rt_jkt.empty() ? " with a refresh token" : " with a DPoP-bound refresh token";
  }
  ServerResponse r = ServerResponse::Json(200, body.dump());
  if (!HasFault("token_cacheable")) NoStore(r);
  // RFC 9449 §8.2: the nonce for the next request.
  if (dpop_nonce_required_ && !binding.jkt.empty()) r.headers.Add("DPoP-Nonce", DpopNonce());
  return {std::move(r), note};
}

}  // namespace tollgate::mocks
