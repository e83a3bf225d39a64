// EnsureGenerated: builds the authorities, identities, variants and bundles of a profile
// in a temporary sibling folder and renames it into place; a manifest records the config
// digest and the window in which the material stays good, so an up-to-date folder costs
// one small file read.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>

#include "pki/issue.h"
#include "pki/layout.h"
#include "pki/matrix_build.h"
#include "pki/x509_util.h"
#include "tollgate/pki/pki.h"

namespace tollgate::pki {
namespace {

namespace fs = std::filesystem;

constexpr std::time_t kDay = 86400;

// What one authority became.
struct Authority {
  X509Ptr cert;
  PkeyPtr key;
  const AuthoritySpec* spec = nullptr;
  std::vector<X509*> chain;    // itself, then its issuers up to the root
  std::vector<X509*> revoked;  // leaves to list on its CRL; borrowed from the build
};

// Tracks the window in which the generated material is what it claims to be.
struct Window {
  std::time_t valid_from = 0;
  std::time_t refresh_at = 0;

  // Something meant to be valid from `nb` to `na`: refresh a few days before it expires.
  void Valid(std::time_t nb, std::time_t na) {
    valid_from = std::max(valid_from, nb);
    std::time_t margin = std::min<std::time_t>(7 * kDay, (na - nb) / 4);
    Limit(na - margin);
  }
  void Limit(std::time_t t) { refresh_at = refresh_at == 0 ? t : std::min(refresh_at, t); }
};

class Builder {
 public:
  Builder(const PkiConfig& cfg, fs::path dir, std::time_t now)
      : cfg_(cfg), dir_(std::move(dir)), now_(now) {}

  Status Run() {
    fs::create_directories(dir_ / "ca");
    for (const AuthoritySpec& a : cfg_.authorities) RETURN_IF_ERROR(BuildAuthority(a));
    for (const IdentitySpec& id : cfg_.identities) RETURN_IF_ERROR(BuildIdentity(id));
    for (auto& [name, a] : authorities_) {
      ASSIGN_OR_RETURN(auto crl,
                       MakeCrl(a.cert.get(), a.key.get(), a.revoked, now_, a.spec->crl_days));
      window_.Valid(now_ - 3600, now_ + a.spec->crl_days * kDay);
      RETURN_IF_ERROR(Write(dir_ / "ca" / (name + ".crl.pem"), CrlPem(crl.get())));
    }
    std::string manifest = layout::FormatManifest(cfg_.digest, now_, window_.valid_from,
                                                  window_.refresh_at, certificates_);
    return Write(dir_ / layout::kManifest, manifest);
  }

  int certificates() const { return certificates_; }

 private:
  Status Write(const fs::path& p, std::string_view bytes, unsigned mode = 0644) {
    return WriteFileMode(p.string(), bytes, mode);
  }

  Status BuildAuthority(const AuthoritySpec& spec) {
    Authority a;
    a.spec = &spec;
    ASSIGN_OR_RETURN(a.key, GenerateKey(spec.key));
    CertRequest req;
    req.subject = spec.subject;
    req.key = a.key.get();
    req.not_before = now_ - 3600;
    req.not_after = now_ + spec.days * kDay;
    req.ca = true;
    Authority* issuer = nullptr;
    if (!spec.issuer.empty()) {
      issuer = &authorities_.at(spec.issuer);
      req.issuer_cert = issuer->cert.get();
      req.issuer_key = issuer->key.get();
    }
    ASSIGN_OR_RETURN(a.cert, Issue(req));
    ++certificates_;
    window_.Valid(req.not_before, req.not_after);
    a.chain.push_back(a.cert.get());
    if (issuer) a.chain.insert(a.chain.end(), issuer->chain.begin(), issuer->chain.end());
    RETURN_IF_ERROR(Write(dir_ / "ca" / (spec.name + ".pem"), CertPem(a.cert.get())));
    RETURN_IF_ERROR(Write(dir_ / "ca" / (spec.name + ".key"), KeyPem(a.key.get()), 0600));
    if (issuer) RETURN_IF_ERROR(Write(dir_ / "ca" / (spec.name + ".issuer"), spec.issuer));
    authorities_.emplace(spec.name, std::move(a));
    return Status::Ok();
  }

