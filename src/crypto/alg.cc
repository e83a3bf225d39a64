#include "crypto/alg.h"

#include <array>
#include <utility>

namespace tollgate::jose {
namespace {

constexpr std::array<std::pair<Alg, const char*>, 9> kNames{{
    {Alg::kNone, "none"},
    {Alg::kHS256, "HS256"},
    {Alg::kRS256, "RS256"},
    {Alg::kRS384, "RS384"},
    {Alg::kRS512, "RS512"},
    {Alg::kPS256, "PS256"},
    {Alg::kES256, "ES256"},
    {Alg::kES384, "ES384"},
    {Alg::kEdDSA, "EdDSA"},
}};

}  // namespace

const char* AlgName(Alg alg) {
  for (const auto& [a, name] : kNames) {
    if (a == alg) return name;
  }
  return "none";
}

std::optional<Alg> AlgFromName(std::string_view name) {
  for (const auto& [a, n] : kNames) {
    if (name == n) return a;
  }
  return std::nullopt;
}

namespace internal {

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

}  // namespace internal
}  // namespace tollgate::jose
