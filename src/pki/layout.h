#pragma once
// Where the generator puts things under the output folder, and its manifest. Private.
//
//   manifest                      config digest and the window the material is good for
//   ca/NAME.pem .key .crl.pem     each authority; .issuer: its issuer's name (not for a root)
//   identities/ID/VARIANT/        cert.pem chain.pem key.pem ca.pem [crl.link]
//   identities/ID/bundles/NAME.pem (der.der)
//   identities/ID/chains/NAME/    cert.pem chain.pem untrusted.pem key.pem ca.pem crl.pem

#include <ctime>
#include <filesystem>
#include <string>

namespace tollgate::pki::layout {

inline constexpr const char* kManifest = "manifest";
inline constexpr const char* kValid = "valid";
inline constexpr const char* kBundles = "bundles";
inline constexpr const char* kChains = "chains";

/// The manifest text.
std::string FormatManifest(const std::string& digest, std::time_t generated, std::time_t valid_from,
                           std::time_t refresh_at, int certificates);

/// Why `dir` must be (re)generated at `now` for a config of `digest`; "" when up to date.
std::string WhyStale(const std::filesystem::path& dir, const std::string& digest, std::time_t now);

}  // namespace tollgate::pki::layout
