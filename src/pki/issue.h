#pragma once
// Issuing certificates and CRLs with OpenSSL: the primitives the generator composes into
// authorities, identities and their hostile variants. Private to the pki module.

#include <ctime>
#include <string>
#include <vector>

#include "pki/x509_util.h"

namespace tollgate::pki {

/// What to put in one certificate.
struct CertRequest {
  std::string subject;
  EVP_PKEY* key = nullptr;         // the key to certify; borrowed for the call
  X509* issuer_cert = nullptr;     // null: self-signed with `issuer_key` == `key`
  EVP_PKEY* issuer_key = nullptr;  // borrowed for the call
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  bool ca = false;
  std::string eku;               // "clientAuth", "serverAuth" or "" (no extension)
  std::vector<std::string> san;  // "DNS:x", "IP:y"
  bool sha1 = false;             // sign with SHA-1 instead of SHA-256
  bool unknown_critical_extension = false;
  std::string crl_url;   // crlDistributionPoints with this URI; "" : none
  std::string ocsp_url;  // authorityInfoAccess OCSP with this URI; "" : none

  // Knobs of the path-validation matrix (matrix_plan.cc); the defaults change nothing.
  std::string digest;             // "sha256" (default), "sha1" or "md5"; overrides `sha1`
  int version = 3;                // 1: an X.509 v1 certificate without extensions
  int path_len = -1;              // pathLenConstraint of a CA; -1: none
  std::string basic_constraints;  // overrides the default value; "none" omits it
  std::string key_usage;          // overrides the default value; "none" omits it
  bool omit_ski = false;          // no subjectKeyIdentifier
  std::string aki;                // "": the issuer's SKI; "hash": the SHA-1 of the
                                  // issuer's key (an issuer without SKI); "bogus": random
  std::vector<std::string> name_constraints;  // "permitted;DNS:x", "excluded;dirName:O=x"
  std::string policies;                       // the OID of a certificatePolicies extension
  std::string policy_constraints;             // e.g. "critical,requireExplicitPolicy:0"
  int duplicate_extension = 0;                // NID of an extension to add a second time
  bool unknown_noncritical_extension = false;
  std::string issuer_name;  // overrides the issuer name (RFC 2253 text)
};

/// Builds and signs a certificate with a fresh random serial.
StatusOr<X509Ptr> Issue(const CertRequest& req);

/// A copy of `cert` with one bit of its signature flipped.
StatusOr<X509Ptr> TamperSignature(X509* cert);

/// A CRL of `ca` listing `revoked`, valid from `now` - 1 h for `days`.
StatusOr<CrlPtr> MakeCrl(X509* ca, EVP_PKEY* ca_key, const std::vector<X509*>& revoked,
                         std::time_t now, int days);

}  // namespace tollgate::pki
