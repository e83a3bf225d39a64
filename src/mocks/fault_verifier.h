#pragma once
// Token validation for reference targets, with switches that each break one rule on
// purpose. With every switch off it is exactly jose::VerifyJwt. Rules that the policy can
// express (issuer, audience, typ) are relaxed by the caller in the ValidationPolicy; the
// ones here cannot be, so they are built around VerifyJwt:
//
// A faulty check that skips one step (the signature, or one time claim) re-signs the
// token's own header and (adjusted) claims with a throwaway HMAC key and runs VerifyJwt on
// that. Every other rule (typ, iss, aud, the other time claims, crit, required claims)
// is then checked by the same code as on the correct path, so a fault never relaxes more
// than its one rule.

#include <string_view>

#include "tollgate/base/clock.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::mocks {

/// Rules a faulty relying party breaks. All false: correct.
struct VerifierFaults {
  bool accept_expired = false;        // exp is not enforced
  bool accept_not_yet_valid = false;  // nbf and a future iat are not enforced
  bool skip_signature = false;        // a known kid and an allowed alg are enough
  bool accept_alg_none = false;       // alg "none" in any letter case is accepted unsigned
  bool accept_embedded_jwk = false;   // a `jwk` header key verifies the token
  bool hs256_key_confusion = false;   // HS256 keyed with a published key's PEM verifies
};

/// VerifyJwt with `faults` applied. `keys` are the trusted keys.
jose::VerifyResult VerifyWithFaults(std::string_view token, const jose::Jwks& keys,
                                    const jose::ValidationPolicy& policy, const Clock& clock,
                                    const VerifierFaults& faults);

}  // namespace tollgate::mocks
