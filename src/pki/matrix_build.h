#pragma once
// Issues the certificates of one matrix chain plan and writes its folder. Private.

#include <ctime>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pki/matrix_plan.h"

namespace tollgate::pki {

/// RSA keys shared by every chain of one generation (RSA key generation is the slow part);
/// EC keys are made fresh for each certificate.
using KeyCache = std::map<std::string, PkeyPtr>;

/// What BuildChain made, for the generator's manifest.
struct BuiltChain {
  int certificates = 0;
  // notBefore and notAfter of each certificate issued (not of the identity's root).
  std::vector<std::pair<std::time_t, std::time_t>> validity;
};

/// Issues `plan` under `root` (the identity's root authority and its key) and writes
/// cert.pem, chain.pem, untrusted.pem, key.pem (0600), ca.pem and crl.pem (an empty CRL of
/// each of the chain's own authorities) into `dir`.
StatusOr<BuiltChain> BuildChain(const ChainPlan& plan, X509* root, EVP_PKEY* root_key,
                                const std::string& dir, KeyCache& keys);

}  // namespace tollgate::pki
