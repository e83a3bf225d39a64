#include "tollgate/crypto/scope.h"

#include <algorithm>

namespace tollgate::jose {
namespace {

void AddOnce(std::vector<std::string>& out, std::string token) {
  if (std::find(out.begin(), out.end(), token) == out.end()) out.push_back(std::move(token));
}

}  // namespace

std::vector<std::string> SplitScope(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t space = text.find(' ', start);
    if (space == std::string_view::npos) space = text.size();
    if (space > start) AddOnce(out, std::string(text.substr(start, space - start)));
    start = space + 1;
  }
  return out;
}

std::vector<std::string> GrantedScopes(const nlohmann::json& claims) {
  std::vector<std::string> out;
  if (!claims.is_object()) return out;
  if (auto it = claims.find("scope"); it != claims.end() && it->is_string()) {
    out = SplitScope(it->get_ref<const std::string&>());
  }
  if (auto it = claims.find("scp"); it != claims.end() && it->is_array()) {
    for (const nlohmann::json& s : *it) {
      if (s.is_string() && !s.get_ref<const std::string&>().empty())
        AddOnce(out, s.get<std::string>());
    }
  }
  return out;
}

bool HasScope(const nlohmann::json& claims, const std::string& scope) {
  if (scope.empty()) return false;
  std::vector<std::string> granted = GrantedScopes(claims);
  return std::find(granted.begin(), granted.end(), scope) != granted.end();
}

}  // namespace tollgate::jose
