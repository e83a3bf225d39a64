#include "pki/issue.h"

#include <openssl/bn.h>
#include <openssl/rand.h>

namespace tollgate::pki {
namespace {

// OIDs under a private arc nobody implements: what "unknown" needs.
constexpr const char* kUnknownCriticalOid = "1.3.6.1.4.1.55555.1.1";
constexpr const char* kUnknownNonCriticalOid = "1.3.6.1.4.1.55555.1.2";

using ObjPtr = std::unique_ptr<ASN1_OBJECT, OsslFree<ASN1_OBJECT, ASN1_OBJECT_free>>;
using OctetsPtr =
    std::unique_ptr<ASN1_OCTET_STRING, OsslFree<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using NcPtr = std::unique_ptr<NAME_CONSTRAINTS, OsslFree<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>>;
using AkidPtr = std::unique_ptr<AUTHORITY_KEYID, OsslFree<AUTHORITY_KEYID, AUTHORITY_KEYID_free>>;

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

// An extension of a private OID whose value is a DER NULL.
Status AddUnknownExtension(X509* cert, const char* oid_text, bool critical) {
  ObjPtr oid(OBJ_txt2obj(oid_text, 1));
  OctetsPtr value(ASN1_OCTET_STRING_new());
  const unsigned char der_null[] = {0x05, 0x00};
  ASN1_OCTET_STRING_set(value.get(), der_null, sizeof der_null);
  ExtPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), critical ? 1 : 0, value.get()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return InternalError(std::string("cannot add extension ") + oid_text + ": " + OpenSslError());
  }
  return Status::Ok();
}

// One general name of a name constraint: "DNS:x", "email:x", "IP:addr/mask", "dirName:O=x".
StatusOr<GENERAL_NAME*> ConstraintName(const std::string& text) {
  std::size_t colon = text.find(':');
  if (colon == std::string::npos) return InvalidArgumentError("`" + text + "` has no TYPE:");
  std::string type = text.substr(0, colon);
  std::string value = text.substr(colon + 1);
  GENERAL_NAME* gen = GENERAL_NAME_new();
  if (type == "DNS" || type == "email") {
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    ASN1_STRING_set(ia5, value.data(), static_cast<int>(value.size()));
    GENERAL_NAME_set0_value(gen, type == "DNS" ? GEN_DNS : GEN_EMAIL, ia5);
  } else if (type == "IP") {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS_NC(value.c_str());
    if (ip == nullptr) {
      GENERAL_NAME_free(gen);
      return InvalidArgumentError("bad IP constraint `" + value + "`");
    }
    GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
  } else if (type == "dirName") {
    auto name = ParseName(value);
    if (!name.ok()) {
      GENERAL_NAME_free(gen);
      return name.status();
    }
    GENERAL_NAME_set0_value(gen, GEN_DIRNAME, name->release());
  } else {
    GENERAL_NAME_free(gen);
    return InvalidArgumentError("unknown name constraint type `" + type + "`");
  }
  return gen;
}

// A critical nameConstraints extension from "permitted;NAME" and "excluded;NAME" entries.
Status AddNameConstraints(X509* cert, const std::vector<std::string>& entries) {
  NcPtr nc(NAME_CONSTRAINTS_new());
  for (const std::string& entry : entries) {
    std::size_t semi = entry.find(';');
    std::string which = entry.substr(0, semi);
    if (semi == std::string::npos || (which != "permitted" && which != "excluded")) {
      return InvalidArgumentError("name constraint `" + entry +
                                  "`: expected permitted; or excluded;");
    }
    ASSIGN_OR_RETURN(GENERAL_NAME * gen, ConstraintName(entry.substr(semi + 1)));
    GENERAL_SUBTREE* subtree = GENERAL_SUBTREE_new();
    GENERAL_NAME_free(subtree->base);
    subtree->base = gen;
    auto*& list = which == "permitted" ? nc->permittedSubtrees : nc->excludedSubtrees;
    if (list == nullptr) list = sk_GENERAL_SUBTREE_new_null();
    sk_GENERAL_SUBTREE_push(list, subtree);
  }
  if (X509_add1_ext_i2d(cert, NID_name_constraints, nc.get(), 1, X509V3_ADD_APPEND) != 1) {
    return InternalError("cannot add nameConstraints: " + OpenSslError());
  }
  return Status::Ok();
}

// An authorityKeyIdentifier: with `issuer`, the SHA-1 of its public key (what its SKI would
// be, whether or not it has one); without, random bytes naming a key nobody has.
Status AddAkiKeyId(X509* cert, X509* issuer) {
  AkidPtr akid(AUTHORITY_KEYID_new());
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int len = 20;
  if (issuer != nullptr) {
    if (X509_pubkey_digest(issuer, EVP_sha1(), bytes, &len) != 1) {
      return InternalError("cannot hash the issuer's key: " + OpenSslError());
    }
  } else if (RAND_bytes(bytes, static_cast<int>(len)) != 1) {
    return InternalError("RAND_bytes failed");
  }
  akid->keyid = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(akid->keyid, bytes, static_cast<int>(len));
  if (X509_add1_ext_i2d(cert, NID_authority_key_identifier, akid.get(), 0, X509V3_ADD_APPEND) !=
      1) {
    return InternalError("cannot add authorityKeyIdentifier: " + OpenSslError());
  }
  return Status::Ok();
}

