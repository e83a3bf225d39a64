#include "crypto/signature.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/alg.h"
#include "crypto/ossl_ptr.h"
#include "tollgate/base/digest.h"

namespace tollgate::jose {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::optional<std::string> Hmac(std::string_view key, Alg alg, std::string_view input) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  // An empty key is legal HMAC (RFC 2104 pads it with zeros); the minter needs it for the
  // blank-secret attack. data() of an empty view may be null, so pass a real address.
  static const unsigned char kNoKey = 0;
  const void* k = key.empty() ? &kNoKey : static_cast<const void*>(key.data());
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, EVP_MD_get0_name(DigestFor(alg)), nullptr, k, key.size(),
                Bytes(input), input.size(), out, sizeof out, &len) == nullptr) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

// RFC 7518 §3.5: PSS with the same hash for MGF1 and a salt as long as the hash.
bool ConfigurePss(EVP_PKEY_CTX* pctx, Alg alg) {
  if (alg != Alg::kPS256) return true;
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, DigestFor(alg)) > 0 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, EVP_MD_get_size(DigestFor(alg))) > 0;
}

// RawSign with ECDSA R||S of `ec_field` bytes each (0: not ECDSA).
StatusOr<std::string> RawSignWithField(const Jwk::Impl& key, Alg alg, std::string_view input,
                                       int ec_field) {
  if (alg == Alg::kNone) return std::string();
  if (alg == Alg::kHS256) {
    if (key.kty != "oct") return InvalidArgumentError("HS256 signs with an oct key only");
    std::optional<std::string> mac = Hmac(key.secret, alg, input);
    if (!mac) return InternalError("HMAC failed");
    return *mac;
  }
  if (!key.pkey)
    return InvalidArgumentError(std::string(AlgName(alg)) + " needs an asymmetric key");
  if (!key.has_private) {
    return FailedPreconditionError("key \"" + key.kid + "\" has no private part to sign with");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, DigestFor(alg), nullptr, key.pkey.get()) <= 0 ||
      !ConfigurePss(pctx, alg)) {
    return InternalError(std::string("cannot start ") + AlgName(alg) + " signing");
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, Bytes(input), input.size()) <= 0) {
    return InternalError(std::string(AlgName(alg)) + " signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, Bytes(input),
                     input.size()) <= 0) {
    return InternalError(std::string(AlgName(alg)) + " signing failed");
  }
  sig.resize(len);
  if (ec_field > 0) {
    std::optional<std::string> raw = EcdsaDerToRaw(sig, ec_field);
    if (!raw) return InternalError("OpenSSL returned a malformed ECDSA signature");
    return *raw;
  }
  return sig;
}

// RawVerify with ECDSA R||S of `ec_field` bytes each (0: not ECDSA).
bool RawVerifyWithField(const Jwk::Impl& key, Alg alg, std::string_view input,
                        std::string_view signature, int ec_field) {
  if (alg == Alg::kNone) return false;
  if (alg == Alg::kHS256) {
    if (key.kty != "oct") return false;
    std::optional<std::string> mac = Hmac(key.secret, alg, input);
    return mac && ConstantTimeEquals(*mac, signature);
  }
  if (!key.pkey) return false;
  std::string der;
  if (ec_field > 0) {
    std::optional<std::string> converted = EcdsaRawToDer(signature, ec_field);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx ||
      EVP_DigestVerifyInit(ctx.get(), &pctx, DigestFor(alg), nullptr, key.pkey.get()) <= 0 ||
      !ConfigurePss(pctx, alg)) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(input),
                          input.size()) == 1;
}

// For an EC key, its own curve's field size; else alg's (0 when not ECDSA).
int KeyCurveField(const Jwk::Impl& key, Alg alg) {
  if (EcFieldBytes(alg) > 0 && key.kty == "EC") return CurveFieldBytes(key.crv);
  return EcFieldBytes(alg);
}

}  // namespace

StatusOr<std::string> RawSign(const Jwk::Impl& key, Alg alg, std::string_view input) {
  return RawSignWithField(key, alg, input, EcFieldBytes(alg));
}

bool RawVerify(const Jwk::Impl& key, Alg alg, std::string_view input, std::string_view signature) {
  return RawVerifyWithField(key, alg, input, signature, EcFieldBytes(alg));
}

StatusOr<std::string> RawSignOnKeyCurve(const Jwk::Impl& key, Alg alg, std::string_view input) {
  return RawSignWithField(key, alg, input, KeyCurveField(key, alg));
}

bool RawVerifyOnKeyCurve(const Jwk::Impl& key, Alg alg, std::string_view input,
                         std::string_view signature) {
  return RawVerifyWithField(key, alg, input, signature, KeyCurveField(key, alg));
}

std::optional<std::string> EcdsaDerToRaw(std::string_view der, int field_bytes) {
  const unsigned char* p = Bytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != Bytes(der) + der.size()) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * field_bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, field_bytes) < 0 ||
      BN_bn2binpad(s, out + field_bytes, field_bytes) < 0) {
    return std::nullopt;
  }
  return raw;
}

std::optional<std::string> EcdsaRawToDer(std::string_view raw, int field_bytes) {
  if (field_bytes <= 0 || raw.size() != static_cast<size_t>(2 * field_bytes)) return std::nullopt;
  BIGNUM* r = BN_bin2bn(Bytes(raw), field_bytes, nullptr);
  BIGNUM* s = BN_bin2bn(Bytes(raw) + field_bytes, field_bytes, nullptr);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  // r and s now belong to sig.
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace tollgate::jose
