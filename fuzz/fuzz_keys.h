#pragma once
// Fixed values the targets and the seed maker (make_seeds.cc) agree on, so minted seeds
// carry valid signatures and reach the deepest checks: the clock, issuer, audience, HMAC
// and webhook secrets.

#include <cstdint>

namespace tollgate::fuzz {

inline constexpr std::int64_t kNow = 1'700'000'000;  // ManualClock's default start
inline constexpr const char* kIssuer = "https://issuer.fuzz.invalid";
inline constexpr const char* kAudience = "fuzz-api";
inline constexpr const char* kHmacKeyId = "partner-a";
inline constexpr const char* kHmacSecret = "fuzz-only-partner-a-hmac-secret";
// Standard Webhooks: whsec_ + base64("fuzz-only-webhook-secret-0123456789").
inline constexpr const char* kStandardWebhooksSecret =
    "whsec_ZnV6ei1vbmx5LXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3ODk=";
inline constexpr const char* kStripeSecret = "whsec_fuzzonlystripesecret";
inline constexpr const char* kGitHubSecret = "fuzz-only-github-secret";
// Marker lines between the parts of a multi-part input.
inline constexpr const char* kAnchorsMarker = "\n=====ANCHORS=====\n";
inline constexpr const char* kCrlsMarker = "\n=====CRLS=====\n";

}  // namespace tollgate::fuzz
