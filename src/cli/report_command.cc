// `tollgate report merge` and `tollgate report verify`.

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "tollgate/base/file.h"
#include "tollgate/report/report.h"

namespace tollgate::cli {

int ReportMergeCommand(const std::vector<std::string>& inputs, const std::string& junit,
                       const std::string& json, const std::string& html) {
  if (junit.empty() && json.empty() && html.empty()) {
    std::cerr << "error: nothing to write: give --junit, --json and/or --html\n";
    return kExitUsage;
  }
  std::vector<std::pair<std::string, RunResult>> runs;
  for (const std::string& path : inputs) {
    StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) {
      std::cerr << "error: " << text.status().message() << "\n";
      return kExitInvalid;
    }
    auto run = ParseJsonResults(*text, path);
    if (!run.ok()) {
      std::cerr << "error: " << run.status().message() << "\n";
      return kExitInvalid;
    }
    runs.emplace_back(path, std::move(run).value());
  }
  std::vector<std::string> notes;
  auto merged = MergeResults(runs, &notes);
  if (!merged.ok()) {
    std::cerr << "error: " << merged.status().message() << "\n";
    return kExitInvalid;
  }
  for (const std::string& n : notes) std::cerr << "warning: " << n << "\n";
  for (const auto& [path, render] : {std::pair{junit, &RenderJunit}, std::pair{json, &RenderJson},
                                     std::pair{html, &RenderHtml}}) {
    if (path.empty()) continue;
    if (Status st = WriteFile(path, render(*merged)); !st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return kExitHarness;
    }
  }
  const Counts c = merged->Count();
  std::cout << "merged " << runs.size() << " file(s): " << c.tests << " cases, " << c.passed
            << " passed, " << c.failures << " failed, " << c.errors << " errors, " << c.skipped
            << " skipped, " << c.warnings << " warnings, " << c.waived << " waived\n";
  return kExitOk;
}

int ReportVerifyCommand(const std::string& dir) {
  auto problems = VerifyManifest(dir);
  if (!problems.ok()) {
    std::cerr << "error: " << problems.status().message() << "\n";
    return kExitInvalid;
  }
  for (const std::string& p : *problems) std::cout << p << "\n";
  if (!problems->empty()) {
    std::cout << "evidence bundle " << dir << ": " << problems->size() << " problem(s)\n";
    return kExitFailed;
  }
  std::cout << "evidence bundle " << dir << ": every file matches its manifest\n";
  return kExitOk;
}

}  // namespace tollgate::cli
