#pragma once
// ParseCompact with the kind of failure, for VerifyJwt's rejection codes. Private.

#include <string_view>

#include "crypto/strict_json.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {

/// ParseCompact, and `*defect` says whether a header failure was a duplicate member.
StatusOr<JwsParts> ParseCompactDetailed(std::string_view token, JsonDefect* defect);

}  // namespace tollgate::jose
