#include "tollgate/runner/vocabulary.h"

#include <mutex>

#include "runner/dpop_steps.h"
#include "runner/sign_steps.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/crypto/webhooks.h"
#include "tollgate/http/tls_audit.h"
#include "tollgate/mocks/service.h"
#include "tollgate/pki/pki.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {
namespace {

Terms FromNamed(const std::vector<webhooks::NamedItem>& items) {
  Terms out;
  for (const webhooks::NamedItem& i : items) out.push_back({i.name, i.description});
  return out;
}

void RegisterAll() {
  Terms mutations;
  for (const jose::MutationInfo& m : jose::Mutations())
    mutations.push_back({m.name, m.description});
  RegisterTerms(vocabulary::kTokenMutation, std::move(mutations));
  RegisterTerms(vocabulary::kSignMutation, runner::SignMutations());
  RegisterTerms(vocabulary::kDpopMutation, runner::DpopMutationVocabulary());
  RegisterTerms(vocabulary::kWebhookScheme, FromNamed(webhooks::Schemes()));
  Terms variants = {{"none", "a correct signature (the default)"}};
  for (const Term& t : FromNamed(webhooks::Variants())) variants.push_back(t);
  variants.push_back({"duplicate_id", "the webhook id of the case's previous notification again"});
  RegisterTerms(vocabulary::kWebhookVariant, std::move(variants));

  Terms algs;
  for (const jose::AlgInfo& a : jose::SignatureAlgs()) algs.push_back({a.name, a.summary});
  RegisterTerms(vocabulary::kJwsAlgorithm, std::move(algs));
  Terms chains;
  for (const pki::ChainCase& c : pki::PathMatrix()) {
    chains.push_back({c.name, std::string(c.accept ? "accept" : "refuse") + ": " + c.rule});
  }
  RegisterTerms(vocabulary::kPathChain, std::move(chains));
  Terms findings;
  for (const http::TlsFindingId& f : http::TlsAuditFindingIds()) {
    findings.push_back({std::string(f.id), std::string(f.summary)});
  }
  RegisterTerms(vocabulary::kTlsAuditFinding, std::move(findings));
  // Each mock kind's schema, actions and faults: the mocks module registers its own.
  RegisterMockKinds();
}

}  // namespace

void RegisterVocabularies() {
  static std::once_flag once;
  std::call_once(once, RegisterAll);
}

}  // namespace tollgate
