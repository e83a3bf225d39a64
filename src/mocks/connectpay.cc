#include "mocks/connectpay.h"

#include <stdexcept>

#include "mocks/config.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/http/authorization.h"

namespace tollgate::mocks {
namespace {

// The credentials of a Basic header, or why there are none.
struct PresentedBasic {
  bool present = false;    // an Authorization header with the Basic scheme
  bool malformed = false;  // present but not base64(key:secret) with a non-empty key
  std::string key, secret;
  std::string scheme;  // as sent
};

PresentedBasic ParseBasic(const ServerRequest& request) {
  PresentedBasic c;
  auto header = request.headers.Get("Authorization");
  if (!header) return c;
  Authorization authz = SplitAuthorization(*header);
  c.scheme = authz.scheme;
  if (!authz.IsScheme("Basic")) return c;
  c.present = true;
  std::optional<tollgate::BasicCredentials> basic = DecodeBasic(authz.credentials);
  if (!basic) {
    c.malformed = true;
    return c;
  }
  c.key = basic->user;
  c.secret = basic->password;
  return c;
}

std::vector<std::string> ConventionNames() {
  std::vector<std::string> out;
  for (const ForwardedCertConvention& c : ForwardedCertConventions()) out.push_back(c.name);
  return out;
}

}  // namespace

ConnectPay::ConnectPay(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx),
      realm_(GetString(decl.config, "realm", "connectpay")),
      basic_paths_(GetStrings(decl.config, "basic_paths", {"/v1/generic/status"})),
      bearer_paths_(GetStrings(decl.config, "bearer_paths", {"/v1/accounts"})),
      callback_paths_(GetStrings(decl.config, "callback_paths", {"/v1/callbacks/payment"})),
      token_path_(GetString(decl.config, "token_path", "/v1/oauth/token")),
      certificates_path_(GetString(decl.config, "certificates_path", "/v1/certificates")),
      max_bundle_bytes_(static_cast<std::size_t>(GetInt(decl.config, "max_bundle_bytes", 16384))),
      token_ttl_seconds_(GetInt(decl.config, "token_ttl_seconds", 600)),
      server_identity_(GetString(decl.config, "server_identity", "")),
      client_identity_(GetString(decl.config, "client_identity", "partner")) {
  for (const auto& [key, client] : GetObject(decl.config, "clients").items()) {
    std::string secret = GetString(client, "secret", "");
    clients_[key] = secret;
    ctx.redactor->AddSecret(secret);
    Client& reg = registry_[key];
    reg.registered = GetString(client, "registered", "");
    for (const auto& [person, scopes] : GetObject(client, "persons").items()) {
      std::string list = scopes.get<std::string>();
      std::set<std::string>& allowed = reg.persons[person];
      std::size_t pos = 0;
      while (pos < list.size()) {
        std::size_t end = list.find(' ', pos);
        if (end == std::string::npos) end = list.size();
        if (end > pos) allowed.insert(list.substr(pos, end - pos));
        pos = end + 1;
      }
    }
  }
  // Bearer paths without a scope, then data APIs with one.
  for (const std::string& p : bearer_paths_) data_scopes_[p] = "";
  for (const auto& [path, scope] : GetObject(decl.config, "data_apis").items()) {
    data_scopes_[path] = scope.get<std::string>();
  }
}

const KindTerms& ConnectPay::Vocabulary() {
  using T = FieldType;
  static const KindTerms kTerms = {
      "connectpay",
      /*actions=*/
      {{"revocation_method",
        "checks client certificates' revocation by `method` (`ocsp` or `crl`) until restored "
        "(needs `revocation:`)"}},
      /*faults=*/
      {{"accept_any_secret", "accepts a registered client key on the Basic APIs with any secret"},
       {"accept_unknown_key", "accepts Basic credentials whose client key is not registered"},
       {"accept_empty_key",
        "accepts Basic credentials with an empty client key (`base64(:secret)`)"},
       {"omit_challenge", "answers 401 without a `WWW-Authenticate` challenge"},
       {"malformed_500", "answers malformed Basic credentials with a 500 instead of a 401"},
       {"reject_lowercase_scheme",
        "refuses the Basic scheme unless spelt exactly `Basic` (e.g. `basic`)"},
       {"basic_on_bearer_path", "opens the Bearer-only data APIs to valid Basic credentials"},
       {"distinct_unknown_key_body",
        "answers an unknown key with its own 401 (`unknown_client`, no challenge)"},
       {"accept_any_client_cert",
        "asks for a client certificate on the two-way host but verifies nothing about it"},
       {"client_cert_optional",
        "asks for a client certificate on the two-way host but completes the handshake "
        "without one (the application still refuses the request)"},
       {"broad_client_ca_list",
        "names 40 unrelated CAs in the two-way host's CertificateRequest besides the client "
        "CA, as a trust store used as the client CA list does"},
       {"client_renegotiation_allowed",
        "accepts a client-initiated TLS 1.2 renegotiation on the two-way host"},
       {"one_way_asks_for_certificate",
        "sends a CertificateRequest on the one-way host too (a certificate is optional there)"},
       {"skip_revocation", "loads no CRLs: a revoked client certificate passes the handshake"},
       {"accept_expired_certs",
        "ignores client certificate validity dates (expired or not yet valid pass)"},
       {"lenient_eku",
        "uses OpenSSL's default purpose check: no-EKU and CA:TRUE client certificates pass"},
       {"lax_path_validation",
        "verifies client chains with OpenSSL's defaults: no strict X.509 checks, no policy "
        "evaluation, up to 100 intermediates"},
       {"empty_initial_policy_set",
        "evaluates certificate policies from an empty initial set instead of any-policy, so a "
        "chain that requires an explicit policy never verifies"},
       {"skip_registered_check",
        "accepts any trusted client certificate for any client, tokens included"},
       {"token_without_certificate_binding",
        "accepts a token sent with another certificate than the one it was issued to"},
       {"no_scope_check", "serves every data API to any valid token, whatever its scopes"},
       {"person_scopes_merged", "grants a person the scopes of every person of the same client"},
       {"cert_api_on_one_way",
        "serves the token endpoint and the data APIs on the one-way host too"},
       {"generic_on_two_way", "serves the Basic generic APIs on the two-way (mTLS) host too"},
       {"accept_unordered_bundle",
        "registers a misordered or reversed bundle if some reordering of it verifies"},
       {"accept_any_bundle", "registers any onboarding bundle without checking it"},
       {"no_bundle_size_limit",
        "parses oversized onboarding bundles instead of refusing them with 413"},
       {"callbacks_need_credentials",
        "refuses public callbacks sent without an Authorization header (401)"},
       {"trust_forwarded_cert_header",
        "takes a client's forwarded-certificate header (XFCC, X-SSL-Client-Cert, Client-Cert, "
        "...) for the handshake's certificate, and crashes (500) on one it cannot read"},
       {"proxy_does_not_strip",
        "its proxy fronts forward the client's own forwarded-certificate headers untouched, "
        "adding theirs only when a certificate was presented"},
       {"app_reads_first_header",
        "behind a proxy front, takes the client certificate from the first header value or "
        "XFCC element instead of the one its proxy set"},
       {"revocation_not_checked",
        "never asks the revocation responder: a revoked client certificate is served"},
       {"revocation_fail_open",
        "serves a client certificate whose status cannot be had (responder down, slow, "
        "tryLater, unauthorized, forged or out-of-date answers) despite `fail_closed`"},
       {"revocation_checked_at_handshake_only",
        "serves a resumed TLS session without asking about its certificate again"},
       {"accepts_unknown_status",
        "serves a client certificate whose status the responder does not know"},
       {"accepts_unverified_response",
        "believes OCSP answers and CRLs without verifying who signed them"},
       {"accepts_stale_response", "believes OCSP answers and CRLs whose nextUpdate has passed"}},
      /*keys=*/
      {Key("realm", T::kString, "the realm of its Basic challenge (default `connectpay`)"),
       Key("clients", T::kObjectMap, "the registered clients, by client key")
           .Of({Key("secret", T::kString, "its secret (redacted)").Required(),
                Key("registered", T::kString,
                    "the PKI identity whose certificate is registered for the client"),
                Key("persons", T::kStringMap,
                    "person -> the space-separated scopes a token for them may have")}),
       Key("basic_paths", T::kStringList,
           "the generic Basic APIs (the one-way host in two-host mode)"),
       Key("bearer_paths", T::kStringList, "data APIs a Bearer token of any scope may call"),
       // Two-host mode (connectpay.h).
       Key("server_identity", T::kString,
           "PKI identity both hosts serve; setting it (with a PKI) turns on two-host mode"),
       Key("client_identity", T::kString,
           "PKI identity whose root and CRLs verify client certificates (default `partner`)"),
       Key("data_apis", T::kStringMap, "path -> the scope a Bearer token needs for it"),
       Key("callback_paths", T::kStringList,
           "public callbacks on the one-way host (default `/v1/callbacks/payment`)"),
       Key("token_path", T::kString, "the token endpoint (default `/v1/oauth/token`)"),
       Key("certificates_path", T::kString, "the onboarding endpoint (default `/v1/certificates`)"),
       Key("max_bundle_bytes", T::kPositiveInt,
           "largest onboarding bundle; 413 above (default 16384)"),
       Key("token_ttl_seconds", T::kPositiveInt, "access-token lifetime (default 600)"),
       Key("proxies", T::kObjectMap,
           "proxy mode: TLS-terminating fronts by name (a listener each, target.NAME_url) "
           "that forward the verified client certificate to the application in a header")
           .Of({Key("convention", T::kString,
                    "the forwarded-certificate convention the front sets (`forwarded_cert:`)")
                    .Required()
                    .OneOf(ConventionNames()),
                Key("header", T::kString,
                    "the header it sets and the application reads (default the convention's)"),
                Key("incoming", T::kString,
                    "what it does with the client's copies: `strip` them (default) or `append` "
                    "its XFCC element to them (Envoy APPEND_FORWARD, `envoy` only)")
                    .OneOf({"strip", "append"})}),
       Key("revocation", T::kObject,
           "two-host mode: ask each two-way request's client certificate's status of a "
           "responder (connectpay_revocation.cc)")
           .Of({Key("responder", T::kServiceRef,
                    "an `ocsp` service declared above it, answering for the client identity")
                    .Required()
                    .OneOf({"ocsp"}),
                Key("method", T::kString, "`ocsp` (default) or `crl`: how the status is asked")
                    .OneOf({"ocsp", "crl"}),
                Key("unavailable", T::kString,
                    "what a status that cannot be had means: `fail_closed` (default, 503) or "
                    "`fail_open` (served)")
                    .OneOf({"fail_closed", "fail_open"}),
                Key("timeout", T::kDuration,
                    "how long it waits for the responder, above 0 and at most 10s (default "
                    "1s)")})}};
  return kTerms;
}

std::vector<TargetSetting> ConnectPay::TargetSettings() const {
  std::vector<TargetSetting> out;
  if (!clients_.empty()) {
    out.push_back({"client_key", clients_.begin()->first, false,
                   "a registered client's key (its Basic user name and OAuth client id)"});
    out.push_back({"client_secret", clients_.begin()->second, true, "that client's secret"});
  }
  out.push_back({"realm", realm_, false, "the realm of your API's WWW-Authenticate challenges"});
  out.push_back({"basic_path", basic_paths_.empty() ? "" : basic_paths_.front(), false,
                 "a path that takes HTTP Basic client credentials"});
  out.push_back({"bearer_path", data_scopes_.empty() ? "" : data_scopes_.begin()->first, false,
                 "a data API path that takes a Bearer token"});
  AddTwoHostSettings(out);
  return out;
}

void ConnectPay::AddRoutes(ServiceRouter& router) {
  if (two_host()) {
    AddTwoWayRoutes(router);
    return;
  }
  for (const std::string& p : basic_paths_) {
    router.Add("*", p, [this](const ServerRequest& r) { return HandleBasic(r); });
  }
  for (const auto& [p, scope] : data_scopes_) {
    router.Add("*", p, [this](const ServerRequest& r) { return HandleBearerOnly(r); });
  }
}

Handled ConnectPay::Unauthorized(const std::string& scheme, const std::string& note,
                                 const std::string& error) const {
  ServerResponse r = ServerResponse::Json(401, R"({"error":")" + error + R"("})");
  if (!HasFault("omit_challenge")) {
    std::string challenge = scheme + " realm=\"" + realm_ + "\"";
    if (scheme == "Basic") challenge += ", charset=\"UTF-8\"";
    r.headers.Add("WWW-Authenticate", challenge);
  }
  return {std::move(r), note};
}

Handled ConnectPay::HandleBasic(const ServerRequest& request) const {
  PresentedBasic c = ParseBasic(request);
  if (!c.present) return Unauthorized("Basic", "no Basic credentials", "unauthorized");
  if (HasFault("reject_lowercase_scheme") && c.scheme != "Basic") {
    return Unauthorized("Basic", "scheme is not spelt `Basic`", "unauthorized");
  }
  if (c.malformed) {
    if (HasFault("malformed_500")) throw std::runtime_error("bad Basic credentials");
    return Unauthorized("Basic", "malformed Basic credentials", "unauthorized");
  }
  auto it = clients_.find(c.key);
  bool ok = false;
  std::string note;
  if (c.key.empty()) {
    ok = HasFault("accept_empty_key");
    note = "empty client key";
  } else if (it == clients_.end()) {
    ok = HasFault("accept_unknown_key");
    note = "unknown client key";
    if (!ok && HasFault("distinct_unknown_key_body")) {
      return {ServerResponse::Json(401, R"({"error":"unknown_client"})"), note};
    }
  } else {
    ok = ConstantTimeEquals(c.secret, it->second) || HasFault("accept_any_secret");
    note = ok ? "" : "wrong client secret";
  }
  if (!ok) return Unauthorized("Basic", note, "unauthorized");
  return {ServerResponse::Json(200, R"({"status":"ok"})"), "accepted client " + c.key};
}

Handled ConnectPay::HandleBearerOnly(const ServerRequest& request) const {
  PresentedBasic c = ParseBasic(request);
  if (c.present && !c.malformed && HasFault("basic_on_bearer_path")) {
    auto it = clients_.find(c.key);
    if (it != clients_.end() && ConstantTimeEquals(c.secret, it->second)) {
      return {ServerResponse::Json(200, R"({"accounts":[]})"), "Basic accepted on data API"};
    }
  }
  // Bearer tokens for data APIs are validated by the two-host profile's token work; until
  // then no token is valid here, and Basic never is.
  bool sent_token = request.headers.Has("Authorization") && !c.present;
  return Unauthorized("Bearer", c.present ? "Basic on a Bearer-only API" : "no valid token",
                      sent_token ? "invalid_token" : "unauthorized");
}

}  // namespace tollgate::mocks

namespace tollgate::mocks {

std::string ConnectPay::BasicClient(const ServerRequest& request) const {
  PresentedBasic c = ParseBasic(request);
  if (!c.present || c.malformed) return "";
  auto it = clients_.find(c.key);
  if (it == clients_.end() || !ConstantTimeEquals(c.secret, it->second)) return "";
  return c.key;
}

}  // namespace tollgate::mocks
