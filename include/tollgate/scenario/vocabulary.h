#pragma once
// Names in user files whose meaning another module owns: the hostile token mutations,
// webhook schemes and signature algorithms (crypto), the request-signing mutations (runner), the
// actions and faults of each mock kind (mocks). Each owner keeps one table of its names, each with
// a one-line summary, and registers it at start-up (RegisterVocabularies() in
// tollgate/runner/vocabulary.h); the loaders check files against the tables, so a misspelt
// name is a load error with a caret and a "did you mean" instead of a failure at run time.
// A vocabulary nobody registered is not checked (the scenario module on its own: its unit
// tests and fuzz targets). The config schema of each mock kind is registered the same way
// but is never skipped (tollgate/scenario/service_schema.h). Registration happens before loading;
// lookups are thread-safe.

#include <memory>
#include <string>
#include <vector>

namespace tollgate {

/// One name of a vocabulary and what it means.
struct Term {
  std::string name;
  std::string summary;
};
using Terms = std::vector<Term>;

namespace vocabulary {
inline constexpr char kTokenMutation[] = "token mutation";
inline constexpr char kSignMutation[] = "signing mutation";
/// DPoP proof mutations (crypto) and the request-level ones of the `dpop:` option (runner).
inline constexpr char kDpopMutation[] = "DPoP mutation";
inline constexpr char kWebhookScheme[] = "webhook scheme";
inline constexpr char kWebhookVariant[] = "webhook variant";
/// JWS signature algorithms (crypto), `none` excluded.
inline constexpr char kJwsAlgorithm[] = "JWS algorithm";
/// The chains of the PKI's path-validation matrix (pki), for `tls: {chain: NAME}`.
inline constexpr char kPathChain[] = "path-validation chain";
/// The finding ids of the TLS audit (http), for `tls: {audit: {findings: {absent: [...]}}}`.
inline constexpr char kTlsAuditFinding[] = "TLS audit finding";
/// Every action of every mock kind (a `mock:` step before its service's kind is known).
inline constexpr char kMockAction[] = "mock action";
/// The vocabulary of the actions (`mock:` steps) of mock kind `kind`.
std::string MockActions(const std::string& kind);
/// The vocabulary of the faults (`faults:`, fault maps, `--fault`) of mock kind `kind`.
std::string Faults(const std::string& kind);
}  // namespace vocabulary

/// Sets (or replaces) the terms of `vocabulary`.
void RegisterTerms(const std::string& vocabulary, Terms terms);
/// The terms of `vocabulary`, or null when nobody registered it.
std::shared_ptr<const Terms> FindTerms(const std::string& vocabulary);
/// The names of `terms`, in order.
std::vector<std::string> TermNames(const Terms& terms);
/// True when `terms` has `name`.
bool HasTerm(const Terms& terms, const std::string& name);

}  // namespace tollgate
