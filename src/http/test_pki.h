#pragma once
// Test-only (header-only, so it never lands in a library): certificates made at test time
// in a temporary directory. EC P-256 by default; a CA that signs leaves, validity offsets
// (expired, not yet valid), EKU choices, CA:TRUE leaves, RSA-1024 keys and a CRL. Test
// scaffolding, not the product's PKI.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tollgate::testing {

/// A certificate on disk: PEM files and the SHA-256 fingerprint of its DER form.
struct TestCert {
  std::string cert_file;   // the certificate alone
  std::string chain_file;  // the certificate then its issuers up to (not incl.) the root
  std::string key_file;
  std::string sha256;   // lower-case hex
  std::string subject;  // RFC 2253, e.g. "CN=client,O=tollgate-test"
};

/// How to make one certificate.
struct CertSpec {
  std::string cn;
  std::string issuer;                    // name of a CA made before; "" = self-signed
  bool ca = false;                       // basicConstraints CA:TRUE
  std::string eku;                       // "clientAuth", "serverAuth", "clientAuth,serverAuth", ""
  long not_before_s = -3600;             // offsets from now
  long not_after_s = 10 * 86400 + 3600;  // ten whole days left, whatever the second
  std::string san = "DNS:localhost,IP:127.0.0.1";
  bool rsa1024 = false;  // a deliberately weak key

  // Chainable setters: CertSpec::Leaf("client", "root").Eku("clientAuth").
  static CertSpec Root(std::string cn) {
    CertSpec s;
    s.cn = std::move(cn);
    s.ca = true;
    return s;
  }
  static CertSpec Leaf(std::string cn, std::string issuer) {
    CertSpec s;
    s.cn = std::move(cn);
    s.issuer = std::move(issuer);
    return s;
  }
  CertSpec Ca() const {
    CertSpec s = *this;
    s.ca = true;
    return s;
  }
  CertSpec Eku(std::string v) const {
    CertSpec s = *this;
    s.eku = std::move(v);
    return s;
  }
  CertSpec Validity(long from_s, long to_s) const {
    CertSpec s = *this;
    s.not_before_s = from_s;
    s.not_after_s = to_s;
    return s;
  }
  CertSpec San(std::string v) const {
    CertSpec s = *this;
    s.san = std::move(v);
    return s;
  }
  CertSpec Rsa1024() const {
    CertSpec s = *this;
    s.rsa1024 = true;
    return s;
  }
};