  // Writes one variant folder. `chain` is leaf first, up to and including the root.
  Status WriteVariant(const IdentitySpec& id, const std::string& variant, X509* leaf, EVP_PKEY* key,
                      const std::vector<X509*>& chain, bool chain_has_intermediates,
                      const std::string& crl_of) {
    fs::path vdir = dir_ / "identities" / id.name / (variant.empty() ? layout::kValid : variant);
    fs::create_directories(vdir);
    RETURN_IF_ERROR(Write(vdir / "cert.pem", CertPem(leaf)));
    std::string presented = CertPem(leaf);
    if (chain_has_intermediates) {
      for (std::size_t i = 1; i + 1 < chain.size(); ++i) presented += CertPem(chain[i]);
    }
    RETURN_IF_ERROR(Write(vdir / "chain.pem", presented));
    RETURN_IF_ERROR(Write(vdir / "key.pem", KeyPem(key), 0600));
    RETURN_IF_ERROR(Write(vdir / "ca.pem", CertPem(chain.back())));
    if (!crl_of.empty()) RETURN_IF_ERROR(Write(vdir / "crl.link", crl_of));
    return Status::Ok();
  }

  Status BuildIdentity(const IdentitySpec& id) {
    Authority& issuer = authorities_.at(id.issuer);
    ASSIGN_OR_RETURN(PkeyPtr key, GenerateKey(id.key));
    CertRequest base;
    base.subject = id.subject;
    base.key = key.get();
    base.issuer_cert = issuer.cert.get();
    base.issuer_key = issuer.key.get();
    base.not_before = now_ - 3600;
    base.not_after = now_ + id.days * kDay;
    base.eku = id.usage == "server" ? "serverAuth" : "clientAuth";
    base.san = id.san;
    if (id.usage == "client") {
      base.crl_url = cfg_.revocation.crl_url;
      base.ocsp_url = cfg_.revocation.ocsp_url;
    }
    ASSIGN_OR_RETURN(X509Ptr leaf, Issue(base));
    window_.Valid(base.not_before, base.not_after);
    std::vector<X509*> chain = {leaf.get()};
    chain.insert(chain.end(), issuer.chain.begin(), issuer.chain.end());
    RETURN_IF_ERROR(WriteVariant(id, "", leaf.get(), key.get(), chain, true, id.issuer));
    ++certificates_;

    for (const std::string& v : id.variants) {
      CertRequest req = base;
      PkeyPtr own_key;
      Authority* signer = &issuer;
      bool with_intermediates = true;
      std::string crl_of = id.issuer;
      if (v == "expired") {
        req.not_before = now_ - (id.days + 30) * kDay;
        req.not_after = now_ - kDay;
      } else if (v == "not_yet_valid") {
        req.not_before = now_ + 30 * kDay;
        req.not_after = now_ + (30 + id.days) * kDay;
        window_.Limit(req.not_before - kDay);
      } else if (v == "self_signed" || v == "unregistered" || v == "rsa1024" ||
                 v == "untrusted_root") {
        ASSIGN_OR_RETURN(own_key, GenerateKey(v == "rsa1024" ? "rsa1024" : id.key));
        req.key = own_key.get();
        if (v == "self_signed") {
          req.issuer_cert = nullptr;
          req.issuer_key = nullptr;
          crl_of.clear();
        } else if (v == "untrusted_root") {
          signer = &authorities_.at(id.untrusted_issuer);
          req.issuer_cert = signer->cert.get();
          req.issuer_key = signer->key.get();
          crl_of = id.untrusted_issuer;
        }
      } else if (v == "missing_intermediate") {
        with_intermediates = false;
      } else if (v == "server_auth_only") {
        req.eku = "serverAuth";
      } else if (v == "no_eku") {
        req.eku.clear();
      } else if (v == "ca_leaf") {
        req.ca = true;
      } else if (v == "sha1") {
        req.sha1 = true;
      } else if (v == "unknown_critical_extension") {
        req.unknown_critical_extension = true;
      } else if (v == "wrong_host") {
        req.san = id.wrong_host_san;
      }
      X509Ptr cert;
      if (v == "missing_intermediate") {
        cert.reset(X509_dup(leaf.get()));
      } else {
        ASSIGN_OR_RETURN(cert, Issue(req));
      }
      if (v == "tampered_signature") {
        ASSIGN_OR_RETURN(cert, TamperSignature(cert.get()));
      }
      if (v == "revoked") signer->revoked.push_back(cert.get());
      std::vector<X509*> vchain = {cert.get()};
      if (v == "self_signed") {
        vchain.push_back(cert.get());  // its own anchor
      } else {
        vchain.insert(vchain.end(), signer->chain.begin(), signer->chain.end());
      }
      RETURN_IF_ERROR(WriteVariant(id, v, cert.get(), own_key ? own_key.get() : key.get(), vchain,
                                   with_intermediates, crl_of));
      ++certificates_;
      kept_.push_back(std::move(cert));  // the CRL is signed after every identity is built
    }
    RETURN_IF_ERROR(BuildChains(id, issuer));
    return BuildBundles(id, chain, key.get());
  }

