#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "crypto/alg.h"
#include "crypto/jwk_impl.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"

// Jwk: generation, export and identity. Import is in jwk_import.cc.

namespace tollgate::jose {
namespace {

using json = nlohmann::json;

// Big-endian bytes of `bn`, left-padded to `width` (0: as short as possible, at least 1).
std::string BnBytes(const BIGNUM* bn, int width) {
  int len = width > 0 ? width : std::max(1, BN_num_bytes(bn));
  std::string out(static_cast<size_t>(len), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len);
  return out;
}

std::optional<std::string> GetBnParam(EVP_PKEY* pkey, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  BnPtr bn(raw);
  return BnBytes(bn.get(), width);
}

// The members that carry the key itself (RFC 7518 §6), public ones always.
json KeyMembers(const Jwk::Impl& k, bool with_private) {
  json j = json::object();
  j["kty"] = k.kty;
  EVP_PKEY* p = k.pkey.get();
  auto put = [&](const char* member, const std::optional<std::string>& bytes) {
    if (bytes) j[member] = Base64UrlEncode(*bytes);
  };
  if (k.kty == "RSA") {
    put("n", GetBnParam(p, OSSL_PKEY_PARAM_RSA_N, 0));
    put("e", GetBnParam(p, OSSL_PKEY_PARAM_RSA_E, 0));
    if (with_private && k.has_private) {
      put("d", GetBnParam(p, OSSL_PKEY_PARAM_RSA_D, 0));
      std::optional<std::string> crt[5] = {GetBnParam(p, OSSL_PKEY_PARAM_RSA_FACTOR1, 0),
                                           GetBnParam(p, OSSL_PKEY_PARAM_RSA_FACTOR2, 0),
                                           GetBnParam(p, OSSL_PKEY_PARAM_RSA_EXPONENT1, 0),
                                           GetBnParam(p, OSSL_PKEY_PARAM_RSA_EXPONENT2, 0),
                                           GetBnParam(p, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0)};
      bool all = true;
      for (const auto& c : crt) all = all && c.has_value();
      if (all) {
        put("p", crt[0]);
        put("q", crt[1]);
        put("dp", crt[2]);
        put("dq", crt[3]);
        put("qi", crt[4]);
      }
    }
  } else if (k.kty == "EC") {
    int field = CurveFieldBytes(k.crv);
    j["crv"] = k.crv;
    put("x", GetBnParam(p, OSSL_PKEY_PARAM_EC_PUB_X, field));
    put("y", GetBnParam(p, OSSL_PKEY_PARAM_EC_PUB_Y, field));
    if (with_private && k.has_private) put("d", GetBnParam(p, OSSL_PKEY_PARAM_PRIV_KEY, field));
  } else if (k.kty == "OKP") {
    j["crv"] = k.crv;
    unsigned char buf[32];
    size_t len = sizeof buf;
    if (EVP_PKEY_get_raw_public_key(p, buf, &len) == 1) {
      j["x"] = Base64UrlEncode(std::string_view(reinterpret_cast<char*>(buf), len));
    }
    len = sizeof buf;
    if (with_private && k.has_private && EVP_PKEY_get_raw_private_key(p, buf, &len) == 1) {
      j["d"] = Base64UrlEncode(std::string_view(reinterpret_cast<char*>(buf), len));
    }
    OPENSSL_cleanse(buf, sizeof buf);
  } else if (with_private) {
    j["k"] = Base64UrlEncode(k.secret);
  }
  ERR_clear_error();
  return j;
}

// KeyMembers(k, false), computed once per key (Impl is immutable once shared).
const json& PublicMembers(const Jwk::Impl& k) {
  std::call_once(k.public_once, [&k] { k.public_members = KeyMembers(k, false); });
  return k.public_members;
}

json WithMetadata(json j, const Jwk::Impl& k) {
  if (!k.kid.empty()) j["kid"] = k.kid;
  if (k.alg != Alg::kNone) j["alg"] = AlgName(k.alg);
  j["use"] = "sig";
  return j;
}

}  // namespace

int CurveFieldBytes(const std::string& crv) {
  if (crv == "P-256") return 32;
  if (crv == "P-384") return 48;
  return 0;
}

Alg DefaultAlg(const Jwk::Impl& impl) {
  if (impl.kty == "RSA") return Alg::kRS256;
  if (impl.kty == "EC") return impl.crv == "P-384" ? Alg::kES384 : Alg::kES256;
  if (impl.kty == "OKP") return Alg::kEdDSA;
  return Alg::kHS256;
}

bool KeyFamilyFitsAlg(const Jwk::Impl& key, Alg alg) {
  if (alg == Alg::kNone || key.kty != KtyFor(alg)) return false;
  return key.kty == "RSA" || key.kty == "oct" || key.crv == CurveFor(alg);
}

bool KeyFitsAlg(const Jwk::Impl& key, Alg alg) {
  if (!KeyFamilyFitsAlg(key, alg)) return false;
  return !key.alg_explicit || key.alg == alg;
}

namespace {

// RSA key material no Jwk holds any more, for GenerateRecyclable. Bounded, so a process
// that drops many rings at once keeps at most this many keys.
constexpr std::size_t kMaxSpareRsaKeys = 32;

struct SpareRsaKeys {
  std::mutex mu;
  std::vector<PkeyPtr> keys;
};

SpareRsaKeys& Spares() {
  // Never destroyed: a Jwk destroyed during static destruction may still hand its key back.
  static SpareRsaKeys* spares = new SpareRsaKeys;
  return *spares;
}

}  // namespace

Jwk::Impl::~Impl() {
  if (!recycle || !pkey) return;
  SpareRsaKeys& spares = Spares();
  std::lock_guard<std::mutex> lock(spares.mu);
  if (spares.keys.size() < kMaxSpareRsaKeys) spares.keys.push_back(std::move(pkey));
}

StatusOr<Jwk> Jwk::GenerateRecyclable(Alg alg, std::string kid) {
  if (!IsRsa(alg)) return Generate(alg, std::move(kid));
  PkeyPtr spare;
  {
    SpareRsaKeys& spares = Spares();
    std::lock_guard<std::mutex> lock(spares.mu);
    if (!spares.keys.empty()) {
      spare = std::move(spares.keys.back());
      spares.keys.pop_back();
    }
  }
  std::shared_ptr<Impl> impl;
  if (spare) {
    impl = std::make_shared<Impl>();
    impl->kid = std::move(kid);
    impl->alg = alg;
    impl->kty = KtyFor(alg);
    impl->crv = CurveFor(alg);
    impl->pkey = std::move(spare);
    impl->has_private = true;
  } else {
    ASSIGN_OR_RETURN(Jwk fresh, Generate(alg, std::move(kid)));
    // Generate's Impl is not shared yet: take it over to mark it.
    impl = std::const_pointer_cast<Impl>(fresh.impl_);
  }
  impl->recycle = true;
  return Impl::Wrap(std::move(impl));
}

StatusOr<Jwk> Jwk::Generate(Alg alg, std::string kid) {
  auto impl = std::make_shared<Impl>();
  impl->kid = std::move(kid);
  impl->alg = alg;
  impl->kty = KtyFor(alg);
  impl->crv = CurveFor(alg);
  EVP_PKEY* pkey = nullptr;
  if (alg == Alg::kNone) return InvalidArgumentError("cannot generate a key for alg none");
  if (alg == Alg::kHS256) {
    impl->secret.resize(kMinHmacKeyBytes);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(impl->secret.data()),
                   static_cast<int>(impl->secret.size())) != 1) {
      return InternalError("no random bytes for an HS256 key");
    }
    impl->has_private = true;
    return Impl::Wrap(std::move(impl));
  }
  if (IsRsa(alg)) {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(kMinRsaBits));
  } else if (alg == Alg::kEdDSA) {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  } else {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", CurveFor(alg));
  }
  if (!pkey) {
    ERR_clear_error();
    return InternalError(std::string("key generation failed for ") + AlgName(alg));
  }
  impl->pkey.reset(pkey);
  impl->has_private = true;
  return Impl::Wrap(std::move(impl));
}

