#include <set>

#include "crypto/strict_json.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {

StatusOr<Jwks> Jwks::Parse(std::string_view json_text) {
  ASSIGN_OR_RETURN(nlohmann::json doc, internal::ParseStrictObject(json_text, "jwks"));
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array())
    return InvalidArgumentError("jwks: no \"keys\" array");
  Jwks out;
  std::set<std::string> kids;
  for (size_t i = 0; i < keys->size(); ++i) {
    const std::string where = "jwks: key " + std::to_string(i);
    StatusOr<Jwk> key = Jwk::FromJson((*keys)[i]);
    if (!key.ok()) return key.status().WithContext(where);
    // Wycheproof marks these "Ambiguous"; a published set must be public and unambiguous.
    if (key->has_private()) {
      return InvalidArgumentError(where + ": private key material in a published key set");
    }
    if (!key->kid().empty() && !kids.insert(key->kid()).second) {
      return InvalidArgumentError(where + ": duplicate kid \"" + key->kid() + "\"");
    }
    out.keys.push_back(std::move(*key));
  }
  return out;
}

nlohmann::json Jwks::ToPublicJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const Jwk& k : keys) list.push_back(k.ToPublicJson());
  return {{"keys", std::move(list)}};
}

const Jwk* Jwks::Find(std::string_view kid) const {
  for (const Jwk& k : keys) {
    if (k.kid() == kid) return &k;
  }
  return nullptr;
}

}  // namespace tollgate::jose
