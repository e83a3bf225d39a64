// File-level entry points of the loaders (read the file, then parse its text), durations
// and suite discovery.

#include "tollgate/scenario/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "tollgate/base/file.h"

namespace tollgate {
namespace {

// The file's bytes, or nullopt after a diagnostic naming the file.
std::optional<std::string> ReadFile(const std::string& path, Diagnostics& diags) {
  StatusOr<std::string> text = tollgate::ReadFile(path);
  if (!text.ok()) {
    Diagnostic d;
    d.title = text.status().message();
    d.loc.file = path;
    diags.Add(std::move(d));
    return std::nullopt;
  }
  return *std::move(text);
}

bool IsSuiteFileName(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::string name = p.filename().string();
  return (ext == ".yaml" || ext == ".yml") && name != "requirements.yaml" && name != "faults.yaml";
}

}  // namespace

std::optional<Suite> LoadSuite(const std::string& path, Diagnostics& diags) {
  std::optional<std::string> text = ReadFile(path, diags);
  if (!text) return std::nullopt;
  return ParseSuite(*text, path, diags);
}

std::optional<Environment> LoadEnvironment(const std::string& path, Diagnostics& diags) {
  std::optional<std::string> text = ReadFile(path, diags);
  if (!text) return std::nullopt;
  return ParseEnvironment(*text, path, diags);
}

std::optional<TargetFile> LoadTargetFile(const std::string& path, Diagnostics& diags) {
  std::optional<std::string> text = ReadFile(path, diags);
  if (!text) return std::nullopt;
  return ParseTargetFile(*text, path, diags);
}

std::optional<Requirements> LoadRequirements(const std::string& path, Diagnostics& diags) {
  std::optional<std::string> text = ReadFile(path, diags);
  if (!text) return std::nullopt;
  return ParseRequirements(*text, path, diags);
}

std::optional<Duration> ParseDuration(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  // Nine digits of hours still fit in 64-bit milliseconds.
  if (digits == 0 || digits > 9) return std::nullopt;
  long long n = std::stoll(text.substr(0, digits));
  std::string unit = text.substr(digits);
  if (unit == "ms") return Duration(n);
  if (unit == "s") return Duration(n * 1000);
  if (unit == "m") return Duration(n * 60 * 1000);
  if (unit == "h") return Duration(n * 60 * 60 * 1000);
  return std::nullopt;
}

std::optional<Duration> ParseSignedDuration(const std::string& text) {
  if (text.empty() || (text[0] != '-' && text[0] != '+')) return ParseDuration(text);
  std::optional<Duration> d = ParseDuration(text.substr(1));
  if (!d) return std::nullopt;
  return text[0] == '-' ? -*d : *d;
}

StatusOr<std::vector<std::string>> CollectSuiteFiles(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) return NotFoundError("no such file or folder: " + path);
    if (!fs::is_directory(st)) {
      files.push_back(path);  // a file named explicitly is taken as a suite whatever its name
      continue;
    }
    fs::recursive_directory_iterator it(path, fs::directory_options::follow_directory_symlink, ec);
    if (ec) return NotFoundError("cannot list " + path + ": " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) return NotFoundError("cannot list " + path + ": " + ec.message());
      if (it->is_regular_file(ec) && IsSuiteFileName(it->path())) {
        files.push_back(it->path().generic_string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace tollgate
