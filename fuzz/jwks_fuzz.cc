// JWK / JWKS parsing: Jwks::Parse on any text (strict JSON, every key type), Jwk::FromJson
// on an object, Jwk::FromPem on PEM text. What parses must survive its own output: the
// published set parses again to the same keys (same kids and RFC 7638 thumbprints).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "tollgate/crypto/jose.h"

using tollgate::jose::Jwk;
using tollgate::jose::Jwks;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = tollgate::fuzz::Text(data, size);

  auto set = Jwks::Parse(text);
  if (set.ok()) {
    if (set->keys.empty()) __builtin_trap();  // an all-unusable set is refused
    std::string published = set->ToPublicJson().dump();
    auto again = Jwks::Parse(published);
    if (!again.ok() || again->keys.size() != set->keys.size()) __builtin_trap();
    for (std::size_t i = 0; i < set->keys.size(); ++i) {
      const Jwk& a = set->keys[i];
      const Jwk& b = again->keys[i];
      if (a.kid() != b.kid() || a.Thumbprint() != b.Thumbprint()) __builtin_trap();
      if (a.has_private() || b.has_private()) __builtin_trap();
      (void)a.PublicPem();
      if (set->Find(a.kid()) == nullptr) __builtin_trap();
    }
  }

  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    for (bool weak : {false, true}) {
      auto key = Jwk::FromJson(j, weak);
      if (!key.ok()) continue;
      (void)key->Thumbprint();
      (void)key->ToPrivateJson().dump();
      // The public half of any key we accept is itself an acceptable key.
      auto pub = Jwk::FromJson(key->ToPublicJson(), weak);
      if (key->kty() != "oct" && (!pub.ok() || pub->Thumbprint() != key->Thumbprint())) {
        __builtin_trap();
      }
    }
  }

  if (text.find("-----BEGIN") != std::string::npos) {
    for (auto alg :
         {tollgate::jose::Alg::kRS256, tollgate::jose::Alg::kES256, tollgate::jose::Alg::kEdDSA}) {
      auto key = Jwk::FromPem(text, "pem", alg);
      if (key.ok()) (void)key->ToPublicJson().dump();
    }
  }
  return 0;
}
