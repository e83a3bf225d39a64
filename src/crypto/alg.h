#pragma once
// What each JWS algorithm needs from a key and from OpenSSL. Private to the crypto module.

#include <openssl/evp.h>

#include <string>

#include "tollgate/crypto/jose.h"

namespace tollgate::jose {

/// The key type an algorithm signs with: "RSA", "EC", "OKP" or "oct" ("" for none).
const char* KtyFor(Alg alg);
/// The JWK curve name for ES and EdDSA ("P-256", "P-384", "Ed25519"); "" otherwise.
const char* CurveFor(Alg alg);
/// The message digest, or nullptr for EdDSA (Ed25519 hashes internally) and none.
const EVP_MD* DigestFor(Alg alg);
/// Length in bytes of one ECDSA coordinate, R or S: 32 for P-256, 48 for P-384, else 0.
int EcFieldBytes(Alg alg);
/// True for RS* and PS*.
bool IsRsa(Alg alg);

}  // namespace tollgate::jose
