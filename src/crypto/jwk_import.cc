#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <set>
#include <vector>

#include "crypto/alg.h"
#include "crypto/jwk_impl.h"
#include "crypto/signature.h"
#include "tollgate/base/encoding.h"

// Jwk::FromJson and Jwk::FromPem: key import, strict. Error messages name members and kids,
// never their values: a JWK may hold a private key.

namespace tollgate::jose {
namespace {

using json = nlohmann::json;

Status Bad(const std::string& what) { return InvalidArgumentError("jwk: " + what); }

// A public member's value for a message (kty, crv, alg, use, key_ops are never secret),
// cut short so a hostile key set cannot flood the console, and as JSON so a control
// character cannot reach a terminal.
std::string Shown(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  return text;
}

const unsigned char* Bytes(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

BnPtr ToBn(const std::string& bytes) {
  return BnPtr(BN_bin2bn(Bytes(bytes), static_cast<int>(bytes.size()), nullptr));
}

// A base64url member: nullopt when absent; an error when not a string or not strict.
Status ReadB64(const json& j, const char* name, std::optional<std::string>& out) {
  out.reset();
  auto it = j.find(name);
  if (it == j.end()) return Status::Ok();
  if (!it->is_string()) return Bad(std::string("member \"") + name + "\" is not a string");
  std::optional<std::string> bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes) return Bad(std::string("member \"") + name + "\" is not strict base64url");
  out = std::move(bytes);
  return Status::Ok();
}

Status RequireB64(const json& j, const char* name, std::string& out) {
  std::optional<std::string> v;
  RETURN_IF_ERROR(ReadB64(j, name, v));
  if (!v || v->empty()) return Bad(std::string("member \"") + name + "\" is missing or empty");
  out = std::move(*v);
  return Status::Ok();
}

StatusOr<PkeyPtr> FromData(const char* type, OSSL_PARAM_BLD* bld, bool has_private) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) <= 0) {
    ERR_clear_error();
    return Bad(std::string("OpenSSL refused the ") + type + " key parameters");
  }
  return PkeyPtr(pkey);
}

bool PublicCheck(EVP_PKEY* pkey) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  bool ok = ctx && EVP_PKEY_public_check(ctx.get()) == 1;
  ERR_clear_error();
  return ok;
}

Status CheckRsaStrength(EVP_PKEY* pkey, bool allow_weak) {
  int bits = EVP_PKEY_get_bits(pkey);
  if (bits < kMinRsaBits && !allow_weak) {
    return Bad("RSA key of " + std::to_string(bits) + " bits is too weak (" +
               std::to_string(kMinRsaBits) + " at least)");
  }
  if (!PublicCheck(pkey)) return Bad("invalid RSA public key (bad modulus or exponent)");
  return Status::Ok();
}