  // The path-validation matrix chains the identity lists, under its issuer's root.
  Status BuildChains(const IdentitySpec& id, const Authority& issuer) {
    if (id.chains.empty()) return Status::Ok();
    X509* root = issuer.chain.back();
    EVP_PKEY* root_key = nullptr;
    for (const auto& [name, a] : authorities_) {
      if (a.cert.get() == root) root_key = a.key.get();
    }
    for (const std::string& name : id.chains) {
      ASSIGN_OR_RETURN(ChainPlan plan, PlanChain(name, id, now_));
      fs::path cdir = dir_ / "identities" / id.name / layout::kChains / name;
      ASSIGN_OR_RETURN(BuiltChain built, BuildChain(plan, root, root_key, cdir.string(), keys_));
      certificates_ += built.certificates;
      for (const auto& [nb, na] : built.validity) {
        if (nb > now_) {
          window_.Limit(nb - kDay);  // rebuilt before a not-yet-valid one becomes valid
        } else if (na > now_) {
          window_.Valid(nb, na);
        }
      }
    }
    return Status::Ok();
  }

  Status BuildBundles(const IdentitySpec& id, const std::vector<X509*>& chain, EVP_PKEY* key) {
    if (id.bundles.empty()) return Status::Ok();
    fs::path bdir = dir_ / "identities" / id.name / layout::kBundles;
    fs::create_directories(bdir);
    auto pem = [](const std::vector<X509*>& certs) {
      std::string out;
      for (X509* c : certs) out += CertPem(c);
      return out;
    };
    const std::size_t n = chain.size();
    X509* root = chain.back();
    std::vector<X509*> middle(chain.begin() + 1, chain.end() - 1);
    for (const std::string& b : id.bundles) {
      std::string bytes;
      if (b == "ordered") {
        bytes = pem(chain);
      } else if (b == "reversed") {
        bytes = pem(std::vector<X509*>(chain.rbegin(), chain.rend()));
      } else if (b == "misordered") {
        std::vector<X509*> v = {chain[0], root};
        v.insert(v.end(), middle.begin(), middle.end());
        bytes = pem(v);
      } else if (b == "extra_unrelated") {
        std::vector<X509*> v = chain;
        v.push_back(authorities_.at(id.untrusted_issuer).chain.back());
        bytes = pem(v);
      } else if (b == "duplicate") {
        std::vector<X509*> v = chain;
        v.insert(v.begin() + 1, n > 2 ? chain[1] : chain[0]);
        bytes = pem(v);
      } else if (b == "with_private_key") {
        bytes = pem(chain) + KeyPem(key);
      } else if (b == "der") {
        for (X509* c : chain) bytes += CertDer(c);
      } else if (b == "bad_base64") {
        // Characters outside the base64 alphabet in the middle of the second block.
        std::string second = CertPem(n > 1 ? chain[1] : chain[0]);
        std::size_t body = second.find('\n') + 1;
        second.replace(body + 70, 4, "*!*!");
        bytes = CertPem(chain[0]) + second;
        for (std::size_t i = 2; i < n; ++i) bytes += CertPem(chain[i]);
      } else if (b == "trailing_garbage") {
        bytes = pem(chain) + "this line is not part of any PEM block\n";
      } else if (b == "leaf_only") {
        bytes = CertPem(chain[0]);
      } else if (b == "missing_root") {
        bytes = pem(std::vector<X509*>(chain.begin(), chain.end() - 1));
      }
      unsigned mode = b == "with_private_key" ? 0600 : 0644;
      RETURN_IF_ERROR(Write(bdir / (b + (b == "der" ? ".der" : ".pem")), bytes, mode));
    }
    return Status::Ok();
  }

