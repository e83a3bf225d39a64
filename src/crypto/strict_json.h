#pragma once
// A JSON parser for JOSE headers, claims and key sets: nlohmann/json with duplicate member
// names refused at every depth (RFC 7515 §5.2 step 4 lets a parser take the last value;
// a security check must not, or "alg" can say two things). Private to the crypto module.

#include <nlohmann/json.hpp>
#include <string_view>

#include "tollgate/base/status.h"

namespace tollgate::jose {

/// Why strict parsing failed.
enum class JsonDefect { kNone, kSyntax, kDuplicateMember, kNotObject };

/// Parses `text` as one JSON object. On failure, InvalidArgument naming `what` ("header",
/// "claims", ...) and the problem, and `*defect` (when given) says which kind it was.
StatusOr<nlohmann::json> ParseStrictObject(std::string_view text, std::string_view what,
                                           JsonDefect* defect = nullptr);

}  // namespace tollgate::jose
