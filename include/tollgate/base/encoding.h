#pragma once
// Byte encodings used across modules: base64 (RFC 4648 §4), base64url (§5, unpadded),
// hex and percent-encoding. Decoders are strict: they reject what they would not produce.

#include <optional>
#include <string>
#include <string_view>

namespace tollgate {

/// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
/// Strict standard base64: padding required, no whitespace, canonical trailing bits.
std::optional<std::string> Base64Decode(std::string_view text);
/// base64url without padding (JOSE).
std::string Base64UrlEncode(std::string_view bytes);
/// Strict base64url: no padding, no '+' or '/', canonical trailing bits.
std::optional<std::string> Base64UrlDecode(std::string_view text);
/// Lower-case hex.
std::string HexEncode(std::string_view bytes);
/// RFC 3986 percent-encoding of everything but unreserved characters.
std::string PercentEncode(std::string_view text);
/// Decodes %XX escapes (and '+' as space when `plus_is_space`); nullopt on a bad escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

}  // namespace tollgate
