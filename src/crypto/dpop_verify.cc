// A DPoP proof checked as a resource server must (RFC 9449 §4.3, §7.1), and the replay cache
// behind its jti check (§11.1).

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <unordered_map>

#include "crypto/alg.h"
#include "crypto/jwk_impl.h"
#include "crypto/jws_internal.h"
#include "crypto/signature.h"
#include "crypto/strict_json.h"
#include "tollgate/base/digest.h"
#include "tollgate/crypto/dpop.h"

namespace tollgate::jose {
namespace {

using json = nlohmann::json;

constexpr char kInvalidProof[] = "invalid_dpop_proof";
constexpr char kUseNonce[] = "use_dpop_nonce";
constexpr char kInvalidToken[] = "invalid_token";

// Past 9999-12-31: an overflow probe, not a date (as in jwt_verify.cc).
constexpr double kMaxNumericDate = 253402300799.0;

DpopVerifyResult Reject(std::string code, std::string description,
                        const char* error = kInvalidProof) {
  DpopVerifyResult r;
  r.rejection = DpopRejection{std::move(code), error, std::move(description)};
  return r;
}

// RFC 7515 §4.1.9: media types compare case-insensitively, "application/" may be omitted.
bool IsDpopTyp(const std::string& typ) {
  std::string t = typ;
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t.rfind("application/", 0) == 0) t.erase(0, 12);
  return t == kDpopTyp;
}

const std::string* StringMember(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

// The header keys of recent proofs, imported once. A client signs many proofs with one key,
// and importing it checks it (for RSA, EVP_PKEY_public_check tests the modulus for
// primality), which costs more than checking the signature. Keyed by the jwk's whole JSON
// text, so only the very same members find an entry; only public keys are kept. Bounded
// (emptied when full); thread-safe.
struct HeaderKey {
  Jwk key;
  std::string jkt;
};

class HeaderKeyMemo {
 public:
  StatusOr<HeaderKey> Import(const json& jwk) {
    std::string text = jwk.dump(-1, ' ', false, json::error_handler_t::replace);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = keys_.find(text); it != keys_.end()) return it->second;
    }
    ASSIGN_OR_RETURN(Jwk key, Jwk::FromJson(jwk));
    HeaderKey imported{key, key.has_private() ? "" : key.Thumbprint()};
    if (!key.has_private() && key.kty() != "oct") {
      std::lock_guard<std::mutex> lock(mu_);
      if (keys_.size() >= kCapacity) keys_.clear();
      keys_.emplace(std::move(text), imported);
    }
    return imported;
  }

 private:
  static constexpr std::size_t kCapacity = 4096;
  std::mutex mu_;
  std::unordered_map<std::string, HeaderKey> keys_;
};

HeaderKeyMemo& HeaderKeys() {
  static HeaderKeyMemo* memo = new HeaderKeyMemo;  // never destroyed: used from any thread
  return *memo;
}

}  // namespace

DpopReplayCache::Outcome DpopReplayCache::Insert(const std::string& key, long long expires,
                                                 long long now) {
  std::lock_guard<std::mutex> lock(mu_);
  DropExpired(now);
  if (expiry_.contains(key)) return Outcome::kReplay;
  if (expiry_.size() >= capacity_) return Outcome::kFull;
  expiry_.emplace(key, expires);
  by_expiry_.emplace(expires, key);
  return Outcome::kNew;
}

std::size_t DpopReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return expiry_.size();
}

