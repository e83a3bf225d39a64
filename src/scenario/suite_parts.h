#pragma once
// The parts of the suite loader that live in their own files: one reader per step kind
// (request_loader.cc, replay_loader.cc, time_steps_loader.cc, mock_steps_loader.cc,
// token_loader.cc, notify_loader.cc), expectations (expect_loader.cc, with
// tls_expect_loader.cc), the vocabulary check of terms other modules own (term_check.cc)
// and the helpers they share (suite_parts.cc). Internal to the scenario module.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tollgate/scenario/model.h"
#include "tollgate/scenario/vocabulary.h"
#include "yaml_reader.h"

namespace tollgate::scenario {

/// The template roots every suite may use, whatever it declares.
inline const std::vector<std::string>& ReservedRoots() {
  static const std::vector<std::string> kRoots = {"target", "services", "env",
                                                  "secret", "pki",      "dpop"};
  return kRoots;
}

/// A name saved by an earlier step of the scenario being read.
struct SavedName {
  std::string name;
  std::string kind;  // the step kind that saved it ("request", "token", ...)
  bool replayable = false;
};

/// Checks that a name being declared (`what`: "var", "saved name", ...) hides neither a
/// reserved root, nor `previous`, nor a name in `taken`; reports and returns false if it does.
bool CheckNewName(scenario::Document& doc, const scenario::Node& at, const std::string& name,
                  const std::string& what, const std::vector<std::string>& taken);

/// The `steps:` list of a scenario into `out`; `scope` holds the scenario's names (steps add
/// their saved names for the steps after them).
void ReadSteps(scenario::Document& doc, const scenario::Node& steps,
               const scenario::NameScope& scope, const std::vector<std::string>& requires_services,
               std::vector<Step>& out);

/// A service name that must be listed in the suite's `requires` (received, mock, token
/// issuer, kid_in). Reports and returns nullopt otherwise (and for a non-string).
std::optional<std::string> ReadRequiredService(scenario::Document& doc, const scenario::Node& node,
                                               const std::string& key,
                                               const std::vector<std::string>& requires_services);

/// A `request:` mapping; templates may use the names in `scope`.
std::optional<RequestStep> ReadRequestStep(scenario::Document& doc, const scenario::Node& node,
                                           const scenario::NameScope& scope);

/// A `dpop:` mapping (a request's with its `auth`, or a token fetch's when `token_request`).
std::optional<DpopSpec> ReadDpop(scenario::Document& doc, const scenario::Node& node,
                                 const scenario::NameScope& scope, bool token_request,
                                 const std::optional<AuthSpec>& auth);

/// Checks across the steps of `suite`: each DPoP key name has one algorithm, and a
/// `reused_jti` has an earlier proof in its scenario; records each key's algorithm in
/// `suite.dpop_keys`.
void CheckDpopSteps(scenario::Document& doc, Suite& suite);

/// A `replay:` value: `previous`, a saved name, or `{of, concurrent}`. `saved` are the
/// names of earlier steps; `any_replayable` whether an earlier step sent a request.
/// `step` names the step in diagnostics (`race` reads its `of:` the same way).
std::optional<ReplayStep> ReadReplayStep(scenario::Document& doc, const scenario::Node& node,
                                         const std::vector<SavedName>& saved, bool any_replayable,
                                         const std::string& step = "replay");

/// A `race:` mapping: `copies` (2..64) and one step to race: an inline `request:`, a
/// `token: {fetch: ...}`, a `notify:`, or `of:` an earlier request (a saved name or
/// `previous`, resolved as `replay` does).
std::optional<RaceStep> ReadRaceStep(scenario::Document& doc, const scenario::Node& node,
                                     const scenario::NameScope& scope,
                                     const std::vector<SavedName>& saved, bool any_replayable,
                                     const std::vector<std::string>& requires_services);

/// A `wait:` value: a duration, `{duration}`, or `{for: TEMPLATE, plus: DURATION}`.
std::optional<WaitStep> ReadWaitStep(scenario::Document& doc, const scenario::Node& node,
                                     const scenario::NameScope& scope);

/// A `clock:` value: a signed duration or `{offset}`.
std::optional<ClockStep> ReadClockStep(scenario::Document& doc, const scenario::Node& node);

/// A `received:` mapping: `service` (in `requires`), `method`, `path`.
std::optional<ReceivedStep> ReadReceivedStep(scenario::Document& doc, const scenario::Node& node,
                                             const scenario::NameScope& scope,
                                             const std::vector<std::string>& requires_services);

/// A `mock:` mapping: `service` (in `requires`), a known `action`, and its arguments.
std::optional<MockStep> ReadMockStep(scenario::Document& doc, const scenario::Node& node,
                                     const scenario::NameScope& scope,
                                     const std::vector<std::string>& requires_services);

/// The actions a `mock` step may name (each service kind checks its own at run time).
/// Checks that the template at `n` (the value of `key`) names a term of `vocabulary`
/// (tollgate/scenario/vocabulary.h): a literal at once; a value that is exactly one matrix
/// variable (`${mutation}`) through each of the variable's values, at the value. Other
/// templates are only known at run time. Nothing is checked when the vocabulary is not
/// registered.
void CheckTerm(scenario::Document& doc, const scenario::Node& n, const std::string& key,
               const std::string& vocabulary, const scenario::NameScope& scope);
/// The same against terms the scenario module knows itself; `vocabulary` names them in
/// the diagnostic.
void CheckTerm(scenario::Document& doc, const scenario::Node& n, const std::string& key,
               const std::string& vocabulary, const Terms& terms, const scenario::NameScope& scope);

/// A `token:` mapping with `mint:` (issuer in `requires`) or `fetch:`.
std::optional<TokenStep> ReadTokenStep(scenario::Document& doc, const scenario::Node& node,
                                       const scenario::NameScope& scope,
                                       const std::vector<std::string>& requires_services);

/// The body of `token: {mint: ...}` into `t` (also the `token:` of a `notify` step).
/// False when it had errors (reported).
bool ReadMint(scenario::Document& doc, const scenario::Node& n, const scenario::NameScope& scope,
              const std::vector<std::string>& requires_services, TokenStep& t);
/// A `notify:` mapping (notify_loader.cc).
std::optional<NotifyStep> ReadNotifyStep(scenario::Document& doc, const scenario::Node& node,
                                         const scenario::NameScope& scope,
                                         const std::vector<std::string>& requires_services);
/// What an `expect:` may hold at one step.
struct ExpectRules {
  std::string step;               // the step as messages name it: "request", "token: mint"
  std::vector<std::string> keys;  // the expectations it takes
  std::vector<std::string> requires_services;  // the suite's `requires` (token.kid_in)
  /// For a key this step does not take: "`a` and `b` steps" that do, or "" when none does.
  std::function<std::string(const std::string&)> taken_by;
};

/// An `expect:` mapping under `rules`.
std::optional<Expect> ReadExpect(scenario::Document& doc, const scenario::Node& node,
                                 const scenario::NameScope& scope, const ExpectRules& rules);

}  // namespace tollgate::scenario
