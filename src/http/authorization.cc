#include "tollgate/http/authorization.h"

#include "tollgate/base/encoding.h"
#include "tollgate/http/message.h"

namespace tollgate {

bool Authorization::IsScheme(std::string_view name) const { return EqualsIgnoreCase(scheme, name); }

Authorization SplitAuthorization(std::string_view value) {
  Authorization a;
  std::size_t space = value.find(' ');
  a.scheme = std::string(value.substr(0, space));
  if (space == std::string_view::npos) return a;
  std::string_view rest = value.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  a.credentials = std::string(rest);
  return a;
}

bool IsB64Token(std::string_view token) {
  std::size_t i = 0;
  while (i < token.size()) {
    char c = token[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) break;
    ++i;
  }
  if (i == 0) return false;
  while (i < token.size() && token[i] == '=') ++i;
  return i == token.size();
}

std::optional<BasicCredentials> DecodeBasic(std::string_view credentials) {
  if (credentials.empty()) return std::nullopt;
  std::optional<std::string> decoded = Base64Decode(credentials);
  if (!decoded) return std::nullopt;
  std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  for (char ch : *decoded) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return std::nullopt;
  }
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace tollgate
