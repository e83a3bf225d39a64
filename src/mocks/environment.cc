#include "tollgate/mocks/environment.h"

#include "mocks/config.h"
#include "mocks/environment_tls.h"

namespace tollgate {
namespace {

// Wraps each service handler so that every request lands in the journal with the
// service's verdict, including requests whose handler throws.
class JournalingRouter : public ServiceRouter {
 public:
  JournalingRouter(Router* router, Journal* journal) : router_(router), journal_(journal) {}

  void Add(std::string method, std::string path, ServiceHandler handler) override {
    router_->Add(std::move(method), std::move(path), Wrap(std::move(handler)));
  }
  void AddPrefix(std::string method, std::string prefix, ServiceHandler handler) override {
    router_->AddPrefix(std::move(method), std::move(prefix), Wrap(std::move(handler)));
  }

 private:
  Handler Wrap(ServiceHandler handler) {
    Journal* journal = journal_;
    return [journal, handler = std::move(handler)](const ServerRequest& request) {
      Handled h;
      try {
        h = handler(request);
      } catch (const std::exception& e) {
        h.response = ServerResponse::Json(500, R"({"error":"internal_error"})");
        h.note = std::string("handler failed: ") + e.what();
      }
      journal->Record(request, h.response, h.note);
      return h.response;
    };
  }

