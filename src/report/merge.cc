// Merging the JSON results of CI shards into one run: suites joined by id, cases by id.
// Shards of one run hold disjoint cases; the same case twice is tolerated only when both
// say the same thing, since a conflict means the inputs are not shards of one run.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "tollgate/report/report.h"

namespace tollgate {
namespace {

bool SameOutcome(const CaseResult& a, const CaseResult& b) {
  if (a.verdict != b.verdict || a.failures.size() != b.failures.size()) return false;
  for (std::size_t i = 0; i < a.failures.size(); ++i) {
    if (a.failures[i].message != b.failures[i].message) return false;
  }
  return a.error == b.error && a.waiver == b.waiver && a.severity == b.severity;
}

}  // namespace

StatusOr<RunResult> MergeResults(const std::vector<std::pair<std::string, RunResult>>& inputs,
                                 std::vector<std::string>* notes) {
  if (inputs.empty())
    return InvalidArgumentError("nothing to merge: give at least one results file");
  RunResult out;
  const auto& [first_path, first] = inputs.front();
  out.target = first.target;
  out.environment = first.environment;
  out.version = first.version;
  out.hostname = first.hostname;
  out.timestamp = first.timestamp;
  std::map<std::string, std::string> case_from;  // "suite\ncase" -> file
  std::set<std::pair<std::string, std::string>> requirement_seen;
  std::map<std::string, std::set<int>> shards_seen;  // total -> indexes
  for (const auto& [path, run] : inputs) {
    if (run.target != first.target || run.environment != first.environment) {
      return InvalidArgumentError(fmt::format(
          "{} ran against target `{}` in environment `{}`, but {} against `{}` in `{}`: not "
          "shards of one run",
          path, run.target, run.environment, first_path, first.target, first.environment));
    }
    if (run.version != first.version && notes) {
      notes->push_back(fmt::format("{} was written by tollgate {}, {} by {}", path, run.version,
                                   first_path, first.version));
    }
    if (!run.timestamp.empty() && (out.timestamp.empty() || run.timestamp < out.timestamp)) {
      out.timestamp = run.timestamp;
    }
    // Shards run side by side: the merged run took as long as the slowest.
    out.seconds = std::max(out.seconds, run.seconds);
    if (auto slash = run.shard.find('/'); slash != std::string::npos) {
      shards_seen[run.shard.substr(slash + 1)].insert(std::atoi(run.shard.c_str()));
    }
    for (const RequirementInfo& r : run.requirements) {
      if (requirement_seen.insert({r.profile, r.id}).second) out.requirements.push_back(r);
    }
    for (const SuiteResult& suite : run.suites) {
      auto target = std::find_if(out.suites.begin(), out.suites.end(),
                                 [&](const SuiteResult& s) { return s.id == suite.id; });
      if (target == out.suites.end()) {
        SuiteResult copy = suite;
        copy.cases.clear();
        copy.seconds = 0;
        out.suites.push_back(std::move(copy));
        target = out.suites.end() - 1;
      } else if (!suite.sha256.empty() && !target->sha256.empty() &&
                 suite.sha256 != target->sha256) {
        return InvalidArgumentError(fmt::format(
            "suite `{}` differs between the inputs (sha256 {} in {}): not shards of one run",
            suite.id, suite.sha256, path));
      }
      for (const CaseResult& c : suite.cases) {
        const std::string key = suite.id + "\n" + c.case_id;
        if (auto seen = case_from.find(key); seen != case_from.end()) {
          auto prior = std::find_if(target->cases.begin(), target->cases.end(),
                                    [&](const CaseResult& x) { return x.case_id == c.case_id; });
          if (!SameOutcome(*prior, c)) {
            return InvalidArgumentError(
                fmt::format("case `{}` of `{}` is in {} ({}) and in {} ({}) with different results",
                            c.case_id, suite.id, seen->second, OutcomeName(OutcomeOf(*prior)), path,
                            OutcomeName(OutcomeOf(c))));
          }
          if (notes)
            notes->push_back(fmt::format("case `{}` is in {} and {}; counted once", c.case_id,
                                         seen->second, path));
          continue;
        }
        case_from[key] = path;
        target->seconds += c.seconds;
        target->cases.push_back(c);
      }
    }
  }
  // Back in file order (scenario line), as a single run would list them.
  for (SuiteResult& s : out.suites) {
    std::stable_sort(s.cases.begin(), s.cases.end(), [](const CaseResult& a, const CaseResult& b) {
      return a.loc.line < b.loc.line;
    });
  }
  for (const auto& [total, indexes] : shards_seen) {
    const int n = std::atoi(total.c_str());
    for (int i = 1; i <= n && notes; ++i) {
      if (!indexes.count(i))
        notes->push_back(fmt::format("shard {}/{} is missing from the inputs", i, n));
    }
  }
  return out;
}

}  // namespace tollgate
