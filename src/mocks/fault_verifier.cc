#include "mocks/fault_verifier.h"

#include <algorithm>

#include "mocks/fault_verifier_internal.h"
#include "tollgate/http/message.h"

namespace tollgate::mocks {

jose::VerifyResult Refused(std::string code, std::string message) {
  jose::VerifyResult r;
  r.rejection = {std::move(code), std::move(message)};
  return r;
}

std::string HeaderString(const nlohmann::json& header, const char* name) {
  auto it = header.find(name);
  return it != header.end() && it->is_string() ? it->get<std::string>() : "";
}

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

namespace {

struct Switch {
  const char* name;
  bool VerifierFaults::*member;
  const char* summary;
};

const std::vector<Switch>& Switches() {
  static const std::vector<Switch> kSwitches = {
      {"accept_expired", &VerifierFaults::accept_expired,
       "accepts a token whose `exp` has passed (beyond the leeway)"},
      {"accept_not_yet_valid", &VerifierFaults::accept_not_yet_valid,
       "accepts a token whose `nbf` or `iat` is in the future"},
      {"exp_optional", &VerifierFaults::exp_optional,
       "accepts a token without `exp`, which then never expires"},
      {"skip_signature", &VerifierFaults::skip_signature,
       "accepts any signature when the kid is known and the alg allowed"},
      {"accept_alg_none", &VerifierFaults::accept_alg_none,
       "accepts an unsigned token with `alg` none in any letter case"},
      {"accept_embedded_jwk", &VerifierFaults::accept_embedded_jwk,
       "verifies the token with the key in its own `jwk` header"},
      {"hs256_key_confusion", &VerifierFaults::hs256_key_confusion,
       "accepts HS256 keyed with a published key's PEM (with or without final newline) or JWK"},
      {"hs256_empty_secret", &VerifierFaults::hs256_empty_secret,
       "accepts HS256 keyed with an empty secret when the kid names an RSA or EC key"},
      {"kid_as_file_path", &VerifierFaults::kid_as_file_path,
       "accepts HS256 keyed with the file the kid names under the key dir (path traversal)"},
      {"kid_in_sql_query", &VerifierFaults::kid_in_sql_query,
       "accepts HS256 keyed with what a SQL query with the kid pasted in returns"},
      {"try_every_key", &VerifierFaults::try_every_key,
       "ignores the kid: any trusted key whose signature verifies will do"},
      {"unknown_kid_fail_open", &VerifierFaults::unknown_kid_fail_open,
       "skips the signature check when no key matches the kid after the refetch"},
      {"duplicate_members_first_wins", &VerifierFaults::duplicate_members_first_wins,
       "tolerates duplicate JSON members in header or claims, keeping the first"},
      {"ignore_crit", &VerifierFaults::ignore_crit,
       "ignores the `crit` header: unknown or empty extension lists pass"},
      {"lenient_base64", &VerifierFaults::lenient_base64,
       "decodes segments with `=` padding and the standard `+` `/` alphabet"},
      {"accept_jws_json", &VerifierFaults::accept_jws_json,
       "accepts a flattened JWS JSON serialisation as the token"},
      {"accept_unverified_jwe", &VerifierFaults::accept_unverified_jwe,
       "reads a five-segment JWE's ciphertext as the claims, undecrypted and unauthenticated"},
      {"lenient_exp", &VerifierFaults::lenient_exp,
       "reads `exp` from a digit string; an `exp` past every date saturates to the last one"},
  };
  return kSwitches;
}

}  // namespace

const Terms& VerifierFaultTerms() {
  static const Terms kTerms = [] {
    Terms terms;
    for (const Switch& s : Switches()) terms.push_back({s.name, s.summary});
    return terms;
  }();
  return kTerms;
}

Terms WithVerifierFaults(Terms own) {
  for (const Term& t : VerifierFaultTerms()) own.push_back(t);
  return own;
}

const std::vector<std::string>& VerifierFaultNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const Switch& s : Switches()) names.push_back(s.name);
    return names;
  }();
  return kNames;
}

bool SetVerifierFault(VerifierFaults& faults, std::string_view name) {
  for (const Switch& s : Switches()) {
    if (name == s.name) {
      faults.*s.member = true;
      return true;
    }
  }
  return false;
}

jose::VerifyResult VerifyWithFaults(std::string_view token, const jose::Jwks& keys,
                                    const jose::ValidationPolicy& strict_policy, const Clock& clock,
                                    const VerifierFaults& faults) {
  jose::ValidationPolicy policy = strict_policy;
  if (faults.exp_optional) std::erase(policy.required_claims, "exp");

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
    if (faults.skip_signature && Allowed(policy, alg) && keys.Find(kid) != nullptr) {
      return VerifyUnsigned(*parts, parts->payload, policy, clock);
    }
    if (auto r = VerifyWithKeyFaults(*parts, keys, policy, clock, faults)) {
      return *r;
    }
  }

  jose::VerifyResult result = jose::VerifyJwt(token, keys, policy, clock);
  if (result.ok) return result;
  if (auto r = VerifyLenient(token, keys, policy, clock, faults)) return *r;
  if (!parts.ok()) return result;
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