  Router* router_;    // borrowed from the Running entry being built
  Journal* journal_;  // likewise
};

}  // namespace

struct MockEnvironment::Running {
  std::string name;
  std::string kind;
  std::string public_url;
  std::unique_ptr<MockService> service;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Server> server;
  std::unique_ptr<Server> one_way;  // kind mtls: the listener that never asks for a cert
  std::string one_way_url;
  // ExtraListeners(), in start order: name, server, and whether it serves TLS.
  struct Extra {
    std::string name;
    std::unique_ptr<Server> server;
    bool tls = false;
  };
  std::vector<Extra> extra;
  std::string ca_file;  // TLS services: the root that verifies the served certificate
};

MockEnvironment::MockEnvironment(Environment model, const Clock* clock, Redactor* redactor)
    : model_(std::move(model)), clock_(clock), redactor_(redactor) {}

MockEnvironment::~MockEnvironment() { Stop(); }

Status MockEnvironment::AddFault(const std::string& service, const std::string& fault) {
  for (const ServiceDecl& decl : model_.services) {
    if (decl.name != service) continue;
    // Checked here, not only at Start, so a misspelt --fault is a usage error before anything
    // runs. The faults a kind knows need an instance: a probe without other services or PKI
    // (what it cannot build without them, Start reports).
    bool known = mocks::WantsTls(decl) && mocks::TlsFaultNames().count(fault);
    if (!known) {
      auto probe = CreateService(decl, ServiceContext{clock_, redactor_, {}, {}, {}});
      if (probe.ok()) {
        std::set<std::string> names = (*probe)->KnownFaults();
        if (mocks::WantsTls(decl)) {
          names.insert(mocks::TlsFaultNames().begin(), mocks::TlsFaultNames().end());
        }
        if (!names.count(fault)) {
          std::string list;
          for (const std::string& k : names) list += (list.empty() ? "" : ", ") + k;
          return InvalidArgumentError("service `" + decl.name + "` (kind " + decl.kind +
                                      ") has no fault `" + fault +
                                      "`; known faults: " + (list.empty() ? "none" : list));
        }
      }
    }
    extra_faults_[service].push_back(fault);
    return Status::Ok();
  }
  std::string names;
  for (const ServiceDecl& decl : model_.services) names += (names.empty() ? "" : ", ") + decl.name;
  return InvalidArgumentError("no service `" + service + "` in environment `" + model_.name +
                              "` (services: " + names + ")");
}

Status MockEnvironment::Start() {
  for (const ServiceDecl& decl : model_.services) {
    auto run = std::make_unique<Running>();
    run->name = decl.name;
    run->kind = decl.kind;
    ServiceContext ctx{clock_, redactor_, [this](const std::string& other) { return Url(other); },
                       [this](const std::string& other) { return Service(other); },
                       [this](const std::string& identity, const std::string& variant) {
                         return Identity(identity, variant);
                       }};
    auto created = CreateService(decl, ctx);
    if (!created.ok()) {
      Stop();
      return created.status();
    }
    run->service = std::move(created).value();
    std::vector<std::string> faults = decl.faults;
    for (const std::string& f : extra_faults_[decl.name]) faults.push_back(f);
    std::set<std::string> known = run->service->KnownFaults();
    const bool tls = mocks::WantsTls(decl);
    if (tls) known.insert(mocks::TlsFaultNames().begin(), mocks::TlsFaultNames().end());
    for (const std::string& f : faults) {
      if (!known.count(f)) {
        std::string list;
        for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
        Stop();
        return InvalidArgumentError("service `" + decl.name + "` (kind " + decl.kind +
                                    ") has no fault `" + f +
                                    "`; known faults: " + (list.empty() ? "none" : list));
      }
      run->service->EnableFault(f);
    }
    run->journal = std::make_unique<Journal>(
        static_cast<std::size_t>(mocks::GetInt(decl.config, "journal_limit", 1000)), redactor_,
        clock_);
    Router router;
    const Journal* journal = run->journal.get();
    std::string name = decl.name;
    router.Add("GET", "/__tollgate/journal", [journal, name](const ServerRequest& request) {
      return journal->Serve(name, request);
    });
    JournalingRouter journaling(&router, run->journal.get());
    run->service->AddRoutes(journaling);
    ServerOptions options;
    options.bind_address = mocks::GetString(decl.config, "bind", "127.0.0.1");
    options.port = static_cast<unsigned short>(mocks::GetInt(decl.config, "port", 0));
    options.threads = run->service->HandlerThreads();
    if (Status st = mocks::ApplyServiceLimits(decl.config, decl.name, &options); !st.ok()) {
      Stop();
      return st;
    }
    if (tls) {
      auto tls_options = mocks::ListenerTls(
          decl, std::set<std::string>(faults.begin(), faults.end()),
          [this](const std::string& identity, const std::string& variant) {
            return Identity(identity, variant);
          },
          &run->ca_file);
      if (!tls_options.ok()) {
        Stop();
        return tls_options.status();
      }
      options.tls = true;
      options.tls_options = *std::move(tls_options);
    } else if (auto own = run->service->ListenerTls()) {
      // Kinds with their own TLS policy (mtls) bring their options.
      options.tls = true;
      options.tls_options = *own;
      run->ca_file = run->service->TrustFile();
    }
    if (options.tls) {
      Journal* refusals = run->journal.get();
      // A refused handshake never reaches a handler: journal it so suites can see it.
      options.on_connection_error = [refusals](const std::string& text) {
        ServerRequest r;
        r.method = "TLS";
        r.tls = true;
        refusals->Record(r, ServerResponse{0, {}, ""}, text);
      };
    }
    run->server = std::make_unique<Server>(options, std::move(router));
    if (Status st = run->server->Start(); !st.ok()) {
      Stop();
      return st.WithContext("service `" + decl.name + "` did not start");
    }
    if (auto tls = run->service->OneWayTls()) {
      Router one_way_router;
      JournalingRouter one_way_journaling(&one_way_router, run->journal.get());
      run->service->AddOneWayRoutes(one_way_journaling);
      ServerOptions one_way = options;
      one_way.port = 0;
      one_way.tls = true;
      one_way.tls_options = *tls;
      run->one_way = std::make_unique<Server>(one_way, std::move(one_way_router));
      if (Status st = run->one_way->Start(); !st.ok()) {
        Stop();
        return st.WithContext("service `" + decl.name + "` (one-way listener) did not start");
      }
      run->one_way_url = run->one_way->url();
    }
    for (MockService::Listener& listener : run->service->ExtraListeners()) {
      Router extra_router;
      JournalingRouter extra_journaling(&extra_router, run->journal.get());
      listener.add_routes(extra_journaling);
      ServerOptions extra = options;
      extra.port = 0;
      extra.tls = listener.tls.has_value();
      if (listener.tls) {
        extra.tls_options = *listener.tls;
        Journal* refusals = run->journal.get();
        extra.on_connection_error = [refusals](const std::string& text) {
          ServerRequest r;
          r.method = "TLS";
          r.tls = true;
          refusals->Record(r, ServerResponse{0, {}, ""}, text);
        };
      }
      Running::Extra started{listener.name,
                             std::make_unique<Server>(extra, std::move(extra_router)), extra.tls};
      if (Status st = started.server->Start(); !st.ok()) {
        Stop();
        return st.WithContext("service `" + decl.name + "` (listener " + listener.name +
                              ") did not start");
      }
      run->service->ListenerStarted(listener.name, started.server->url());
      run->extra.push_back(std::move(started));
    }
    if (!run->extra.empty() && run->ca_file.empty()) run->ca_file = run->service->TrustFile();
    run->public_url = mocks::GetString(decl.config, "public_url", run->server->url());
    running_.push_back(std::move(run));
  }
  return Status::Ok();
}

void MockEnvironment::Stop() {
  for (auto& run : running_) {
    if (run->server) run->server->Stop();
    // Extra listeners in reverse start order: a connectpay proxy front stops before the
    // application it forwards to (started before it).
    for (auto it = run->extra.rbegin(); it != run->extra.rend(); ++it) it->server->Stop();
    if (run->one_way) run->one_way->Stop();
  }
  running_.clear();
}

std::vector<std::string> MockEnvironment::ServiceNames() const {
  std::vector<std::string> names;
  for (const ServiceDecl& decl : model_.services) names.push_back(decl.name);
  return names;
}

bool MockEnvironment::HasService(const std::string& name) const {
  for (const auto& run : running_) {
    if (run->name == name) return true;
  }
  return false;
}

std::string MockEnvironment::Url(const std::string& service) const {
  for (const auto& run : running_) {
    if (run->name == service) return run->public_url;
  }
  return "";
}

std::string MockEnvironment::OneWayUrl(const std::string& service) const {
  for (const auto& run : running_) {
    if (run->name == service) return run->one_way_url;
  }
  return "";
}

std::string MockEnvironment::Kind(const std::string& service) const {
  for (const auto& run : running_) {
    if (run->name == service) return run->kind;
  }
  return "";
}

std::string MockEnvironment::TrustFileFor(const std::string& url) const {
  for (const auto& run : running_) {
    if (run->ca_file.empty()) continue;
    std::vector<const std::string*> bases = {&run->public_url, &run->one_way_url};
    std::vector<std::string> extra_urls;
    for (const auto& extra : run->extra) {
      if (extra.tls) extra_urls.push_back(extra.server->url());
    }
    for (const std::string& u : extra_urls) bases.push_back(&u);
    for (const std::string* base : bases) {
      // The same origin: the URL is the base itself or continues with a path or query.
      if (!base->empty() && url.compare(0, base->size(), *base) == 0 &&
          (url.size() == base->size() || url[base->size()] == '/' || url[base->size()] == '?')) {
        return run->ca_file;
      }
    }
  }
  return "";
}

const Journal* MockEnvironment::GetJournal(const std::string& service) const {
  for (const auto& run : running_) {
    if (run->name == service) return run->journal.get();
  }
  return nullptr;
}

std::vector<TargetSetting> MockEnvironment::TargetSettings(const std::string& service) const {
  for (const auto& run : running_) {
    if (run->name == service) return run->service->TargetSettings();
  }
  return {};
}

nlohmann::json MockEnvironment::ReadyJson() const {
  nlohmann::json services = nlohmann::json::object();
  for (const auto& run : running_) {
    services[run->name] = {{"kind", run->kind}, {"url", run->public_url}};
    if (!run->one_way_url.empty()) services[run->name]["one_way_url"] = run->one_way_url;
    for (const auto& extra : run->extra) {
      services[run->name]["listeners"][extra.name] = extra.server->url();
    }
    if (!run->ca_file.empty()) services[run->name]["ca_file"] = run->ca_file;
  }
  return {{"ready", true}, {"environment", model_.name}, {"services", services}};
}

}  // namespace tollgate

namespace tollgate {

MockService* MockEnvironment::Service(const std::string& service) const {
  for (const auto& run : running_) {
    if (run->name == service) return run->service.get();
  }
  return nullptr;
}

void MockEnvironment::RestoreAll() {
  for (const auto& run : running_) run->service->Restore();
}

}  // namespace tollgate
