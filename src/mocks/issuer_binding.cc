// The issuer's sender constraints at its token endpoint: DPoP proofs (RFC 9449 §4.3, §5,
// §8) checked with the shared verifier (tollgate/crypto/dpop.h), the issuer's own DPoP
// nonces, and the client certificate of its `mtls:` listener (RFC 8705 §3).

#include <algorithm>

#include "mocks/config.h"
#include "mocks/issuer.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/dpop.h"
#include "tollgate/mocks/environment.h"

namespace tollgate::mocks {
namespace {

// The proof algorithms accepted by default: the DPoP verifier's default list.
const std::vector<std::string>& IssuerDefaultDpopAlgs() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (jose::Alg a : jose::DpopRequirements{}.algorithms) names.push_back(jose::AlgName(a));
    return names;
  }();
  return kNames;
}

// RFC 8705 §3.1: base64url of the SHA-256 of the leaf's DER, from its lower-case hex.
std::string IssuerX5tS256(const std::string& sha256_hex) {
  std::string bytes;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < sha256_hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(nibble(sha256_hex[i]) * 16 + nibble(sha256_hex[i + 1])));
  }
  return Base64UrlEncode(bytes);
}

// Fault dpop_proof_not_verified. A proof whose signature failed, with everything else in
// it unchanged but re-signed by a stand-in key: the verifier then checks all the rest (typ,
// claims, htm, htu, nonce, iat, replay) as usual, and only the signature goes unproven.
// `claimed_jkt` is the thumbprint of the original header's key, which signed nothing.
struct IssuerStandInProof {
  std::string proof;
  jose::Alg alg;
  std::string claimed_jkt;
};
std::optional<IssuerStandInProof> IssuerResignProof(const std::string& proof) {
  StatusOr<jose::JwsParts> parts = jose::ParseCompact(proof);
  if (!parts.ok() || !parts->header.is_object() || !parts->header.contains("jwk")) {
    return std::nullopt;
  }
  StatusOr<std::string> claimed = jose::JwkThumbprint(parts->header["jwk"]);
  StatusOr<jose::Jwk> stand_in = jose::Jwk::Generate(jose::Alg::kES256, "");
  if (!claimed.ok() || !stand_in.ok()) return std::nullopt;
  nlohmann::json header = parts->header;
  header.erase("alg");
  header.erase("kid");
  header["jwk"] = stand_in->ToPublicJson();
  for (const char* member : {"kid", "alg", "use"}) header["jwk"].erase(member);
  StatusOr<std::string> resigned = jose::Sign(*stand_in, header, parts->payload);
  if (!resigned.ok()) return std::nullopt;
  return IssuerStandInProof{*resigned, jose::Alg::kES256, *claimed};
}

}  // namespace

Status IssuerService::ReadDpopConfig(const nlohmann::json& dpop) {
  for (const std::string& a : GetStrings(dpop, "algorithms", IssuerDefaultDpopAlgs())) {
    // The loader checked each name against PublicKeyAlgNames(); a config built in code
    // is checked here.
    std::optional<jose::Alg> alg = jose::AlgFromName(a);
    if (!alg || !Contains(PublicKeyAlgNames(), a)) {
      return InvalidArgumentError("service `" + name() + "`: dpop.algorithms: `" + a +
                                  "` is no public-key algorithm");
    }
    if (std::find(dpop_algs_.begin(), dpop_algs_.end(), *alg) == dpop_algs_.end()) {
      dpop_algs_.push_back(*alg);
    }
  }
  if (dpop_algs_.empty()) {
    return InvalidArgumentError("service `" + name() + "`: dpop.algorithms must name an algorithm");
  }
  dpop_nonce_required_ = GetString(dpop, "nonce", "none") == "required";
  dpop_nonce_ttl_ = GetSeconds(dpop, "nonce_lifetime", dpop_nonce_ttl_);
  dpop_iat_skew_ = GetSeconds(dpop, "iat_skew", dpop_iat_skew_);
  if (dpop_nonce_ttl_.count() <= 0 || dpop_iat_skew_.count() <= 0) {
    return InvalidArgumentError("service `" + name() +
                                "`: dpop.nonce_lifetime and dpop.iat_skew must be positive");
  }
  return Status::Ok();
}

// Without a PKI (a probe for fault names, a unit test) the listener stays plain: the
// environment that starts the service always has one.
Status IssuerService::SetUpMtls(const nlohmann::json& mtls) {
  if (!ctx().identity) return Status::Ok();
  const std::string server_id = GetString(mtls, "identity", "server");
  const std::string client_id = GetString(mtls, "client_identity", "client");
  auto server = ctx().identity(server_id, "");
  if (!server.ok()) {
    return server.status().WithContext("service `" + name() + "`: mtls identity `" + server_id +
                                       "`");
  }
  auto client = ctx().identity(client_id, "");
  if (!client.ok()) {
    return client.status().WithContext("service `" + name() + "`: mtls client_identity `" +
                                       client_id + "`");
  }
  ServerTlsOptions o;
  o.cert_chain_file = server->chain_file;
  o.key_file = server->key_file;
  // The anchors of the client identity's hierarchy; a client that presents no certificate
  // still gets tokens, unbound (RFC 8705 §3: binding is per client).
  o.client_ca_file = client->ca_file;
  o.request_client_cert = true;
  o.require_client_cert = false;
  o.min_version = GetString(mtls, "min_version", "1.2");
  mtls_tls_ = o;
  mtls_trust_file_ = server->ca_file;
  return Status::Ok();
}

