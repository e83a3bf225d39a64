#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include "cli/color.h"
#include "cli/commands.h"
#include "cli/evidence_bundle.h"
#include "cli/init_command.h"
#include "cli/project.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/report/report.h"
#include "tollgate/runner/runner.h"
#include "tollgate/scenario/policy.h"

namespace tollgate::cli {
namespace {

bool SplitPair(const std::string& text, char sep, std::string& key, std::string& value) {
  std::size_t pos = text.find(sep);
  if (pos == std::string::npos || pos == 0) return false;
  key = text.substr(0, pos);
  value = text.substr(pos + 1);
  return true;
}

void Usage(const std::string& message) {
  std::cerr << "error: " << message << "\nRun with --help for more information.\n";
}

int DefaultJobs(int jobs) {
  if (jobs > 0) return jobs;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : static_cast<int>(n);
}

// Exit code for results: the run's verdict (a failed check outranks a case the harness
// could not run).
int ExitCodeFor(const RunResult& run) {
  switch (RunVerdict(run.Count())) {
    case Verdict::kFail:
      return kExitFailed;
    case Verdict::kError:
      return kExitHarness;
    default:
      return kExitOk;
  }
}

// Appends b's suites to a (one report for runs of several profiles).
void Merge(RunResult& a, RunResult b) {
  if (a.suites.empty() && a.target.empty()) {
    a = std::move(b);
    return;
  }
  auto join = [](std::string& x, const std::string& y) {
    if (!y.empty() && x.find(y) == std::string::npos) x += (x.empty() ? "" : ", ") + y;
  };
  join(a.target, b.target);
  join(a.environment, b.environment);
  a.seconds += b.seconds;
  for (SuiteResult& s : b.suites) a.suites.push_back(std::move(s));
}

}  // namespace

int RunCommand(const RunArgs& args) {
  RunOptions opt;
  opt.jobs = DefaultJobs(args.jobs);
  PkiPaths pki = ProjectPki();
  opt.pki_config = pki.config;
  opt.pki_dir = pki.out_dir;
  for (const std::string& v : args.vars) {
    std::string k, val;
    if (!SplitPair(v, '=', k, val)) return Usage("--var takes K=V, found `" + v + "`"), kExitUsage;
    opt.vars[k] = val;
  }
  for (const std::string& v : args.secrets) {
    std::string k, val;
    // The value is never echoed: it is a secret.
    if (!SplitPair(v, '=', k, val)) return Usage("--secret takes K=V"), kExitUsage;
    opt.secrets[k] = val;
  }
  for (const std::string& f : args.faults) {
    std::string service, fault;
    if (!SplitPair(f, ':', service, fault)) {
      return Usage("--fault takes SERVICE:FAULT, found `" + f + "`"), kExitUsage;
    }
    opt.faults.emplace_back(service, fault);
  }
  if (!args.tags.empty()) {
    auto tags = TagExpr::Parse(args.tags);
    if (!tags.ok()) return Usage("--tags: " + tags.status().message()), kExitUsage;
    opt.tags = *tags;
    opt.tags_text = args.tags;
  }
  if (!args.shard.empty()) {
    auto shard = ParseShard(args.shard);
    if (!shard.ok()) return Usage("--shard: " + shard.status().message()), kExitUsage;
    opt.shard = *shard;
  } else {
    auto shard = ShardFromEnvironment();
    if (!shard.ok()) return Usage(shard.status().message()), kExitUsage;
    opt.shard = *shard;
  }
  std::optional<Waivers> waivers;
  if (!args.waivers.empty()) {
    Diagnostics wdiags;
    waivers = LoadWaivers(args.waivers, wdiags);
    if (!waivers) return std::cerr << wdiags.Render(), kExitInvalid;
  }
  auto max_wait = ParseDuration(args.max_wait);
  if (!max_wait)
    return Usage("--max-wait takes a duration such as 30s, found `" + args.max_wait + "`"),
           kExitUsage;
  opt.max_wait = *max_wait;

  Diagnostics diags;
  if (!args.target_file.empty()) {
    auto file = LoadTargetFile(args.target_file, diags);
    if (!file) return std::cerr << diags.Render(), kExitInvalid;
    opt.target.file = std::move(file);
  }
  if (args.target.rfind("mock:", 0) == 0) {
    opt.target.kind = TargetSpec::Kind::kMock;
    opt.target.service = args.target.substr(5);
  } else if (!args.target.empty()) {
    if (args.target.rfind("http://", 0) != 0 && args.target.rfind("https://", 0) != 0) {
      return Usage("--target takes an http(s) URL or mock:NAME, found `" + args.target + "`"),
             kExitUsage;
    }
    opt.target.kind = TargetSpec::Kind::kUrl;
    opt.target.url = args.target;
  }
  std::vector<std::string> paths = args.paths;
  if (paths.empty()) paths.push_back((std::filesystem::path(ProjectRoot()) / "suites").string());
  auto project = LoadProject(paths, args.env_file, /*require_coverage=*/false, diags);
  if (!project) return std::cerr << diags.Render(), kExitInvalid;
  // A --fault must name a service of these environments and a fault its kind knows: a typo
  // is a usage error before anything runs, not a mock that fails to start (exit 3).
  for (const auto& [service, fault] : opt.faults) {
    bool known = false;
    std::set<std::string> services;
    for (const ProfileRun& p : *project) {
      if (!p.environment) continue;
      bool here = false;
      for (const ServiceDecl& s : p.environment->services) {
        services.insert(s.name);
        here = here || s.name == service;
      }
      if (!here) continue;
      known = true;
      OffsetClock probe_clock;
      Redactor probe_redactor;
      MockEnvironment probe(*p.environment, &probe_clock, &probe_redactor);
      if (Status st = probe.AddFault(service, fault); !st.ok()) {
        return Usage("--fault " + service + ":" + fault + ": " + st.message()), kExitUsage;
      }
    }
    if (!known) {
      std::string list;
      for (const std::string& s : services) list += (list.empty() ? "" : ", ") + s;
      return Usage("--fault " + service + ":" + fault + ": no service `" + service +
                   "` in the environments of these suites (services: " +
                   (list.empty() ? "none" : list) + ")"),
             kExitUsage;
    }
  }

  ConsoleOptions console;
  console.color = ColorWanted(isatty(STDOUT_FILENO) != 0);
  console.verbose = args.verbose;
  if (!args.quiet) {
    opt.on_case = [&](const CaseResult& c) {
      std::cout << ConsoleCaseLine(c, console) << std::flush;
    };
  }
  InitHttpClientLibrary();
  HttpClient client;
  OffsetClock clock;
  Redactor redactor;
  // Before anything runs against an external target: which cases it cannot decide, and why.
  opt.on_external_skips = [&](const std::vector<CaseResult>& skipped) {
    std::cerr << "note: " << skipped.size() << (skipped.size() == 1 ? " case" : " cases")
              << " will be skipped: this target is external\n";
    for (const CaseResult& c : skipped) {
      std::cerr << "  " << c.case_id << ": " << redactor.Redact(c.skip_reason) << "\n";
    }
  };
  RunResult all;
  for (const ProfileRun& p : *project) {
    RunOptions per = opt;
    per.faults.clear();
    for (const auto& f : opt.faults) {
      for (const ServiceDecl& s :
           p.environment ? p.environment->services : std::vector<ServiceDecl>{}) {
        if (s.name == f.first) per.faults.push_back(f);
      }
    }
    Runner runner(per, &clock, &redactor, &client);
    auto result = runner.Run(p.suites, p.environment ? &*p.environment : nullptr);
    if (!result.ok()) {
      std::cerr << "error: " << redactor.Redact(result.status().message()) << "\n";
      return kExitHarness;
    }
    Merge(all, std::move(result).value());
  }
  all.requirements = RequirementCatalog(*project);
  if (opt.shard) all.shard = opt.shard->ToString();
  ApplySeverity(all);
  if (waivers) {
    std::set<std::string> known;
    for (const ProfileRun& p : *project) {
      for (const Suite& s : p.suites) {
        for (const ScenarioCase& c : ExpandSuite(s)) known.insert({c.scenario->id, c.case_id});
      }
    }
    const std::string today = all.timestamp.substr(0, 10);
    for (const std::string& w : ApplyWaivers(all, *waivers, today, args.strict_waivers, known)) {
      std::cerr << "warning: " << w << "\n";
    }
  }
  std::cout << ConsoleSummary(all, console);
  for (const auto& [path, content] :
       {std::pair{args.junit, RenderJunit(all)}, std::pair{args.json, RenderJson(all)},
        std::pair{args.html, args.html.empty() ? "" : RenderHtml(all)}}) {
    if (path.empty()) continue;
    if (Status st = WriteFile(path, content); !st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return kExitHarness;
    }
  }
  if (!args.evidence.empty()) {
    if (Status st = WriteEvidenceBundle(args.evidence, all, *project, args.waivers); !st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return kExitHarness;
    }
  }
  return ExitCodeFor(all);
}

int DemoCommand(RunArgs args) {
  std::string root = ProjectRoot();
  args.paths = {(std::filesystem::path(root) / "suites").string()};
  args.html = "reports/report.html";
  std::cout << "tollgate demo: every profile against its reference target (" << root << ")\n";
  int code = RunCommand(args);
  std::cout << "reports: " << args.junit << ", " << args.json << ", " << args.html << "\n";
  return code;
}

int ValidateCommand(const std::vector<std::string>& paths, const std::string& env_file,
                    const std::string& target_file) {
  Diagnostics diags;
  std::optional<TargetFile> target;
  if (!target_file.empty()) target = LoadTargetFile(target_file, diags);
  std::vector<std::string> p = paths;
  if (p.empty()) p.push_back((std::filesystem::path(ProjectRoot()) / "suites").string());
  auto project = LoadProject(p, env_file, /*require_coverage=*/paths.empty(), diags);
  if (!project || !diags.empty()) return std::cerr << diags.Render(), kExitInvalid;
  if (target) {
    // A name the file lacks would stop a run at its first case; say so for all of them now.
    std::vector<Suite> suites;
    for (const ProfileRun& run : *project) {
      suites.insert(suites.end(), run.suites.begin(), run.suites.end());
    }
    CheckTargetFile(*target, TargetNamesUsed(suites), diags);
    if (!diags.empty()) return std::cerr << diags.Render(), kExitInvalid;
  }
  int suites = 0, scenarios = 0, cases = 0;
  for (const ProfileRun& run : *project) {
    for (const Suite& s : run.suites) {
      ++suites;
      scenarios += static_cast<int>(s.scenarios.size());
      cases += static_cast<int>(ExpandSuite(s).size());
    }
  }
  std::cout << fmt::format("ok: {} profile(s), {} suite(s), {} scenario(s), {} case(s)\n",
                           project->size(), suites, scenarios, cases);
  return kExitOk;
}

int ListCommand(const std::vector<std::string>& paths) {
  Diagnostics diags;
  std::vector<std::string> p = paths;
  if (p.empty()) p.push_back((std::filesystem::path(ProjectRoot()) / "suites").string());
  auto project = LoadProject(p, "", /*require_coverage=*/false, diags);
  if (!project) return std::cerr << diags.Render(), kExitInvalid;
  for (const ProfileRun& run : *project) {
    for (const Suite& s : run.suites) {
      std::cout << s.id << "  (" << s.file << ")\n";
      for (const ScenarioCase& c : ExpandSuite(s)) {
        std::string reqs, tags;
        for (const std::string& r : c.scenario->requirements) reqs += (reqs.empty() ? "" : ",") + r;
        for (const std::string& t : c.tags) tags += (tags.empty() ? "" : ",") + t;
        std::cout << fmt::format("  {:<28} requirements: {:<14} tags: {:<12} {}\n", c.case_id, reqs,
                                 tags.empty() ? "-" : tags, c.scenario->name.raw());
      }
    }
  }
  return kExitOk;
}

}  // namespace tollgate::cli
