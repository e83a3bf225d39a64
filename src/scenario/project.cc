#include "tollgate/scenario/project.h"

#include <filesystem>
#include <map>
#include <set>
#include <variant>

#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {
namespace fs = std::filesystem;
namespace {

// The requirements.yaml governing a suite file: the nearest one in its folder or above,
// stopping at a folder named suites.
std::optional<fs::path> FindRequirements(const fs::path& suite_file) {
  for (fs::path dir = fs::absolute(suite_file).parent_path(); !dir.empty();
       dir = dir.parent_path()) {
    if (fs::exists(dir / "requirements.yaml")) return dir / "requirements.yaml";
    if (dir.filename() == "suites" || dir == dir.parent_path()) break;
  }
  return std::nullopt;
}

// requirements.yaml's `environment:` is relative to the project root (the folder that
// holds suites/), so profiles can be moved together with mocks/.
fs::path ResolveEnvironment(const fs::path& requirements_file, const std::string& env) {
  fs::path p(env);
  if (p.is_absolute()) return p;
  fs::path root = requirements_file.parent_path();
  while (!root.empty() && root.filename() != "suites" && root != root.parent_path()) {
    root = root.parent_path();
  }
  root = root.filename() == "suites" ? root.parent_path() : requirements_file.parent_path();
  return fs::relative(root / p);
}

const ServiceDecl* FindService(const Environment& env, const std::string& name) {
  for (const ServiceDecl& s : env.services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// A fault-map entry, "fault" (of the environment's default target) or "service:fault",
// must name a fault that service's kind has.
void CheckFaultName(const std::string& entry, const SourceLoc& loc, const Environment& env,
                    Diagnostics& diags) {
  std::size_t colon = entry.find(':');
  std::string service = colon == std::string::npos ? env.default_target : entry.substr(0, colon);
  std::string fault = colon == std::string::npos ? entry : entry.substr(colon + 1);
  const ServiceDecl* decl = FindService(env, service);
  if (decl == nullptr) {
    diags.Add({"fault `" + entry + "` names service `" + service + "`, which environment `" +
                   env.name + "` does not declare",
               loc, static_cast<int>(entry.size()), "`" + entry + "`", "a service of " + env.file,
               ""});
    return;
  }
  std::shared_ptr<const Terms> faults = FindTerms(vocabulary::Faults(decl->kind));
  if (!faults || HasTerm(*faults, fault)) return;
  std::vector<std::string> names = TermNames(*faults);
  std::string close = ClosestMatch(fault, names);
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  diags.Add({"unknown fault `" + fault + "` of service `" + service + "` (kind " + decl->kind + ")",
             loc, static_cast<int>(entry.size()), "`" + entry + "`", "one of: " + list,
             close.empty() ? "" : "did you mean `" + close + "`?"});
}

// A `mock:` step's action must be one its service's kind has.
void CheckMockActions(const Suite& suite, const Environment& env, Diagnostics& diags) {
  for (const Scenario& sc : suite.scenarios) {
    for (const Step& step : sc.steps) {
      const auto* mock = std::get_if<MockStep>(&step.body);
      if (mock == nullptr) continue;
      const ServiceDecl* decl = FindService(env, mock->service);
      if (decl == nullptr) continue;  // reported as a missing required service
      std::shared_ptr<const Terms> actions = FindTerms(vocabulary::MockActions(decl->kind));
      if (!actions || HasTerm(*actions, mock->action)) continue;
      std::vector<std::string> names = TermNames(*actions);
      std::string close = ClosestMatch(mock->action, names);
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      diags.Add({"service `" + mock->service + "` (kind " + decl->kind + ") has no action `" +
                     mock->action + "`",
                 mock->loc, 1, "`" + mock->action + "`", "one of: " + list,
                 close.empty() ? "" : "did you mean `" + close + "`?"});
    }
  }
}

// `own_environment`: the run uses the profile's own environment (not one given by --env),
// which is the one its fault map names services of.
void CheckProfile(ProfileRun& run, bool require_coverage, bool own_environment,
                  Diagnostics& diags) {
  std::set<std::string> scenario_ids;
  std::map<std::string, int> covered;
  if (run.requirements) {
    for (const Requirement& r : run.requirements->requirements) covered[r.id] = 0;
  }
  for (const Suite& suite : run.suites) {
    for (const Scenario& sc : suite.scenarios) {
      if (!scenario_ids.insert(sc.id).second) {
        diags.Add({"duplicate scenario id `" + sc.id + "` in profile `" + run.profile + "`", sc.loc,
                   static_cast<int>(sc.id.size()), sc.id, "scenario ids unique within a profile",
                   ""});
      }
      if (!run.requirements) continue;
      std::vector<std::string> known;
      for (const auto& [id, n] : covered) known.push_back(id);
      for (const std::string& req : sc.requirements) {
        auto it = covered.find(req);
        if (it == covered.end()) {
          std::string close = ClosestMatch(req, known);
          diags.Add({"scenario `" + sc.id + "` names unknown requirement `" + req + "`", sc.loc,
                     static_cast<int>(sc.id.size()), req,
                     "a requirement id of " + run.requirements->file,
                     close.empty() ? "" : "did you mean `" + close + "`?"});
        } else {
          ++it->second;
        }
      }
    }
    if (run.environment) {
      CheckMockActions(suite, *run.environment, diags);
      for (const std::string& name : suite.requires_services) {
        bool found = false;
        for (const ServiceDecl& s : run.environment->services) found = found || s.name == name;
        if (!found) {
          diags.Add({"suite `" + suite.id + "` requires service `" + name +
                         "`, which environment `" + run.environment->name + "` does not declare",
                     suite.loc, 1, name, "a service of " + run.environment->file, ""});
        }
      }
    }
  }
  // Fault names are checked whatever subset of the profile is loaded; whether each names
  // known scenarios only when the whole profile is (below).
  if (run.requirements && run.environment && own_environment) {
    for (std::size_t i = 0; i < run.requirements->faults.size(); ++i) {
      if (i >= run.requirements->fault_locs.size()) break;
      CheckFaultName(run.requirements->faults[i].first, run.requirements->fault_locs[i],
                     *run.environment, diags);
    }
  }
  if (!run.requirements || !require_coverage) return;
  for (const Requirement& r : run.requirements->requirements) {
    if (covered[r.id] == 0) {
      diags.Add({"requirement `" + r.id + "` is not covered by any scenario", r.loc,
                 static_cast<int>(r.id.size()), r.id,
                 "at least one scenario naming it in `requirements`", ""});
    }
  }
  for (const auto& [fault, ids] : run.requirements->faults) {
    for (const std::string& id : ids) {
      std::string base = id.substr(0, id.find('['));
      if (!scenario_ids.count(base)) {
        diags.Add({"fault `" + fault + "` names unknown scenario `" + id + "`",
                   run.requirements->loc, 1, id, "a scenario id of profile `" + run.profile + "`",
                   ""});
      }
    }
  }
}

}  // namespace

std::optional<std::vector<ProfileRun>> LoadProfiles(const std::vector<std::string>& paths,
                                                    const std::string& env_file,
                                                    bool require_coverage, Diagnostics& diags) {
  auto files = CollectSuiteFiles(paths);
  if (!files.ok()) {
    diags.Add({files.status().message(), {}, 1, "", "", ""});
    return std::nullopt;
  }
  if (files->empty()) {
    diags.Add({"no suite files (*.yaml) under the given paths", {}, 1, "", "", ""});
    return std::nullopt;
  }
  std::optional<Environment> shared_env;
  if (!env_file.empty()) {
    shared_env = LoadEnvironment(env_file, diags);
    if (!shared_env) return std::nullopt;
  }
  std::vector<ProfileRun> runs;
  std::map<std::string, std::size_t> by_requirements;
  for (const std::string& file : *files) {
    auto suite = LoadSuite(file, diags);
    if (!suite) continue;
    auto req_file = FindRequirements(file);
    std::string key = req_file ? req_file->string() : "";
    auto it = by_requirements.find(key);
    if (it == by_requirements.end()) {
      ProfileRun run;
      if (req_file) {
        std::string rel = fs::relative(*req_file).string();
        run.requirements = LoadRequirements(rel, diags);
        run.profile = run.requirements ? run.requirements->profile
                                       : req_file->parent_path().filename().string();
        if (run.requirements && !shared_env) {
          std::string env_path = ResolveEnvironment(*req_file, run.requirements->environment);
          run.environment = LoadEnvironment(env_path, diags);
        }
      }
      if (shared_env) run.environment = shared_env;
      it = by_requirements.emplace(key, runs.size()).first;
      runs.push_back(std::move(run));
    }
    runs[it->second].suites.push_back(std::move(*suite));
  }
  if (!diags.empty()) return std::nullopt;
  for (ProfileRun& run : runs) CheckProfile(run, require_coverage, !shared_env, diags);
  if (!diags.empty()) return std::nullopt;
  return runs;
}

}  // namespace tollgate
