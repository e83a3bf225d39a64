#include "pki/issue.h"

#include <openssl/bn.h>
#include <openssl/rand.h>

namespace tollgate::pki::internal {
namespace {

// An OID under the documentation arc nobody implements: what "unknown" needs.
constexpr const char* kUnknownCriticalOid = "1.3.6.1.4.1.55555.1.1";

Status AddExt(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return InternalError("cannot add extension " + std::string(OBJ_nid2sn(nid)) + "=" + value +
                         ": " + OpenSslError());
  }
  return Status::Ok();
}

Status SetSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return InternalError("RAND_bytes failed");
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x01;  // and a full 16 bytes, never zero
  std::unique_ptr<BIGNUM, OsslFree<BIGNUM, BN_free>> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert))) {
    return InternalError("cannot set serial: " + OpenSslError());
  }
  return Status::Ok();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

StatusOr<X509Ptr> Issue(const CertRequest& req) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  RETURN_IF_ERROR(SetSerial(cert.get()));
  ASSIGN_OR_RETURN(auto subject, ParseName(req.subject));
  X509_set_subject_name(cert.get(), subject.get());
  X509_set_issuer_name(cert.get(),
                       req.issuer_cert ? X509_get_subject_name(req.issuer_cert) : subject.get());
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), req.not_before) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), req.not_after)) {
    return InternalError("cannot set validity: " + OpenSslError());
  }
  X509_set_pubkey(cert.get(), req.key);

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, req.issuer_cert ? req.issuer_cert : cert.get(), cert.get(), nullptr, nullptr,
                 0);
  if (req.ca) {
    RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
    RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_key_usage,
                           req.eku.empty() ? "critical,keyCertSign,cRLSign"
                                           : "critical,digitalSignature,keyCertSign,cRLSign"));
  } else {
    RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
    bool rsa = EVP_PKEY_get_base_id(req.key) == EVP_PKEY_RSA;
    RETURN_IF_ERROR(
        AddExt(cert.get(), &ctx, NID_key_usage,
               rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"));
  }
  if (!req.eku.empty()) RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_ext_key_usage, req.eku));
  RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  if (req.issuer_cert) {
    RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  }
  if (!req.san.empty())
    RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_subject_alt_name, Join(req.san)));
  if (req.unknown_critical_extension) {
    std::unique_ptr<ASN1_OBJECT, OsslFree<ASN1_OBJECT, ASN1_OBJECT_free>> oid(
        OBJ_txt2obj(kUnknownCriticalOid, 1));
    std::unique_ptr<ASN1_OCTET_STRING, OsslFree<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>> value(
        ASN1_OCTET_STRING_new());
    const unsigned char der_null[] = {0x05, 0x00};
    ASN1_OCTET_STRING_set(value.get(), der_null, sizeof der_null);
    ExtPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value.get()));
    if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1) {
      return InternalError("cannot add the unknown critical extension: " + OpenSslError());
    }
  }
  EVP_PKEY* signer = req.issuer_key ? req.issuer_key : req.key;
  if (X509_sign(cert.get(), signer, req.sha1 ? EVP_sha1() : EVP_sha256()) <= 0) {
    return InternalError("cannot sign certificate " + req.subject + ": " + OpenSslError());
  }
  return cert;
}

StatusOr<X509Ptr> TamperSignature(X509* cert) {
  std::string der = CertDer(cert);
  if (der.empty()) return InternalError("cannot encode certificate");
  // The signature BIT STRING ends the DER, so its last byte is a signature byte.
  der.back() = static_cast<char>(der.back() ^ 0x01);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr out(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!out) return InternalError("cannot re-read the tampered certificate: " + OpenSslError());
  return out;
}

StatusOr<CrlPtr> MakeCrl(X509* ca, EVP_PKEY* ca_key, const std::vector<X509*>& revoked,
                         std::time_t now, int days) {
  CrlPtr crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);  // v2
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca));
  std::unique_ptr<ASN1_TIME, OsslFree<ASN1_TIME, ASN1_TIME_free>> last(
      ASN1_TIME_set(nullptr, now - 3600));
  std::unique_ptr<ASN1_TIME, OsslFree<ASN1_TIME, ASN1_TIME_free>> next(
      ASN1_TIME_adj(nullptr, now, days, 0));
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  for (X509* cert : revoked) {
    X509_REVOKED* entry = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(cert));
    X509_REVOKED_set_revocationDate(entry, last.get());
    X509_CRL_add0_revoked(crl.get(), entry);
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca, nullptr, nullptr, crl.get(), 0);
  ExtPtr akid(X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (akid) X509_CRL_add_ext(crl.get(), akid.get(), -1);
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), ca_key, EVP_sha256()) <= 0) {
    return InternalError("cannot sign CRL: " + OpenSslError());
  }
  return crl;
}

}  // namespace tollgate::pki::internal
