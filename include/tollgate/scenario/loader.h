#pragma once
// YAML files -> typed model. Every loader collects all the problems it finds into
// Diagnostics and returns nullopt when there were any; unknown keys are errors.

#include <optional>
#include <string>
#include <vector>

#include "tollgate/scenario/diagnostics.h"
#include "tollgate/scenario/model.h"

namespace tollgate {

/// Loads a suite file.
std::optional<Suite> LoadSuite(const std::string& path, Diagnostics& diags);
/// Loads a suite from text (tests); `path` is only used in locations.
std::optional<Suite> ParseSuite(const std::string& text, const std::string& path,
                                Diagnostics& diags);

/// Loads an environment file; each service's keys are checked against its kind's schema.
std::optional<Environment> LoadEnvironment(const std::string& path, Diagnostics& diags);
std::optional<Environment> ParseEnvironment(const std::string& text, const std::string& path,
                                            Diagnostics& diags);

/// Loads a target file.
std::optional<TargetFile> LoadTargetFile(const std::string& path, Diagnostics& diags);
std::optional<TargetFile> ParseTargetFile(const std::string& text, const std::string& path,
                                          Diagnostics& diags);

/// Loads a profile's requirements.yaml.
std::optional<Requirements> LoadRequirements(const std::string& path, Diagnostics& diags);
std::optional<Requirements> ParseRequirements(const std::string& text, const std::string& path,
                                              Diagnostics& diags);

/// Parses "500ms", "2s", "1m", "1h", "20m" into milliseconds.
std::optional<Duration> ParseDuration(const std::string& text);
/// As ParseDuration, with an optional sign: "-5m", "+2h", "90s" (offsets on the shared clock).
std::optional<Duration> ParseSignedDuration(const std::string& text);

/// Every *.yaml suite file under the given files or folders (requirements.yaml excluded),
/// sorted; NotFound for a path that does not exist.
StatusOr<std::vector<std::string>> CollectSuiteFiles(const std::vector<std::string>& paths);

}  // namespace tollgate
