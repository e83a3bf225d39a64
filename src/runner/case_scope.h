#pragma once
// The template Scope of one scenario case: target.*, services.*, env.*, secret.*, suite
// vars, matrix values and the results saved by earlier steps.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/run_context.h"
#include "tollgate/scenario/template.h"

namespace tollgate::runner {

/// Not thread-safe: one per case, used by the thread running that case.
class CaseScope : public Scope {
 public:
  explicit CaseScope(const RunContext* run) : run_(run) {}

  StatusOr<std::string> Lookup(const std::vector<std::string>& path) const override;
  std::string NewUuid() const override;
  long long NowSeconds() const override;
  std::optional<std::string> Env(const std::string& name) const override;

  void SetValue(const std::string& name, std::string value) { values_[name] = std::move(value); }
  void Save(const std::string& name, nlohmann::json result) { saved_[name] = std::move(result); }
  /// The algorithms of the suite's DPoP keys (Suite::dpop_keys), for `${dpop.NAME.jkt}`.
  void SetDpopAlgs(const std::map<std::string, std::string>* algs) { dpop_algs_ = algs; }

 private:
  const RunContext* run_;
  std::map<std::string, std::string> values_;    // suite vars and matrix values
  std::map<std::string, nlohmann::json> saved_;  // save: results
  const std::map<std::string, std::string>* dpop_algs_ = nullptr;
};

/// How long a `wait:` step waits: its fixed part plus its `for:` resolved in `scope` (never
/// below zero). An error when `for:` cannot be resolved or is not a duration.
StatusOr<Duration> ResolveWait(const WaitStep& wait, const Scope& scope);

/// A templated JSON value evaluated: every string in it is a template.
StatusOr<nlohmann::json> EvaluateJson(const nlohmann::json& value, const Scope& scope,
                                      const SourceLoc& loc);

/// A JSON value as template text: strings as they are, everything else serialised.
std::string JsonToText(const nlohmann::json& value);

}  // namespace tollgate::runner
