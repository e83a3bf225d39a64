#pragma once
// Where the command line finds a project (the current folder, TOLLGATE_HOME, an installed
// copy's data folder, the source tree), its PKI, and which profile a bare name means; the
// loading itself is LoadProfiles (tollgate/scenario/project.h).

#include <optional>
#include <string>
#include <vector>

#include "tollgate/scenario/diagnostics.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/model.h"
#include "tollgate/scenario/project.h"

namespace tollgate::cli {

using ::tollgate::ProfileRun;

/// LoadProfiles (tollgate/scenario/project.h) of `paths`, with bare profile names resolved
/// first (ResolveProfileNames).
std::optional<std::vector<ProfileRun>> LoadProject(const std::vector<std::string>& paths,
                                                   const std::string& env_file,
                                                   bool require_coverage, Diagnostics& diags);

/// Where a project's files are looked up, in this order: the current folder when it has
/// suites/; `home_override` (TOLLGATE_HOME) when set; the data folder of an installed copy,
/// `<folder of the executable>/<installed_data>` (`../share/tollgate`), when it has suites/;
/// the source tree a build-tree binary was built from; else the current folder.
struct ProjectLookup {
  std::string cwd = ".";       // the current folder
  std::string home_override;   // TOLLGATE_HOME; "" when unset
  std::string executable;      // absolute path of the running binary; "" if unknown
  std::string installed_data;  // relative to the executable's folder
  std::string source_dir;      // compiled-in source tree; "" when none
};

/// A project folder, and whether it is the read-only data folder of an installed copy (its
/// generated PKI then goes to the per-user cache, never beside its suites).
struct ProjectPlace {
  std::string root;
  bool installed = false;
};
ProjectPlace FindProject(const ProjectLookup& lookup);

/// The folder holding suites/ and mocks/ (FindProject with this process's environment).
std::string ProjectRoot();

/// The per-user cache for the generated PKI of an installed copy:
/// `$XDG_CACHE_HOME/tollgate/pki` (an absolute XDG_CACHE_HOME only, as the XDG spec says),
/// else `$HOME/.cache/tollgate/pki`, else a per-user folder under the temporary folder.
std::string PkiCacheDir(const std::string& xdg_cache_home, const std::string& home);

/// The project's PKI profile (certs/pki.yaml) and its generated folder: certs/generated of
/// a project folder, the per-user cache (PkiCacheDir) for an installed or unwritable one;
/// both empty when the project has no PKI profile.
struct PkiPaths {
  std::string config, out_dir;
};
PkiPaths ProjectPki();
PkiPaths PkiFor(const ProjectPlace& place, const std::string& cache_dir);

/// `paths` with each bare name that is no file here but a profile folder of the project
/// (ProjectRoot()/suites/NAME) replaced by that folder: `tollgate run gateway` works from
/// any folder. LoadProject applies it.
std::vector<std::string> ResolveProfileNames(const std::vector<std::string>& paths);

}  // namespace tollgate::cli
