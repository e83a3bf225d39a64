// JWS/JWT verification: input is a JWKS (first line) and a compact token (the rest).
// ParseCompact must be strict and total; VerifyJwt either accepts (and then the token's
// kid, if any, is in the set, its alg is allowed and not "none", and it has not expired at
// the fixed clock) or names a known rejection code. Seeds: tokens minted by
// make_seeds.cc with every mutation of Mutations(), signed by the key in the same seed.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_keys.h"
#include "fuzz_util.h"
#include "tollgate/base/clock.h"
#include "tollgate/crypto/jose.h"

namespace jose = tollgate::jose;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = tollgate::fuzz::Text(data, size);
  auto [jwks_text, token] = tollgate::fuzz::SplitOnce(text, "\n");

  auto parts = jose::ParseCompact(token);
  if (parts.ok()) {
    if (!parts->header.is_object()) __builtin_trap();
    if (parts->header_b64 + "." + parts->payload_b64 + "." + parts->signature_b64 != token) {
      __builtin_trap();
    }
  }

  auto keys = jose::Jwks::Parse(jwks_text);
  if (!keys.ok()) return 0;

  static const tollgate::ManualClock clock{
      tollgate::Clock::TimePoint(std::chrono::seconds(tollgate::fuzz::kNow))};
  jose::ValidationPolicy policy;
  policy.issuers = {tollgate::fuzz::kIssuer};
  policy.audiences = {tollgate::fuzz::kAudience};
  policy.algorithms = {jose::Alg::kHS256, jose::Alg::kRS256, jose::Alg::kRS384, jose::Alg::kRS512,
                       jose::Alg::kPS256, jose::Alg::kES256, jose::Alg::kES384, jose::Alg::kEdDSA};
  policy.max_lifetime_seconds = 24 * 3600;

  jose::VerifyResult result = jose::VerifyJwt(token, *keys, policy, clock);
  static const std::set<std::string> kCodes = {
      "malformed",        "alg_not_allowed",  "unknown_kid",      "bad_signature",
      "expired",          "not_yet_valid",    "issued_in_future", "wrong_issuer",
      "wrong_audience",   "wrong_typ",        "missing_claim",    "insufficient_scope",
      "crit_unsupported", "duplicate_member", "embedded_key",     "lifetime"};
  if (!result.ok) {
    if (!kCodes.count(result.rejection.code)) __builtin_trap();
    return 0;
  }
  // Accepted: it parsed, names a kid of the set, and is signed with an allowed alg.
  if (!parts.ok()) __builtin_trap();
  const nlohmann::json& header = result.ok->header;
  if (!header.contains("alg") || !header["alg"].is_string()) __builtin_trap();
  auto alg = jose::AlgFromName(header["alg"].get<std::string>());
  if (!alg || *alg == jose::Alg::kNone) __builtin_trap();
  // Without a kid, the only key that fits the alg was used (jwt_verify.cc).
  if (header.contains("kid") &&
      (!header["kid"].is_string() || keys->Find(header["kid"].get<std::string>()) == nullptr)) {
    __builtin_trap();
  }
  const nlohmann::json& claims = result.ok->claims;
  if (!claims.contains("exp") || !claims["exp"].is_number()) __builtin_trap();
  // RFC 7519 §4.1.4, as the verifier writes it: now - leeway < exp.
  if (static_cast<double>(tollgate::fuzz::kNow - policy.leeway_seconds) >=
      claims["exp"].get<double>()) {
    __builtin_trap();
  }
  return 0;
}