Status ImportRsa(const json& j, bool allow_weak, Jwk::Impl& impl) {
  if (j.contains("oth")) return Bad("multi-prime RSA keys (\"oth\") are not supported");
  std::string n, e;
  RETURN_IF_ERROR(RequireB64(j, "n", n));
  RETURN_IF_ERROR(RequireB64(j, "e", e));
  std::optional<std::string> d;
  RETURN_IF_ERROR(ReadB64(j, "d", d));
  static constexpr std::array<const char*, 5> kCrt{"p", "q", "dp", "dq", "qi"};
  static constexpr std::array<const char*, 5> kCrtParams{
      OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
      OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
  std::array<std::optional<std::string>, 5> crt;
  int crt_count = 0;
  for (size_t i = 0; i < kCrt.size(); ++i) {
    RETURN_IF_ERROR(ReadB64(j, kCrt[i], crt[i]));
    if (crt[i]) ++crt_count;
  }
  // RFC 7518 §6.3.2: the CRT members come all together, and only with "d".
  if (crt_count != 0 && crt_count != 5) return Bad("p, q, dp, dq and qi must all be present");
  if (crt_count == 5 && !d) return Bad("private RSA members without \"d\"");

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  std::vector<BnPtr> bns;  // must outlive OSSL_PARAM_BLD_to_param
  auto push = [&](const char* param, const std::string& bytes) {
    bns.push_back(ToBn(bytes));
    return bns.back() && OSSL_PARAM_BLD_push_BN(bld.get(), param, bns.back().get()) == 1;
  };
  bool ok = bld && push(OSSL_PKEY_PARAM_RSA_N, n) && push(OSSL_PKEY_PARAM_RSA_E, e);
  if (ok && d) ok = push(OSSL_PKEY_PARAM_RSA_D, *d);
  for (size_t i = 0; ok && crt_count == 5 && i < crt.size(); ++i) ok = push(kCrtParams[i], *crt[i]);
  if (!ok) return InternalError("jwk: cannot build RSA parameters");
  ASSIGN_OR_RETURN(impl.pkey, FromData("RSA", bld.get(), d.has_value()));
  RETURN_IF_ERROR(CheckRsaStrength(impl.pkey.get(), allow_weak));
  impl.has_private = d.has_value();
  return Status::Ok();
}

Status ImportEc(const json& j, Jwk::Impl& impl) {
  auto crv = j.find("crv");
  if (crv == j.end() || !crv->is_string()) return Bad("EC key without a \"crv\" string");
  impl.crv = crv->get<std::string>();
  int field = CurveFieldBytes(impl.crv);
  if (field == 0) return Bad("unsupported EC curve " + Shown(*crv) + " (P-256 and P-384 are)");
  std::string x, y;
  RETURN_IF_ERROR(RequireB64(j, "x", x));
  RETURN_IF_ERROR(RequireB64(j, "y", y));
  std::optional<std::string> d;
  RETURN_IF_ERROR(ReadB64(j, "d", d));
  // RFC 7518 §6.2.1.2-3 and §6.2.2.1: full-size coordinates, no shortening.
  if (x.size() != size_t(field) || y.size() != size_t(field) || (d && d->size() != size_t(field))) {
    return Bad("EC members must be exactly " + std::to_string(field) + " bytes for " + impl.crv);
  }
  std::string point = "\x04" + x + y;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  BnPtr priv = d ? ToBn(*d) : nullptr;
  bool ok = bld &&
            OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, impl.crv.c_str(),
                                            0) == 1 &&
            OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                             point.size()) == 1 &&
            (!d || (priv &&
                    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) == 1));
  if (!ok) return InternalError("jwk: cannot build EC parameters");
  StatusOr<PkeyPtr> pkey = FromData("EC", bld.get(), d.has_value());
  if (!pkey.ok() || !PublicCheck(pkey->get())) {
    return Bad("invalid EC public key (not a point on " + impl.crv + ")");
  }
  impl.pkey = std::move(*pkey);
  impl.has_private = d.has_value();
  return Status::Ok();
}

Status ImportOkp(const json& j, Jwk::Impl& impl) {
  auto crv = j.find("crv");
  if (crv == j.end() || !crv->is_string()) return Bad("OKP key without a \"crv\" string");
  impl.crv = crv->get<std::string>();
  if (impl.crv != "Ed25519") return Bad("unsupported OKP curve " + Shown(*crv) + " (Ed25519 is)");
  std::string x;
  RETURN_IF_ERROR(RequireB64(j, "x", x));
  std::optional<std::string> d;
  RETURN_IF_ERROR(ReadB64(j, "d", d));
  if (x.size() != 32 || (d && d->size() != 32)) return Bad("Ed25519 members must be 32 bytes");
  EVP_PKEY* pkey = d ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(*d), d->size())
                     : EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(x), x.size());
  if (!pkey) {
    ERR_clear_error();
    return Bad("OpenSSL refused the Ed25519 key");
  }
  impl.pkey.reset(pkey);
  if (d) {
    unsigned char pub[32];
    size_t len = sizeof pub;
    if (EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 || len != 32 ||
        std::string(reinterpret_cast<char*>(pub), len) != x) {
      return Bad("Ed25519 \"x\" is not the public key of \"d\"");
    }
  }
  impl.has_private = d.has_value();
  return Status::Ok();
}

