#include <mutex>

#include "mocks/connectpay.h"
#include "mocks/environment_tls.h"
#include "mocks/gateway.h"
#include "mocks/issuer.h"
#include "mocks/jwks_host.h"
#include "mocks/mtls.h"
#include "mocks/ocsp.h"
#include "mocks/receiver.h"
#include "mocks/resource_server.h"
#include "mocks/sage_connector.h"
#include "mocks/signed_api.h"
#include "tollgate/mocks/service.h"

namespace tollgate {
namespace {

template <typename T>
StatusOr<std::unique_ptr<MockService>> Upcast(StatusOr<std::unique_ptr<T>> made) {
  if (!made.ok()) return made.status();
  return std::unique_ptr<MockService>(std::move(made).value());
}

}  // namespace

const std::vector<KindTerms>& AllKindTerms() {
  static const std::vector<KindTerms> kKinds = {
      mocks::Receiver::Vocabulary(),      mocks::ConnectPay::Vocabulary(),
      mocks::IssuerService::Vocabulary(), mocks::JwksHost::Vocabulary(),
      mocks::Mtls::Vocabulary(),          mocks::Gateway::Vocabulary(),
      mocks::SignedApi::Vocabulary(),     mocks::SageConnector::Vocabulary(),
      mocks::OcspResponder::Vocabulary(), mocks::ResourceServer::Vocabulary()};
  return kKinds;
}

const KindTerms* FindKindTerms(const std::string& kind) {
  for (const KindTerms& k : AllKindTerms()) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

void RegisterMockKinds() {
  static std::once_flag once;
  std::call_once(once, [] {
    Terms all_actions;
    for (const KindTerms& kind : AllKindTerms()) {
      RegisterServiceKind(ServiceKindSpec{kind.kind, kind.keys});
      RegisterTerms(vocabulary::MockActions(kind.kind), kind.actions);
      for (const Term& a : kind.actions) {
        if (!HasTerm(all_actions, a.name)) all_actions.push_back(a);
      }
      // Every kind can listen on TLS (`tls:`), and then has the TLS faults too.
      Terms faults = kind.faults;
      for (const Term& t : mocks::TlsFaultTerms()) {
        if (!HasTerm(faults, t.name)) faults.push_back(t);
      }
      RegisterTerms(vocabulary::Faults(kind.kind), std::move(faults));
    }
    RegisterTerms(vocabulary::kMockAction, std::move(all_actions));
  });
}

std::set<std::string> MockService::KnownFaults() const {
  std::set<std::string> names;
  if (const KindTerms* terms = FindKindTerms(kind_)) {
    for (const Term& t : terms->faults) names.insert(t.name);
  }
  return names;
}

StatusOr<std::unique_ptr<MockService>> CreateService(const ServiceDecl& decl, ServiceContext ctx) {
  if (decl.kind == "receiver") return std::unique_ptr<MockService>(new mocks::Receiver(decl, ctx));
  if (decl.kind == "connectpay") {
    auto cp = std::make_unique<mocks::ConnectPay>(decl, ctx);
    RETURN_IF_ERROR(cp->SetUpHosts(decl));
    return std::unique_ptr<MockService>(std::move(cp));
  }
  if (decl.kind == "issuer") return Upcast(mocks::IssuerService::Create(decl, ctx));
  if (decl.kind == "jwks") return Upcast(mocks::JwksHost::Create(decl, ctx));
  if (decl.kind == "gateway") return Upcast(mocks::Gateway::Create(decl, ctx));
  if (decl.kind == "signed-api") return Upcast(mocks::SignedApi::Create(decl, ctx));
  if (decl.kind == "mtls") return Upcast(mocks::Mtls::Create(decl, ctx));
  if (decl.kind == "sage-connector") return Upcast(mocks::SageConnector::Create(decl, ctx));
  if (decl.kind == "ocsp") return Upcast(mocks::OcspResponder::Create(decl, ctx));
  if (decl.kind == "resource_server") return Upcast(mocks::ResourceServer::Create(decl, ctx));
  return InvalidArgumentError("service `" + decl.name + "`: unknown kind `" + decl.kind + "`");
}

}  // namespace tollgate
