#include "mocks/resource_server.h"

#include <algorithm>
#include <random>
#include <sstream>

#include "mocks/config.h"
#include "mocks/key_ring.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/base/file.h"
#include "tollgate/http/authorization.h"

namespace tollgate::mocks {
namespace {

constexpr char kAccountsPath[] = "/accounts";
constexpr char kPaymentsPath[] = "/payments";
// What dpop_iat_unbounded lets through: ten years either side.
constexpr long long kUnboundedSkew = 10LL * 365 * 24 * 3600;

std::optional<std::string> HexToBytes(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// RFC 8705 §3.1: base64url of the SHA-256 of the certificate's DER, from its PEM text.
std::vector<std::string> PemThumbprints(const std::string& pem) {
  std::vector<std::string> out;
  const std::string begin = "-----BEGIN CERTIFICATE-----";
  const std::string end = "-----END CERTIFICATE-----";
  std::size_t at = 0;
  while ((at = pem.find(begin, at)) != std::string::npos) {
    std::size_t stop = pem.find(end, at);
    if (stop == std::string::npos) break;
    std::string body;
    for (char c : pem.substr(at + begin.size(), stop - at - begin.size())) {
      if (c != '\n' && c != '\r' && c != ' ') body += c;
    }
    if (std::optional<std::string> der = Base64Decode(body)) {
      out.push_back(Base64UrlEncode(Sha256(*der)));
    }
    at = stop + end.size();
  }
  return out;
}

const std::string* StringAt(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

// A proof's claims as sent, unverified: which nonce it carries, and what the faults that
// skip a comparison take at its word.
nlohmann::json UnverifiedClaims(const std::string& proof) {
  std::size_t first = proof.find('.');
  std::size_t second = first == std::string::npos ? first : proof.find('.', first + 1);
  if (second == std::string::npos) return nlohmann::json::object();
  std::optional<std::string> payload = Base64UrlDecode(proof.substr(first + 1, second - first - 1));
  if (!payload) return nlohmann::json::object();
  nlohmann::json claims = nlohmann::json::parse(*payload, nullptr, false);
  return claims.is_object() ? claims : nlohmann::json::object();
}

std::string Quoted(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  }
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<ResourceServer>> ResourceServer::Create(const ServiceDecl& decl,
                                                                 ServiceContext ctx) {
  std::unique_ptr<ResourceServer> s(new ResourceServer(decl, ctx));
  const nlohmann::json& c = decl.config;
  auto bad = [&](const std::string& what) {
    return InvalidArgumentError("service `" + decl.name + "` (kind resource_server): " + what);
  };
  // The loader has checked the schema: `trust.issuer` names an issuer above, algorithms
  // are allowed names. Left: rules a schema cannot say.
  const nlohmann::json& trust = GetObject(c, "trust");
  s->trust_issuer_ = GetString(trust, "issuer", "");
  s->audience_ = GetString(trust, "audience", "");
  if (s->audience_.empty()) return bad("`trust.audience` must not be empty");
  s->leeway_ = GetSeconds(c, "leeway", s->leeway_);
  const nlohmann::json& dpop = GetObject(c, "dpop");
  if (dpop.contains("algorithms")) {
    s->dpop_algorithms_.clear();
    for (const std::string& a : GetStrings(dpop, "algorithms", {})) {
      if (std::optional<jose::Alg> alg = jose::AlgFromName(a)) s->dpop_algorithms_.push_back(*alg);
    }
    if (s->dpop_algorithms_.empty()) return bad("`dpop.algorithms` must list an algorithm");
  }
  s->iat_skew_ = GetSeconds(dpop, "iat_skew", s->iat_skew_);
  if (s->iat_skew_.count() <= 0) return bad("`dpop.iat_skew` must be positive");
  s->nonce_lifetime_ = GetSeconds(dpop, "nonce_lifetime", s->nonce_lifetime_);
  if (s->nonce_lifetime_.count() <= 0) return bad("`dpop.nonce_lifetime` must be positive");
  for (const std::string& path : GetStrings(dpop, "nonce_paths", {})) {
    if (path != kAccountsPath && path != kPaymentsPath) {
      return bad("`dpop.nonce_paths` takes " + std::string(kAccountsPath) + " and " +
                 kPaymentsPath + ", not `" + path + "`");
    }
    s->nonce_paths_.push_back(path);
  }
  RETURN_IF_ERROR(s->SetUpTls(decl));
  return s;
}

ResourceServer::ResourceServer(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx),
      realm_(GetString(decl.config, "realm", "resource-server")),
      public_url_(GetString(decl.config, "public_url", "")),
      server_identity_(GetString(decl.config, "server_identity", "server")),
      client_identity_(GetString(decl.config, "client_identity", "partner")) {
  while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
  std::random_device random;
  std::string secret;
  for (int i = 0; i < 8; ++i) {
    unsigned int v = random();
    secret.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  nonce_secret_ = secret;
}

Status ResourceServer::SetUpTls(const ServiceDecl& decl) {
  if (!ctx().identity) return Status::Ok();  // no PKI (unit tests): plain HTTP
  auto context = [&](const std::string& what) { return "service `" + decl.name + "`: " + what; };
  auto server = ctx().identity(server_identity_, "");
  if (!server.ok()) return server.status().WithContext(context("server_identity"));
  auto client = ctx().identity(client_identity_, "");
  if (!client.ok()) return client.status().WithContext(context("client_identity"));
  server_chain_ = server->chain_file;
  server_key_ = server->key_file;
  server_ca_file_ = server->ca_file;
  client_ca_file_ = client->ca_file;
  for (const pki::AuthorityFiles& authority : client->authorities) {
    ASSIGN_OR_RETURN(std::string pem, ReadFile(authority.cert_file));
    for (const std::string& t : PemThumbprints(pem)) authority_thumbprints_.insert(t);
  }
  return Status::Ok();
}

const KindTerms& ResourceServer::Vocabulary() {
  using T = FieldType;
  static const KindTerms kTerms = {
      "resource_server",
      /*actions=*/{},
      /*faults=*/
      {{"dpop_ignore_htu", "takes a proof's `htu` at its word: a proof for another URI passes"},
       {"dpop_ignore_htm", "takes a proof's `htm` at its word: a proof for another method passes"},
       {"dpop_no_ath_check", "does not compare the proof's `ath` with the presented token"},
       {"dpop_no_replay_check", "keeps no record of proofs' `jti`: a proof can be replayed"},
       {"dpop_no_jkt_check",
        "does not compare the proof's key with the token's `cnf.jkt`: any key's proof passes"},
       {"dpop_iat_unbounded", "accepts a proof's `iat` however far in the past or future"},
       {"dpop_accept_symmetric",
        "takes proofs with `alg` none or HS256 without checking their signature"},
       {"dpop_accept_private_jwk", "accepts a proof whose header `jwk` holds a private key"},
       {"dpop_alg_key_unchecked",
        "takes a header `jwk` whatever its curve: an ES256 proof by a P-384 key passes"},
       {"dpop_no_nonce_check", "hands out nonces but never checks a proof's `nonce`"},
       {"dpop_algs_not_enforced",
        "advertises its `algs` but accepts a proof of any asymmetric algorithm"},
       {"dpop_scheme_case_sensitive", "refuses the Authorization scheme unless spelt `DPoP`"},
       {"dpop_first_header_wins",
        "takes the first of two `DPoP` headers instead of refusing the request"},
       {"dpop_proof_optional",
        "serves a DPoP-bound token under the DPoP scheme when no `DPoP` header is sent"},
       {"accept_bearer_downgrade",
        "serves a DPoP-bound token sent with the Bearer scheme and no proof"},
       {"accept_unbound_token", "serves a token with no `cnf` binding, as a plain bearer token"},
       {"ignore_cert_binding", "does not compare `cnf.x5t#S256` with the client certificate"},
       {"cert_binding_optional",
        "checks `cnf.x5t#S256` only when a client certificate is presented"},
       {"accept_issuer_thumbprint",
        "matches `cnf.x5t#S256` against any certificate of the client's chain, not the leaf"},
       {"bearer_challenge_for_dpop",
        "answers DPoP failures with a `Bearer` challenge instead of `DPoP`"},
       {"no_www_authenticate", "answers 401 without a `WWW-Authenticate` challenge"}},
      /*keys=*/
      {Key("trust", T::kObject, "whose tokens it accepts")
           .Required()
           .Of({Key("issuer", T::kServiceRef,
                    "an `issuer` service declared above it; its JWKS verifies the tokens")
                    .Required()
                    .OneOf({"issuer"}),
                Key("audience", T::kString, "the `aud` its tokens must have").Required()}),
       Key("leeway", T::kDuration, "clock skew allowed on the token's `exp` (default 60s)"),
       Key("realm", T::kString, "the realm of its challenges (default `resource-server`)"),
       Key("dpop", T::kObject, "how it checks DPoP proofs (RFC 9449)")
           .Of({Key("algorithms", T::kStringList,
                    "proof algorithms it accepts and advertises in `algs` (default ES256, "
                    "PS256, EdDSA, RS256)")
                    .OneOf(PublicKeyAlgNames())
                    .Refusing(RefusedPublicKeyAlgs()),
                Key("iat_skew", T::kDuration,
                    "how far a proof's `iat` may be from now, either side (default 60s)"),
                Key("nonce_paths", T::kStringList,
                    "the protected paths whose proofs must carry its nonce (RFC 9449 §9)")
                    .OneOf({kAccountsPath, kPaymentsPath}),
                Key("nonce_lifetime", T::kDuration,
                    "how long a nonce it hands out stays good (default 5m)")}),
       Key("server_identity", T::kString,
           "PKI identity its HTTPS listener serves (default `server`)"),
       Key("client_identity", T::kString,
           "PKI identity whose root verifies the optional client certificates (default "
           "`partner`)")}};
  return kTerms;
}

std::optional<ServerTlsOptions> ResourceServer::ListenerTls() const {
  if (server_chain_.empty()) return std::nullopt;
  ServerTlsOptions o;
  o.cert_chain_file = server_chain_;
  o.key_file = server_key_;
  o.client_ca_file = client_ca_file_;
  // Optional: a request without a certificate still reaches the application, which then
  // refuses certificate-bound tokens (RFC 8705 §3) but serves DPoP-bound ones.
  o.request_client_cert = true;
  o.require_client_cert = false;
  o.eku = ClientEkuPolicy::kStrict;
  return o;
}

RemoteJwks& ResourceServer::Remote() {
  std::call_once(remote_once_, [this] {
    std::string issuer = trust_issuer_;
    auto url = ctx().service_url;
    RemoteJwksOptions options;
    // An issuer on its own TLS listener (`mtls:`): trust the root its certificate chains to.
    if (ctx().service) {
      if (MockService* s = ctx().service(issuer)) options.ca_file = s->TrustFile();
    }
    remote_ = std::make_unique<RemoteJwks>(
        [url, issuer] { return url ? url(issuer) : std::string(); }, ctx().clock, options);
  });
  return *remote_;
}

void ResourceServer::AddRoutes(ServiceRouter& router) {
  router.Add("GET", kAccountsPath, [this](const ServerRequest& r) { return Handle(r); });
  router.Add("POST", kPaymentsPath, [this](const ServerRequest& r) { return Handle(r); });
}

std::vector<TargetSetting> ResourceServer::TargetSettings() const {
  std::string issuer_url = ctx().service_url ? ctx().service_url(trust_issuer_) : "";
  std::string algs;
  for (jose::Alg a : dpop_algorithms_) algs += (algs.empty() ? "" : " ") + std::string(AlgName(a));
  std::string nonce_paths;
  for (const std::string& p : nonce_paths_) nonce_paths += (nonce_paths.empty() ? "" : ",") + p;
  return {
      {"issuer", trust_issuer_, false, "the authorisation server whose tokens your API accepts"},
      {"token_url", issuer_url + "/token", false, "that authorisation server's token endpoint"},
      {"audience", audience_, false, "the `aud` your API requires in access tokens"},
      {"accounts_path", kAccountsPath, false, "a protected GET path"},
      {"payments_path", kPaymentsPath, false, "a protected POST path"},
      {"dpop_algs", algs, false,
       "the DPoP proof algorithms your API accepts, space-separated (its `algs`)"},
      {"dpop_iat_skew", std::to_string(iat_skew_.count()), false,
       "how many seconds a proof's iat may be from now, either side"},
      {"dpop_nonce_paths", nonce_paths, false,
       "the paths whose proofs must carry your API's DPoP-Nonce, comma-separated"},
      {"realm", realm_, false, "the realm of your API's challenges"},
      {"client_identity", client_identity_, false,
       "the PKI identity (certs/pki.yaml) whose root verifies client certificates"},
  };
}

std::string ResourceServer::RequestUri(const ServerRequest& request) const {
  if (!public_url_.empty()) return public_url_ + request.path;
  std::string host = request.headers.Get("Host").value_or("");
  return std::string(request.tls ? "https" : "http") + "://" + host + request.path;
}

std::string ResourceServer::NonceFor(long long epoch) const {
  return Base64UrlEncode(Sha256(nonce_secret_ + ":" + std::to_string(epoch))).substr(0, 22);
}

std::string ResourceServer::CurrentNonce() const {
  return NonceFor(ctx().clock->NowSeconds() / nonce_lifetime_.count());
}

bool ResourceServer::NonceAccepted(const std::string& nonce) const {
  // The current nonce and the one before: a nonce handed out just before a rotation
  // stays good for at least one lifetime.
  long long epoch = ctx().clock->NowSeconds() / nonce_lifetime_.count();
  return nonce == NonceFor(epoch) || nonce == NonceFor(epoch - 1);
}

bool ResourceServer::NeedsNonce(const std::string& path) const {
  return Contains(nonce_paths_, path);
}

std::string ResourceServer::DpopChallengeFor(const std::string& error,
                                             const std::string& description) const {
  if (error.empty()) {
    std::string algs;
    for (jose::Alg a : dpop_algorithms_) {
      algs += (algs.empty() ? "" : " ") + std::string(AlgName(a));
    }
    return "DPoP algs=\"" + algs + "\"";
  }
  return jose::DpopChallenge({"", error, description}, dpop_algorithms_);
}

Handled ResourceServer::Refuse(int status, const std::string& scheme, const std::string& error,
                               const std::string& description, const std::string& note,
                               bool with_nonce) const {
  nlohmann::json body = {{"error", error.empty() ? "unauthorized" : error}};
  if (!description.empty()) body["error_description"] = description;
  ServerResponse r = ServerResponse::Json(status, body.dump());
  if (!HasFault("no_www_authenticate")) {
    std::string bearer = "Bearer realm=\"" + realm_ + "\"";
    // RFC 6750 §3: no error attribute when the request carried no credentials.
    if (!error.empty()) bearer += ", error=\"" + error + "\"";
    if (!error.empty() && !description.empty()) {
      bearer += ", error_description=\"" + Quoted(description) + "\"";
    }
    if (scheme == "DPoP" && !HasFault("bearer_challenge_for_dpop")) {
      r.headers.Add("WWW-Authenticate", DpopChallengeFor(error, description));
    } else if (scheme == "both") {
      // No credentials: both ways in are offered (RFC 9449 §7.1, RFC 6750 §3).
      r.headers.Add("WWW-Authenticate", DpopChallengeFor("", ""));
      r.headers.Add("WWW-Authenticate", bearer);
    } else {
      r.headers.Add("WWW-Authenticate", bearer);
    }
  }
  if (with_nonce) r.headers.Add("DPoP-Nonce", CurrentNonce());
  return {std::move(r), note};
}

std::optional<Handled> ResourceServer::CheckCertificate(const ServerRequest& request,
                                                        const std::string& x5t,
                                                        const std::string& scheme) const {
  if (HasFault("ignore_cert_binding")) return std::nullopt;
  if (!request.client_cert) {
    if (HasFault("cert_binding_optional")) return std::nullopt;
    return Refuse(401, scheme, "invalid_token", "the token is bound to a client certificate",
                  "certificate-bound token without a client certificate");
  }
  std::optional<std::string> der_hash = HexToBytes(request.client_cert->sha256_fingerprint);
  std::string presented = der_hash ? Base64UrlEncode(*der_hash) : "";
  bool match = !presented.empty() && ConstantTimeEquals(presented, x5t);
  if (!match && HasFault("accept_issuer_thumbprint")) match = authority_thumbprints_.count(x5t);
  if (!match) {
    return Refuse(401, scheme, "invalid_token", "the token is bound to another client certificate",
                  "cnf.x5t#S256 is not the presented certificate's " + presented);
  }
  return std::nullopt;
}

Handled ResourceServer::Serve(const ServerRequest& request, const nlohmann::json& claims) const {
  std::string client = StringAt(claims, "client_id") ? *StringAt(claims, "client_id")
                       : StringAt(claims, "sub")     ? *StringAt(claims, "sub")
                                                     : "";
  nlohmann::json body;
  if (request.path == kPaymentsPath) {
    body = {{"status", "accepted"}, {"client", client}};
  } else {
    body = {{"accounts", {{{"id", "acc-1"}, {"currency", "EUR"}}}}, {"client", client}};
  }
  ServerResponse r = ServerResponse::Json(200, body.dump());
  // RFC 9449 §8.2: a fresh nonce with the answer, for the client's next proof.
  if (NeedsNonce(request.path)) r.headers.Add("DPoP-Nonce", CurrentNonce());
  return {std::move(r), "served " + request.method + " " + request.path};
}

Handled ResourceServer::Handle(const ServerRequest& request) {
  std::vector<std::string> authz = request.headers.GetAll("Authorization");
  std::vector<std::string> proofs = request.headers.GetAll("DPoP");
  if (authz.size() > 1) {
    return Refuse(400, "Bearer", "invalid_request", "more than one Authorization header",
                  "two Authorization headers");
  }
  if (proofs.size() > 1 && !HasFault("dpop_first_header_wins")) {
    // RFC 9449 §4.3 check 1: not more than one DPoP header.
    return Refuse(400, "DPoP", "invalid_request", "more than one DPoP header", "two DPoP headers");
  }
  if (authz.empty()) return Refuse(401, "both", "", "", "no Authorization header");

  Authorization a = SplitAuthorization(authz[0]);
  const bool dpop_scheme =
      HasFault("dpop_scheme_case_sensitive") ? a.scheme == "DPoP" : a.IsScheme("DPoP");
  const bool bearer_scheme = a.IsScheme("Bearer");
  if (!dpop_scheme && !bearer_scheme) {
    return Refuse(401, "both", "", "", "scheme `" + a.scheme + "` is neither DPoP nor Bearer");
  }
  const std::string scheme = dpop_scheme ? "DPoP" : "Bearer";
  const std::string& token = a.credentials;
  if (!IsB64Token(token)) {
    return Refuse(401, scheme, "invalid_token", "malformed", "not a b64token");
  }

  // The access token: its issuer's signature, iss, aud and exp on the shared clock.
  std::string kid;
  if (auto parts = jose::ParseCompact(token); parts.ok()) {
    if (const std::string* k = StringAt(parts->header, "kid")) kid = *k;
  }
  StatusOr<TrustedKeys> trusted = Remote().Get(kid);
  if (!trusted.ok()) {
    return Refuse(401, scheme, "invalid_token", "keys_unavailable",
                  "fail closed: " + trusted.status().message());
  }
  jose::ValidationPolicy policy;
  policy.issuers = {trusted->issuer};
  policy.audiences = {audience_};
  policy.algorithms.clear();
  for (const std::string& name : PublicKeyAlgNames()) {
    if (std::optional<jose::Alg> alg = jose::AlgFromName(name)) policy.algorithms.push_back(*alg);
  }
  policy.typ = std::nullopt;
  policy.leeway_seconds = leeway_.count();
  jose::VerifyResult verified = jose::VerifyJwt(token, trusted->keys, policy, *ctx().clock);
  if (!verified.ok) {
    return Refuse(401, scheme, "invalid_token", verified.rejection.code,
                  verified.rejection.code + ": " + verified.rejection.message);
  }
  const nlohmann::json& claims = verified.ok->claims;
  const nlohmann::json cnf = claims.contains("cnf") ? claims["cnf"] : nlohmann::json();
  const std::string* jkt = StringAt(cnf, "jkt");
  const std::string* x5t = StringAt(cnf, "x5t#S256");

  if (!jkt && !x5t) {
    // FAPI 2.0 SP §5.3.3.2: only sender-constrained access tokens.
    if (!HasFault("accept_unbound_token")) {
      return Refuse(401, scheme, "invalid_token", "the token is not sender-constrained",
                    "token without cnf.jkt or cnf.x5t#S256");
    }
    return Serve(request, claims);
  }
  if (!jkt && dpop_scheme) {
    return Refuse(401, "DPoP", "invalid_token", "the token is not bound to a DPoP key",
                  "DPoP scheme with a token that has no cnf.jkt");
  }
  if (jkt && !dpop_scheme) {
    // RFC 9449 §7.2: a DPoP-bound token presented as a bearer token is refused.
    if (!HasFault("accept_bearer_downgrade")) {
      return Refuse(401, "DPoP", "invalid_token", "a DPoP-bound token needs the DPoP scheme",
                    "DPoP-bound token sent with the Bearer scheme");
    }
  } else if (jkt) {
    if (proofs.empty()) {
      if (!HasFault("dpop_proof_optional")) {
        return Refuse(401, "DPoP", "invalid_dpop_proof", "no DPoP proof", "no DPoP header");
      }
    } else {
      const std::string& proof = proofs.front();
      nlohmann::json sent = UnverifiedClaims(proof);
      jose::DpopRequirements req;
      req.htm = request.method;
      req.htu = RequestUri(request);
      if (HasFault("dpop_ignore_htm") && StringAt(sent, "htm")) req.htm = *StringAt(sent, "htm");
      if (HasFault("dpop_ignore_htu") && StringAt(sent, "htu")) req.htu = *StringAt(sent, "htu");
      if (!HasFault("dpop_no_ath_check")) req.access_token = token;
      if (!HasFault("dpop_no_jkt_check")) req.jkt = *jkt;
      if (NeedsNonce(request.path) && !HasFault("dpop_no_nonce_check")) {
        const std::string* nonce = StringAt(sent, "nonce");
        // A nonce of ours that is still good is the one required; any other proof is held
        // to the current nonce, which it then fails (nonce_required or wrong_nonce).
        req.nonce = nonce && NonceAccepted(*nonce) ? *nonce : CurrentNonce();
      }
      req.algorithms = dpop_algorithms_;
      if (HasFault("dpop_algs_not_enforced")) {
        req.algorithms.clear();
        for (const std::string& name : PublicKeyAlgNames()) {
          if (auto alg = jose::AlgFromName(name)) req.algorithms.push_back(*alg);
        }
      }
      req.iat_skew_seconds = HasFault("dpop_iat_unbounded") ? kUnboundedSkew : iat_skew_.count();
      req.accept_symmetric = HasFault("dpop_accept_symmetric");
      req.accept_private_jwk = HasFault("dpop_accept_private_jwk");
      req.accept_alg_key_mismatch = HasFault("dpop_alg_key_unchecked");
      jose::DpopVerifyResult result = jose::VerifyDpopProof(
          proof, req, *ctx().clock, HasFault("dpop_no_replay_check") ? nullptr : &replay_);
      if (!result.ok) {
        const jose::DpopRejection& why = result.rejection;
        bool nonce = why.error == "use_dpop_nonce";
        return Refuse(401, "DPoP", why.error, why.description, "dpop proof refused: " + why.code,
                      nonce);
      }
    }
  }
  if (x5t) {
    if (auto refused = CheckCertificate(request, *x5t, scheme)) return *refused;
  }
  return Serve(request, claims);
}

}  // namespace tollgate::mocks
