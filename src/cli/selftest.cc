// `tollgate selftest`: the fault matrix. A suite that passes against a correct target proves
// little; each fault of the reference target breaks one rule, and the profile must fail in
// exactly the scenarios its fault map names (a fault nobody catches is a hole in the suites;
// a scenario failing on an unrelated fault is an over-broad check).

#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/project.h"
#include "mocks/environment_tls.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/service.h"
#include "tollgate/runner/runner.h"

namespace tollgate::cli {
namespace fs = std::filesystem;
namespace {

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

// True when `--fault NAME` selects the fault-map entry: NAME is the entry itself
// ("idp:accept_wrong_secret") or its fault ("accept_wrong_secret").
bool MatchesFault(const std::string& entry, const std::string& name) {
  std::size_t colon = entry.find(':');
  return entry == name || (colon != std::string::npos && entry.substr(colon + 1) == name);
}

// Case ids that did not pass, and the errors among them.
struct Outcome {
  std::set<std::string> failed;
  std::set<std::string> errored;
};

StatusOr<Outcome> RunOnce(const ProfileRun& p, const std::vector<std::pair<std::string, std::string>>& faults,
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
  Outcome o;
  for (const SuiteResult& s : run.suites) {
    for (const CaseResult& c : s.cases) {
      if (c.verdict == Verdict::kFail) o.failed.insert(c.case_id);
      if (c.verdict == Verdict::kError) o.errored.insert(c.case_id + " (" + c.error + ")");
    }
  }
  return o;
}

}  // namespace

// Fault-map key of the faults every TLS service knows, whatever its kind.
constexpr char kTlsKind[] = "tls listener";

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
  int bad = 0;
  std::map<std::string, std::set<std::string>> known_by_kind, mapped_by_kind;
  for (const std::vector<ProfileRun>& project : projects) {
    for (const ProfileRun& p : project) {
      const std::string& target = p.environment->default_target;
      std::cout << "profile " << p.profile << " (target mock:" << target << ")\n";
      auto base = map_only ? StatusOr<Outcome>(Outcome{}) : RunOnce(p, {}, jobs, client);
      if (!base.ok()) return std::cerr << "error: " << base.status().message() << "\n", kExitHarness;
      if (map_only) {
        // Only the maps are checked below.
      } else if (base->failed.empty() && base->errored.empty()) {
        std::cout << "  ok    reference target passes every scenario\n";
      } else {
        ++bad;
        std::cout << "  FAIL  reference target: failed " << Join(base->failed) << "; errors "
                  << Join(base->errored) << "\n";
      }
      for (const auto& [entry, ids] : p.requirements->faults) {
        // "fault" switches a fault of the target; "service:fault" one of another service
        // (the platform's issuer, say).
        std::size_t colon = entry.find(':');
        std::string service = colon == std::string::npos ? target : entry.substr(0, colon);
        std::string fault = colon == std::string::npos ? entry : entry.substr(colon + 1);
        for (const ServiceDecl& s : p.environment->services) {
          if (s.name != service) continue;
          bool tls_fault = mocks::WantsTls(s) && mocks::TlsFaultNames().count(fault);
          mapped_by_kind[tls_fault ? kTlsKind : s.kind].insert(fault);
        }
        if (map_only) continue;
        if (!only_fault.empty() && !MatchesFault(entry, only_fault)) continue;
        auto got = RunOnce(p, {{service, fault}}, jobs, client);
        if (!got.ok()) return std::cerr << "error: " << got.status().message() << "\n", kExitHarness;
        std::set<std::string> expected;
        for (const Suite& s : p.suites) {
          for (const ScenarioCase& c : ExpandSuite(s)) {
            for (const std::string& id : ids) {
              if (id == c.case_id || id == c.scenario->id) expected.insert(c.case_id);
            }
          }
        }
        std::set<std::string> missed, extra;
        for (const std::string& e : expected) {
          if (!got->failed.count(e)) missed.insert(e);
        }
        for (const std::string& f : got->failed) {
          if (!expected.count(f)) extra.insert(f);
        }
        if (missed.empty() && extra.empty() && got->errored.empty()) {
          std::cout << fmt::format("  ok    fault {:<28} caught by {}\n", entry, Join(expected));
        } else {
          ++bad;
          std::cout << fmt::format("  FAIL  fault {:<28} expected to fail {}\n", entry, Join(expected));
          if (!missed.empty()) std::cout << "          not caught by: " << Join(missed) << "\n";
          if (!extra.empty()) std::cout << "          also failed (over-broad): " << Join(extra) << "\n";
          if (!got->errored.empty()) std::cout << "          errors: " << Join(got->errored) << "\n";
        }
      }
      for (const ServiceDecl& s : p.environment->services) {
        Redactor r;
        OffsetClock c;
        auto svc = CreateService(s, ServiceContext{&c, &r, {}, {}, {}});
        if (svc.ok()) {
          for (const std::string& f : (*svc)->KnownFaults()) known_by_kind[s.kind].insert(f);
        }
        // Every TLS service knows the TLS faults; some profile must prove each of them.
        if (mocks::WantsTls(s)) known_by_kind[kTlsKind] = mocks::TlsFaultNames();
      }
    }
  }
  // With every profile checked, every fault of every kind must be in some fault map: a
  // fault no scenario is shown to catch is a hole in the suites.
  if (profiles.empty() && only_fault.empty()) {
    for (const auto& [kind, known] : known_by_kind) {
      for (const std::string& f : known) {
        if (!mapped_by_kind[kind].count(f)) {
          ++bad;
          std::cout << fmt::format("  FAIL  fault {}:{} is in no profile's fault map\n", kind, f);
        }
      }
    }
  }
  std::cout << (bad == 0 ? "selftest: every check proven\n"
                         : fmt::format("selftest: {} problem(s)\n", bad));
  return bad == 0 ? kExitOk : kExitFailed;
}

}  // namespace tollgate::cli
