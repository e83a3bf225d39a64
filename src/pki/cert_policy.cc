#include "pki/cert_policy.h"

namespace tollgate::pki {
namespace {}  // namespace

void CryptoPolicy(X509* c, int index, bool check_signature, const BundleTrust& trust,
                  std::vector<BundleFinding>& findings) {
  EVP_PKEY* key = X509_get0_pubkey(c);
  if (key != nullptr) {
    int bits = EVP_PKEY_get_bits(key);
    int type = EVP_PKEY_get_base_id(key);
    if (type == EVP_PKEY_RSA && bits < trust.min_rsa_bits) {
      findings.push_back({index, SubjectText(c),
                          "RSA key of " + std::to_string(bits) + " bits; at least " +
                              std::to_string(trust.min_rsa_bits) + " required"});
    } else if (type == EVP_PKEY_EC && bits < trust.min_ec_bits) {
      findings.push_back({index, SubjectText(c),
                          "EC key of " + std::to_string(bits) + " bits; at least " +
                              std::to_string(trust.min_ec_bits) + " required"});
    } else if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC && type != EVP_PKEY_ED25519) {
      findings.push_back({index, SubjectText(c), "key type is not RSA, EC or Ed25519"});
    }
  }
  if (!check_signature) return;
  int md_nid = NID_undef, pk_nid = NID_undef;
  int sig_nid = X509_get_signature_nid(c);
  if (OBJ_find_sigid_algs(sig_nid, &md_nid, &pk_nid) &&
      (md_nid == NID_sha1 || md_nid == NID_md5 || md_nid == NID_md4)) {
    findings.push_back({index, SubjectText(c),
                        std::string("signed with ") + OBJ_nid2ln(sig_nid) +
                            ": SHA-1 and MD5 signatures are refused"});
  }
}

void LeafPolicy(X509* leaf, std::vector<BundleFinding>& findings) {
  if (X509_check_ca(leaf) != 0) {
    findings.push_back({0, SubjectText(leaf),
                        "the leaf is a CA certificate (basicConstraints "
                        "CA:TRUE); a client leaf must be CA:FALSE"});
    return;
  }
  if ((X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) == 0) {
    findings.push_back(
        {0, SubjectText(leaf), "no extendedKeyUsage extension; clientAuth is required"});
  } else if ((X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT) == 0) {
    findings.push_back({0, SubjectText(leaf), "extendedKeyUsage lacks clientAuth"});
  }
}

}  // namespace tollgate::pki