void DpopReplayCache::DropExpired(long long now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now) {
    expiry_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

DpopVerifyResult VerifyDpopProof(std::string_view proof, const DpopRequirements& req,
                                 const Clock& clock, DpopReplayCache* replay) {
  // §4.3 step 2: a well-formed JWS, parsed strictly (no duplicate members, strict base64url).
  JsonDefect defect = JsonDefect::kNone;
  StatusOr<JwsParts> parsed = ParseCompactDetailed(proof, &defect);
  if (!parsed.ok()) return Reject("malformed", parsed.status().message());
  const JwsParts& parts = *parsed;
  const json& header = parts.header;

  // Step 4: typ.
  const std::string* typ = StringMember(header, "typ");
  if (!typ || !IsDpopTyp(*typ)) return Reject("wrong_typ", "typ is not dpop+jwt");

  // Step 5: an asymmetric algorithm from the allow-list; none and HS256 never.
  const std::string* alg_name = StringMember(header, "alg");
  std::optional<Alg> alg = alg_name ? AlgFromName(*alg_name) : std::nullopt;
  const bool symmetric = alg && !IsPublicKeyAlg(*alg);  // none or HS256
  const bool unchecked = symmetric && req.accept_symmetric;
  if (!alg || (symmetric && !unchecked) ||
      (!symmetric &&
       std::find(req.algorithms.begin(), req.algorithms.end(), *alg) == req.algorithms.end())) {
    return Reject("alg_not_allowed", "alg is not an allowed asymmetric algorithm");
  }

  // Step 7: the jwk, a public key of alg's family.
  auto jwk_member = header.find("jwk");
  if (jwk_member == header.end() || !jwk_member->is_object()) {
    return Reject("missing_jwk", "no jwk object in the header");
  }
  StatusOr<HeaderKey> imported = HeaderKeys().Import(*jwk_member);
  if (!imported.ok()) return Reject("bad_jwk", imported.status().message());
  const Jwk* key = &imported->key;
  if (key->kty() == "oct") return Reject("bad_jwk", "the header jwk is a symmetric key");
  if (key->has_private() && !req.accept_private_jwk) {
    return Reject("private_jwk", "the header jwk holds a private key");
  }
  // RFC 7518 §3.4: ES256 is P-256, ES384 P-384. The broken verifier of
  // accept_alg_key_mismatch takes any key of alg's kty and checks the signature on its curve.
  const bool fit_unchecked =
      !unchecked && req.accept_alg_key_mismatch && key->kty() == KtyFor(*alg);
  if (!unchecked && !fit_unchecked && !KeyFitsAlg(key->impl(), *alg)) {
    return Reject("bad_jwk", "the header jwk does not fit alg");
  }
  if (header.contains("crit")) {
    return Reject("crit_unsupported", "crit names extensions this verifier does not support");
  }

  // Step 6: the signature, by the jwk.
  if (unchecked) {
    // The broken verifier's way: no key fits, so nothing is checked.
  } else if (fit_unchecked) {
    if (!RawVerifyOnKeyCurve(key->impl(), *alg, parts.header_b64 + "." + parts.payload_b64,
                             parts.signature)) {
      return Reject("bad_signature", "the signature does not verify with the header jwk");
    }
  } else if (Status s = VerifySignature(parts, *key, *alg); !s.ok()) {
    return Reject("bad_signature", "the signature does not verify with the header jwk");
  }

  // Step 3: the claims, present and typed.
  StatusOr<json> claims = ParseStrictObject(parts.payload, "claims", &defect);
  if (!claims.ok()) return Reject("malformed", claims.status().message());
  for (const char* name : {"jti", "htm", "htu"}) {
    const std::string* v = StringMember(*claims, name);
    if (!v || v->empty()) return Reject("missing_claim", std::string("no ") + name + " string");
  }
  auto iat = claims->find("iat");
  if (iat == claims->end() || !iat->is_number() || !std::isfinite(iat->get<double>()) ||
      std::fabs(iat->get<double>()) > kMaxNumericDate) {
    return Reject("missing_claim", "no iat NumericDate");
  }

  // Steps 8-9: the request it was made for. Methods are case-sensitive (RFC 9110 §9.1).
  if (*StringMember(*claims, "htm") != req.htm) {
    return Reject("wrong_htm", "htm is not the request's method");
  }
  std::string htu = NormalizeHtu(*StringMember(*claims, "htu"));
  if (htu != NormalizeHtu(req.htu)) return Reject("wrong_htu", "htu is not the request's URI");

  // Step 10 and §9: the server's nonce.
  if (req.nonce) {
    const std::string* nonce = StringMember(*claims, "nonce");
    if (!nonce) return Reject("nonce_required", "this server requires a nonce", kUseNonce);
    if (!ConstantTimeEquals(*nonce, *req.nonce)) {
      return Reject("wrong_nonce", "nonce is not the server's current one", kUseNonce);
    }
  }

  // Step 11: created within the window.
  const long long now = clock.NowSeconds();
  const double issued = iat->get<double>();
  if (issued < static_cast<double>(now - req.iat_skew_seconds)) {
    return Reject("stale_iat", "iat is older than the window");
  }
  if (issued > static_cast<double>(now + req.iat_skew_seconds)) {
    return Reject("future_iat", "iat is further in the future than the window");
  }

  // Step 12 and §7.1: the access token it was made for, and the key the token is bound to.
  if (req.access_token) {
    const std::string* ath = StringMember(*claims, "ath");
    if (!ath) return Reject("missing_ath", "no ath, though an access token is presented");
    if (!ConstantTimeEquals(*ath, AccessTokenHash(*req.access_token))) {
      return Reject("wrong_ath", "ath is not the hash of the presented access token");
    }
  }
  std::string jkt = imported->jkt.empty() ? key->Thumbprint() : imported->jkt;
  if (req.jkt && !ConstantTimeEquals(jkt, *req.jkt)) {
    return Reject("jkt_mismatch", "the proof's key is not the one the token is bound to",
                  kInvalidToken);
  }

  // §11.1: once per jti and URI while the proof could pass the time check. Last, so proofs
  // that fail another check never fill the cache.
  if (replay != nullptr) {
    std::string entry = *StringMember(*claims, "jti") + " " + htu;
    long long expires = static_cast<long long>(std::ceil(issued)) + req.iat_skew_seconds;
    switch (replay->Insert(entry, expires, now)) {
      case DpopReplayCache::Outcome::kReplay:
        return Reject("replayed_jti", "this jti was used already");
      case DpopReplayCache::Outcome::kFull:
        return Reject("replay_cache_full", "too many recent proofs to check this one for replay");
      case DpopReplayCache::Outcome::kNew:
        break;
    }
  }

  DpopVerifyResult ok;
  ok.ok = VerifiedDpop{header, std::move(*claims), std::move(jkt)};
  return ok;
}

std::string DpopChallenge(const DpopRejection& rejection, const std::vector<Alg>& algorithms) {
  // Quoted strings (RFC 9110 §5.6.4): '"' and '\' as quoted pairs, control bytes dropped.
  std::string description;
  for (char c : rejection.description) {
    if (c == '"' || c == '\\') description += '\\';
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) description += c;
  }
  std::string out =
      "DPoP error=\"" + rejection.error + "\", error_description=\"" + description + "\"";
  std::string algs;
  for (Alg a : algorithms) {
    if (IsPublicKeyAlg(a)) algs += (algs.empty() ? "" : " ") + std::string(AlgName(a));
  }
  if (!algs.empty()) out += ", algs=\"" + algs + "\"";
  return out;
}

}  // namespace tollgate::jose
