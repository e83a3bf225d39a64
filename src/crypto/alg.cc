#include "crypto/alg.h"

#include <array>
#include <utility>

namespace tollgate::jose {
namespace {

// The one table of algorithm names: AlgName, AlgFromName and SignatureAlgs read it.
constexpr std::array<AlgInfo, 9> kNames{{
    {Alg::kRS256, "RS256", "RSASSA-PKCS1-v1_5 with SHA-256"},
    {Alg::kRS384, "RS384", "RSASSA-PKCS1-v1_5 with SHA-384"},
    {Alg::kRS512, "RS512", "RSASSA-PKCS1-v1_5 with SHA-512"},
    {Alg::kPS256, "PS256", "RSASSA-PSS with SHA-256"},
    {Alg::kES256, "ES256", "ECDSA with P-256 and SHA-256"},
    {Alg::kES384, "ES384", "ECDSA with P-384 and SHA-384"},
    {Alg::kEdDSA, "EdDSA", "EdDSA with Ed25519"},
    {Alg::kHS256, "HS256", "HMAC with SHA-256 (a shared secret)"},
    {Alg::kNone, "none", "no signature"},
}};

}  // namespace

const char* AlgName(Alg alg) {
  for (const AlgInfo& a : kNames) {
    if (a.alg == alg) return a.name;
  }
  return "none";
}

std::optional<Alg> AlgFromName(std::string_view name) {
  for (const AlgInfo& a : kNames) {
    if (name == a.name) return a.alg;
  }
  return std::nullopt;
}

const std::vector<AlgInfo>& SignatureAlgs() {
  static const std::vector<AlgInfo> kAlgs = [] {
    std::vector<AlgInfo> out;
    for (const AlgInfo& a : kNames) {
      if (a.alg != Alg::kNone) out.push_back(a);
    }
    return out;
  }();
  return kAlgs;
}

bool IsPublicKeyAlg(Alg alg) { return alg != Alg::kNone && alg != Alg::kHS256; }

const char* KtyFor(Alg alg) {
  switch (alg) {
    case Alg::kHS256:
      return "oct";
    case Alg::kRS256:
    case Alg::kRS384:
    case Alg::kRS512:
    case Alg::kPS256:
      return "RSA";
    case Alg::kES256:
    case Alg::kES384:
      return "EC";
    case Alg::kEdDSA:
      return "OKP";
    case Alg::kNone:
      break;
  }
  return "";
}

const char* CurveFor(Alg alg) {
  switch (alg) {
    case Alg::kES256:
      return "P-256";
    case Alg::kES384:
      return "P-384";
    case Alg::kEdDSA:
      return "Ed25519";
    default:
      return "";
  }
}

const EVP_MD* DigestFor(Alg alg) {
  switch (alg) {
    case Alg::kHS256:
    case Alg::kRS256:
    case Alg::kPS256:
    case Alg::kES256:
      return EVP_sha256();
    case Alg::kRS384:
    case Alg::kES384:
      return EVP_sha384();
    case Alg::kRS512:
      return EVP_sha512();
    case Alg::kEdDSA:
    case Alg::kNone:
      break;
  }
  return nullptr;
}

int EcFieldBytes(Alg alg) {
  if (alg == Alg::kES256) return 32;
  if (alg == Alg::kES384) return 48;
  return 0;
}

bool IsRsa(Alg alg) {
  return alg == Alg::kRS256 || alg == Alg::kRS384 || alg == Alg::kRS512 || alg == Alg::kPS256;
}

}  // namespace tollgate::jose