  const PkiConfig& cfg_;
  fs::path dir_;
  std::time_t now_;
  std::map<std::string, Authority> authorities_;
  std::vector<X509Ptr> kept_;
  KeyCache keys_;
  Window window_;
  int certificates_ = 0;
};

std::string RandomSuffix() {
  std::random_device rd;  // names a scratch folder only; nothing depends on its value
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d-%08x", static_cast<int>(getpid()), rd());
  return buf;
}

}  // namespace

Status EnsureGenerated(const PkiConfig& config, const std::string& out_dir, const Clock& clock,
                       bool force, GenerateReport* report) {
  GenerateReport local;
  GenerateReport& rep = report ? *report : local;
  fs::path out = fs::path(out_dir).lexically_normal();
  if (out.filename().empty()) out = out.parent_path();
  const std::time_t now = clock.NowSeconds();
  std::string why = layout::WhyStale(out, config.digest, now);
  if (!force && why.empty()) {
    rep.generated = false;
    rep.reason = "up to date";
    return Status::Ok();
  }
  rep.reason = force ? "forced" : why;
  fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  fs::path tmp = parent / (out.filename().string() + ".tmp-" + RandomSuffix());
  Builder builder(config, tmp, now);
  Status st = builder.Run();
  if (!st.ok()) {
    fs::remove_all(tmp, ec);
    return st.WithContext("generating " + out.string());
  }
  rep.generated = true;
  rep.certificates = builder.certificates();
  if (::rename(tmp.c_str(), out.c_str()) == 0) return Status::Ok();
  // `out` exists. Another process may just have made the same material: then keep it.
  if (!force && layout::WhyStale(out, config.digest, now).empty()) {
    fs::remove_all(tmp, ec);
    rep.generated = false;
    rep.reason = "made by a concurrent run";
    return Status::Ok();
  }
  fs::path old = parent / (out.filename().string() + ".old-" + RandomSuffix());
  ::rename(out.c_str(), old.c_str());  // may lose to another process; the next rename decides
  if (::rename(tmp.c_str(), out.c_str()) != 0) {
    int err = errno;
    fs::remove_all(tmp, ec);
    fs::remove_all(old, ec);
    if (layout::WhyStale(out, config.digest, now).empty()) return Status::Ok();
    return InternalError("cannot move generated material into " + out.string() + ": " +
                         std::strerror(err));
  }
  fs::remove_all(old, ec);
  return Status::Ok();
}

}  // namespace tollgate::pki
