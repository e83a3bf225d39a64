#pragma once
// Loading what a command names: suite files grouped by profile, each profile's
// requirements and environment, and the cross-file checks (every scenario names known
// requirements, every requirement is covered, suites require services the environment has,
// the fault map names real scenarios). All problems go to Diagnostics; nothing runs.

#include <optional>
#include <string>
#include <vector>

#include "tollgate/scenario/diagnostics.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/model.h"

namespace tollgate::cli {

/// The suites of one profile (or of no profile, with an explicit --env) and what they run in.
struct ProfileRun {
  std::string profile;                     // folder name; "" without requirements.yaml
  std::optional<Requirements> requirements;
  std::optional<Environment> environment;
  std::vector<Suite> suites;
};

/// Loads suite files under `paths`, groups them by the profile folder holding a
/// requirements.yaml, loads each profile's environment (or `env_file` for all) and checks
/// them against each other. `require_coverage`: every requirement must be named by a
/// scenario (true when whole profiles are loaded). Returns nullopt on diagnostics.
std::optional<std::vector<ProfileRun>> LoadProject(const std::vector<std::string>& paths,
                                                   const std::string& env_file,
                                                   bool require_coverage, Diagnostics& diags);

/// The folder holding suites/ and mocks/: the current directory when it has suites/,
/// otherwise the source tree tollgate was built from (the embedded default).
std::string ProjectRoot();

/// The project's PKI profile (certs/pki.yaml) and its generated folder (certs/generated);
/// both empty when the project has no PKI profile.
struct PkiPaths {
  std::string config, out_dir;
};
PkiPaths ProjectPki();

}  // namespace tollgate::cli
