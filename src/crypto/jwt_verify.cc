#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "crypto/jwk_impl.h"
#include "crypto/jws_internal.h"
#include "crypto/strict_json.h"
#include "tollgate/crypto/scope.h"

namespace tollgate::jose {
namespace {

using json = nlohmann::json;

// The largest NumericDate taken seriously: 9999-12-31T23:59:59Z. Anything past it (2^64,
// 1e400 read as infinity) is an overflow probe, not a date.
constexpr double kMaxNumericDate = 253402300799.0;

VerifyResult Reject(std::string code, std::string message) {
  VerifyResult r;
  r.rejection = Rejection{std::move(code), std::move(message)};
  return r;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// RFC 7515 §4.1.9: "application/" may be omitted, and media types are case-insensitive.
std::string NormalizeTyp(const std::string& typ) {
  std::string t = Lower(typ);
  static const std::string kPrefix = "application/";
  if (t.rfind(kPrefix, 0) == 0) t.erase(0, kPrefix.size());
  return t;
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Picks the verification key: by kid, or, without a kid, the only key that fits `alg`.
// Keys named in the token itself (jwk, jku, x5u, x5c) are never looked at.
std::optional<Rejection> PickKey(const json& header, const Jwks& keys, Alg alg, const Jwk** key) {
  auto kid = header.find("kid");
  if (kid != header.end()) {
    if (!kid->is_string()) return Rejection{"malformed", "header kid is not a string"};
    *key = keys.Find(kid->get_ref<const std::string&>());
    if (!*key) return Rejection{"unknown_kid", "kid is not among the trusted keys"};
    if (!KeyFitsAlg((*key)->impl(), alg)) {
      return Rejection{"alg_not_allowed", std::string("alg ") + AlgName(alg) +
                                              " does not fit key \"" + (*key)->kid() + "\" (" +
                                              (*key)->kty() + " " + AlgName((*key)->alg()) + ")"};
    }
    return std::nullopt;
  }
  const Jwk* only = nullptr;
  int fitting = 0;
  for (const Jwk& k : keys.keys) {
    if (KeyFitsAlg(k.impl(), alg)) {
      only = &k;
      ++fitting;
    }
  }
  if (fitting != 1) {
    return Rejection{"unknown_kid", "no kid, and " + std::to_string(fitting) +
                                        " trusted keys fit " + AlgName(alg) +
                                        " (exactly one is needed)"};
  }
  *key = only;
  return std::nullopt;
}

// Type checks for the registered claims a verifier reads (RFC 7519 §4.1, RFC 8693 scope).
std::optional<Rejection> CheckClaimTypes(const json& claims) {
  for (const char* name : {"exp", "nbf", "iat"}) {
    auto it = claims.find(name);
    if (it == claims.end()) continue;
    if (!it->is_number()) {
      return Rejection{"malformed",
                       std::string(name) + " is not a JSON number (RFC 7519 §2 NumericDate)"};
    }
    double v = it->get<double>();
    if (!std::isfinite(v) || std::fabs(v) > kMaxNumericDate) {
      return Rejection{"malformed", std::string(name) + " is out of range for a NumericDate"};
    }
  }
  for (const char* name : {"iss", "sub", "jti", "scope", "client_id"}) {
    auto it = claims.find(name);
    if (it != claims.end() && !it->is_string()) {
      return Rejection{"malformed", std::string(name) + " is not a string"};
    }
  }
  if (auto aud = claims.find("aud"); aud != claims.end()) {
    bool ok = aud->is_string() ||
              (aud->is_array() &&
               std::all_of(aud->begin(), aud->end(), [](const json& a) { return a.is_string(); }));
    if (!ok) return Rejection{"malformed", "aud is neither a string nor an array of strings"};
  }
  if (auto scp = claims.find("scp"); scp != claims.end()) {
    bool ok = scp->is_array() &&
              std::all_of(scp->begin(), scp->end(), [](const json& s) { return s.is_string(); });
    if (!ok) return Rejection{"malformed", "scp is not an array of strings"};
  }
  return std::nullopt;
}

std::optional<Rejection> CheckTimes(const json& claims, const ValidationPolicy& policy,
                                    long long now) {
  const double leeway = static_cast<double>(policy.leeway_seconds);
  const double t = static_cast<double>(now);
  // RFC 7519 §4.1.4: the current time MUST be before exp (with leeway: now - leeway < exp).
  if (auto exp = claims.find("exp"); exp != claims.end() && t - leeway >= exp->get<double>()) {
    return Rejection{"expired",
                     "exp is past (leeway " + std::to_string(policy.leeway_seconds) + " s)"};
  }
  if (auto nbf = claims.find("nbf"); nbf != claims.end() && nbf->get<double>() > t + leeway) {
    return Rejection{"not_yet_valid", "nbf is in the future beyond the leeway"};
  }
  auto iat = claims.find("iat");
  if (iat != claims.end() && iat->get<double>() > t + leeway) {
    return Rejection{"issued_in_future", "iat is in the future beyond the leeway"};
  }
  if (policy.max_lifetime_seconds) {
    auto exp = claims.find("exp");
    if (exp == claims.end() || iat == claims.end()) {
      return Rejection{"missing_claim", "a lifetime limit needs both exp and iat"};
    }
    if (exp->get<double>() - iat->get<double>() >
        static_cast<double>(*policy.max_lifetime_seconds)) {
      return Rejection{"lifetime",
                       "exp - iat exceeds " + std::to_string(*policy.max_lifetime_seconds) + " s"};
    }
  }
  return std::nullopt;
}

std::optional<Rejection> CheckAudienceAndIssuer(const json& claims,
                                                const ValidationPolicy& policy) {
  if (!policy.issuers.empty()) {
    auto iss = claims.find("iss");
    if (iss == claims.end()) return Rejection{"missing_claim", "no iss"};
    if (!Contains(policy.issuers, iss->get<std::string>())) {
      return Rejection{"wrong_issuer", "iss is not a trusted issuer"};
    }
  }
  if (!policy.audiences.empty()) {
    auto aud = claims.find("aud");
    if (aud == claims.end()) return Rejection{"missing_claim", "no aud"};
    std::vector<std::string> values;
    if (aud->is_string()) {
      values.push_back(aud->get<std::string>());
    } else {
      for (const json& a : *aud) values.push_back(a.get<std::string>());
    }
    bool hit = std::any_of(values.begin(), values.end(),
                           [&](const std::string& v) { return Contains(policy.audiences, v); });
    if (!hit) return Rejection{"wrong_audience", "aud does not name this resource"};
  }
  return std::nullopt;
}

std::optional<Rejection> CheckScope(const json& claims, const ValidationPolicy& policy) {
  if (!policy.required_scope) return std::nullopt;
  if (!HasScope(claims, *policy.required_scope)) {
    return Rejection{"insufficient_scope", "the token lacks scope " + *policy.required_scope};
  }
  return std::nullopt;
}

}  // namespace

VerifyResult VerifyJwt(std::string_view token, const Jwks& keys, const ValidationPolicy& policy,
                       const Clock& clock) {
  // 1. Parse strictly.
  JsonDefect defect = JsonDefect::kNone;
  StatusOr<JwsParts> parsed = ParseCompactDetailed(token, &defect);
  if (!parsed.ok()) {
    return Reject(defect == JsonDefect::kDuplicateMember ? "duplicate_member" : "malformed",
                  parsed.status().message());
  }
  const JwsParts& parts = *parsed;
  const json& header = parts.header;

  // 2. alg: a string from the allow-list; none never, whatever the list says.
  auto alg_member = header.find("alg");
  if (alg_member == header.end() || !alg_member->is_string()) {
    return Reject("malformed", "header has no alg string");
  }
  std::optional<Alg> alg = AlgFromName(alg_member->get_ref<const std::string&>());
  if (!alg || *alg == Alg::kNone ||
      std::find(policy.algorithms.begin(), policy.algorithms.end(), *alg) ==
          policy.algorithms.end()) {
    return Reject("alg_not_allowed", "alg is not in the allow-list");
  }

  // 3. The key, from the trusted set only (HS only with oct, RS/PS/ES/EdDSA with their kty).
  const Jwk* key = nullptr;
  if (auto r = PickKey(header, keys, *alg, &key)) return Reject(r->code, r->message);

  // 4. crit: this verifier understands no extension, so any crit is refused (RFC 7515
  // §4.1.11; an empty list is itself invalid).
  if (header.contains("crit"))
    return Reject("crit_unsupported", "crit names extensions this verifier does not support");

  // 5. Signature.
  if (Status s = VerifySignature(parts, *key, *alg); !s.ok()) {
    return Reject("bad_signature", s.message());
  }

  // 6. Header policy.
  if (policy.typ) {
    auto typ = header.find("typ");
    if (typ == header.end() || !typ->is_string()) {
      return Reject("wrong_typ", "no typ, expected " + *policy.typ);
    }
    if (NormalizeTyp(typ->get<std::string>()) != NormalizeTyp(*policy.typ)) {
      return Reject("wrong_typ", "typ is not " + *policy.typ);
    }
  }

  // 7. Claims: strict JSON object, types, presence, time, issuer and audience, scope.
  StatusOr<json> claims = ParseStrictObject(parts.payload, "claims", &defect);
  if (!claims.ok()) {
    return Reject(defect == JsonDefect::kDuplicateMember ? "duplicate_member" : "malformed",
                  claims.status().message());
  }
  if (auto r = CheckClaimTypes(*claims)) return Reject(r->code, r->message);
  for (const std::string& name : policy.required_claims) {
    if (!claims->contains(name)) return Reject("missing_claim", "no " + name);
  }
  if (auto r = CheckTimes(*claims, policy, clock.NowSeconds())) return Reject(r->code, r->message);
  if (auto r = CheckAudienceAndIssuer(*claims, policy)) return Reject(r->code, r->message);
  if (auto r = CheckScope(*claims, policy)) return Reject(r->code, r->message);

  VerifyResult ok;
  ok.ok = VerifiedJwt{header, std::move(*claims)};
  return ok;
}

}  // namespace tollgate::jose
