#pragma once
// The commands behind the command line. Each returns the process exit code (docs/cli.md):
// 0 all passed, 1 usage, 2 invalid suite/environment/target file, 3 the harness could
// not run, 4 the target failed at least one check.

#include <map>
#include <string>
#include <vector>

namespace tollgate::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitInvalid = 2;
inline constexpr int kExitHarness = 3;
inline constexpr int kExitFailed = 4;

/// Prints "error: MESSAGE" on stderr and returns CODE.
int Fail(int code, const std::string& message);

/// Options shared by run and demo.
struct RunArgs {
  std::vector<std::string> paths;
  std::string env_file;
  std::string target;  // URL or mock:NAME
  std::string target_file;
  std::string tags;
  int jobs = 0;                      // 0: number of cores
  std::vector<std::string> vars;     // K=V
  std::vector<std::string> secrets;  // K=V
  std::vector<std::string> faults;   // SERVICE:FAULT
  std::string junit = "reports/junit.xml";
  std::string json = "reports/results.json";
  std::string html;      // HTML certification report ("" : none)
  std::string evidence;  // evidence bundle folder ("" : none)
  std::string waivers;   // waiver file
  bool strict_waivers = false;
  std::string shard;  // "I/N"
  std::string max_wait = "60s";
  bool verbose = false;
  bool quiet = false;
};

int RunCommand(const RunArgs& args);
int ValidateCommand(const std::vector<std::string>& paths, const std::string& env_file,
                    const std::string& target_file);
int ListCommand(const std::vector<std::string>& paths);
/// `tollgate init PROFILE`: a commented target file with every setting and secret the
/// profile's suites use, on stdout or into `out_file`.
int InitCommand(const std::string& profile, const std::string& out_file);
int DemoCommand(RunArgs args);
int MocksUpCommand(const std::string& env_file, const std::vector<std::string>& faults);
/// `tollgate report merge`: shard results (JSON) into one JUnit/JSON/HTML set.
int ReportMergeCommand(const std::vector<std::string>& inputs, const std::string& junit,
                       const std::string& json, const std::string& html);
/// `tollgate report verify DIR`: recompute an evidence bundle's digests.
int ReportVerifyCommand(const std::string& dir);
/// `tollgate selftest`: each profile's reference target passes, each fault fails exactly
/// its mapped cases; `map_only` skips the runs and only checks that every fault of every
/// kind (and every TLS fault of a TLS service) is in some profile's fault map.
int SelftestCommand(const std::vector<std::string>& profiles, const std::string& only_fault,
                    int jobs, bool map_only = false);

}  // namespace tollgate::cli
