#pragma once
// A mock service: a named kind (receiver, connectpay, ...) whose handlers are plain
// functions from request to response. The environment gives each one a server, a journal
// and the shared clock; the service only adds routes.

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/base/redact.h"
#include "tollgate/base/status.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/http/server.h"
#include "tollgate/pki/pki.h"
#include "tollgate/scenario/model.h"
#include "tollgate/scenario/service_schema.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {

/// A value a service offers to suites as `target.NAME` when it is the target.
struct TargetSetting {
  std::string name;
  std::string value;
  bool secret = false;  // redacted everywhere
  /// What the setting means to a partner's API, for `tollgate init`'s comments.
  std::string meaning;
};

class MockService;

/// What a service's handlers may use. Borrowed from the environment, which outlives it.
struct ServiceContext {
  const Clock* clock = nullptr;
  Redactor* redactor = nullptr;
  /// The URL of another service of the environment ("" when unknown). Services start in
  /// file order, so a service can look up those declared before it.
  std::function<std::string(const std::string&)> service_url;
  /// Another running service of the environment (borrowed; valid until the environment
  /// stops), or null. Lets a reference target read its trusted issuer's client registry
  /// for its target settings. May be empty (unit tests): callers fall back to config.
  std::function<MockService*(const std::string&)> service;
  /// Resolves a PKI identity variant of certs/pki.yaml to files ("" = the valid variant),
  /// generating the PKI on first use. May be empty (unit tests without a PKI).
  std::function<StatusOr<pki::IdentityFiles>(const std::string&, const std::string&)> identity;
};

/// Implemented by kinds that sign tokens (issuer): the runner mints with their keys, and
/// `kid_in` expectations check against what they publish. Thread-safe.
class KeyHolder {
 public:
  virtual ~KeyHolder() = default;
  /// The public keys as the JWKS endpoint serves them now.
  virtual jose::Jwks PublishedKeys() const = 0;
  /// The private key with `kid`; "" means the active signing key. nullopt when unknown.
  virtual std::optional<jose::Jwk> SigningKey(const std::string& kid) const = 0;
  /// The `iss` value of its tokens.
  virtual std::string Issuer() const = 0;
  /// Default access-token lifetime.
  virtual std::chrono::seconds TokenTtl() const = 0;
  /// The `typ` header of its access tokens.
  virtual std::string TokenType() const { return "at+jwt"; }
};

/// A handler's answer plus the verdict the journal records (why it answered so).
struct Handled {
  ServerResponse response;
  std::string note;
};

/// What one mock kind offers the files: its `mock:` actions, its faults and its config
/// keys, each with a one-line summary. Each kind keeps its table in its own file (its
/// static Vocabulary()); KnownFaults(), the loaders' checks (RegisterMockKinds()),
/// docs/mock-kinds.md and the fault tables of docs/profiles.md (tests compare them) all
/// come from it.
struct KindTerms {
  std::string kind;
  Terms actions;
  Terms faults;  // the TLS faults of a TLS listener come on top (mocks/environment_tls.h)
  /// Its own config keys (the common ones, CommonServiceFields(), come on top). The
  /// environment loader checks them, so the service reads a typed config (mocks/config.h)
  /// and checks only what a schema cannot say (rules across keys).
  std::vector<FieldSpec> keys;
};

/// Every kind's table, in a stable order.
const std::vector<KindTerms>& AllKindTerms();
/// The table of `kind`, or null for an unknown kind.
const KindTerms* FindKindTerms(const std::string& kind);
/// Registers every kind's schema (RegisterServiceKind), actions and faults (RegisterTerms,
/// the TLS faults included) for the loaders. Before loading an environment; idempotent,
/// thread-safe. RegisterVocabularies() calls it; tests of this module call it directly.
void RegisterMockKinds();

/// Base of every mock kind. Thread-safe once started: handlers run on server threads.
class MockService {
 public:
  virtual ~MockService() = default;

