#pragma once
// The Authorization request header, read one way by every reference target: RFC 9110
// §11.6.2 (a scheme, matched without regard to case, then the credentials after one or more
// spaces), RFC 6750 §2.1 (a Bearer token is a b64token) and RFC 7617 (Basic: base64 of
// user-id ":" password).

#include <optional>
#include <string>
#include <string_view>

namespace tollgate {

/// One Authorization header value, split.
struct Authorization {
  std::string scheme;       // as sent
  std::string credentials;  // after the spaces that follow the scheme; "" when none
  /// True when the scheme is `name`, in any letter case (RFC 9110 §11.1).
  bool IsScheme(std::string_view name) const;
};

/// Splits `value` at the first space; leading spaces of the credentials are dropped.
Authorization SplitAuthorization(std::string_view value);

/// RFC 6750 §2.1: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool IsB64Token(std::string_view token);

/// The two halves of Basic credentials.
struct BasicCredentials {
  std::string user;
  std::string password;
};

/// Decodes Basic credentials; nullopt when they are not base64, have no `:` or hold a
/// control character (RFC 7617 §2).
std::optional<BasicCredentials> DecodeBasic(std::string_view credentials);

}  // namespace tollgate