std::string IssuerService::DpopNonce() {
  std::int64_t now = ctx().clock->NowSeconds();
  std::lock_guard<std::mutex> lock(nonce_mu_);
  std::int64_t age = now - nonce_since_;
  if (nonce_.empty() || age >= dpop_nonce_ttl_.count() || age < 0) {
    // The previous nonce stays good for one more period, so a client that just fetched it
    // is not bounced twice; after a longer gap it is gone too.
    previous_nonce_ =
        !nonce_.empty() && age >= 0 && age < 2 * dpop_nonce_ttl_.count() ? nonce_ : "";
    nonce_ = RandomToken(16);
    nonce_since_ = now;
  }
  return nonce_;
}

// The proof of possession of a DPoP key (RFC 9449 §5) and the certificate of the TLS
// handshake (RFC 8705 §3).
std::optional<Handled> IssuerService::Bind(const ServerRequest& request, const IssuerClient& client,
                                           Binding* binding) {
  const std::string realm = Issuer();
  std::vector<std::string> proofs = request.headers.GetAll("DPoP");
  if (proofs.size() > 1) {
    // RFC 9449 §4.3 check 1: not more than one DPoP header.
    return TokenError(400, "invalid_dpop_proof", "more than one DPoP header", realm);
  }
  if (proofs.size() == 1) {
    if (std::optional<Handled> refused = CheckDpopProof(request, proofs[0], binding)) {
      return std::move(*refused);
    }
  } else if (client.dpop_bound && !HasFault("dpop_not_required")) {
    // RFC 9449 §5.2: dpop_bound_access_tokens.
    return TokenError(400, "invalid_dpop_proof",
                      "this client's tokens are DPoP-bound: send a DPoP proof", realm,
                      "no DPoP proof from `" + client.id + "`");
  }
  if (request.client_cert && !request.client_cert->sha256_fingerprint.empty()) {
    binding->x5t_s256 = IssuerX5tS256(request.client_cert->sha256_fingerprint);
  } else if (client.cert_bound && !HasFault("cert_binding_not_required")) {
    return TokenError(400, "invalid_request",
                      "this client's tokens are certificate-bound: present its certificate over "
                      "mutual TLS",
                      realm, "no client certificate from `" + client.id + "`");
  }
  return std::nullopt;
}

std::optional<Handled> IssuerService::CheckDpopProof(const ServerRequest& request,
                                                     const std::string& proof, Binding* binding) {
  const std::string realm = Issuer();
  // htu is the token endpoint as advertised, or as this request reached it (its Host), which
  // differ when the service sits behind a public_url.
  std::vector<std::string> htus = {BaseUrl() + request.path};
  if (auto host = request.headers.Get("Host"); host && !host->empty()) {
    std::string reached = (request.tls ? "https://" : "http://") + *host + request.path;
    if (jose::NormalizeHtu(reached) != jose::NormalizeHtu(htus[0])) htus.push_back(reached);
  }
  std::vector<std::optional<std::string>> nonces = {std::nullopt};
  if (dpop_nonce_required_ && !HasFault("dpop_nonce_not_checked")) {
    std::string current = DpopNonce();
    std::lock_guard<std::mutex> lock(nonce_mu_);
    nonces = {current};
    if (!previous_nonce_.empty()) nonces.push_back(previous_nonce_);
  }
  jose::DpopReplayCache* replay = HasFault("dpop_replay_allowed") ? nullptr : &replay_;
  auto verify = [&](const std::string& text, const std::vector<jose::Alg>& algorithms) {
    jose::DpopVerifyResult result;
    for (const std::string& htu : htus) {
      for (const std::optional<std::string>& nonce : nonces) {
        jose::DpopRequirements req;
        req.htm = "POST";
        req.htu = htu;
        req.nonce = nonce;
        req.algorithms = algorithms;
        req.iat_skew_seconds = dpop_iat_skew_.count();
        result = jose::VerifyDpopProof(text, req, *ctx().clock, replay);
        if (result.ok || result.rejection.code != "wrong_nonce") break;
      }
      if (result.ok || result.rejection.code != "wrong_htu") break;
    }
    return result;
  };
  jose::DpopVerifyResult result = verify(proof, dpop_algs_);
  if (result.ok) {
    binding->jkt = result.ok->jkt;
    return std::nullopt;
  }
  // The header (typ, alg, jwk) passed before the signature was checked.
  if (result.rejection.code == "bad_signature" && HasFault("dpop_proof_not_verified")) {
    if (std::optional<IssuerStandInProof> stand_in = IssuerResignProof(proof)) {
      result = verify(stand_in->proof, {stand_in->alg});
      if (result.ok) {
        binding->jkt = stand_in->claimed_jkt;
        return std::nullopt;
      }
    }
  }
  const jose::DpopRejection& why = result.rejection;
  if (why.error == "use_dpop_nonce") {
    // RFC 9449 §8: the nonce to retry with.
    Handled h = TokenError(400, "use_dpop_nonce", "the DPoP proof must carry the server's nonce",
                           realm, "DPoP " + why.code);
    h.response.headers.Add("DPoP-Nonce", DpopNonce());
    return h;
  }
  return TokenError(400, "invalid_dpop_proof", why.description, realm, "DPoP " + why.code);
}

}  // namespace tollgate::mocks