Status ImportOct(const json& j, bool allow_weak, Jwk::Impl& impl) {
  std::optional<std::string> k;
  RETURN_IF_ERROR(ReadB64(j, "k", k));
  if (!k) return Bad("oct key without \"k\"");
  if (k->size() < kMinHmacKeyBytes && !allow_weak) {
    return Bad("oct key of " + std::to_string(k->size()) + " bytes is too short (" +
               std::to_string(kMinHmacKeyBytes) + " at least)");
  }
  impl.secret = std::move(*k);
  impl.has_private = true;
  return Status::Ok();
}

// A private key must be one key: sign a fixed message and verify it with the public half.
Status PairwiseCheck(const Jwk::Impl& impl) {
  if (!impl.pkey || !impl.has_private) return Status::Ok();
  Alg alg = KeyFamilyFitsAlg(impl, impl.alg) ? impl.alg : DefaultAlg(impl);
  static constexpr std::string_view kProbe = "tollgate pairwise check";
  StatusOr<std::string> sig = RawSign(impl, alg, kProbe);
  if (!sig.ok() || !RawVerify(impl, alg, kProbe, *sig)) {
    return Bad("the private members do not match the public ones");
  }
  return Status::Ok();
}

Status ReadCommonMembers(const json& j, Jwk::Impl& impl, std::optional<Alg>& alg) {
  if (auto kid = j.find("kid"); kid != j.end()) {
    if (!kid->is_string()) return Bad("\"kid\" is not a string");
    impl.kid = kid->get<std::string>();
  }
  if (auto use = j.find("use"); use != j.end()) {
    if (!use->is_string() || use->get_ref<const std::string&>() != "sig") {
      // "enc" is an encryption key (Keycloak publishes one beside its signing keys).
      return Bad("\"use\" must be \"sig\" for a signing key, found " + Shown(*use));
    }
  }
  if (auto ops = j.find("key_ops"); ops != j.end()) {
    if (!ops->is_array()) return Bad("\"key_ops\" is not an array");
    std::set<std::string> seen;
    for (const json& op : *ops) {
      if (!op.is_string() || (op != "sign" && op != "verify")) {
        return Bad("\"key_ops\" may hold only \"sign\" and \"verify\" for a signing key, found " +
                   Shown(op));
      }
      if (!seen.insert(op.get<std::string>()).second) return Bad("\"key_ops\" repeats a value");
    }
  }
  if (auto a = j.find("alg"); a != j.end()) {
    if (!a->is_string()) return Bad("\"alg\" is not a string");
    alg = AlgFromName(a->get_ref<const std::string&>());
    if (!alg || *alg == Alg::kNone) return Bad("unsupported \"alg\" " + Shown(*a));
  }
  return Status::Ok();
}

std::string KtyOf(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) return "RSA";
  if (EVP_PKEY_is_a(pkey, "EC")) return "EC";
  if (EVP_PKEY_is_a(pkey, "ED25519")) return "OKP";
  return "";
}

std::string CurveOf(EVP_PKEY* pkey) {
  char name[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) !=
      1) {
    ERR_clear_error();
    return "";
  }
  std::string n(name, len);
  if (n == "prime256v1" || n == "P-256" || n == "secp256r1") return "P-256";
  if (n == "secp384r1" || n == "P-384") return "P-384";
  return "";
}

bool PkeyHasPrivate(EVP_PKEY* pkey, const std::string& kty) {
  bool has = false;
  if (kty == "OKP") {
    size_t len = 0;
    has = EVP_PKEY_get_raw_private_key(pkey, nullptr, &len) == 1 && len > 0;
  } else {
    BIGNUM* bn = nullptr;
    has = EVP_PKEY_get_bn_param(
              pkey, kty == "RSA" ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1;
    BN_clear_free(bn);
  }
  ERR_clear_error();
  return has;
}

int NoPassphrase(char*, size_t, size_t*, const OSSL_PARAM[], void*) { return 0; }

}  // namespace

