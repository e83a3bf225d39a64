// Kind `connectpay`, two-host mode: the token endpoint (client credentials, scopes per
// person+app pair, bound to the registered certificate) and the Bearer data APIs.

#include <nlohmann/json.hpp>

#include "mocks/connectpay.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/scope.h"
#include "tollgate/http/authorization.h"
#include "tollgate/http/form.h"

namespace tollgate::mocks {
namespace {

std::string JoinScopes(const std::set<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

Handled OAuthError(int status, const std::string& error, const std::string& note) {
  nlohmann::json body = {{"error", error}};
  ServerResponse r = ServerResponse::Json(status, body.dump());
  r.headers.Add("Cache-Control", "no-store");
  return {std::move(r), note};
}

}  // namespace

Handled ConnectPay::HandleToken(const ServerRequest& request) const {
  std::string client = BasicClient(request);
  if (client.empty()) {
    Handled h = OAuthError(401, "invalid_client", "client authentication failed");
    h.response.headers.Add("WWW-Authenticate", "Basic realm=\"" + realm_ + "\"");
    return h;
  }
  const Client& reg = registry_.at(client);
  std::string presented = request.client_cert ? request.client_cert->sha256_fingerprint : "";
  if (!HasFault("skip_registered_check") &&
      (reg.registered_sha256.empty() || presented != reg.registered_sha256)) {
    return OAuthError(401, "invalid_client",
                      "the certificate is not the one registered for " + client);
  }
  StatusOr<FormFields> parsed = ParseForm(request.body);
  if (!parsed.ok())
    return OAuthError(400, "invalid_request", "the body: " + parsed.status().message());
  std::map<std::string, std::string>& form = parsed->values;
  if (form["grant_type"] != "client_credentials") {
    return OAuthError(400, "unsupported_grant_type", "grant_type is not client_credentials");
  }
  const std::string& person = form["person"];
  auto allowed_it = reg.persons.find(person);
  if (allowed_it == reg.persons.end()) {
    return OAuthError(400, "invalid_request", "unknown person `" + person + "` for " + client);
  }
  std::set<std::string> allowed = allowed_it->second;
  if (HasFault("person_scopes_merged")) {
    for (const auto& [other, scopes] : reg.persons) allowed.insert(scopes.begin(), scopes.end());
  }
  std::vector<std::string> asked = jose::SplitScope(form["scope"]);
  std::set<std::string> requested(asked.begin(), asked.end());
  if (requested.empty()) requested = allowed;
  for (const std::string& s : requested) {
    if (!allowed.count(s)) {
      return OAuthError(400, "invalid_scope",
                        "scope `" + s + "` is not granted to " + client + " for " + person);
    }
  }
  Token grant{client, person, presented, requested, ctx().clock->NowSeconds() + token_ttl_seconds_};
  std::string token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Derived from the client secret and a counter: unguessable without the secret, and
    // no random device is read.
    token = Base64UrlEncode(Sha256(clients_.at(client) + "|" + std::to_string(++issued_) + "|" +
                                   std::to_string(grant.expires_at)));
    tokens_[token] = grant;
  }
  ctx().redactor->AddSecret(token);
  nlohmann::json body = {{"access_token", token},
                         {"token_type", "Bearer"},
                         {"expires_in", token_ttl_seconds_},
                         {"scope", JoinScopes(requested)}};
  ServerResponse r = ServerResponse::Json(200, body.dump());
  r.headers.Add("Cache-Control", "no-store");
  return {std::move(r), "token for " + client + "/" + person + ": " + JoinScopes(requested)};
}

Handled ConnectPay::HandleData(const ServerRequest& request, const std::string& scope,
                               bool two_way) const {
  Authorization authz = SplitAuthorization(request.headers.Get("Authorization").value_or(""));
  if (!authz.IsScheme("Bearer") || authz.credentials.empty()) {
    return HandleBearerOnly(request);  // no token, or Basic: refused with a Bearer challenge
  }
  const std::string& token = authz.credentials;
  std::optional<Token> grant;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = tokens_.find(token); it != tokens_.end()) grant = it->second;
  }
  if (!grant || grant->expires_at <= ctx().clock->NowSeconds()) {
    Handled h = Unauthorized("Bearer", grant ? "expired token" : "unknown token", "invalid_token");
    return h;
  }
  if (two_way && !HasFault("token_without_certificate_binding")) {
    std::string presented = request.client_cert ? request.client_cert->sha256_fingerprint : "";
    if (presented != grant->cert_sha256) {
      return Unauthorized("Bearer", "token bound to another certificate", "invalid_token");
    }
  }
  if (!scope.empty() && !grant->scopes.count(scope) && !HasFault("no_scope_check")) {
    ServerResponse r = ServerResponse::Json(403, R"({"error":"insufficient_scope"})");
    r.headers.Add(
        "WWW-Authenticate",
        "Bearer realm=\"" + realm_ + "\", error=\"insufficient_scope\", scope=\"" + scope + "\"");
    return {std::move(r), "token lacks scope " + scope};
  }
  nlohmann::json body = {{"person", grant->person}, {"client", grant->client}, {"data", {}}};
  return {ServerResponse::Json(200, body.dump()),
          "served " + request.path + " to " + grant->client + "/" + grant->person};
}

}  // namespace tollgate::mocks
