#pragma once
// Digests and constant-time comparison (OpenSSL).

#include <string>
#include <string_view>

namespace tollgate {

/// SHA-256 of `bytes`, lower-case hex.
std::string Sha256Hex(std::string_view bytes);
/// Raw SHA-256 of `bytes` (32 bytes).
std::string Sha256(std::string_view bytes);
/// Compares in time that depends only on the lengths (CRYPTO_memcmp), for secrets.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tollgate
