#include "cli/project.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

namespace tollgate::cli {
namespace fs = std::filesystem;
ProjectPlace FindProject(const ProjectLookup& lookup) {
  std::error_code ec;
  if (fs::is_directory(fs::path(lookup.cwd) / "suites", ec)) return {lookup.cwd, false};
  // An explicit choice is taken as it is: a wrong TOLLGATE_HOME is then named by the error
  // about its missing suites, not silently replaced by another project.
  if (!lookup.home_override.empty()) return {lookup.home_override, false};
  if (!lookup.executable.empty() && !lookup.installed_data.empty()) {
    fs::path data = fs::path(lookup.executable).parent_path() / lookup.installed_data;
    if (fs::is_directory(data / "suites", ec)) {
      return {fs::weakly_canonical(data, ec).string(), true};
    }
  }
  if (!lookup.source_dir.empty()) return {lookup.source_dir, false};
  return {lookup.cwd, false};
}

namespace {

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

ProjectPlace ThisProject() {
  ProjectLookup lookup;
  lookup.home_override = Env("TOLLGATE_HOME");
  std::error_code ec;
  lookup.executable = fs::read_symlink("/proc/self/exe", ec).string();
#ifdef TOLLGATE_INSTALLED_DATA
  lookup.installed_data = TOLLGATE_INSTALLED_DATA;
#else
  lookup.installed_data = "../share/tollgate";
#endif
#ifdef TOLLGATE_SOURCE_DIR
  lookup.source_dir = TOLLGATE_SOURCE_DIR;
#endif
  return FindProject(lookup);
}

}  // namespace

std::string ProjectRoot() { return ThisProject().root; }

std::string PkiCacheDir(const std::string& xdg_cache_home, const std::string& home) {
  if (!xdg_cache_home.empty() && fs::path(xdg_cache_home).is_absolute()) {
    return (fs::path(xdg_cache_home) / "tollgate" / "pki").string();
  }
  if (!home.empty()) return (fs::path(home) / ".cache" / "tollgate" / "pki").string();
  return (fs::temp_directory_path() / ("tollgate-" + std::to_string(getuid())) / "pki").string();
}

PkiPaths PkiFor(const ProjectPlace& place, const std::string& cache_dir) {
  fs::path certs = fs::path(place.root) / "certs";
  std::error_code ec;
  if (!fs::is_regular_file(certs / "pki.yaml", ec)) return {};
  // A project folder keeps its PKI beside its profile; an installed copy's data folder is
  // shared and read-only, so its PKI (like that of any folder this user cannot write) is
  // generated into the user's cache. The manifest there says which profile it came from,
  // so two copies sharing the cache regenerate rather than mix.
  bool writable = fs::exists(certs / "generated", ec)
                      ? access((certs / "generated").c_str(), W_OK) == 0
                      : access(certs.c_str(), W_OK) == 0;
  std::string out = place.installed || !writable ? cache_dir : (certs / "generated").string();
  return {(certs / "pki.yaml").string(), out};
}

PkiPaths ProjectPki() {
  return PkiFor(ThisProject(), PkiCacheDir(Env("XDG_CACHE_HOME"), Env("HOME")));
}

// A bare name that is no file here but a profile folder of the project: `tollgate run
// gateway` from any folder runs the installed (or source tree's) suites/gateway.
std::vector<std::string> ResolveProfileNames(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    fs::path profile = fs::path(ProjectRoot()) / "suites" / p;
    bool bare = !p.empty() && p.find('/') == std::string::npos && p != "." && p != "..";
    out.push_back(bare && !fs::exists(p, ec) && fs::is_directory(profile, ec) ? profile.string()
                                                                              : p);
  }
  return out;
}

std::optional<std::vector<ProfileRun>> LoadProject(const std::vector<std::string>& paths,
                                                   const std::string& env_file,
                                                   bool require_coverage, Diagnostics& diags) {
  return LoadProfiles(ResolveProfileNames(paths), env_file, require_coverage, diags);
}

}  // namespace tollgate::cli
