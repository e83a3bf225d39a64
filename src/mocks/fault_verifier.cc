#include "mocks/fault_verifier.h"

#include <algorithm>

#include "tollgate/http/message.h"

namespace tollgate::mocks {
namespace {

jose::VerifyResult Refused(std::string code, std::string message) {
  jose::VerifyResult r;
  r.rejection = {std::move(code), std::move(message)};
  return r;
}

std::string HeaderString(const nlohmann::json& header, const char* name) {
  auto it = header.find(name);
  return it != header.end() && it->is_string() ? it->get<std::string>() : "";
}

// Runs VerifyJwt on the token's header and `payload`, re-signed with a throwaway key, so
// that everything but the signature is checked exactly as on the correct path.
jose::VerifyResult VerifyUnsigned(const jose::JwsParts& parts, const std::string& payload,
                                  jose::ValidationPolicy policy, const Clock& clock) {
  StatusOr<jose::Jwk> key = jose::Jwk::Generate(jose::Alg::kHS256, "tollgate-fault-reverify");
  if (!key.ok()) return Refused("internal", key.status().ToString());
  nlohmann::json header = parts.header;
  for (const char* name : {"alg", "kid", "jwk"}) header.erase(name);
  StatusOr<std::string> token = jose::Sign(*key, header, payload);
  if (!token.ok()) return Refused("malformed", token.status().message());
  policy.algorithms = {jose::Alg::kHS256};
  jose::Jwks keys;
  keys.keys.push_back(*key);
  return jose::VerifyJwt(*token, keys, policy, clock);
}

bool Allowed(const jose::ValidationPolicy& policy, std::optional<jose::Alg> alg) {
  return alg && std::find(policy.algorithms.begin(), policy.algorithms.end(), *alg) !=
                    policy.algorithms.end();
}

}  // namespace

jose::VerifyResult VerifyWithFaults(std::string_view token, const jose::Jwks& keys,
                                    const jose::ValidationPolicy& policy, const Clock& clock,
                                    const VerifierFaults& faults) {
  StatusOr<jose::JwsParts> parts = jose::ParseCompact(token);
  std::string alg_name, kid;
  std::optional<jose::Alg> alg;
  if (parts.ok()) {
    alg_name = HeaderString(parts->header, "alg");
    kid = HeaderString(parts->header, "kid");
    alg = jose::AlgFromName(alg_name);

    // Faults that replace the signature check.
    if (faults.accept_alg_none && EqualsIgnoreCase(alg_name, "none")) {
      return VerifyUnsigned(*parts, parts->payload, policy, clock);
    }
    if (faults.accept_embedded_jwk && parts->header.contains("jwk") && Allowed(policy, alg)) {
      StatusOr<jose::Jwk> embedded = jose::Jwk::FromJson(parts->header["jwk"]);
      if (embedded.ok() && jose::VerifySignature(*parts, *embedded, *alg).ok()) {
        return VerifyUnsigned(*parts, parts->payload, policy, clock);
      }
    }
    if (faults.hs256_key_confusion && alg_name == "HS256") {
      for (const jose::Jwk& k : keys.keys) {
        if (!kid.empty() && k.kid() != kid) continue;
        std::string pem = k.PublicPem();
        std::string trimmed = pem;
        while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
        for (const std::string& secret : {pem, trimmed}) {
          if (secret.empty()) continue;
          jose::Jwk hmac = jose::Jwk::FromSecret(secret, k.kid(), jose::Alg::kHS256);
          if (jose::VerifySignature(*parts, hmac, jose::Alg::kHS256).ok()) {
            return VerifyUnsigned(*parts, parts->payload, policy, clock);
          }
        }
      }
    }
    if (faults.skip_signature && Allowed(policy, alg) && keys.Find(kid) != nullptr) {
      return VerifyUnsigned(*parts, parts->payload, policy, clock);
    }
  }

  jose::VerifyResult result = jose::VerifyJwt(token, keys, policy, clock);
  if (result.ok || !parts.ok()) return result;
  const std::string& code = result.rejection.code;
  bool expired = faults.accept_expired && code == "expired";
  bool early =
      faults.accept_not_yet_valid && (code == "not_yet_valid" || code == "issued_in_future");
  if (!expired && !early) return result;

  // Faults that skip one time claim: the signature must still be good, checked here so
  // this path does not depend on the order of VerifyJwt's checks.
  const jose::Jwk* key = keys.Find(kid);
  if (!key || !Allowed(policy, alg) || !jose::VerifySignature(*parts, *key, *alg).ok()) {
    return result;
  }
  nlohmann::json claims = nlohmann::json::parse(parts->payload, nullptr, false);
  if (!claims.is_object()) return result;
  long long now = clock.NowSeconds();
  if (faults.accept_expired) claims["exp"] = now + 3600;
  if (faults.accept_not_yet_valid) {
    claims.erase("nbf");
    if (claims.contains("iat") && claims["iat"].is_number() &&
        claims["iat"].get<double>() > static_cast<double>(now)) {
      claims["iat"] = now;
    }
  }
  return VerifyUnsigned(*parts, claims.dump(), policy, clock);
}

}  // namespace tollgate::mocks
