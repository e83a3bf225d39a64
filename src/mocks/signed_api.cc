#include "mocks/signed_api.h"

#include <algorithm>
#include <thread>

#include "mocks/config.h"
#include "mocks/key_ring.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/http/authorization.h"
#include "tollgate/http/form.h"

namespace tollgate::mocks {
namespace {

ServerResponse JsonError(int status, const std::string& error, const std::string& description) {
  return ServerResponse::Json(
      status, nlohmann::json{{"error", error}, {"error_description", description}}.dump());
}

}  // namespace

SignedApi::SignedApi(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx) {}

StatusOr<std::unique_ptr<SignedApi>> SignedApi::Create(const ServiceDecl& decl,
                                                       ServiceContext ctx) {
  std::unique_ptr<SignedApi> s(new SignedApi(decl, ctx));
  const nlohmann::json& c = decl.config;
  auto bad = [&](const std::string& what) {
    return InvalidArgumentError("service `" + decl.name + "` (kind signed-api): " + what);
  };
  nlohmann::json profile = c.value("signing", nlohmann::json::object());
  if (profile.contains("window")) {
    profile["window"] = GetSeconds(profile, "window", std::chrono::seconds(300)).count();
  }
  auto p = signing::ProfileFromJson(profile);
  if (!p.ok()) return bad(p.status().message());
  s->profile_ = *p;
  // The loader has checked the schema (Vocabulary().keys); these rules it cannot say.
  for (const auto& [id, spec] : GetObject(c, "clients").items()) {
    std::string secret = GetString(spec, "secret", "");
    if (secret.size() < 16)
      return bad("client `" + id + "`: `secret` must be at least 16 characters");
    s->clients_.emplace_back(id, secret);
    if (ctx.redactor) ctx.redactor->AddSecret(secret);
  }
  if (s->clients_.size() < 2) {
    return bad(
        "`clients` must declare at least two clients (one signs, the other's key id is the "
        "cross-client case)");
  }
  s->allow_list_ = GetStrings(c, "allow_list", {"127.0.0.1"});
  s->prefix_ = GetString(c, "prefix", "/v3");
  if (s->prefix_.empty() || s->prefix_.front() != '/') return bad("`prefix` must start with /");
  std::chrono::seconds access_ttl = GetSeconds(c, "token_ttl", std::chrono::seconds(900));
  std::chrono::seconds refresh_ttl = GetSeconds(c, "refresh_ttl", std::chrono::seconds(86400));
  int capacity = GetInt(c, "nonce_capacity", 100'000);
  s->tokens_ = std::make_unique<TokenBook>(access_ttl.count(), refresh_ttl.count());
  // TTL of twice the window: a nonce outlives every timestamp that could carry it.
  s->nonces_ = std::make_unique<NonceStore>(2 * s->profile_.window.count(), capacity);
  return s;
}

const KindTerms& SignedApi::Vocabulary() {
  using T = FieldType;
  static const KindTerms kTerms = {
      "signed-api",
      /*actions=*/{},
      /*faults=*/
      {{"no_nonce_check", "never records or checks nonces: a replayed signed request is accepted"},
       {"racy_nonce_store",
        "checks then inserts a nonce with a 100 ms unlocked gap: concurrent replays pass"},
       {"nonce_before_window",
        "records the nonce before judging the request: a stale or forged one burns it"},
       {"wide_window", "accepts timestamps up to 24 h off instead of the configured window"},
       {"accept_future_timestamps",
        "accepts any timestamp ahead of now (only the past bound is checked)"},
       {"body_not_signed",
        "leaves the body digest out of the signed components (and its advertised profile)"},
       {"method_not_signed",
        "leaves the method out of the signed components (and its advertised profile)"},
       {"path_not_signed",
        "leaves the path out of the signed components (and its advertised profile)"},
       {"query_not_signed",
        "leaves the query out of the signed components (and its advertised profile)"},
       {"host_not_signed",
        "leaves the host out of the signed components (and its advertised profile)"},
       {"header_not_signed",
        "leaves every signed header out of the components (and its advertised profile)"},
       {"optional_signature", "accepts a request that carries no signature header at all"},
       {"optional_timestamp", "accepts a request without a timestamp header (no window check)"},
       {"optional_nonce", "accepts a request without a nonce header (no replay check)"},
       {"optional_key_id",
        "accepts a request without a key id header, taking it as the first client's"},
       {"accept_duplicate_signature",
        "accepts several signature headers when any one of them matches"},
       {"lenient_encoding",
        "accepts a MAC in the other encoding (hex instead of base64 or vice versa)"},
       {"prefix_compare", "compares the MAC as a prefix: a truncated MAC is accepted"},
       {"honour_algorithm_label",
        "computes the MAC with whatever algorithm the label names (e.g. hmac-sha1)"},
       {"skip_mac_check",
        "never compares the MAC: a wrong, tampered or truncated signature passes"},
       {"key_id_not_bound",
        "accepts a MAC made with any client's secret, whatever key id the request names"},
       {"accept_expired_token", "accepts an access token after it has expired"},
       {"refresh_reusable", "accepts a used refresh token again (single use not enforced)"},
       {"no_family_revocation",
        "refuses a reused refresh token but leaves its family's other tokens valid"},
       {"trust_forwarded_for",
        "takes the source address for the allow-list from `X-Forwarded-For`"},
       {"no_allow_list", "serves any source address (no allow-list check)"}},
      /*keys=*/
      {Key("signing", T::kObject,
           "the signing profile it verifies (see `sign:` steps; default: the plain profile)")
           .Of({Key("components", T::kStringList,
                    "what is signed, in order (`header:NAME` for a header)"),
                Key("separator", T::kString, "joins the values (layout plain)"),
                Key("layout", T::kString, "the signed string").OneOf({"plain", "rfc9421"}),
                Key("mac", T::kString, "the MAC").OneOf({"hmac-sha256", "hmac-sha512"}),
                Key("body_digest", T::kString, "the body digest").OneOf({"sha256", "sha512"}),
                Key("encoding", T::kString, "of the MAC and digest").OneOf({"hex", "base64"}),
                Key("headers", T::kObject, "the header names it reads (\"\": not sent)")
                    .Of({Key("signature", T::kString, "the MAC"),
                         Key("timestamp", T::kString, "the Unix-seconds timestamp"),
                         Key("nonce", T::kString, "the nonce"),
                         Key("key_id", T::kString, "the client's key id"),
                         Key("algorithm", T::kString, "the MAC's name")}),
                Key("window", T::kDuration, "accepted timestamp skew, either side (default 5m)")}),
       Key("clients", T::kObjectMap,
           "key id -> client; at least two (one signs, the other's key id is the cross-client "
           "case)")
           .Required()
           .Of({Key("secret", T::kString,
                    "HMAC key and token-endpoint secret, 16+ characters (redacted)")
                    .Required()}),
       Key("allow_list", T::kStringList, "source addresses it serves (default 127.0.0.1)"),
       Key("prefix", T::kString, "the path prefix of its API (default `/v3`)"),
       Key("token_ttl", T::kDuration, "access-token lifetime (default 15m)"),
       Key("refresh_ttl", T::kDuration, "refresh-token lifetime (default 24h)"),
       Key("nonce_capacity", T::kPositiveInt, "nonces it remembers at most (default 100000)")}};
  return kTerms;
}

signing::Profile SignedApi::EffectiveProfile() const {
  signing::Profile p = profile_;
  for (const char* part : {"body", "method", "path", "query", "host", "header"}) {
    if (!HasFault(std::string(part) + "_not_signed")) continue;
    std::string component = std::string(part) == "body" ? "body_digest" : part;
    std::erase_if(p.components, [&](const std::string& c) {
      return c == component || (component == "header" && c.rfind("header:", 0) == 0);
    });
  }
  if (HasFault("wide_window")) p.window = std::chrono::hours(24);
  return p;
}

std::vector<TargetSetting> SignedApi::TargetSettings() const {
  std::string blocked = "127.0.0.2";
  for (int last = 2;
       std::find(allow_list_.begin(), allow_list_.end(), blocked) != allow_list_.end(); ++last) {
    blocked = "127.0.0." + std::to_string(last + 1);
  }
  return {{"signing_profile", EffectiveProfile().ToJson().dump(), false,
           "how your API signs requests: the signing profile as JSON (see `sign:` in "
           "docs/formats.md)"},
          {"key_id", clients_[0].first, false, "a client's signing key id"},
          {"secret", clients_[0].second, true, "that key's HMAC secret"},
          {"other_key_id", clients_[1].first, false, "a second client's key id"},
          {"client_id", clients_[0].first, false, "a client id at the token endpoint"},
          {"client_secret", clients_[0].second, true, "that client's secret"},
          {"token_path", prefix_ + "/token", false, "the path of the token endpoint"},
          {"accounts_path", prefix_ + "/accounts", false, "the path of the accounts API"},
          {"payments_path", prefix_ + "/payments", false, "the path of the payments API"},
          {"window_seconds", std::to_string(profile_.window.count()), false,
           "how many seconds a signed timestamp stays acceptable"},
          {"allowed_source", allow_list_.empty() ? "127.0.0.1" : allow_list_[0], false,
           "a source address your API's allow list admits (the address tollgate runs from)"},
          {"blocked_source", blocked, false, "a source address your allow list refuses"}};
}

std::optional<std::string> SignedApi::SecretOf(const std::string& key_id) const {
  for (const auto& [id, secret] : clients_) {
    if (id == key_id) return secret;
  }
  return std::nullopt;
}

TokenBook::Faults SignedApi::TokenFaults() const {
  return {HasFault("accept_expired_token"), HasFault("refresh_reusable"),
          HasFault("no_family_revocation")};
}

std::optional<Handled> SignedApi::CheckSource(const ServerRequest& request) const {
  if (HasFault("no_allow_list")) return std::nullopt;
  std::string source = request.peer_address;
  if (HasFault("trust_forwarded_for")) {
    if (auto xff = request.headers.Get("X-Forwarded-For")) {
      std::string first = xff->substr(0, xff->find(','));
      first.erase(0, first.find_first_not_of(' '));
      first.erase(first.find_last_not_of(' ') + 1);
      source = first;
    }
  }
  if (std::find(allow_list_.begin(), allow_list_.end(), source) != allow_list_.end())
    return std::nullopt;
  return Handled{JsonError(403, "source_not_allowed", "the source address is not allow-listed"),
                 "refused: source " + request.peer_address + " not allow-listed"};
}

Handled SignedApi::HandleToken(const ServerRequest& request) {
  StatusOr<FormFields> form = ParseForm(request.body);
  if (!form.ok()) {
    return {JsonError(400, "invalid_request", "the body: " + form.status().message()),
            "malformed form"};
  }
  auto field = [&](const char* k) { return form->Get(k); };
  std::string client = field("client_id");
  std::optional<std::string> secret = SecretOf(client);
  if (!secret || !ConstantTimeEquals(*secret, field("client_secret"))) {
    return {JsonError(401, "invalid_client", "client authentication failed"), "invalid client"};
  }
  std::int64_t now = ctx().clock->NowSeconds();
  std::string grant = field("grant_type");
  std::optional<TokenBook::Pair> pair;
  if (grant == "client_credentials") {
    pair = tokens_->Issue(client, now);
  } else if (grant == "refresh_token") {
    std::string why;
    pair = tokens_->Refresh(client, field("refresh_token"), now, TokenFaults(), why);
    if (!pair) return {JsonError(400, "invalid_grant", "the refresh token is invalid"), why};
  } else {
    return {JsonError(400, "unsupported_grant_type", "client_credentials or refresh_token"),
            "unsupported grant"};
  }
  ServerResponse r =
      ServerResponse::Json(200, nlohmann::json{{"access_token", pair->access_token},
                                               {"refresh_token", pair->refresh_token},
                                               {"token_type", "Bearer"},
                                               {"expires_in", pair->expires_in}}
                                    .dump());
  r.headers.Set("Cache-Control", "no-store");
  return {std::move(r), "issued (" + grant + ")"};
}

Handled SignedApi::HandleAccounts(const ServerRequest& request) {
  Authorization authz = SplitAuthorization(request.headers.Get("Authorization").value_or(""));
  if (!authz.IsScheme("Bearer") || authz.credentials.empty()) {
    ServerResponse r = JsonError(401, "invalid_token", "a Bearer access token is required");
    r.headers.Set("WWW-Authenticate", "Bearer");
    return {std::move(r), "no bearer token"};
  }
  std::string why;
  auto client = tokens_->Check(authz.credentials, ctx().clock->NowSeconds(), TokenFaults(), why);
  if (!client) {
    ServerResponse r = JsonError(401, "invalid_token", "the access token is invalid or expired");
    r.headers.Set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return {std::move(r), why};
  }
  return {ServerResponse::Json(
              200, nlohmann::json{{"client", *client}, {"accounts", {"acc-001"}}}.dump()),
          "ok"};
}

Handled SignedApi::HandleSigned(const ServerRequest& request) {
  std::int64_t now = ctx().clock->NowSeconds();
  if (HasFault("nonce_before_window")) {
    // The nonce is recorded before the request is judged: a stale or forged request burns
    // it, and the store grows with whatever anyone sends.
    const signing::Profile& p = profile_;
    auto o = nonces_->Insert(request.headers.Get(p.headers.key_id).value_or(""),
                             request.headers.Get(p.headers.nonce).value_or(""), now);
    if (o != NonceStore::Outcome::kFresh) {
      return {JsonError(401, "replayed_nonce", "the nonce was already used"), "replay: nonce seen"};
    }
  }
  signing::Verdict v = VerifySignature(request);
  if (!v.ok)
    return {JsonError(401, "invalid_signature", "the request signature is not valid"), v.reason};
  if (!HasFault("no_nonce_check") && !HasFault("nonce_before_window") &&
      !(HasFault("optional_nonce") && v.params.nonce.empty())) {
    NonceStore::Outcome o =
        HasFault("racy_nonce_store")
            ? nonces_->InsertRacy(
                  v.params.key_id, v.params.nonce, now,
                  [] { std::this_thread::sleep_for(std::chrono::milliseconds(100)); })
            : nonces_->Insert(v.params.key_id, v.params.nonce, now);
    if (o == NonceStore::Outcome::kReplay) {
      return {JsonError(401, "replayed_nonce", "the nonce was already used"), "replay: nonce seen"};
    }
    if (o == NonceStore::Outcome::kFull) {
      return {JsonError(503, "busy", "try again later"), "nonce store full"};
    }
  }
  return {ServerResponse::Json(
              200, nlohmann::json{{"status", "accepted"}, {"key_id", v.params.key_id}}.dump()),
          "verified"};
}

void SignedApi::AddRoutes(ServiceRouter& router) {
  auto guarded = [this](Handled (SignedApi::*h)(const ServerRequest&)) {
    return [this, h](const ServerRequest& r) -> Handled {
      if (auto refused = CheckSource(r)) return *refused;
      return (this->*h)(r);
    };
  };
  router.Add("POST", prefix_ + "/token", guarded(&SignedApi::HandleToken));
  router.Add("GET", prefix_ + "/accounts", guarded(&SignedApi::HandleAccounts));
  // Any method and any path below: a tampered method or path must reach the verifier.
  router.AddPrefix("*", prefix_ + "/payments", guarded(&SignedApi::HandleSigned));
}

}  // namespace tollgate::mocks
