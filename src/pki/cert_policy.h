#pragma once
// The certificate policy tollgate applies on top of OpenSSL's path validation, shared by
// the onboarding bundle check and the client-chain verifier. Private.

#include <vector>

#include "pki/x509_util.h"
#include "tollgate/pki/pki.h"

namespace tollgate::pki {

/// Key size and signature algorithm of one certificate at `index`: RSA and EC keys of at
/// least the minimum sizes of `trust`, and (when `check_signature`) no SHA-1, MD5 or MD4
/// signature.
void CryptoPolicy(X509* c, int index, bool check_signature, const BundleTrust& trust,
                  std::vector<BundleFinding>& findings);

/// The leaf rules OpenSSL does not enforce for a client certificate by default (its purpose
/// check passes a leaf with no EKU or with CA:TRUE): CA:FALSE and an EKU with clientAuth.
void LeafPolicy(X509* leaf, std::vector<BundleFinding>& findings);

}  // namespace tollgate::pki
