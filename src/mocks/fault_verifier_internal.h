#pragma once
// Pieces shared by the fault verifier's files. Private to src/mocks.

#include <optional>
#include <string>

#include "mocks/fault_verifier.h"

namespace tollgate::mocks {

/// A refusal with `code` and `message`.
jose::VerifyResult Refused(std::string code, std::string message);
/// The header member `name` when it is a string, else "".
std::string HeaderString(const nlohmann::json& header, const char* name);
/// True when `alg` is set and in the policy's allow-list.
bool Allowed(const jose::ValidationPolicy& policy, std::optional<jose::Alg> alg);
/// Runs VerifyJwt on `parts.header` (less alg, kid, jwk) and `payload`, re-signed with a
/// throwaway key, so that everything but the signature is checked as on the correct path.
jose::VerifyResult VerifyUnsigned(const jose::JwsParts& parts, const std::string& payload,
                                  jose::ValidationPolicy policy, const Clock& clock);

/// The key-lookup faults (fault_key_lookup.cc), tried before the strict verifier: a
/// result when one of them lets the token through, nullopt when none applies.
std::optional<jose::VerifyResult> VerifyWithKeyFaults(const jose::JwsParts& parts,
                                                      const jose::Jwks& keys,
                                                      const jose::ValidationPolicy& policy,
                                                      const Clock& clock,
                                                      const VerifierFaults& faults);

/// The parsing faults (fault_lenient_parse.cc), tried after the strict verifier refused:
/// once the lenient parse has read the token and its signature verifies, the result of
/// the remaining checks; nullopt when it cannot (the strict refusal then stands).
std::optional<jose::VerifyResult> VerifyLenient(std::string_view token, const jose::Jwks& keys,
                                                const jose::ValidationPolicy& policy,
                                                const Clock& clock, const VerifierFaults& faults);

}  // namespace tollgate::mocks
