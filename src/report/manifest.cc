// The evidence bundle's manifest: the SHA-256 of every file of the folder, so a
// certification can be re-checked later (`tollgate report verify DIR`).

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tollgate/base/digest.h"
#include "tollgate/base/file.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;
constexpr const char* kManifest = "manifest.json";

std::optional<std::string> Slurp(const fs::path& p) {
  StatusOr<std::string> bytes = ReadFile(p.string());
  if (!bytes.ok()) return std::nullopt;
  return *std::move(bytes);
}

// Every regular file under `dir` but the manifest, as sorted relative paths.
std::vector<std::string> FilesOf(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string rel = fs::relative(it->path(), dir).generic_string();
    if (rel != kManifest) out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Status WriteManifest(const std::string& dir) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const std::string& rel : FilesOf(dir)) {
    std::optional<std::string> bytes = Slurp(fs::path(dir) / rel);
    if (!bytes) return InternalError("cannot read " + (fs::path(dir) / rel).string());
    files.push_back({{"path", rel}, {"sha256", Sha256Hex(*bytes)}, {"bytes", bytes->size()}});
  }
  nlohmann::ordered_json doc = {{"schema", "tollgate.evidence/1"}, {"files", std::move(files)}};
  return WriteFile((fs::path(dir) / kManifest).string(), doc.dump(2) + "\n");
}

StatusOr<std::vector<std::string>> VerifyManifest(const std::string& dir) {
  const fs::path manifest = fs::path(dir) / kManifest;
  std::optional<std::string> text = Slurp(manifest);
  if (!text) return NotFoundError("cannot read " + manifest.string());
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("schema", "") != "tollgate.evidence/1" ||
      !doc.contains("files") || !doc["files"].is_array()) {
    return InvalidArgumentError(manifest.string() +
                                ": not an evidence manifest (expected schema tollgate.evidence/1 "
                                "and a files list)");
  }
  std::vector<std::string> problems;
  std::map<std::string, bool> listed;
  for (const nlohmann::json& f : doc["files"]) {
    const std::string rel = f.value("path", "");
    const std::string want = f.value("sha256", "");
    listed[rel] = true;
    // A path leaving the folder would let a manifest vouch for files outside the bundle.
    if (rel.empty() || fs::path(rel).is_absolute() || rel.find("..") != std::string::npos) {
      problems.push_back(fmt::format("bad path in manifest: `{}`", rel));
      continue;
    }
    std::optional<std::string> bytes = Slurp(fs::path(dir) / rel);
    if (!bytes) {
      problems.push_back(fmt::format("missing: {}", rel));
      continue;
    }
    const std::string got = Sha256Hex(*bytes);
    if (got != want)
      problems.push_back(fmt::format("modified: {} (manifest sha256 {}, now {})", rel, want, got));
  }
  for (const std::string& rel : FilesOf(dir)) {
    if (!listed.count(rel)) problems.push_back(fmt::format("not in the manifest: {}", rel));
  }
  return problems;
}

}  // namespace tollgate
