// BuildChain: a matrix chain plan into certificates and files.

#include "pki/matrix_build.h"

#include <filesystem>

namespace tollgate::pki {
namespace {

StatusOr<EVP_PKEY*> KeyFor(const std::string& type, KeyCache& keys, std::vector<PkeyPtr>& own) {
  if (type.rfind("rsa", 0) == 0) {
    auto it = keys.find(type);
    if (it == keys.end()) {
      ASSIGN_OR_RETURN(PkeyPtr key, GenerateKey(type));
      it = keys.emplace(type, std::move(key)).first;
    }
    return it->second.get();
  }
  ASSIGN_OR_RETURN(PkeyPtr key, GenerateKey(type));
  own.push_back(std::move(key));
  return own.back().get();
}

}  // namespace

StatusOr<BuiltChain> BuildChain(const ChainPlan& plan, X509* root, EVP_PKEY* root_key,
                                const std::string& dir, KeyCache& keys) {
  BuiltChain out;
  const int n = static_cast<int>(plan.certs.size());
  std::vector<X509Ptr> certs(n);
  std::vector<EVP_PKEY*> key_of(n, nullptr);
  std::vector<PkeyPtr> own;
  for (int i = 0; i < n; ++i) {
    const PlanCert& pc = plan.certs[i];
    if (pc.profile_root) {
      certs[i].reset(X509_dup(root));
      key_of[i] = root_key;
      continue;
    }
    if (pc.share_key >= 0) {
      key_of[i] = key_of[pc.share_key];
    } else {
      ASSIGN_OR_RETURN(key_of[i], KeyFor(pc.key_type, keys, own));
    }
    CertRequest req = pc.req;
    req.key = key_of[i];
    int issuer = pc.issuer == -2 ? i - 1 : pc.issuer;
    if (issuer >= 0) {
      req.issuer_cert = certs[issuer].get();
      req.issuer_key = key_of[issuer];
    }
    ASSIGN_OR_RETURN(certs[i], Issue(req));
    if (pc.tamper) {
      ASSIGN_OR_RETURN(certs[i], TamperSignature(certs[i].get()));
    }
    out.validity.emplace_back(req.not_before, req.not_after);
    ++out.certificates;
  }
  std::filesystem::create_directories(dir);
  std::string untrusted;
  for (int i : plan.presented) untrusted += CertPem(certs[i].get());
  std::string anchors;
  for (int i : plan.anchors) anchors += CertPem(certs[i].get());
  // An empty CRL of every authority of the chain but the profile's root (which publishes
  // its own under ca/), so a relying party that requires a CRL for each certificate of a
  // path (CRL_CHECK_ALL) judges the chain on its defect, not on a missing CRL.
  std::string crls;
  for (int i = 0; i < n; ++i) {
    const PlanCert& pc = plan.certs[i];
    if (pc.profile_root) continue;
    bool issues = false;
    for (int j = 0; j < n; ++j) {
      int issuer = plan.certs[j].issuer == -2 ? j - 1 : plan.certs[j].issuer;
      issues = issues || (j != i && issuer == i);
    }
    if (!issues) continue;
    ASSIGN_OR_RETURN(CrlPtr crl, MakeCrl(certs[i].get(), key_of[i], {}, plan.now, 30));
    crls += CrlPem(crl.get());
  }
  X509* leaf = certs.back().get();
  RETURN_IF_ERROR(WriteFileMode(dir + "/cert.pem", CertPem(leaf), 0644));
  RETURN_IF_ERROR(WriteFileMode(dir + "/chain.pem", CertPem(leaf) + untrusted, 0644));
  RETURN_IF_ERROR(WriteFileMode(dir + "/untrusted.pem", untrusted, 0644));
  RETURN_IF_ERROR(WriteFileMode(dir + "/key.pem", KeyPem(key_of.back()), 0600));
  RETURN_IF_ERROR(WriteFileMode(dir + "/ca.pem", anchors, 0644));
  RETURN_IF_ERROR(WriteFileMode(dir + "/crl.pem", crls, 0644));
  return out;
}

}  // namespace tollgate::pki