/// Owns a temp directory and the keys and certificates made in it. Not thread-safe.
class TestPki {
 public:
  TestPki() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tollgate-pki-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
  }
  ~TestPki() {
    for (auto& [name, m] : made_) {
      X509_free(m.cert);
      EVP_PKEY_free(m.key);
    }
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::string Path(const std::string& file) const { return (dir_ / file).string(); }

  /// Makes `name` per `spec`; empty cert_file on failure.
  TestCert Make(const std::string& name, const CertSpec& spec) {
    TestCert out;
    Made m;
    m.key = spec.rsa1024 ? EVP_RSA_gen(1024) : EVP_EC_gen("P-256");
    m.cert = X509_new();
    const Made* issuer = nullptr;
    if (!spec.issuer.empty()) {
      auto it = made_.find(spec.issuer);
      if (it == made_.end()) return out;
      issuer = &it->second;
      m.issuer = spec.issuer;
    }
    X509* c = m.cert;
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), ++serial_);
    X509_gmtime_adj(X509_getm_notBefore(c), spec.not_before_s);
    X509_gmtime_adj(X509_getm_notAfter(c), spec.not_after_s);
    X509_set_pubkey(c, m.key);
    X509_NAME* subject = X509_get_subject_name(c);
    AddEntry(subject, "O", "tollgate-test");
    AddEntry(subject, "CN", spec.cn);
    X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer->cert) : subject);
    X509* issuer_cert = issuer ? issuer->cert : c;
    bool ok = Ext(c, issuer_cert, NID_basic_constraints,
                  spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
              Ext(c, issuer_cert, NID_subject_key_identifier, "hash") &&
              (issuer == nullptr || Ext(c, issuer_cert, NID_authority_key_identifier, "keyid")) &&
              (spec.san.empty() || Ext(c, issuer_cert, NID_subject_alt_name, spec.san.c_str())) &&
              (spec.eku.empty() || Ext(c, issuer_cert, NID_ext_key_usage, spec.eku.c_str())) &&
              (!spec.ca ||
               Ext(c, issuer_cert, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"));
    EVP_PKEY* signer = issuer ? issuer->key : m.key;
    ok = ok && X509_sign(c, signer, EVP_sha256()) > 0;
    if (!ok) {
      X509_free(m.cert);
      EVP_PKEY_free(m.key);
      return out;
    }
    out.cert_file = Path(name + ".crt");
    out.chain_file = Path(name + ".chain.pem");
    out.key_file = Path(name + ".key");
    std::vector<X509*> chain{c};
    for (const Made* at = issuer; at != nullptr && !at->issuer.empty();
         at = &made_.at(at->issuer)) {
      chain.push_back(at->cert);
    }
    WritePem(out.cert_file, {c});
    WritePem(out.chain_file, chain);
    std::FILE* f = std::fopen(out.key_file.c_str(), "wb");
    if (f != nullptr) {
      PEM_write_PrivateKey(f, m.key, nullptr, nullptr, 0, nullptr, nullptr);
      std::fclose(f);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    X509_digest(c, EVP_sha256(), md, &md_len);
    static const char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < md_len; ++i) {
      out.sha256 += kHex[md[i] >> 4];
      out.sha256 += kHex[md[i] & 15];
    }
    out.subject = "CN=" + spec.cn + ",O=tollgate-test";
    made_[name] = m;
    return out;
  }

  /// A CRL signed by CA `ca` listing the certificates named in `revoked`, written to
  /// `file` (in the directory); returns its path ("" on failure).
  std::string Crl(const std::string& ca, const std::vector<std::string>& revoked,
                  const std::string& file) {
    auto it = made_.find(ca);
    if (it == made_.end()) return "";
    X509_CRL* crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(it->second.cert));
    ASN1_TIME* t = X509_gmtime_adj(nullptr, -3600);
    X509_CRL_set1_lastUpdate(crl, t);
    X509_gmtime_adj(t, 24 * 3600);
    X509_CRL_set1_nextUpdate(crl, t);
    ASN1_TIME_free(t);
    for (const std::string& name : revoked) {
      auto r = made_.find(name);
      if (r == made_.end()) continue;
      X509_REVOKED* rev = X509_REVOKED_new();
      X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(r->second.cert));
      ASN1_TIME* when = X509_gmtime_adj(nullptr, -60);
      X509_REVOKED_set_revocationDate(rev, when);
      ASN1_TIME_free(when);
      X509_CRL_add0_revoked(crl, rev);
    }
    X509_CRL_sort(crl);
    std::string path = Path(file);
    bool ok = X509_CRL_sign(crl, it->second.key, EVP_sha256()) > 0;
    std::FILE* f = ok ? std::fopen(path.c_str(), "wb") : nullptr;
    if (f != nullptr) {
      ok = PEM_write_X509_CRL(f, crl) == 1;
      std::fclose(f);
    }
    X509_CRL_free(crl);
    return ok && f != nullptr ? path : "";
  }

  /// Concatenates PEM files into `file` (in the directory); returns its path.
  std::string Concat(const std::vector<std::string>& files, const std::string& file) {
    std::string path = Path(file);
    std::FILE* out = std::fopen(path.c_str(), "wb");
    if (out == nullptr) return "";
    for (const std::string& in_path : files) {
      std::FILE* in = std::fopen(in_path.c_str(), "rb");
      if (in == nullptr) continue;
      char buf[4096];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) std::fwrite(buf, 1, n, out);
      std::fclose(in);
    }
    std::fclose(out);
    return path;
  }

 private:
  struct Made {
    X509* cert = nullptr;     // owned
    EVP_PKEY* key = nullptr;  // owned
    std::string issuer;
  };

  static void AddEntry(X509_NAME* name, const char* field, const std::string& value) {
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
  }

  static bool Ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return false;
    bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
  }

  static void WritePem(const std::string& path, const std::vector<X509*>& certs) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return;
    for (X509* c : certs) PEM_write_X509(f, c);
    std::fclose(f);
  }

  std::filesystem::path dir_;
  std::map<std::string, Made> made_;
  long serial_ = 0;
};

}  // namespace tollgate::testing
