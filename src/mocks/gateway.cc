#include "mocks/gateway.h"

#include <algorithm>

#include "mocks/config.h"
#include "mocks/fault_verifier.h"
#include "mocks/issuer.h"
#include "mocks/key_ring.h"
#include "tollgate/crypto/scope.h"
#include "tollgate/http/authorization.h"
#include "tollgate/http/form.h"

namespace tollgate::mocks {
namespace {

std::vector<std::string> Strings(const nlohmann::json& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& e : v) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
  }
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<Gateway>> Gateway::Create(const ServiceDecl& decl, ServiceContext ctx) {
  std::unique_ptr<Gateway> g(new Gateway(decl, ctx));
  const nlohmann::json& c = decl.config;
  const std::string& name = decl.name;
  auto bad = [&](const std::string& what) {
    return InvalidArgumentError("service `" + name + "` (kind gateway): " + what);
  };
  // The loader has checked the schema (Vocabulary().keys): `trust` is there, `issuer`
  // names an issuer above, `unassigned_status` and `algorithms` hold allowed values. What
  // is left are the shapes of paths and names.
  const nlohmann::json& trust = GetObject(c, "trust");
  g->trust_issuer_ = GetString(trust, "issuer", "");
  g->audience_ = GetString(trust, "audience", "");
  if (g->audience_.empty()) return bad("`trust.audience` must not be empty");

  g->path_ = GetString(c, "path", "/api/messages");
  while (g->path_.size() > 1 && g->path_.back() == '/') g->path_.pop_back();
  if (g->path_.empty() || g->path_.front() != '/') return bad("`path` must start with /");

  nlohmann::json types = {{"payment", {{"required", {"messageId", "amount"}}}},
                          {"statement", {{"required", {"messageId", "accountId"}}}}};
  if (auto it = c.find("message_types"); it != c.end()) {
    if (it->empty()) return bad("`message_types` must be a non-empty mapping");
    types = *it;
  }
  for (const auto& [type, spec] : types.items()) {
    if (type.empty() || type.find('/') != std::string::npos) {
      return bad("message type `" + type + "` must be one path segment");
    }
    g->types_.push_back({type, GetStrings(spec, "required", {})});
  }

  g->unassigned_status_ = static_cast<int>(ArgInt(c, "unassigned_status").value_or(403));
  if (c.contains("algorithms")) {
    g->algorithms_.clear();
    for (const std::string& a : GetStrings(c, "algorithms", {})) {
      if (std::optional<jose::Alg> alg = jose::AlgFromName(a)) g->algorithms_.push_back(*alg);
    }
    if (g->algorithms_.empty()) return bad("`algorithms` must list at least one algorithm");
  }
  g->leeway_ = GetSeconds(c, "leeway", g->leeway_);
  g->refetch_cooldown_ = GetSeconds(c, "refetch_cooldown", g->refetch_cooldown_);
  if (c.contains("typ")) {
    std::string typ = GetString(c, "typ", "");
    g->typ_ = typ.empty() ? std::nullopt : std::optional<std::string>(typ);
  }
  for (const auto& [path, scope] : GetObject(c, "scoped_paths").items()) {
    std::string needed = scope.get<std::string>();
    if (path.empty() || path.front() != '/' || needed.empty()) {
      return bad("scoped path `" + path + "` needs a path starting with / and a scope");
    }
    g->scoped_paths_.emplace_back(path, needed);
  }
  return g;
}

Gateway::Gateway(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx), realm_(GetString(decl.config, "realm", "gateway")) {}

const KindTerms& Gateway::Vocabulary() {
  using T = FieldType;
  static const KindTerms kTerms = {
      "gateway",
      /*actions=*/{},
      /*faults=*/
      WithVerifierFaults(
          {{"ignore_audience",
            "accepts a token whose `aud` is not the configured audience, or has none"},
           {"ignore_issuer",
            "accepts a token whose `iss` is not the trusted issuer's, or has none"},
           {"ignore_typ", "accepts a token whose `typ` header is wrong or missing"},
           {"no_role_check",
            "lets any authenticated client post any message type, whatever its `roles`"},
           {"validate_body_before_auth",
            "checks the message body (400/415) before authenticating the token"},
           {"no_jwks_refetch",
            "never refetches the JWKS on an unknown kid: a rotated-in key fails until max-age"},
           {"no_scope_check", "serves scoped paths to any valid token, whatever its `scope`"},
           {"omit_bearer_challenge", "answers 401 without a `WWW-Authenticate: Bearer` challenge"},
           {"lowercase_scheme_rejected",
            "refuses the Authorization scheme unless spelt exactly `Bearer`"}}),
      /*keys=*/
      {Key("trust", T::kObject, "whose tokens it accepts")
           .Required()
           .Of({Key("issuer", T::kServiceRef,
                    "an `issuer` service declared above it; its JWKS verifies the tokens")
                    .Required()
                    .OneOf({"issuer"}),
                Key("audience", T::kString, "the `aud` its tokens must have").Required()}),
       Key("path", T::kString,
           "where messages are posted, `<path>/<type>` (default "
           "`/api/messages`)"),
       Key("message_types", T::kObjectMap,
           "the message types it takes (default `payment` and `statement`)")
           .Of({Key("required", T::kStringList, "the body fields a message must have").Required()}),
       Key("unassigned_status", T::kInt,
           "the status for a client posting a type its `roles` do not hold (default 403)")
           .OneOf({"401", "403"}),
       // A gateway verifies against its issuer's JWKS: public keys only, so no HS256.
       Key("algorithms", T::kStringList,
           "the signature algorithms it accepts (default RS256, ES256)")
           .OneOf(PublicKeyAlgNames())
           .Refusing(RefusedPublicKeyAlgs()),
       Key("leeway", T::kDuration, "clock skew allowed on `exp` and `nbf` (default 60s)"),
       Key("typ", T::kString,
           "the `typ` header its tokens must have (default `at+jwt`; empty: any)"),
       Key("scoped_paths", T::kStringMap, "path -> the scope a token needs to post there"),
       Key("refetch_cooldown", T::kDuration,
           "least time between two JWKS fetches for an unknown kid (default 30s)"),
       Key("realm", T::kString, "the realm of its Bearer challenge (default `gateway`)")}};
  return kTerms;
}

RemoteJwks& Gateway::Remote() {
  std::call_once(remote_once_, [this] {
    RemoteJwksOptions options;
    options.refetch_cooldown = refetch_cooldown_;
    options.refetch_on_unknown_kid = !HasFault("no_jwks_refetch");
    std::string issuer = trust_issuer_;
    auto url = ctx().service_url;
    remote_ = std::make_unique<RemoteJwks>(
        [url, issuer] { return url ? url(issuer) : std::string(); }, ctx().clock, options);
  });
  return *remote_;
}

int Gateway::jwks_fetches() { return Remote().jwks_fetches(); }

const Gateway::MessageType* Gateway::FindType(const std::string& name) const {
  for (const MessageType& t : types_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

void Gateway::AddRoutes(ServiceRouter& router) {
  router.AddPrefix("*", path_ + "/", [this](const ServerRequest& r) { return HandleMessage(r); });
  for (const auto& [path, scope] : scoped_paths_) {
    router.Add("*", path, [this](const ServerRequest& r) { return HandleScoped(r); });
  }
}

std::vector<TargetSetting> Gateway::TargetSettings() const {
  std::string issuer_url = ctx().service_url ? ctx().service_url(trust_issuer_) : "";
  std::vector<TargetSetting> out = {
      {"token_url", issuer_url + "/token", false,
       "the token endpoint of the authorisation server your API trusts"},
      {"issuer", trust_issuer_, false, "the `iss` your API accepts"},
      {"audience", audience_, false, "the `aud` your API requires in access tokens"},
      {"message_path", path_, false, "the path messages are posted to"},
      {"unassigned_status", std::to_string(unassigned_status_), false,
       "the status for a message type the client is not entitled to: 401 or 403"},
      {"leeway", std::to_string(leeway_.count()) + "s", false,
       "the clock skew your API allows on exp and nbf"},
      {"realm", realm_, false, "the realm of your API's WWW-Authenticate challenge"},
      // What the real-time (`slow`) variants wait for (see the sage-connector's settings).
      {"jwks_cache_ttl", std::to_string(RemoteJwksOptions{}.default_max_age.count()) + "s", false,
       "how long your API keeps a fetched key set when its host names no max-age"},
      {"jwks_refetch_cooldown", std::to_string(refetch_cooldown_.count()) + "s", false,
       "the least time between two key-set refetches for unknown kids"},
  };
  // The assigned and unassigned types follow the issuer's first client with roles, so a
  // token it fetches really is (not) entitled to them.
  const IssuerService* idp = nullptr;
  if (ctx().service) idp = dynamic_cast<const IssuerService*>(ctx().service(trust_issuer_));
  const IssuerClient* client = nullptr;
  if (idp) {
    for (const IssuerClient& c : idp->clients()) {
      if (!c.roles.empty()) {
        client = &c;
        break;
      }
    }
  }
  const MessageType* assigned = nullptr;
  const MessageType* unassigned = nullptr;
  for (const MessageType& t : types_) {
    bool has = client ? Contains(client->roles, t.name) : assigned == nullptr;
    if (has && !assigned) assigned = &t;
    if (!has && !unassigned) unassigned = &t;
  }
  if (client) {
    out.push_back({"client_id", client->id, false,
                   "a client of the authorisation server entitled to some message types"});
    out.push_back({"client_secret", client->secret, true, "that client's secret"});
  }
  if (assigned) {
    out.push_back(
        {"assigned_type", assigned->name, false, "a message type that client is entitled to"});
    std::string fields;
    for (const std::string& f : assigned->required) fields += (fields.empty() ? "" : ",") + f;
    out.push_back(
        {"assigned_required", fields, false, "the fields that type requires, comma-separated"});
  }
  // When the client holds every configured type, an unconfigured name is unassigned too.
  out.push_back({"unassigned_type", unassigned ? unassigned->name : "unassigned-type", false,
                 "a message type that client is not entitled to"});
  if (!scoped_paths_.empty()) {
    out.push_back({"scoped_path", scoped_paths_.front().first, false, "a path that needs a scope"});
    out.push_back({"scope", scoped_paths_.front().second, false, "the scope that path needs"});
  }
  return out;
}

Handled Gateway::Unauthorized(const std::string& error, const std::string& description,
                              const std::string& note) const {
  nlohmann::json body = {{"error", error.empty() ? "unauthorized" : error}};
  if (!description.empty()) body["error_description"] = description;
  ServerResponse r = ServerResponse::Json(401, body.dump());
  if (!HasFault("omit_bearer_challenge")) {
    std::string challenge = "Bearer realm=\"" + realm_ + "\"";
    // RFC 6750 §3: no error attribute when the request carried no token at all.
    if (!error.empty()) challenge += ", error=\"" + error + "\"";
    if (!description.empty()) challenge += ", error_description=\"" + description + "\"";
    r.headers.Add("WWW-Authenticate", challenge);
  }
  return {std::move(r), note};
}

Gateway::Authn Gateway::Authenticate(const ServerRequest& request) {
  std::vector<std::string> headers = request.headers.GetAll("Authorization");
  if (headers.size() > 1) {
    nlohmann::json body = {{"error", "invalid_request"},
                           {"error_description", "more than one Authorization header"}};
    ServerResponse r = ServerResponse::Json(400, body.dump());
    r.headers.Add("WWW-Authenticate", "Bearer realm=\"" + realm_ + "\", error=\"invalid_request\"");
    return {std::nullopt, {std::move(r), "two Authorization headers"}};
  }
  if (headers.empty()) {
    // A token only in the query (RFC 6750 §2.3) is not supported: no credentials.
    return {std::nullopt, Unauthorized("", "", "no Authorization header")};
  }
  Authorization authz = SplitAuthorization(headers[0]);
  bool bearer =
      HasFault("lowercase_scheme_rejected") ? authz.scheme == "Bearer" : authz.IsScheme("Bearer");
  if (!bearer) {
    return {std::nullopt, Unauthorized("", "", "scheme `" + authz.scheme + "` is not Bearer")};
  }
  if (FormNames(request.query, "access_token")) {
    // RFC 6750 §2: one method per request.
    nlohmann::json body = {{"error", "invalid_request"},
                           {"error_description", "token sent in the header and the query"}};
    ServerResponse r = ServerResponse::Json(400, body.dump());
    r.headers.Add("WWW-Authenticate", "Bearer realm=\"" + realm_ + "\", error=\"invalid_request\"");
    return {std::nullopt, {std::move(r), "token in header and query"}};
  }
  const std::string& token = authz.credentials;
  VerifierFaults faults =
      EnabledVerifierFaults([this](const std::string& name) { return HasFault(name); });
  if (!faults.RelaxesTokenSyntax() && !IsB64Token(token)) {
    return {std::nullopt, Unauthorized("invalid_token", "malformed", "not a b64token")};
  }

  std::string kid;
  if (auto parts = jose::ParseCompact(token); parts.ok()) {
    if (auto it = parts->header.find("kid"); it != parts->header.end() && it->is_string()) {
      kid = it->get<std::string>();
    }
  }
  StatusOr<TrustedKeys> trusted = Remote().Get(kid);
  if (!trusted.ok()) {
    return {std::nullopt, Unauthorized("invalid_token", "keys_unavailable",
                                       "fail closed: " + trusted.status().message())};
  }
  jose::ValidationPolicy policy;
  if (!HasFault("ignore_issuer")) policy.issuers = {trusted->issuer};
  if (!HasFault("ignore_audience")) policy.audiences = {audience_};
  policy.algorithms = algorithms_;
  if (!HasFault("ignore_typ")) policy.typ = typ_;
  policy.leeway_seconds = leeway_.count();
  jose::VerifyResult result = VerifyWithFaults(token, trusted->keys, policy, *ctx().clock, faults);
  if (!result.ok) {
    return {std::nullopt, Unauthorized("invalid_token", result.rejection.code,
                                       result.rejection.code + ": " + result.rejection.message)};
  }
  return {result.ok->claims, {}};
}

std::optional<Handled> Gateway::CheckBody(const ServerRequest& request,
                                          const MessageType& type) const {
  if (auto ct = request.headers.Get("Content-Type")) {
    std::string media = MediaType(*ct);
    if (media != "application/json" && !media.ends_with("+json")) {
      return Handled{ServerResponse::Json(415, R"({"error":"unsupported_media_type"})"),
                     "Content-Type " + *ct};
    }
  }
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return Handled{
        ServerResponse::Json(
            400,
            R"({"error":"invalid_request","error_description":"the body must be a JSON object"})"),
        "body is not a JSON object"};
  }
  std::vector<std::string> missing;
  for (const std::string& field : type.required) {
    auto it = body.find(field);
    bool ok = it != body.end() &&
              ((it->is_string() && !it->get_ref<const std::string&>().empty()) || it->is_number());
    if (!ok) missing.push_back(field);
  }
  if (missing.empty()) return std::nullopt;
  nlohmann::json out = {{"error", "invalid_request"}, {"missing", missing}};
  std::string note = "missing";
  for (const std::string& m : missing) note += " " + m;
  return Handled{ServerResponse::Json(400, out.dump()), note};
}

Handled Gateway::HandleMessage(const ServerRequest& request) {
  if (request.method != "POST") {
    ServerResponse r = ServerResponse::Json(405, R"({"error":"method_not_allowed"})");
    r.headers.Add("Allow", "POST");
    return {std::move(r), "method not allowed"};
  }
  std::string type_name = request.path.substr(std::min(request.path.size(), path_.size() + 1));
  if (type_name.empty() || type_name.find('/') != std::string::npos) {
    return {ServerResponse::Json(404, R"({"error":"not_found"})"), "no message type in path"};
  }
  const MessageType* type = FindType(type_name);
  bool body_first = HasFault("validate_body_before_auth");
  if (body_first && type) {
    if (auto refused = CheckBody(request, *type)) return *refused;
  }
  Authn authn = Authenticate(request);
  if (!authn.claims) return authn.refusal;
  std::vector<std::string> roles;
  if (auto it = authn.claims->find("roles"); it != authn.claims->end()) roles = Strings(*it);
  if (!HasFault("no_role_check") && (!type || !Contains(roles, type_name))) {
    std::string note = "message type `" + type_name + "` not assigned to the client";
    if (unassigned_status_ == 401) {
      // The guide's other reading: still a challenge (every 401 has one), naming the cause.
      return Unauthorized("insufficient_scope", "", note);
    }
    return {ServerResponse::Json(403, R"({"error":"forbidden"})"), note};
  }
  if (!type) {
    return {ServerResponse::Json(404, R"({"error":"unknown_message_type"})"),
            "unknown message type `" + type_name + "`"};
  }
  if (!body_first) {
    if (auto refused = CheckBody(request, *type)) return *refused;
  }
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  nlohmann::json out = {{"accepted", body.is_object() && body.contains("messageId")
                                         ? body["messageId"]
                                         : nlohmann::json(true)}};
  return {ServerResponse::Json(200, out.dump()), "accepted " + type_name};
}

Handled Gateway::HandleScoped(const ServerRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    ServerResponse r = ServerResponse::Json(405, R"({"error":"method_not_allowed"})");
    r.headers.Add("Allow", "GET, HEAD");
    return {std::move(r), "method not allowed"};
  }
  std::string scope;
  for (const auto& [path, s] : scoped_paths_) {
    if (path == request.path) scope = s;
  }
  Authn authn = Authenticate(request);
  if (!authn.claims) return authn.refusal;
  if (!HasFault("no_scope_check") && !jose::HasScope(*authn.claims, scope)) {
    ServerResponse r = ServerResponse::Json(403, R"({"error":"insufficient_scope"})");
    r.headers.Add(
        "WWW-Authenticate",
        "Bearer realm=\"" + realm_ + "\", error=\"insufficient_scope\", scope=\"" + scope + "\"");
    return {std::move(r), "token lacks scope " + scope};
  }
  return {ServerResponse::Json(200, R"({"ok":true})"), "scope " + scope};
}

}  // namespace tollgate::mocks