// certificatePolicies with one policy OID and no qualifiers (built by hand: the config
// form of the extension wants a config database for anything but the simplest input).
Status AddPolicies(X509* cert, const std::string& oid) {
  std::unique_ptr<CERTIFICATEPOLICIES, OsslFree<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>>
      policies(CERTIFICATEPOLICIES_new());
  POLICYINFO* info = POLICYINFO_new();
  ASN1_OBJECT_free(info->policyid);
  info->policyid = OBJ_txt2obj(oid.c_str(), 1);
  sk_POLICYINFO_push(policies.get(), info);
  if (info->policyid == nullptr || X509_add1_ext_i2d(cert, NID_certificate_policies, policies.get(),
                                                     0, X509V3_ADD_APPEND) != 1) {
    return InternalError("cannot add certificatePolicies " + oid + ": " + OpenSslError());
  }
  return Status::Ok();
}

const EVP_MD* Digest(const CertRequest& req) {
  if (req.digest == "md5") return EVP_md5();
  if (req.digest == "sha1" || (req.digest.empty() && req.sha1)) return EVP_sha1();
  return EVP_sha256();
}

// The value of a multi-valued extension in OpenSSL's config syntax: "DNS:a,DNS:b".
std::string ExtensionList(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

Status AddExtensions(X509* cert, const CertRequest& req) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, req.issuer_cert ? req.issuer_cert : cert, cert, nullptr, nullptr, 0);
  std::string bc, ku;
  if (req.ca) {
    bc = "critical,CA:TRUE";
    if (req.path_len >= 0) bc += ",pathlen:" + std::to_string(req.path_len);
    ku = req.eku.empty() ? "critical,keyCertSign,cRLSign"
                         : "critical,digitalSignature,keyCertSign,cRLSign";
  } else {
    bc = "critical,CA:FALSE";
    bool rsa = EVP_PKEY_get_base_id(req.key) == EVP_PKEY_RSA;
    ku = rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature";
  }
  if (!req.basic_constraints.empty()) bc = req.basic_constraints;
  if (!req.key_usage.empty()) ku = req.key_usage;
  if (bc != "none") RETURN_IF_ERROR(AddExt(cert, &ctx, NID_basic_constraints, bc));
  if (ku != "none") RETURN_IF_ERROR(AddExt(cert, &ctx, NID_key_usage, ku));
  if (!req.eku.empty()) RETURN_IF_ERROR(AddExt(cert, &ctx, NID_ext_key_usage, req.eku));
  if (!req.omit_ski) RETURN_IF_ERROR(AddExt(cert, &ctx, NID_subject_key_identifier, "hash"));
  if (!req.crl_url.empty()) {
    RETURN_IF_ERROR(AddExt(cert, &ctx, NID_crl_distribution_points, "URI:" + req.crl_url));
  }
  if (!req.ocsp_url.empty()) {
    RETURN_IF_ERROR(AddExt(cert, &ctx, NID_info_access, "OCSP;URI:" + req.ocsp_url));
  }
  if (req.issuer_cert) {
    if (req.aki == "bogus" || req.aki == "hash") {
      RETURN_IF_ERROR(AddAkiKeyId(cert, req.aki == "hash" ? req.issuer_cert : nullptr));
    } else {
      RETURN_IF_ERROR(AddExt(cert, &ctx, NID_authority_key_identifier, "keyid:always"));
    }
  }
  if (!req.san.empty())
    RETURN_IF_ERROR(AddExt(cert, &ctx, NID_subject_alt_name, ExtensionList(req.san)));
  if (!req.name_constraints.empty())
    RETURN_IF_ERROR(AddNameConstraints(cert, req.name_constraints));
  if (!req.policies.empty()) RETURN_IF_ERROR(AddPolicies(cert, req.policies));
  if (!req.policy_constraints.empty()) {
    RETURN_IF_ERROR(AddExt(cert, &ctx, NID_policy_constraints, req.policy_constraints));
  }
  if (req.unknown_critical_extension) {
    RETURN_IF_ERROR(AddUnknownExtension(cert, kUnknownCriticalOid, true));
  }
  if (req.unknown_noncritical_extension) {
    RETURN_IF_ERROR(AddUnknownExtension(cert, kUnknownNonCriticalOid, false));
  }
  if (req.duplicate_extension != 0) {
    // X509_add_ext appends without looking for an existing instance: a second copy.
    int pos = X509_get_ext_by_NID(cert, req.duplicate_extension, -1);
    if (pos < 0) return InternalError("no extension to duplicate");
    ExtPtr copy(X509_EXTENSION_dup(X509_get_ext(cert, pos)));
    if (!copy || X509_add_ext(cert, copy.get(), -1) != 1) {
      return InternalError("cannot duplicate an extension: " + OpenSslError());
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<X509Ptr> Issue(const CertRequest& req) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), req.version == 1 ? X509_VERSION_1 : X509_VERSION_3);
  RETURN_IF_ERROR(SetSerial(cert.get()));
  ASSIGN_OR_RETURN(auto subject, ParseName(req.subject));
  X509_set_subject_name(cert.get(), subject.get());
  if (!req.issuer_name.empty()) {
    ASSIGN_OR_RETURN(auto issuer_name, ParseName(req.issuer_name));
    X509_set_issuer_name(cert.get(), issuer_name.get());
  } else {
    X509_set_issuer_name(cert.get(),
                         req.issuer_cert ? X509_get_subject_name(req.issuer_cert) : subject.get());
  }
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), req.not_before) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), req.not_after)) {
    return InternalError("cannot set validity: " + OpenSslError());
  }
  X509_set_pubkey(cert.get(), req.key);
  EVP_PKEY* signer = req.issuer_key ? req.issuer_key : req.key;
  if (req.version != 1) RETURN_IF_ERROR(AddExtensions(cert.get(), req));
  if (X509_sign(cert.get(), signer, Digest(req)) <= 0) {
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

}  // namespace tollgate::pki
