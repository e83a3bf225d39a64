#pragma once
// The signature primitives under JWS: HMAC-SHA-256, RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA
// (raw R||S on the wire, DER inside OpenSSL) and Ed25519. Private to the crypto module.

#include <optional>
#include <string>
#include <string_view>

#include "crypto/jwk_impl.h"
#include "tollgate/base/status.h"

namespace tollgate::jose {

/// Signs `input` with `key` under `alg` (the caller has checked that the key fits). ES
/// signatures come back as raw R||S; kNone gives an empty signature.
StatusOr<std::string> RawSign(const Jwk::Impl& key, Alg alg, std::string_view input);
/// True when `signature` is a valid `alg` signature of `input` under `key`.
bool RawVerify(const Jwk::Impl& key, Alg alg, std::string_view input, std::string_view signature);
/// RawSign and RawVerify as a verifier that ignores the curve (RFC 7518 §3.4) works: alg's
/// hash, and for an EC key R||S sized by the key's own curve (an ES256 signature by a P-384
/// key is 96 bytes). For the hostile proof alg_key_mismatch and the broken verifiers that
/// take it; never a real check.
StatusOr<std::string> RawSignOnKeyCurve(const Jwk::Impl& key, Alg alg, std::string_view input);
bool RawVerifyOnKeyCurve(const Jwk::Impl& key, Alg alg, std::string_view input,
                         std::string_view signature);
/// A DER ECDSA-Sig-Value as fixed-length R||S (each `field_bytes` long); nullopt when the
/// DER is malformed or a value does not fit.
std::optional<std::string> EcdsaDerToRaw(std::string_view der, int field_bytes);
/// Fixed-length R||S as DER; nullopt unless `raw` is exactly 2 * `field_bytes` long.
std::optional<std::string> EcdsaRawToDer(std::string_view raw, int field_bytes);

}  // namespace tollgate::jose
