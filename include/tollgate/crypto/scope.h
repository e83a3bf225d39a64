#pragma once
// Scopes, read one way everywhere: by the issuer mock (what a client asks for), by every
// reference target and by the strict verifier (what a token grants).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::jose {

/// RFC 6749 §3.3: the scope tokens of a `scope` string, split at spaces (%x20 only); empty
/// pieces from doubled spaces ignored, repeats dropped, in first-seen order.
std::vector<std::string> SplitScope(std::string_view text);

/// The scopes a token's claims grant: the `scope` string (RFC 9068 §2.2.3, RFC 8693 §4.2)
/// and the `scp` array some issuers use instead, strings only, without repeats.
std::vector<std::string> GrantedScopes(const nlohmann::json& claims);

/// True when the claims grant `scope` (never for an empty `scope`).
bool HasScope(const nlohmann::json& claims, const std::string& scope);

}  // namespace tollgate::jose
