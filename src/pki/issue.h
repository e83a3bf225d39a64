#pragma once
// Issuing certificates and CRLs with OpenSSL: the primitives the generator composes into
// authorities, identities and their hostile variants. Private to the pki module.

#include <ctime>
#include <string>
#include <vector>

#include "pki/x509_util.h"

namespace tollgate::pki::internal {

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
};

/// Builds and signs a certificate with a fresh random serial.
StatusOr<X509Ptr> Issue(const CertRequest& req);

/// A copy of `cert` with one bit of its signature flipped.
StatusOr<X509Ptr> TamperSignature(X509* cert);

/// A CRL of `ca` listing `revoked`, valid from `now` - 1 h for `days`.
StatusOr<CrlPtr> MakeCrl(X509* ca, EVP_PKEY* ca_key, const std::vector<X509*>& revoked,
                         std::time_t now, int days);

}  // namespace tollgate::pki::internal
