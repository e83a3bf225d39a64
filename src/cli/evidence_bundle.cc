#include "cli/evidence_bundle.h"

#include <filesystem>
#include <set>

#include "tollgate/report/report.h"

namespace tollgate::cli {
namespace {

namespace fs = std::filesystem;

// Where a source file goes in the bundle: its path relative to the current folder when it
// lies below it (suites/gateway/auth.yaml), else inputs/<name>.
std::string BundlePath(const std::string& file) {
  std::error_code ec;
  const fs::path abs = fs::absolute(file, ec);
  const fs::path rel = fs::relative(abs, fs::current_path(), ec);
  if (!ec && !rel.empty() && *rel.begin() != "..") return rel.generic_string();
  return "inputs/" + abs.filename().string();
}

}  // namespace

Status WriteEvidenceBundle(const std::string& dir, const RunResult& run,
                           const std::vector<ProfileRun>& project,
                           const std::string& waivers_file) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      return InvalidArgumentError("--evidence " + dir + ": not a folder");
    // Replace an earlier bundle, but never wipe a folder that is something else.
    if (!fs::is_empty(dir, ec) && !fs::exists(fs::path(dir) / "manifest.json", ec)) {
      return InvalidArgumentError("--evidence " + dir +
                                  ": folder is not empty and not an evidence bundle");
    }
    fs::remove_all(dir, ec);
    if (ec) return InternalError("--evidence " + dir + ": cannot clear: " + ec.message());
  }
  const fs::path root(dir);
  for (const auto& [name, content] :
       {std::pair{"report.html", RenderHtml(run)}, std::pair{"results.json", RenderJson(run)},
        std::pair{"junit.xml", RenderJunit(run)}}) {
    RETURN_IF_ERROR(WriteFile((root / name).string(), content));
  }
  std::set<std::string> sources;
  for (const ProfileRun& p : project) {
    for (const Suite& s : p.suites) sources.insert(s.file);
    if (p.requirements) sources.insert(p.requirements->file);
    if (p.environment && !p.environment->file.empty()) sources.insert(p.environment->file);
  }
  if (!waivers_file.empty()) sources.insert(waivers_file);
  for (const std::string& file : sources) {
    const fs::path to = root / "sources" / BundlePath(file);
    fs::create_directories(to.parent_path(), ec);
    if (!ec) fs::copy_file(file, to, fs::copy_options::overwrite_existing, ec);
    if (ec) return InternalError("--evidence: cannot copy " + file + ": " + ec.message());
  }
  return WriteManifest(dir);
}

}  // namespace tollgate::cli
