#include <set>

#include "crypto/strict_json.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {
namespace {

// Members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
constexpr const char* kPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

}  // namespace

StatusOr<Jwks> Jwks::Parse(std::string_view json_text) {
  ASSIGN_OR_RETURN(nlohmann::json doc, ParseStrictObject(json_text, "jwks"));
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array())
    return InvalidArgumentError("jwks: no \"keys\" array");
  Jwks out;
  std::set<std::string> kids;
  for (size_t i = 0; i < keys->size(); ++i) {
    const nlohmann::json& entry = (*keys)[i];
    const std::string where = "key " + std::to_string(i);
    // Wycheproof marks these "Ambiguous"; a published set must be public, whatever else is
    // wrong with the key that leaks.
    if (entry.is_object()) {
      for (const char* member : kPrivateMembers) {
        if (entry.contains(member)) {
          return InvalidArgumentError("jwks: " + where +
                                      ": private key material in a published key set");
        }
      }
    }
    // RFC 7517 §5: a key of a type, curve or algorithm not understood, or not for signing
    // (Keycloak publishes an RSA-OAEP "use": "enc" key beside its signing keys), is ignored,
    // not a reason to distrust the whole set. A token naming its kid is then refused as
    // having no key, which fails closed.
    StatusOr<Jwk> key = Jwk::FromJson(entry);
    if (!key.ok()) {
      out.skipped.push_back(where + ": " + key.status().message());
      continue;
    }
    if (!key->kid().empty() && !kids.insert(key->kid()).second) {
      return InvalidArgumentError("jwks: " + where + ": duplicate kid \"" + key->kid() + "\"");
    }
    out.keys.push_back(std::move(*key));
  }
  if (out.keys.empty() && !out.skipped.empty()) {
    std::string reasons;
    for (const std::string& s : out.skipped) reasons += (reasons.empty() ? "" : "; ") + s;
    return InvalidArgumentError("jwks: no usable signing key (" + reasons + ")");
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
