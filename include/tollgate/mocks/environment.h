#pragma once
// A running environment: every service of an Environment model on its own server, with
// its journal, the shared clock and the run's redactor.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/base/redact.h"
#include "tollgate/base/status.h"
#include "tollgate/mocks/journal.h"
#include "tollgate/mocks/service.h"
#include "tollgate/pki/pki.h"
#include "tollgate/scenario/model.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {

/// Starts, serves and stops the services of one environment. Start/Stop from one thread;
/// the accessors are thread-safe once started.
class MockEnvironment {
 public:
  /// `clock` and `redactor` are borrowed and must outlive the environment.
  MockEnvironment(Environment model, const Clock* clock, Redactor* redactor);
  ~MockEnvironment();

  /// Switches on a fault of a service before Start (`selftest`, `--fault`). InvalidArgument
  /// names the known faults when the service or fault is unknown.
  Status AddFault(const std::string& service, const std::string& fault);
  /// Where PKI identities come from: the profile (certs/pki.yaml) and the folder it is
  /// generated into. Generated on first use (a service with `tls:`, a request presenting
  /// an identity). Without it, identities are a FailedPrecondition naming what is missing.
  void SetPki(std::string config_path, std::string out_dir);
  /// The files of a PKI identity variant ("" = the valid one), generating the PKI first if
  /// needed. Thread-safe.
  StatusOr<pki::IdentityFiles> Identity(const std::string& identity,
                                        const std::string& variant) const;
  /// The files of a chain of the path-validation matrix built for a PKI identity
  /// (certs/pki.yaml `chains:`), generating the PKI first if needed. Thread-safe.
  StatusOr<pki::ChainFiles> Chain(const std::string& identity, const std::string& chain) const;
  /// The text of a generated onboarding bundle of a PKI identity (certs/pki.yaml
  /// `bundles:`), generating the PKI first if needed. Thread-safe.
  StatusOr<std::string> BundleText(const std::string& identity, const std::string& bundle) const;
  /// The trust anchor file for a URL served by a TLS service of this environment (the
  /// root of its certificate), or "" when no TLS service serves that origin.
  std::string TrustFileFor(const std::string& url) const;
  /// Creates and starts every service; stops those already started when one fails.
  Status Start();
  void Stop();

  const Environment& model() const { return model_; }
  /// Names in file order.
  std::vector<std::string> ServiceNames() const;
  bool HasService(const std::string& name) const;
  /// The URL clients use (public_url when the file sets one).
  std::string Url(const std::string& service) const;
  /// The one-way listener's URL of an mtls service ("" for other kinds).
  std::string OneWayUrl(const std::string& service) const;
  std::string Kind(const std::string& service) const;
  const Journal* GetJournal(const std::string& service) const;
  std::vector<TargetSetting> TargetSettings(const std::string& service) const;
  /// The running service (borrowed; valid until Stop), or null.
  MockService* Service(const std::string& service) const;
  /// Restore() on every service (after a case that controlled mocks).
  void RestoreAll();
  /// {"ready": true, "environment": ..., "services": {name: {"kind", "url"}}}.
  nlohmann::json ReadyJson() const;

 private:
  struct Running;
  Environment model_;
  const Clock* clock_;
  Redactor* redactor_;
  std::map<std::string, std::vector<std::string>> extra_faults_;
  std::string pki_config_, pki_dir_;
  mutable std::mutex pki_mu_;
  mutable std::optional<Status> pki_ready_;  // set once generation was attempted
  std::vector<std::unique_ptr<Running>> running_;
};

}  // namespace tollgate

namespace tollgate::mocks {

/// The faults every service that listens on TLS knows, whatever its kind, each with what it
/// breaks (the fault matrix and the vocabularies need them besides the kinds' own).
const Terms& TlsFaultTerms();
/// Their names: expired_certificate, wrong_host_certificate, tls10_enabled, weak_ciphers.
const std::set<std::string>& TlsFaultNames();

/// The switches of the token verifier the Bearer-checking reference targets share, as
/// faults, each with what it accepts, in declaration order.
const Terms& VerifierFaultTerms();

/// True when the service declares `tls:`.
bool WantsTls(const ServiceDecl& decl);

}  // namespace tollgate::mocks
