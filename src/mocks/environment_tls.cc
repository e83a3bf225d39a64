#include "mocks/environment_tls.h"

#include <fstream>
#include <sstream>

#include "mocks/config.h"
#include "tollgate/base/file.h"
#include "tollgate/mocks/environment.h"

namespace tollgate {
namespace mocks {

const Terms& TlsFaultTerms() {
  static const Terms kFaults = {
      {"expired_certificate", "serves an expired certificate of its identity"},
      {"wrong_host_certificate", "serves a certificate of its identity for another host name"},
      {"tls10_enabled", "accepts TLS 1.0"},
      {"weak_ciphers", "also offers unencrypted (NULL) cipher suites, at security level 0"}};
  return kFaults;
}

const std::set<std::string>& TlsFaultNames() {
  static const std::set<std::string> kNames = [] {
    std::set<std::string> names;
    for (const Term& t : TlsFaultTerms()) names.insert(t.name);
    return names;
  }();
  return kNames;
}

bool WantsTls(const ServiceDecl& decl) {
  auto it = decl.config.find("tls");
  return it != decl.config.end() && it->is_object();
}

StatusOr<ServerTlsOptions> ListenerTls(const ServiceDecl& decl, const std::set<std::string>& faults,
                                       const IdentityResolver& identity, std::string* ca_file) {
  const nlohmann::json& tls = decl.config.at("tls");
  std::string name = GetString(tls, "identity", "server");
  std::string variant = GetString(tls, "variant", "");
  // A fault replaces the served certificate with a broken one of the same identity.
  if (faults.count("expired_certificate")) variant = "expired";
  if (faults.count("wrong_host_certificate")) variant = "wrong_host";
  auto files = identity(name, variant);
  if (!files.ok()) {
    return files.status().WithContext("service `" + decl.name + "`: tls identity `" + name +
                                      (variant.empty() ? "" : "` variant `" + variant) + "`");
  }
  ServerTlsOptions o;
  o.cert_chain_file = files->chain_file;
  o.key_file = files->key_file;
  o.request_client_cert = false;
  o.min_version = GetString(tls, "min_version", "1.2");
  o.max_version = GetString(tls, "max_version", "");
  o.ciphers = GetString(tls, "ciphers", "");
  if (faults.count("tls10_enabled")) o.min_version = "1.0";
  if (faults.count("weak_ciphers")) {
    // Unencrypted (NULL) suites next to the defaults; security level 0 lets them through.
    // Debian's OpenSSL has no 3DES, RC4 or EXPORT suites to enable at all.
    o.ciphers = "ALL:eNULL:@SECLEVEL=0";  // DEFAULT would remove eNULL for good
    o.security_level = 0;
  }
  if (ca_file != nullptr) {
    // The valid identity's root verifies every variant of a server identity: a broken
    // variant must fail on its own defect, not on an unknown issuer.
    auto valid = identity(name, "");
    *ca_file = valid.ok() ? valid->ca_file : files->ca_file;
  }
  return o;
}

}  // namespace mocks

void MockEnvironment::SetPki(std::string config_path, std::string out_dir) {
  std::lock_guard<std::mutex> lock(pki_mu_);
  pki_config_ = std::move(config_path);
  pki_dir_ = std::move(out_dir);
  pki_ready_.reset();
}

StatusOr<pki::IdentityFiles> MockEnvironment::Identity(const std::string& identity,
                                                       const std::string& variant) const {
  std::lock_guard<std::mutex> lock(pki_mu_);
  if (pki_dir_.empty()) {
    return FailedPreconditionError(
        "PKI identities need a PKI profile (certs/pki.yaml next to suites/); none is set");
  }
  if (!pki_ready_) {
    // Certificates are judged by peers on the real clock, never on a scenario's offset.
    OffsetClock real;
    auto config = pki::LoadPkiConfig(pki_config_);
    pki_ready_ = config.ok() ? pki::EnsureGenerated(*config, pki_dir_, real) : config.status();
  }
  if (!pki_ready_->ok()) return *pki_ready_;
  return pki::ResolveIdentity(pki_dir_, identity, variant);
}

}  // namespace tollgate

namespace tollgate {

StatusOr<std::string> MockEnvironment::BundleText(const std::string& identity,
                                                  const std::string& bundle) const {
  RETURN_IF_ERROR(Identity(identity, "").status());  // generates the PKI when needed
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(pki_mu_);
    dir = pki_dir_;
  }
  ASSIGN_OR_RETURN(std::string path, pki::ResolveBundle(dir, identity, bundle));
  return ReadFile(path);
}

StatusOr<pki::ChainFiles> MockEnvironment::Chain(const std::string& identity,
                                                 const std::string& chain) const {
  RETURN_IF_ERROR(Identity(identity, "").status());  // generates the PKI when needed
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(pki_mu_);
    dir = pki_dir_;
  }
  return pki::ResolveChain(dir, identity, chain);
}

}  // namespace tollgate
