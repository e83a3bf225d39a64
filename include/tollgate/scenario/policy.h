#pragma once
// What a run's results mean for its verdict: the severity of each case (from the
// requirements it checks) and the waivers that apply (docs/waivers.md).

#include <set>
#include <string>
#include <vector>

#include "tollgate/results.h"
#include "tollgate/scenario/project.h"
#include "tollgate/scenario/waivers.h"

namespace tollgate {

/// The requirements of the loaded profiles, for the reports' matrix.
std::vector<RequirementInfo> RequirementCatalog(const std::vector<ProfileRun>& project);

/// Sets each case's severity: `must` when any requirement it checks is `must` (or it names
/// none the catalog knows), `should` when every one is `should`.
void ApplySeverity(RunResult& run);

/// Applies `waivers` as of `today` (YYYY-MM-DD): a live waiver turns a failure into a
/// waived one and marks a passing case kUnused; under `strict` such a case fails
/// (type "waiver.unused"). An expired waiver does not apply. Returns warnings for the
/// console: expired waivers and ids naming no scenario of `known_ids`.
std::vector<std::string> ApplyWaivers(RunResult& run, const Waivers& waivers,
                                      const std::string& today, bool strict,
                                      const std::set<std::string>& known_ids);

}  // namespace tollgate
