#pragma once
// The inside of a Jwk: an OpenSSL key (owned) or the secret bytes of an oct key. Private to
// the crypto module; jws.cc signs with it and jwt_verify.cc matches keys to algorithms.

#include <cstddef>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/ossl_ptr.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {

/// Immutable once built; shared between copies of a Jwk, so read-only use from many threads
/// is safe (OpenSSL allows concurrent signing with one EVP_PKEY, each with its own context).
struct Jwk::Impl {
  std::string kid;
  Alg alg = Alg::kNone;
  /// False when a JWK had no "alg" and `alg` was inferred from kty/crv: such a key then
  /// verifies any algorithm of its family (RS256 and PS256 for RSA), not just `alg`.
  bool alg_explicit = true;
  std::string kty;     // "RSA", "EC", "OKP", "oct"
  std::string crv;     // "P-256", "P-384", "Ed25519"; "" for RSA and oct
  PkeyPtr pkey;        // asymmetric keys
  std::string secret;  // oct keys
  bool has_private = false;
  /// Set by GenerateRecyclable: the key material goes back to the process's spare RSA keys
  /// when the last Jwk holding it goes.
  bool recycle = false;
  /// The public key members (kty, crv, x, y, n, e), exported from `pkey` once, on first use:
  /// OpenSSL's parameter export costs as much as an ECDSA signature, and a DPoP client puts
  /// its public key in every proof.
  mutable std::once_flag public_once;
  mutable nlohmann::json public_members;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  /// Wraps a finished Impl (Impl is a member of Jwk, so it may use the private constructor).
  static Jwk Wrap(std::shared_ptr<const Impl> impl) { return Jwk(std::move(impl)); }
};

/// The smallest RSA modulus accepted without allow_weak, and generated.
constexpr int kMinRsaBits = 2048;
/// The smallest HS256 key a JWK may hold without allow_weak (RFC 7518 §3.2: the hash size).
constexpr std::size_t kMinHmacKeyBytes = 32;

/// Bytes of one coordinate of a supported EC curve ("P-256": 32, "P-384": 48), else 0.
int CurveFieldBytes(const std::string& crv);
/// The alg a key without "alg" serves: RS256, ES256/ES384 by curve, EdDSA, HS256.
Alg DefaultAlg(const Jwk::Impl& key);
/// True when `key` can sign or verify `alg`: the family matches (kty, and the curve for EC
/// and OKP), and, when the key names its alg explicitly, the alg too.
bool KeyFitsAlg(const Jwk::Impl& key, Alg alg);
/// Like KeyFitsAlg but ignores the key's own alg: only kty and curve (for signing on request).
bool KeyFamilyFitsAlg(const Jwk::Impl& key, Alg alg);

}  // namespace tollgate::jose
