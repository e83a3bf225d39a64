// PathMatrix: the path-validation matrix as data. Each row names a chain the generator
// builds (matrix_plan.cc says how), the rule it tests and the verdict a correct verifier
// of client certificates reaches. docs/certs.md's table is generated from these rows
// (matrix_test.cc), and the peers test compares them with openssl and nginx.

#include "tollgate/pki/pki.h"

namespace tollgate::pki {

const std::vector<ChainCase>& PathMatrix() {
  static const std::vector<ChainCase> rows = {
      {"baseline", "RFC 5280 §6.1: root -> intermediate -> clientAuth leaf, all valid (control)",
       true},
      // Basic constraints, key usage, version.
      {"int_ca_false", "RFC 5280 §6.1.4(k): an intermediate must assert basicConstraints cA TRUE",
       false},
      {"int_no_basic_constraints",
       "RFC 5280 §6.1.4(k): an intermediate without basicConstraints is not a CA", false},
      {"int_basic_constraints_not_critical",
       "RFC 5280 §4.2.1.9: CAs MUST mark basicConstraints critical (enforced as strict X.509)",
       false},
      {"int_no_key_cert_sign",
       "RFC 5280 §6.1.4(n): an intermediate's keyUsage must include keyCertSign", false},
      {"int_no_key_usage",
       "RFC 5280 §4.2.1.3: CA certificates MUST carry keyUsage (enforced as strict X.509)", false},
      {"int_v1", "RFC 5280 §6.1.4(k): a v1 intermediate carries no basicConstraints, so is no CA",
       false},
      // Path length.
      {"pathlen0_ok",
       "RFC 5280 §4.2.1.9: pathLenConstraint 0 allows a leaf directly below (control)", true},
      {"pathlen0_exceeded",
       "RFC 5280 §6.1.4(l)(m): pathLenConstraint 0 with one more intermediate below", false},
      {"pathlen1_exceeded",
       "RFC 5280 §6.1.4(l)(m): pathLenConstraint 1 with two more intermediates below", false},
      {"root_pathlen0_exceeded",
       "RFC 5937: the anchor's own pathLenConstraint 0 is enforced, one intermediate below it",
       false},
      // Validity.
      {"int_expired", "RFC 5280 §6.1.3(a)(2): the intermediate's notAfter is in the past", false},
      {"int_not_yet_valid", "RFC 5280 §6.1.3(a)(2): the intermediate's notBefore is in the future",
       false},
      {"root_expired",
       "RFC 5280 §4.1.2.5: the trust anchor's certificate has expired (its validity is checked "
       "too)",
       false},
      {"leaf_outlives_issuer",
       "RFC 5280 §6.1.3(a)(2): only the validation time counts; a leaf valid longer than its "
       "issuer is valid (control)",
       true},
      // Name constraints on the intermediate.
      {"nc_dns_permitted_ok", "RFC 5280 §4.2.1.10: dNSName inside a permitted subtree (control)",
       true},
      {"nc_dns_permitted_violated", "RFC 5280 §6.1.3(b): dNSName outside the permitted subtree",
       false},
      {"nc_dns_excluded_ok", "RFC 5280 §4.2.1.10: dNSName outside an excluded subtree (control)",
       true},
      {"nc_dns_excluded_violated", "RFC 5280 §6.1.3(c): dNSName inside an excluded subtree", false},
      {"nc_email_permitted_ok",
       "RFC 5280 §4.2.1.10: rfc822Name inside a permitted domain (control)", true},
      {"nc_email_permitted_violated", "RFC 5280 §6.1.3(b): rfc822Name outside the permitted domain",
       false},
      {"nc_email_excluded_violated", "RFC 5280 §6.1.3(c): rfc822Name inside an excluded domain",
       false},
      {"nc_email_subject_violated",
       "RFC 5280 §4.2.1.10: rfc822Name constraints apply to the subject's emailAddress too", false},
      {"nc_dirname_permitted_ok",
       "RFC 5280 §4.2.1.10: subject name inside a permitted directoryName subtree (control)", true},
      {"nc_dirname_permitted_violated",
       "RFC 5280 §6.1.3(b): subject name outside the permitted directoryName subtree", false},
      {"nc_dirname_excluded_violated",
       "RFC 5280 §6.1.3(c): subject name inside an excluded directoryName subtree", false},
      {"nc_ip_permitted_violated", "RFC 5280 §6.1.3(b): iPAddress outside the permitted range",
       false},
      // Extended key usage on the intermediate (EKU chaining; RFC 5280 leaves it to policy).
      {"int_eku_client_ok",
       "RFC 5280 §4.2.1.12: an intermediate EKU that includes clientAuth (control)", true},
      {"int_eku_server_only",
       "RFC 5280 §4.2.1.12 as applied by OpenSSL and CA/B: an intermediate EKU without clientAuth "
       "constrains the leaves below it",
       false},
      // Extensions.
      {"int_unknown_critical_extension",
       "RFC 5280 §4.2: a critical extension the verifier does not know, on the intermediate",
       false},
      {"int_unknown_noncritical_extension",
       "RFC 5280 §4.2: an unknown non-critical extension is ignored (control)", true},
      {"leaf_duplicate_extension",
       "RFC 5280 §4.2: no extension may appear twice; the leaf has two keyUsage", false},
      {"int_duplicate_extension",
       "RFC 5280 §4.2: no extension may appear twice; the intermediate has two basicConstraints",
       false},
      // Key identifiers and names.
      {"leaf_aki_mismatch",
       "RFC 5280 §4.2.1.1: the leaf's authorityKeyIdentifier names another key than its issuer's",
       false},
      {"int_aki_mismatch",
       "RFC 5280 §4.2.1.1: the intermediate's authorityKeyIdentifier names another key than the "
       "root's",
       false},
      {"int_no_ski",
       "RFC 5280 §4.2.1.2: CA certificates MUST carry subjectKeyIdentifier (enforced as strict "
       "X.509)",
       false},
      {"issuer_name_mismatch",
       "RFC 5280 §6.1.3(a)(4): the leaf's issuer name is not its issuer's subject", false},
      {"int_tampered_signature",
       "RFC 5280 §6.1.3(a)(1): the intermediate's signature does not verify", false},
      // Signature algorithms and key sizes (policy of the onboarding check).
      {"leaf_signed_md5", "RFC 6151 §2: the leaf is signed with md5WithRSAEncryption", false},
      {"int_signed_md5", "RFC 6151 §2: an intermediate is signed with md5WithRSAEncryption", false},
      {"int_signed_sha1",
       "SP 800-131A: SHA-1 is disallowed for signatures; the intermediate is signed with SHA-1",
       false},
      {"leaf_rsa1024", "SP 800-131A: the leaf's RSA key has 1024 bits; at least 2048 required",
       false},
      {"int_rsa1024",
       "SP 800-131A: the intermediate's RSA key has 1024 bits; at least 2048 required", false},
      {"root_rsa1024", "SP 800-131A: the anchor's RSA key has 1024 bits; at least 2048 required",
       false},
      {"int_rsa2048_ok", "SP 800-131A: an RSA-2048 intermediate under an EC root (control)", true},
      {"leaf_key_usage_no_signature",
       "RFC 5280 §4.2.1.3, RFC 8446 §4.4.2.2: a TLS signing key needs digitalSignature; the leaf "
       "has nonRepudiation only",
       false},
      // Certificate policies.
      {"policy_required_ok",
       "RFC 5280 §6.1.5: requireExplicitPolicy 0 and the leaf asserts the policy (control)", true},
      {"policy_required_missing",
       "RFC 5280 §6.1.4(i), §6.1.5: requireExplicitPolicy 0 and the leaf asserts no policy", false},
      // Path building.
      {"cross_signed_path",
       "RFC 5280 §6.1: leaf -> intermediate -> cross certificate of root B by the trusted root A "
       "(control)",
       true},
      {"cross_signed_wrong_direction",
       "RFC 5280 §6.1: root B is trusted, but the cross certificate certifies B under A, not A "
       "under B",
       false},
      {"chain_at_depth_limit",
       "RFC 5280 §6.1 with tollgate's depth limit: 5 intermediates, the most allowed (control)",
       true},
      {"long_chain",
       "tollgate policy (RFC 5280 sets no limit): 12 intermediates, a pathological length", false},
      {"intermediate_anchor",
       "RFC 5280 §6.1.1(d): the trusted intermediate is the anchor; the root is not needed", true},
  };
  return rows;
}

const std::vector<std::string>& KnownChains() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const ChainCase& c : PathMatrix()) out.push_back(c.name);
    return out;
  }();
  return names;
}

}  // namespace tollgate::pki
