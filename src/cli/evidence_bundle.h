#pragma once
// `--evidence DIR`: everything needed to re-check a certification later.

#include <string>
#include <vector>

#include "cli/project.h"
#include "tollgate/base/status.h"
#include "tollgate/results.h"

namespace tollgate::cli {

/// Writes into `dir` the HTML, JSON and JUnit reports of `run`, copies of the suites,
/// requirements and environments of `project` (and `waivers_file` when set) under
/// sources/ at their project-relative paths, then manifest.json with the SHA-256 of each file.
/// `dir` must not exist, be empty, or be an earlier bundle (it is replaced).
Status WriteEvidenceBundle(const std::string& dir, const RunResult& run,
                           const std::vector<ProfileRun>& project, const std::string& waivers_file);

}  // namespace tollgate::cli
