// CheckBundle: the ordered PEM-bundle check of the onboarding rule (docs/certs.md): a
// lexical pass over the PEM blocks, an order pass over adjacent certificates, path
// validation against the allowed anchors, chain equality (the validated chain must be the
// submitted list, element by element), and the explicit leaf policy OpenSSL does not
// apply by default (clientAuth EKU, CA:FALSE, key size, signature algorithm).

#include <openssl/err.h>
#include <openssl/pem.h>

#include "pki/cert_policy.h"
#include "pki/x509_util.h"
#include "tollgate/pki/pki.h"

namespace tollgate::pki {
namespace {

constexpr std::size_t kMaxBundleBytes = 256 * 1024;
constexpr std::size_t kMaxBlocks = 16;

// One -----BEGIN X----- ... -----END X----- block.
struct Block {
  std::string label;
  std::string text;
};

// Splits the text into PEM blocks; anything else is a finding.
std::vector<Block> Lex(std::string_view bytes, std::vector<BundleFinding>& findings) {
  std::vector<Block> blocks;
  bool inside = false;
  bool stray_reported = false;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    std::string line(bytes.substr(pos, end - pos));
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF is cosmetic
    bool is_begin = line.rfind("-----BEGIN ", 0) == 0 && line.size() > 16 &&
                    line.compare(line.size() - 5, 5, "-----") == 0;
    if (!inside) {
      if (is_begin) {
        blocks.push_back({line.substr(11, line.size() - 16), line + "\n"});
        inside = true;
      } else if (line.find_first_not_of(" \t") != std::string::npos && !stray_reported) {
        findings.push_back({-1, "",
                            blocks.empty()
                                ? "data before the first PEM block"
                                : "data after PEM block " + std::to_string(blocks.size()) +
                                      ": only PEM CERTIFICATE blocks are accepted"});
        stray_reported = true;
      }
      continue;
    }
    if (is_begin) {
      findings.push_back({-1, "",
                          "PEM block " + std::to_string(blocks.size()) +
                              " is truncated (a BEGIN line before its END line)"});
      blocks.back().text.clear();
      blocks.push_back({line.substr(11, line.size() - 16), line + "\n"});
      continue;
    }
    blocks.back().text += line + "\n";
    if (line.rfind("-----END ", 0) == 0) inside = false;
  }
  if (inside) {
    findings.push_back(
        {-1, "", "PEM block " + std::to_string(blocks.size()) + " is truncated (no END line)"});
  }
  return blocks;
}

// Path validation and chain equality; certs are the submitted list.
void Validate(const std::vector<X509Ptr>& certs, const BundleTrust& trust, const Clock& clock,
              std::vector<BundleFinding>& findings) {
  const int n = static_cast<int>(certs.size());
  StorePtr store(X509_STORE_new());
  std::vector<X509Ptr> anchors =
      trust.anchors_pem.empty() ? std::vector<X509Ptr>{} : ReadCerts(trust.anchors_pem);
  if (trust.anchors_pem.empty()) {
    X509_STORE_add_cert(store.get(), certs.back().get());
  }
  bool root_allowed = trust.anchors_pem.empty();
  for (const X509Ptr& a : anchors) {
    X509_STORE_add_cert(store.get(), a.get());
    root_allowed = root_allowed || X509_cmp(a.get(), certs.back().get()) == 0;
  }
  if (!root_allowed) {
    findings.push_back(
        {n - 1, SubjectText(certs.back().get()), "the root is not an allowed anchor"});
    return;
  }
  auto crls = ReadCrls(trust.crls_pem);
  for (const auto& crl : crls) X509_STORE_add_crl(store.get(), crl.get());

  struct StackFree {
    void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
  };
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  for (int i = 1; i + 1 < n; ++i) sk_X509_push(untrusted.get(), certs[i].get());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), certs[0].get(), untrusted.get());
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, clock.NowSeconds());
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT);
  unsigned long flags = X509_V_FLAG_X509_STRICT;
  if (!crls.empty()) flags |= X509_V_FLAG_CRL_CHECK;
  X509_VERIFY_PARAM_set_flags(param, flags);
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
    std::string reason = std::string("path validation: ") + X509_verify_cert_error_string(err);
    if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
        err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
        err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) {
      reason += " (the root is not an allowed anchor)";
    }
    findings.push_back({depth < n ? depth : n - 1, at ? SubjectText(at) : "", reason});
    ERR_clear_error();
    return;
  }
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  int len = sk_X509_num(chain);
  for (int i = 0; i < n; ++i) {
    if (i >= len || X509_cmp(sk_X509_value(chain, i), certs[i].get()) != 0) {
      findings.push_back({i, SubjectText(certs[i].get()),
                          "not at its place in the validated chain (leaf, intermediates, root)"});
      return;
    }
  }
  if (len != n) {
    findings.push_back({-1, "",
                        "the validated chain has " + std::to_string(len) +
                            " certificates; the bundle has " + std::to_string(n)});
  }
}

}  // namespace

std::string FormatFinding(const BundleFinding& f) {
  if (f.index < 0) return "bundle: " + f.reason;
  return "cert[" + std::to_string(f.index) + "] " + (f.subject.empty() ? "-" : f.subject) + ": " +
         f.reason;
}

