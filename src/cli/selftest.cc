// `tollgate selftest`: loads the profiles, runs the fault matrix (CheckFaultMatrix in
// tollgate/runner/fault_matrix.h) against their reference targets and prints it.

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "cli/project.h"
#include "tollgate/http/client.h"
#include "tollgate/runner/fault_matrix.h"
#include "tollgate/runner/runner.h"

namespace tollgate::cli {
namespace fs = std::filesystem;
namespace {

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

StatusOr<RunOutcome> RunOnce(const ProfileRun& p,
                             const std::vector<std::pair<std::string, std::string>>& faults,
                             int jobs, HttpClient& client) {
  RunOptions opt;
  opt.jobs = jobs;
  PkiPaths pki = ProjectPki();
  opt.pki_config = pki.config;
  opt.pki_dir = pki.out_dir;
  opt.faults = faults;
  OffsetClock clock;
  Redactor redactor;
  Runner runner(opt, &clock, &redactor, &client);
  ASSIGN_OR_RETURN(RunResult run, runner.Run(p.suites, &*p.environment));
  RunOutcome o;
  for (const SuiteResult& s : run.suites) {
    for (const CaseResult& c : s.cases) {
      if (c.verdict == Verdict::kFail) o.failed.insert(c.case_id);
      if (c.verdict == Verdict::kError) o.errored.insert(c.case_id + " (" + c.error + ")");
    }
  }
  return o;
}

// One profile's part of the matrix, as the console shows it.
void PrintProfile(const ProfileCheck& p) {
  std::cout << "profile " << p.profile << " (target mock:" << p.target << ")\n";
  if (p.ran && p.clean.failed.empty() && p.clean.errored.empty()) {
    std::cout << "  ok    reference target passes every scenario\n";
  } else if (p.ran) {
    std::cout << "  FAIL  reference target: failed " << Join(p.clean.failed) << "; errors "
              << Join(p.clean.errored) << "\n";
  }
  for (const FaultCheck& f : p.faults) {
    if (f.ok()) {
      std::cout << fmt::format("  ok    fault {:<28} caught by {}\n", f.entry, Join(f.expected));
      continue;
    }
    std::cout << fmt::format("  FAIL  fault {:<28} expected to fail {}\n", f.entry,
                             Join(f.expected));
    if (!f.missed.empty()) std::cout << "          not caught by: " << Join(f.missed) << "\n";
    if (!f.extra.empty()) {
      std::cout << "          also failed (over-broad): " << Join(f.extra) << "\n";
    }
    if (!f.errored.empty()) std::cout << "          errors: " << Join(f.errored) << "\n";
  }
}

}  // namespace

int SelftestCommand(const std::vector<std::string>& profiles, const std::string& only_fault,
                    int jobs, bool map_only) {
  std::vector<std::string> dirs = profiles;
  if (dirs.empty()) {
    fs::path suites = fs::path(ProjectRoot()) / "suites";
    for (const auto& entry : fs::directory_iterator(suites)) {
      if (fs::exists(entry.path() / "requirements.yaml")) dirs.push_back(entry.path().string());
    }
    std::sort(dirs.begin(), dirs.end());
  }
  if (jobs <= 0) jobs = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  // Every profile loads before anything runs, so a bad file or an unknown --fault stops
  // the command at once.
  std::vector<std::vector<ProfileRun>> projects;
  for (const std::string& dir : dirs) {
    Diagnostics diags;
    auto project = LoadProject({dir}, "", /*require_coverage=*/true, diags);
    if (!project) return std::cerr << diags.Render(), kExitInvalid;
    for (const ProfileRun& p : *project) {
      if (!p.requirements || !p.environment) {
        std::cerr << "error: " << dir << " is not a profile (no requirements.yaml)\n";
        return kExitInvalid;
      }
    }
    projects.push_back(*std::move(project));
  }
  if (!only_fault.empty()) {
    // Without a match nothing would be checked, and "every check proven" would be a lie.
    std::string known;
    bool found = false;
    for (const std::vector<ProfileRun>& project : projects) {
      for (const ProfileRun& p : project) {
        std::set<std::string> entries;
        for (const auto& [entry, ids] : p.requirements->faults) {
          entries.insert(entry);
          found = found || MatchesFault(entry, only_fault);
        }
        known += "  " + p.profile + ": " + Join(entries) + "\n";
      }
    }
    if (!found) {
      std::cerr << "error: --fault " << only_fault
                << ": no fault map of the profiles checked names it; known faults:\n"
                << known;
      return kExitUsage;
    }
  }
  InitHttpClientLibrary();
  HttpClient client;
  FaultMatrixOptions options;
  options.only_fault = only_fault;
  options.map_only = map_only;
  options.all_profiles = profiles.empty();
  options.on_profile = [](const ProfileCheck& p) { PrintProfile(p); };
  ProfileRunner run = [&](const ProfileRun& p,
                          const std::vector<std::pair<std::string, std::string>>& faults) {
    return RunOnce(p, faults, jobs, client);
  };
  std::vector<ProfileRun> all;
  for (std::vector<ProfileRun>& project : projects) {
    for (ProfileRun& p : project) all.push_back(std::move(p));
  }
  StatusOr<FaultMatrix> matrix = CheckFaultMatrix(all, options, run);
  if (!matrix.ok())
    return std::cerr << "error: " << matrix.status().message() << "\n", kExitHarness;
  for (const std::string& f : matrix->unmapped) {
    std::cout << fmt::format("  FAIL  fault {} is in no profile's fault map\n", f);
  }
  int bad = matrix->problems();
  std::cout << (bad == 0 ? "selftest: every check proven\n"
                         : fmt::format("selftest: {} problem(s)\n", bad));
  return bad == 0 ? kExitOk : kExitFailed;
}

}  // namespace tollgate::cli
