#pragma once
// Token validation for reference targets, with switches that each break one rule on
// purpose. With every switch off it is exactly jose::VerifyJwt. Rules that the policy can
// express (issuer, audience, typ) are relaxed by the caller in the ValidationPolicy; the
// ones here cannot be, so they are built around VerifyJwt:
//
// A faulty check that skips one step (the signature, one time claim, a parsing rule, the
// key lookup) re-signs the token's own header and (adjusted) claims with a throwaway HMAC
// key and runs VerifyJwt on that. Every other rule (typ, iss, aud, the other time claims,
// crit, required claims) is then checked by the same code as on the correct path, so a
// fault never relaxes more than its one rule.

#include <string>
#include <string_view>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::mocks {

/// Rules a faulty relying party breaks. All false: correct. Each is a defect seen in real
/// verifiers; the names are the gateway's fault names.
struct VerifierFaults {
  // Time (fault_verifier.cc).
  bool accept_expired = false;        // exp is not enforced
  bool accept_not_yet_valid = false;  // nbf and a future iat are not enforced
  bool exp_optional = false;          // a token without exp never expires
  // Signature and key lookup (the first four in fault_verifier.cc, the rest in
  // fault_key_lookup.cc).
  bool skip_signature = false;         // a known kid and an allowed alg are enough
  bool accept_alg_none = false;        // alg "none" in any letter case is accepted unsigned
  bool accept_embedded_jwk = false;    // a `jwk` header key verifies the token
  bool hs256_key_confusion = false;    // HS256 keyed with a published key's PEM or JWK text
  bool hs256_empty_secret = false;     // HS256 keyed with the kid's `k`: "" for RSA/EC keys
  bool kid_as_file_path = false;       // HS256 keyed with the file the kid names
  bool kid_in_sql_query = false;       // HS256 keyed with a query the kid is pasted into
  bool try_every_key = false;          // kid ignored: any trusted key that verifies will do
  bool unknown_kid_fail_open = false;  // an unknown kid (after refetch) skips the signature
  // Parsing (fault_lenient_parse.cc).
  bool duplicate_members_first_wins = false;  // duplicate JSON members: the first is kept
  bool ignore_crit = false;                   // crit is not looked at
  bool lenient_base64 = false;                // '=' padding and '+' '/' decoded
  bool accept_jws_json = false;               // flattened JWS JSON serialisation accepted
  bool accept_unverified_jwe = false;         // five segments: the ciphertext read as claims
  bool lenient_exp = false;                   // exp from a digit string; overflow saturates

  /// True when the token may not be RFC 6750 b64token syntax (JSON, inner padding): a
  /// gateway with these defects hands the credential to its lenient parser as it comes.
  bool RelaxesTokenSyntax() const { return lenient_base64 || accept_jws_json; }
};

// VerifierFaultTerms() is public: tollgate/mocks/environment.h.
/// `own` followed by VerifierFaultTerms() (a kind whose verifier has every switch).
Terms WithVerifierFaults(Terms own);
/// The names of VerifierFaults' switches, in declaration order.
const std::vector<std::string>& VerifierFaultNames();
/// The switches of the verifier faults `has_fault` says are on (a service's HasFault): the
/// one way a reference target wires its faults to the verifier.
template <typename HasFault>
VerifierFaults EnabledVerifierFaults(HasFault&& has_fault);
/// Turns on the switch called `name`; false when there is none.
bool SetVerifierFault(VerifierFaults& faults, std::string_view name);

template <typename HasFault>
VerifierFaults EnabledVerifierFaults(HasFault&& has_fault) {
  VerifierFaults faults;
  for (const std::string& name : VerifierFaultNames()) {
    if (has_fault(name)) SetVerifierFault(faults, name);
  }
  return faults;
}

/// VerifyJwt with `faults` applied. `keys` are the trusted keys.
jose::VerifyResult VerifyWithFaults(std::string_view token, const jose::Jwks& keys,
                                    const jose::ValidationPolicy& policy, const Clock& clock,
                                    const VerifierFaults& faults);

}  // namespace tollgate::mocks
