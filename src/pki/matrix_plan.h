#pragma once
// How each chain of the path-validation matrix (PathMatrix) is built: a small plan of
// certificates, root first, that the generator issues in order. Private to the pki module.

#include <ctime>
#include <string>
#include <vector>

#include "pki/issue.h"
#include "tollgate/pki/pki.h"

namespace tollgate::pki {

/// One certificate of a plan. `req` holds subject, validity and the defect's knobs; the
/// generator fills its key and issuer pointers.
struct PlanCert {
  CertRequest req;
  std::string key_type = "ec-p256";
  int share_key = -1;         // use the key of this earlier certificate of the plan
  int issuer = -2;            // -2: the certificate before it; -1: self-signed; else an index
  bool profile_root = false;  // the identity's own root authority, not issued again
  bool tamper = false;        // flip a bit of its signature once signed
};

/// A chain: certificates root first (the last is the leaf), which are trust anchors
/// (ca.pem) and which intermediates the client presents after its leaf (in that order).
struct ChainPlan {
  std::vector<PlanCert> certs;
  std::vector<int> anchors;
  std::vector<int> presented;
  std::time_t now = 0;  // the generation time: the chain's CRLs are issued at it
};

/// The plan of matrix chain `name` for `id`, with validity counted from `now`.
StatusOr<ChainPlan> PlanChain(const std::string& name, const IdentitySpec& id, std::time_t now);

}  // namespace tollgate::pki
