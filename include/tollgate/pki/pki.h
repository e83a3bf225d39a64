#pragma once
// The PKI factory and the onboarding bundle check. A PKI profile (certs/pki.yaml) names
// certificate authorities and identities; EnsureGenerated builds them, with the hostile
// variants and bundles the mTLS and onboarding suites need, into a folder; Resolve* find
// the files again; CheckBundle is the ordered-bundle check of `tollgate certs check`.
// OpenSSL types stay out of this header: everything crosses it as PEM text or paths.
// Every function is safe to call from several threads; EnsureGenerated also from several
// processes on the same folder.

#include <string>
#include <string_view>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/base/status.h"

namespace tollgate::pki {

/// A certificate authority of the profile: a root (no issuer) or an intermediate.
struct AuthoritySpec {
  std::string name;
  std::string subject;  // "CN=...,O=..." (RFC 2253 order, no escapes)
  std::string issuer;   // another authority; "" for a self-signed root
  std::string key;      // rsa2048 | rsa1024 | ec-p256 | ec-p384
  int days = 0;         // validity from the clock's now
  int crl_days = 30;    // nextUpdate of its CRL
};

/// A named end-entity identity and the variants and bundles to build for it.
struct IdentitySpec {
  std::string name;
  std::string subject;
  std::string issuer;  // an authority
  std::string usage;   // client | server
  std::string key;
  int days = 0;
  std::vector<std::string> san;  // "DNS:localhost", "IP:127.0.0.1"
  std::vector<std::string> variants;
  std::vector<std::string> bundles;
  std::string
      untrusted_issuer;  // authority under an unrelated root (untrusted_root, extra_unrelated)
  std::vector<std::string> wrong_host_san;  // SANs of the wrong_host variant
  std::vector<std::string> chains;          // chains of the path-validation matrix to build
};

/// Where relying parties fetch revocation status (the profile's `revocation:`); opt-in.
/// When set, every client certificate an identity gets (valid and variants) names these
/// URLs: crlDistributionPoints and authorityInfoAccess (OCSP). Absolute http:// URLs.
struct RevocationSpec {
  std::string crl_url;   // "" : no CRL distribution point
  std::string ocsp_url;  // "" : no OCSP access description
};

/// A loaded PKI profile.
struct PkiConfig {
  std::string path;
  std::string digest;  // SHA-256 of the file and the generator's format version
  std::vector<AuthoritySpec> authorities;
  std::vector<IdentitySpec> identities;
  RevocationSpec revocation;
};

/// The variant names an identity may list, and the bundle names.
const std::vector<std::string>& KnownVariants();
const std::vector<std::string>& KnownBundles();

/// One chain of the path-validation matrix: a named defect (or a control that must pass),
/// the rule it tests and the verdict a client-certificate verifier must reach.
struct ChainCase {
  std::string name;
  std::string rule;     // one line: the rule's source (RFC section) and what it says
  bool accept = false;  // tollgate's expected verdict
};

/// The path-validation matrix; the single owner of its names, rules and verdicts.
const std::vector<ChainCase>& PathMatrix();
/// The names of PathMatrix(), in its order: what an identity's `chains:` may list.
const std::vector<std::string>& KnownChains();

/// Loads and checks a profile; errors read "FILE:LINE:COL: what was found; expected ...".
StatusOr<PkiConfig> LoadPkiConfig(const std::string& path);
/// As LoadPkiConfig, from the file's text; `path` is only used in messages.
StatusOr<PkiConfig> ParsePkiConfig(const std::string& text, const std::string& path);

/// What EnsureGenerated did.
struct GenerateReport {
  bool generated = false;  // false: the material was up to date, nothing written
  std::string reason;      // why it (re)generated, or why not
  int certificates = 0;
};

/// Makes `out_dir` hold the material of `config`, valid at `clock`'s now. Writes nothing
/// when the manifest says it came from the same config and nothing valid is expired, near
/// expiry or not yet valid; else builds everything in a sibling temporary folder and
/// renames it into place (concurrent callers never see half-written files). Keys are 0600.
Status EnsureGenerated(const PkiConfig& config, const std::string& out_dir, const Clock& clock,
                       bool force = false, GenerateReport* report = nullptr);

/// The files of one certificate authority (ca/NAME.pem, .key, .crl.pem).
struct AuthorityFiles {
  std::string name;
  std::string cert_file;
  std::string key_file;
  std::string crl_file;  // its CRL: the certificates it issued that are revoked
};

/// The files of one identity variant.
struct IdentityFiles {
  std::string cert_file;   // the leaf only
  std::string chain_file;  // leaf first, then intermediates: what a client presents
  std::string key_file;
  std::string ca_file;   // trust anchor(s) that verify this identity
  std::string crl_file;  // the issuing CA's CRL; may be empty
  // The issuing CA's certificate and private key, for a revocation responder (kind
  // `ocsp`) that signs CRLs and OCSP answers as that CA; empty when self-signed.
  std::string issuer_cert_file;
  std::string issuer_key_file;
  // The issuing CA, then its issuers up to the root: what a responder answering for the
  // whole path (a revoked intermediate is on its issuer's CRL) needs. Empty when
  // self-signed.
  std::vector<AuthorityFiles> authorities;
  std::string sha256;   // lower-case hex of the leaf's DER
  std::string subject;  // RFC 2253
};

/// Finds an identity's files; `variant` "" is the valid one. NotFound lists known names.
StatusOr<IdentityFiles> ResolveIdentity(const std::string& out_dir, const std::string& identity,
                                        const std::string& variant);

/// The files of one generated matrix chain (identities/ID/chains/NAME/).
struct ChainFiles {
  std::string cert_file;       // the leaf only
  std::string chain_file;      // leaf first, then the intermediates a client presents
  std::string untrusted_file;  // the presented intermediates alone (may be empty)
  std::string key_file;
  std::string ca_file;  // the trust anchor(s) of the relying party
};

/// Finds a matrix chain's files. NotFound lists known names.
StatusOr<ChainFiles> ResolveChain(const std::string& out_dir, const std::string& identity,
                                  const std::string& chain);

/// The verdict of tollgate's client-certificate verifier on one chain.
struct ChainVerdict {
  bool accepted = false;
  std::string reason;  // why it was refused; "" when accepted
};

/// At most this many intermediates between a client leaf and its trust anchor.
inline constexpr int kMaxIntermediates = 5;

/// tollgate's client-certificate path validation: RFC 5280 §6.1 with any configured
/// certificate as a trust anchor (self-signed or not), purpose clientAuth, strict X.509
/// checks, certificate policies, at most kMaxIntermediates intermediates; then the policy
/// of the onboarding check (leaf CA:FALSE with clientAuth; RSA >= 2048, EC >= 256 bits and
/// no SHA-1 or MD5 signature anywhere but on a self-signed anchor). `chain_pem` is what the
/// client presents, leaf first; `anchors_pem` the trusted certificates.
ChainVerdict VerifyClientChain(std::string_view chain_pem, std::string_view anchors_pem,
                               const Clock& clock);

/// Path of a generated onboarding bundle of `identity`. NotFound lists known names.
StatusOr<std::string> ResolveBundle(const std::string& out_dir, const std::string& identity,
                                    const std::string& bundle_variant);

/// One reason a bundle is refused. `index` is the certificate's position in the bundle
/// (-1: the bundle as a whole); `subject` is RFC 2253, empty when unknown.
struct BundleFinding {
  int index = -1;
  std::string subject;
  std::string reason;
};

/// The outcome of CheckBundle.
struct BundleCheck {
  bool accepted = false;
  int certificates = 0;
  std::vector<BundleFinding> findings;
};

/// What the bundle is checked against.
struct BundleTrust {
  std::string anchors_pem;  // allowed roots; empty: the bundle's own root (structure only)
  std::string crls_pem;     // CRLs; when given, the leaf's revocation is checked
  int min_rsa_bits = 2048;
  int min_ec_bits = 256;
};

/// The ordered-bundle check (lexical, order, path validation, chain equality, leaf policy);
/// bundles over 256 KiB or 16 PEM blocks are refused before parsing.
BundleCheck CheckBundle(std::string_view bundle_bytes, const BundleTrust& trust,
                        const Clock& clock);

/// "cert[1] CN=x: reason" or "bundle: reason".
std::string FormatFinding(const BundleFinding& f);

}  // namespace tollgate::pki