StatusOr<Jwk> Jwk::FromJson(const json& jwk, bool allow_weak) {
  if (!jwk.is_object()) return Bad("not a JSON object");
  auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string()) return Bad("no \"kty\" string");
  auto impl = std::make_shared<Impl>();
  impl->kty = kty->get<std::string>();
  std::optional<Alg> alg;
  Status common = ReadCommonMembers(jwk, *impl, alg);
  // Every refusal after the kid is known names it, so a key set's reader can tell which
  // key was refused.
  auto with_kid = [&impl](const Status& st) {
    return impl->kid.empty() ? st : st.WithContext("kid \"" + impl->kid + "\"");
  };
  if (!common.ok()) return with_kid(common);
  Status imported;
  if (impl->kty == "RSA") {
    imported = ImportRsa(jwk, allow_weak, *impl);
  } else if (impl->kty == "EC") {
    imported = ImportEc(jwk, *impl);
  } else if (impl->kty == "OKP") {
    imported = ImportOkp(jwk, *impl);
  } else if (impl->kty == "oct") {
    imported = ImportOct(jwk, allow_weak, *impl);
  } else {
    imported = Bad("unsupported \"kty\" " + Shown(*kty) + " (RSA, EC, OKP and oct are)");
  }
  if (!imported.ok()) return with_kid(imported);
  impl->alg_explicit = alg.has_value();
  impl->alg = alg.value_or(DefaultAlg(*impl));
  if (!KeyFamilyFitsAlg(*impl, impl->alg)) {
    return with_kid(Bad(std::string("\"alg\" ") + AlgName(impl->alg) + " does not fit a " +
                        impl->kty + (impl->crv.empty() ? "" : " " + impl->crv) + " key"));
  }
  if (Status pair = PairwiseCheck(*impl); !pair.ok()) return with_kid(pair);
  return Impl::Wrap(std::move(impl));
}

StatusOr<Jwk> Jwk::FromPem(std::string_view pem, std::string kid, Alg alg) {
  if (alg == Alg::kNone || alg == Alg::kHS256) {
    return InvalidArgumentError(std::string("a PEM key cannot be used with ") + AlgName(alg));
  }
  EVP_PKEY* raw = nullptr;
  DecoderCtxPtr dctx(
      OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, nullptr, 0, nullptr, nullptr));
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  size_t len = pem.size();
  if (!dctx || OSSL_DECODER_CTX_set_passphrase_cb(dctx.get(), NoPassphrase, nullptr) != 1 ||
      OSSL_DECODER_from_data(dctx.get(), &data, &len) != 1 || raw == nullptr) {
    ERR_clear_error();
    return InvalidArgumentError("not an unencrypted PEM key (PKCS#8, SPKI or traditional RSA/EC)");
  }
  auto impl = std::make_shared<Impl>();
  impl->pkey.reset(raw);
  impl->kid = std::move(kid);
  impl->alg = alg;
  impl->kty = KtyOf(raw);
  if (impl->kty.empty()) return InvalidArgumentError("unsupported PEM key type (RSA, EC, Ed25519)");
  if (impl->kty == "EC") impl->crv = CurveOf(raw);
  if (impl->kty == "OKP") impl->crv = "Ed25519";
  if (impl->kty == "EC" && impl->crv.empty()) {
    return InvalidArgumentError("unsupported EC curve in PEM key (P-256 and P-384 are)");
  }
  if (impl->kty == "RSA") RETURN_IF_ERROR(CheckRsaStrength(raw, false));
  if (!KeyFamilyFitsAlg(*impl, alg)) {
    return InvalidArgumentError(std::string("the PEM key (") + impl->kty +
                                (impl->crv.empty() ? "" : " " + impl->crv) + ") cannot sign " +
                                AlgName(alg));
  }
  impl->has_private = PkeyHasPrivate(raw, impl->kty);
  RETURN_IF_ERROR(PairwiseCheck(*impl));
  return Impl::Wrap(std::move(impl));
}

}  // namespace tollgate::jose
