// VerifyClientChain: the verdict tollgate reaches on a client certificate chain, the one
// the path-validation matrix (PathMatrix) states for each of its chains.

#include <openssl/err.h>

#include "pki/cert_policy.h"
#include "pki/x509_util.h"
#include "tollgate/pki/pki.h"

namespace tollgate::pki {
namespace {

struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
struct StackPopFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};

ChainVerdict Refused(std::string reason) { return {false, std::move(reason)}; }

// RFC 5280 §4.2: at most one instance of an extension. OpenSSL marks such a certificate
// invalid and then fails to find its issuer; name the real reason instead.
std::string DuplicateExtension(X509* c) {
  const int n = X509_get_ext_count(c);
  for (int i = 0; i < n; ++i) {
    const ASN1_OBJECT* oid = X509_EXTENSION_get_object(X509_get_ext(c, i));
    for (int j = i + 1; j < n; ++j) {
      if (OBJ_cmp(oid, X509_EXTENSION_get_object(X509_get_ext(c, j))) == 0) {
        char name[80];
        OBJ_obj2txt(name, sizeof name, oid, 0);
        return name;
      }
    }
  }
  return "";
}

}  // namespace

ChainVerdict VerifyClientChain(std::string_view chain_pem, std::string_view anchors_pem,
                               const Clock& clock) {
  std::vector<X509Ptr> certs = ReadCerts(chain_pem);
  if (certs.empty()) return Refused("no certificate in the presented chain");
  std::vector<X509Ptr> anchors = ReadCerts(anchors_pem);
  if (anchors.empty()) return Refused("no trust anchor");
  for (std::size_t i = 0; i < certs.size(); ++i) {
    std::string dup = DuplicateExtension(certs[i].get());
    if (!dup.empty()) {
      return Refused(
          FormatFinding({static_cast<int>(i), NameText(X509_get_subject_name(certs[i].get())),
                         "extension " + dup + " appears more than once"}));
    }
  }
  StorePtr store(X509_STORE_new());
  for (const X509Ptr& a : anchors) X509_STORE_add_cert(store.get(), a.get());
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < certs.size(); ++i) sk_X509_push(untrusted.get(), certs[i].get());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), certs[0].get(), untrusted.get());
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, clock.NowSeconds());
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT);
  X509_VERIFY_PARAM_set_depth(param, kMaxIntermediates);
  // Any configured certificate is an anchor (RFC 5280 §6.1.1(d)), not only a self-signed
  // one; strict X.509 enforces the MUSTs on CA certificates; policy constraints in the
  // certificates are honoured.
  X509_VERIFY_PARAM_set_flags(
      param, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_X509_STRICT | X509_V_FLAG_POLICY_CHECK);
  // The user-initial-policy-set of RFC 5280 §6.1.1(c) is any-policy. OpenSSL starts from
  // an empty set instead, which fails every chain that requires an explicit policy.
  X509_VERIFY_PARAM_add0_policy(param, OBJ_nid2obj(NID_any_policy));
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
    ERR_clear_error();
    return Refused("path validation at depth " + std::to_string(depth) +
                   (at ? " (" + NameText(X509_get_subject_name(at)) + ")" : "") + ": " +
                   X509_verify_cert_error_string(err));
  }
  std::unique_ptr<STACK_OF(X509), StackPopFree> chain(X509_STORE_CTX_get1_chain(ctx.get()));
  std::vector<BundleFinding> findings;
  LeafPolicy(sk_X509_value(chain.get(), 0), findings);
  const int n = sk_X509_num(chain.get());
  BundleTrust sizes;
  for (int i = 0; i < n; ++i) {
    X509* c = sk_X509_value(chain.get(), i);
    bool self_signed_anchor = i == n - 1 && X509_self_signed(c, 0) == 1;
    CryptoPolicy(c, i, !self_signed_anchor, sizes, findings);
  }
  if (!findings.empty()) return Refused(FormatFinding(findings.front()));
  return {true, ""};
}

}  // namespace tollgate::pki
