#include "tollgate/scenario/policy.h"

#include <fmt/format.h>

#include <map>

namespace tollgate {

std::vector<RequirementInfo> RequirementCatalog(const std::vector<ProfileRun>& project) {
  std::vector<RequirementInfo> out;
  for (const ProfileRun& p : project) {
    if (!p.requirements) continue;
    for (const Requirement& r : p.requirements->requirements) {
      out.push_back({p.profile, r.id, r.text, r.source, r.quote,
                     r.severity == "should" ? Severity::kShould : Severity::kMust});
    }
  }
  return out;
}

void ApplySeverity(RunResult& run) {
  std::map<std::pair<std::string, std::string>, Severity> severity;  // (profile, id)
  for (const RequirementInfo& r : run.requirements) severity[{r.profile, r.id}] = r.severity;
  for (SuiteResult& s : run.suites) {
    for (CaseResult& c : s.cases) {
      // The strongest wins; an unknown requirement (or none) counts as `must`, so a gap in
      // requirements.yaml can never soften a failure.
      bool any_must = c.requirements.empty();
      for (const std::string& id : c.requirements) {
        auto it = severity.find({s.profile, id});
        any_must = any_must || it == severity.end() || it->second == Severity::kMust;
      }
      c.severity = any_must ? Severity::kMust : Severity::kShould;
    }
  }
}

std::vector<std::string> ApplyWaivers(RunResult& run, const Waivers& waivers,
                                      const std::string& today, bool strict,
                                      const std::set<std::string>& known_ids) {
  std::vector<std::string> warnings;
  for (const Waiver& w : waivers.waivers) {
    const std::string where = w.loc.ToString();
    if (!known_ids.count(w.scenario)) {
      warnings.push_back(fmt::format(
          "waiver for `{}` ({}) names no scenario or case of these suites", w.scenario, where));
      continue;
    }
    // `expires` is the last day the waiver holds; ISO dates compare as text.
    if (w.expires < today) {
      warnings.push_back(fmt::format("waiver for `{}` ({}) expired on {}: it no longer applies",
                                     w.scenario, where, w.expires));
      continue;
    }
    for (SuiteResult& s : run.suites) {
      for (CaseResult& c : s.cases) {
        if (c.scenario_id != w.scenario && c.case_id != w.scenario) continue;
        c.waiver_note = {w.reason, w.expires, where};
        if (c.verdict == Verdict::kFail) {
          c.waiver = WaiverState::kWaived;
        } else if (c.verdict == Verdict::kPass) {
          c.waiver = WaiverState::kUnused;
          if (strict) {
            c.verdict = Verdict::kFail;
            c.failures.push_back({"waiver.unused",
                                  "the waived case passes: remove its waiver (--strict-waivers)",
                                  "a failure covered by the waiver", "the case passes", w.loc});
          }
        }
      }
    }
  }
  return warnings;
}

}  // namespace tollgate
