#pragma once
// Loading a project's profiles: suite files grouped by the profile folder that holds their
// requirements.yaml, each profile's requirements and environment, and the cross-file checks
// (every scenario names known requirements, every requirement is covered, suites require
// services the environment has, the fault map names real scenarios and faults its services'
// kinds have, `mock:` actions are the service's kind's). All problems go to Diagnostics;
// nothing runs. Where a project is and which folder a bare profile name means is the
// command line's business (cli/project.h).

#include <optional>
#include <string>
#include <vector>

#include "tollgate/scenario/diagnostics.h"
#include "tollgate/scenario/model.h"

namespace tollgate {

/// The suites of one profile (or of no profile, with an explicit --env) and what they run in.
struct ProfileRun {
  std::string profile;  // folder name; "" without requirements.yaml
  std::optional<Requirements> requirements;
  std::optional<Environment> environment;
  std::vector<Suite> suites;
};

/// Loads the suite files under `paths`, groups them by the profile folder holding a
/// requirements.yaml, loads each profile's environment (or `env_file` for all) and checks
/// them against each other. `require_coverage`: every requirement must be named by a
/// scenario (true when whole profiles are loaded). Returns nullopt on diagnostics.
std::optional<std::vector<ProfileRun>> LoadProfiles(const std::vector<std::string>& paths,
                                                    const std::string& env_file,
                                                    bool require_coverage, Diagnostics& diags);

}  // namespace tollgate
