#include "cli/cli.h"

#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace tollgate::cli {
namespace {

void AddRunOptions(CLI::App* cmd, RunArgs& a) {
  cmd->add_option("--env", a.env_file, "environment file (default: each profile's)");
  cmd->add_option("--target", a.target, "target URL, or mock:NAME for a service of the environment");
  cmd->add_option("--target-file", a.target_file, "target file with the target's settings");
  cmd->add_option("--tags", a.tags, "tag expression, e.g. 'basic and not slow'");
  cmd->add_option("-j,--jobs", a.jobs, "parallel scenario cases (default: cores)");
  cmd->add_option("--var", a.vars, "K=V: override a suite variable (repeatable)");
  cmd->add_option("--secret", a.secrets, "K=V: a secret, as ${secret.K}; redacted everywhere");
  cmd->add_option("--fault", a.faults,
                  "SERVICE:FAULT: switch on a fault of a reference target, to see the suites "
                  "catch it (repeatable)");
  cmd->add_option("--junit", a.junit, "JUnit XML report")->capture_default_str();
  cmd->add_option("--json", a.json, "JSON report")->capture_default_str();
  cmd->add_option("--max-wait", a.max_wait, "bound on any wait step")->capture_default_str();
  cmd->add_flag("-v,--verbose", a.verbose, "print transcripts of failed cases");
  cmd->add_flag("-q,--quiet", a.quiet, "no line per case, only the summary");
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{
      "tollgate: conformance harness and mock partner environment for payment-API security"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tollgate ") + TOLLGATE_VERSION);

  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "run suites (files or folders; default: suites/)");
  run->add_option("paths", run_args.paths, "suite files or folders");
  AddRunOptions(run, run_args);

  RunArgs demo_args;
  CLI::App* demo = app.add_subcommand(
      "demo", "every profile against its reference target; writes reports/");
  demo->add_option("-j,--jobs", demo_args.jobs, "parallel scenario cases (default: cores)");
  demo->add_flag("-v,--verbose", demo_args.verbose, "print transcripts of failed cases");
  demo->add_flag("-q,--quiet", demo_args.quiet, "no line per case, only the summary");

  std::vector<std::string> validate_paths;
  std::string validate_env, validate_target_file;
  CLI::App* validate =
      app.add_subcommand("validate", "check suites, environments and target files without running");
  validate->add_option("paths", validate_paths, "suite files or folders (default: suites/)");
  validate->add_option("--env", validate_env, "environment file (default: each profile's)");
  validate->add_option("--target-file", validate_target_file, "target file to check too");

  std::vector<std::string> list_paths;
  CLI::App* list = app.add_subcommand("list", "scenario cases with ids, requirements and tags");
  list->add_option("paths", list_paths, "suite files or folders (default: suites/)");

  CLI::App* mocks = app.add_subcommand("mocks", "run the mock environment on its own");
  mocks->require_subcommand(1);
  std::string up_file;
  std::vector<std::string> up_faults;
  CLI::App* up = mocks->add_subcommand(
      "up", "run an environment until SIGINT/SIGTERM; prints one JSON ready line");
  up->add_option("file", up_file, "environment file")->required();
  up->add_option("--fault", up_faults, "SERVICE:FAULT to switch on (repeatable)");

  std::vector<std::string> selftest_profiles;
  std::string selftest_fault;
  int selftest_jobs = 0;
  CLI::App* selftest = app.add_subcommand(
      "selftest",
      "prove the suites: each profile passes against its reference target, and each fault of "
      "the target fails exactly the scenarios its fault map names");
  selftest->add_option("profiles", selftest_profiles, "profile folders (default: suites/*)");
  selftest->add_option("--fault", selftest_fault, "check only this fault");
  selftest->add_option("-j,--jobs", selftest_jobs, "parallel scenario cases (default: cores)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (*run) return RunCommand(run_args);
  if (*demo) return DemoCommand(demo_args);
  if (*validate) return ValidateCommand(validate_paths, validate_env, validate_target_file);
  if (*list) return ListCommand(list_paths);
  if (*up) return MocksUpCommand(up_file, up_faults);
  if (*selftest) return SelftestCommand(selftest_profiles, selftest_fault, selftest_jobs);
  return kExitUsage;
}

}  // namespace tollgate::cli