  /// Adds the service's routes. Handlers return Handled so the journal keeps the verdict.
  virtual void AddRoutes(class ServiceRouter& router) = 0;
  /// The faults this kind knows (each breaks one rule on purpose): those of its kind's
  /// table (KindTerms), plus the TLS faults when it listens on TLS (the environment's job).
  std::set<std::string> KnownFaults() const;
  /// Settings offered as target.* when this service is the target.
  virtual std::vector<TargetSetting> TargetSettings() const { return {}; }
  /// Runs a `mock` step action (rotate_keys, down, ...). InvalidArgument names the actions
  /// this kind knows. Thread-safe.
  virtual Status Control(const std::string& action, const nlohmann::json& args) {
    return InvalidArgumentError("service `" + name_ + "` (kind " + kind_ +
                                ") takes no mock actions");
  }
  /// Undoes every Control() action (the runner calls it after a case that used any).
  virtual void Restore() {}
  /// Non-null for kinds that sign tokens.
  virtual const KeyHolder* keys() const { return nullptr; }
  /// TLS for the service's listener; nullopt: plain HTTP.
  virtual std::optional<ServerTlsOptions> ListenerTls() const { return std::nullopt; }
  /// A second, one-way TLS listener (kind mtls), offered as services.NAME.one_way_url;
  /// nullopt: none. Its routes come from AddOneWayRoutes.
  virtual std::optional<ServerTlsOptions> OneWayTls() const { return std::nullopt; }
  virtual void AddOneWayRoutes(class ServiceRouter& router) {}
  /// Further listeners (kind connectpay: its proxy fronts and the application behind
  /// them), started in this order after the main and one-way ones and stopped in reverse,
  /// each on its own ephemeral port with the service's journal; listed in the ready JSON
  /// as services.NAME.listeners.LISTENER (the kind offers what suites need as settings).
  struct Listener {
    std::string name;                     // unique within the service
    std::optional<ServerTlsOptions> tls;  // nullopt: plain HTTP
    std::function<void(class ServiceRouter&)> add_routes;
  };
  virtual std::vector<Listener> ExtraListeners() { return {}; }
  /// Told each extra listener's URL once it listens, before Start returns.
  virtual void ListenerStarted(const std::string& listener, const std::string& url) {}
  /// For kinds with their own TLS (ListenerTls): the root that verifies their server
  /// certificate, so requests to them trust it automatically; "" when none.
  virtual std::string TrustFile() const { return ""; }
  /// Threads serving this service's listener: handlers run on them, so a kind whose
  /// handlers block (a key-set fetch) takes more, letting concurrent requests overlap as
  /// they would on a thread-per-request server.
  virtual int HandlerThreads() const { return 2; }

  /// Switches a fault on (before the service starts serving; the environment checks the
  /// name against KnownFaults first).
  void EnableFault(const std::string& fault) { faults_.insert(fault); }
  /// True when the fault is switched on.
  bool HasFault(const std::string& fault) const { return faults_.count(fault) > 0; }
  const std::string& name() const { return name_; }
  const std::string& kind() const { return kind_; }

 protected:
  MockService(std::string name, std::string kind, ServiceContext ctx)
      : name_(std::move(name)), kind_(std::move(kind)), ctx_(ctx) {}
  const ServiceContext& ctx() const { return ctx_; }

 private:
  std::string name_;
  std::string kind_;
  ServiceContext ctx_;
  std::set<std::string> faults_;
};

/// Route registration for a service: wraps handlers so every request is journaled.
class ServiceRouter {
 public:
  using ServiceHandler = std::function<Handled(const ServerRequest&)>;
  virtual ~ServiceRouter() = default;
  virtual void Add(std::string method, std::string path, ServiceHandler handler) = 0;
  virtual void AddPrefix(std::string method, std::string prefix, ServiceHandler handler) = 0;
};

/// Creates a service of `decl.kind`; InvalidArgument for a bad config value.
StatusOr<std::unique_ptr<MockService>> CreateService(const ServiceDecl& decl, ServiceContext ctx);

}  // namespace tollgate