BundleCheck CheckBundle(std::string_view bytes, const BundleTrust& trust, const Clock& clock) {
  BundleCheck out;
  std::vector<BundleFinding>& findings = out.findings;
  // Bounds first, so a hostile upload costs little (PB-08): a real chain is a few KiB.
  if (bytes.size() > kMaxBundleBytes) {
    findings.push_back({-1, "",
                        "the bundle has " + std::to_string(bytes.size()) + " bytes; at most " +
                            std::to_string(kMaxBundleBytes) + " are accepted"});
    return out;
  }
  std::vector<Block> blocks = Lex(bytes, findings);
  if (blocks.size() > kMaxBlocks) {
    findings.push_back({-1, "",
                        "the bundle has " + std::to_string(blocks.size()) +
                            " PEM blocks; at most " + std::to_string(kMaxBlocks) +
                            " are accepted"});
    return out;
  }
  if (blocks.empty()) {
    bool binary = !bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x30;
    findings.push_back({-1, "",
                        binary ? "not PEM: the file looks like DER; submit PEM text"
                               : "no PEM block found; expected PEM CERTIFICATE blocks"});
    return out;
  }
  // 1. Lexical pass: only CERTIFICATE blocks, each one a certificate.
  std::vector<X509Ptr> certs;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const Block& block = blocks[b];
    if (block.label != "CERTIFICATE") {
      bool key = block.label.find("PRIVATE KEY") != std::string::npos;
      findings.push_back({-1, "",
                          "PEM block " + std::to_string(b + 1) + " is `" + block.label + "`" +
                              (key ? ": a bundle must never carry a private key"
                                   : "; only CERTIFICATE blocks are accepted")});
      continue;
    }
    if (block.text.empty()) continue;  // truncated, already reported
    // Decoded by hand (PEM_read_bio, then d2i_X509) so that bytes left after the
    // certificate's DER inside the block are seen: PEM_read_bio_X509 ignores them.
    BioPtr bio(BIO_new_mem_buf(block.text.data(), static_cast<int>(block.text.size())));
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* der = nullptr;
    long der_len = 0;
    const bool decoded = PEM_read_bio(bio.get(), &name, &header, &der, &der_len) == 1;
    const unsigned char* p = der;
    X509Ptr cert(decoded ? d2i_X509(nullptr, &p, der_len) : nullptr);
    const long trailing = cert ? der_len - static_cast<long>(p - der) : 0;
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
    ERR_clear_error();
    if (!cert) {
      findings.push_back(
          {static_cast<int>(certs.size()), "",
           "PEM block " + std::to_string(b + 1) + " is not a certificate (bad base64 or bad DER)"});
      continue;
    }
    if (trailing > 0) {
      findings.push_back({static_cast<int>(certs.size()), SubjectText(cert.get()),
                          "PEM block " + std::to_string(b + 1) + " has " +
                              std::to_string(trailing) +
                              " stray byte(s) after the certificate's DER"});
      continue;
    }
    certs.push_back(std::move(cert));
  }
  out.certificates = static_cast<int>(certs.size());
  if (!findings.empty()) return out;
  const int n = static_cast<int>(certs.size());

  // 2. Order pass: each certificate is issued and signed by the next; the last is a root.
  bool ordered = true;
  for (int i = 0; i + 1 < n; ++i) {
    X509* c = certs[i].get();
    X509* next = certs[i + 1].get();
    if (X509_cmp(c, next) == 0) {
      findings.push_back({i + 1, SubjectText(next), "duplicates cert[" + std::to_string(i) + "]"});
      ordered = false;
      continue;
    }
    int issued = X509_check_issued(next, c);
    if (issued != X509_V_OK) {
      findings.push_back({i + 1, SubjectText(next),
                          "is not the issuer of cert[" + std::to_string(i) +
                              "]: " + X509_verify_cert_error_string(issued)});
      ordered = false;
    } else if (X509_verify(c, X509_get0_pubkey(next)) != 1) {
      findings.push_back(
          {i, SubjectText(c),
           "signature does not verify with the key of cert[" + std::to_string(i + 1) + "]"});
      ordered = false;
    }
    if (X509_check_ca(next) == 0) {
      findings.push_back({i + 1, SubjectText(next), "is not a CA certificate"});
      ordered = false;
    }
  }
  X509* last = certs.back().get();
  if (X509_self_signed(last, 1) != 1) {
    findings.push_back(
        {n - 1, SubjectText(last),
         "the last certificate is not a self-signed root: the bundle is incomplete"});
    ordered = false;
  } else if (n == 1) {
    findings.push_back({0, SubjectText(last),
                        "a self-signed leaf alone; expected leaf, "
                        "intermediate(s) and root"});
    ordered = false;
  } else if (n == 2) {
    findings.push_back({-1, "", "no intermediate: expected leaf, intermediate(s) and root"});
    ordered = false;
  }
  if (ordered && X509_verify(last, X509_get0_pubkey(last)) != 1) {
    findings.push_back({n - 1, SubjectText(last), "the root's self-signature does not verify"});
    ordered = false;
  }

  // 5 (explicit policy) runs on every bundle that parsed; 3 and 4 need the order right.
  LeafPolicy(certs[0].get(), findings);
  for (int i = 0; i < n; ++i) {
    bool self_signed_root = i == n - 1 && X509_self_signed(certs[i].get(), 0) == 1;
    CryptoPolicy(certs[i].get(), i, !self_signed_root, trust, findings);
  }
  if (ordered) Validate(certs, trust, clock, findings);
  out.accepted = findings.empty();
  return out;
}

}  // namespace tollgate::pki