Jwk Jwk::FromSecret(std::string_view secret, std::string kid, Alg alg) {
  auto impl = std::make_shared<Impl>();
  impl->kid = std::move(kid);
  impl->alg = alg;
  impl->kty = "oct";
  impl->secret = std::string(secret);
  impl->has_private = true;
  return Impl::Wrap(std::move(impl));
}

json Jwk::ToPublicJson() const { return WithMetadata(PublicMembers(*impl_), *impl_); }

json Jwk::ToPrivateJson() const { return WithMetadata(KeyMembers(*impl_, true), *impl_); }

std::string Jwk::PublicPem() const {
  if (!impl_->pkey) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string Jwk::Thumbprint() const {
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace. json's
  // object is a sorted map and dump() adds no whitespace, which is exactly that form.
  json members =
      impl_->kty == "oct" ? KeyMembers(*impl_, /*with_private=*/true) : PublicMembers(*impl_);
  json required = json::object();
  for (const char* name : {"crv", "e", "k", "kty", "n", "x", "y"}) {
    if (members.contains(name)) required[name] = members[name];
  }
  return Base64UrlEncode(Sha256(required.dump()));
}

const std::string& Jwk::kid() const { return impl_->kid; }
Alg Jwk::alg() const { return impl_->alg; }
std::string Jwk::kty() const { return impl_->kty; }
bool Jwk::has_private() const { return impl_->has_private; }

}  // namespace tollgate::jose
