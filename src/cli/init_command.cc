// `tollgate init PROFILE`: a commented target file for running a profile against an external
// API. Every name in it comes from the profile's suites (what they use) and its reference
// target (example values, which are secrets, what each means): there is no list of
// settings to keep in step by hand.

#include "cli/init_command.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/commands.h"
#include "cli/project.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/report/report.h"

namespace tollgate::cli {
namespace {

namespace fs = std::filesystem;

// Every scalar of the file (keys and values) that holds `${`. Why the file and not the
// model: a suite keeps templates in some fifty fields across its step kinds, and a walk of
// the model would be a second list of those fields, wrong the day a step gains one. The
// scalars are the very strings the loader parsed as templates, so nothing is missed.
void WalkScalars(const YAML::Node& node, const std::string& file,
                 std::map<std::string, TargetUse>& uses) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (text.find("${") == std::string::npos) return;
      SourceLoc loc{file, node.Mark().line + 1, node.Mark().column + 1};
      // A string that is not a template here was no template to the loader either (it
      // would have refused the file), so there is nothing to collect from it.
      StatusOr<Template> t = Template::Parse(text, loc);
      if (!t.ok()) return;
      for (const auto& [path, offset] : t->Paths()) {
        if (path.size() != 2 || path[0] != "target" || path[1] == "url") continue;
        auto [it, added] = uses.try_emplace(path[1]);
        TargetUse& use = it->second;
        if (added) {
          use.name = path[1];
          use.first = loc;
        }
        std::string suite = fs::path(file).filename().string();
        if (std::find(use.suites.begin(), use.suites.end(), suite) == use.suites.end()) {
          use.suites.push_back(suite);
        }
      }
      return;
    }
    case YAML::NodeType::Sequence:
      for (const YAML::Node& item : node) WalkScalars(item, file, uses);
      return;
    case YAML::NodeType::Map:
      for (const auto& kv : node) {
        WalkScalars(kv.first, file, uses);
        WalkScalars(kv.second, file, uses);
      }
      return;
    default:
      return;
  }
}

// A YAML scalar for `value`: plain when that reads back as the same string, otherwise
// single-quoted (only `'` needs escaping there, so JSON values stay readable), or
// double-quoted as JSON when it holds control characters. `${` is escaped: target files
// are templates.
std::string YamlValue(const std::string& value) {
  std::string text = Template::Literal(value).raw();
  static const std::regex kPlain(R"([A-Za-z0-9_./][A-Za-z0-9_./:@+-]*)");
  static const std::regex kSpecial(R"(true|false|yes|no|on|off|null|~|[0-9.eE+-]*[eE.][0-9.eE+-]*)",
                                   std::regex::icase);
  if (std::regex_match(text, kPlain) && !std::regex_match(text, kSpecial)) return text;
  bool control = std::any_of(text.begin(), text.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  if (control) return nlohmann::json(text).dump();
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

// `text` as comment lines of at most 100 columns, each starting with `prefix` ("  # ").
std::string Comment(const std::string& text, const std::string& prefix = "  # ") {
  constexpr std::size_t kWidth = 100;
  std::string out, line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    if (!line.empty() && prefix.size() + line.size() + 1 + word.size() > kWidth) {
      out += prefix + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!line.empty()) out += prefix + line + "\n";
  return out;
}

std::string UsedBy(const TargetUse& use) {
  std::string out;
  for (const std::string& s : use.suites) out += (out.empty() ? "" : ", ") + s;
  return "used by " + out;
}

// A profile name or folder: the folder of its suites, or "" with a message on stderr.
std::string ProfileFolder(const std::string& profile) {
  if (fs::is_regular_file(fs::path(profile) / "requirements.yaml")) return profile;
  fs::path suites = fs::path(ProjectRoot()) / "suites";
  if (fs::is_regular_file(suites / profile / "requirements.yaml")) {
    return (suites / profile).string();
  }
  std::vector<std::string> known;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(suites, ec)) {
    if (fs::is_regular_file(e.path() / "requirements.yaml")) {
      known.push_back(e.path().filename().string());
    }
  }
  std::sort(known.begin(), known.end());
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  std::cerr << "error: no profile `" << profile << "` (profiles: " << (list.empty() ? "none" : list)
            << ")\n";
  if (std::string close = ClosestMatch(profile, known); !close.empty()) {
    std::cerr << "  = help: did you mean `" << close << "`?\n";
  }
  std::cerr << "Run with --help for more information.\n";
  return "";
}

// The environment's URLs become example hosts: the generated file must read the same on
// every machine, and a partner's API is not on 127.0.0.1.
std::string ExampleHost(const std::string& service) {
  std::string host = service;
  std::replace(host.begin(), host.end(), '_', '-');
  return "https://" + host + ".example";
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

std::vector<TargetUse> TargetNamesUsed(const std::vector<Suite>& suites) {
  std::map<std::string, TargetUse> uses;
  for (const Suite& s : suites) {
    try {
      WalkScalars(YAML::LoadFile(s.file), s.file, uses);
    } catch (const YAML::Exception&) {
      // The suite loaded a moment ago; a file changed since is the next load's error.
    }
  }
  std::vector<TargetUse> out;
  for (auto& [name, use] : uses) out.push_back(std::move(use));
  return out;
}

void CheckTargetFile(const TargetFile& target, const std::vector<TargetUse>& uses,
                     Diagnostics& diags) {
  std::vector<std::string> defined = {"url"};
  for (const auto& [name, value] : target.settings) defined.push_back(name);
  for (const auto& [name, value] : target.secrets) defined.push_back(name);
  for (const TargetUse& use : uses) {
    if (std::find(defined.begin(), defined.end(), use.name) != defined.end()) continue;
    Diagnostic d;
    d.title = "target file " + target.file + " does not define `" + use.name + "`";
    d.loc = target.loc;
    d.found = "no `" + use.name + "`";
    d.expected = "`" + use.name + "` under `settings:` or `secrets:`, as " + use.first.ToString() +
                 " uses it";
    if (std::string close = ClosestMatch(use.name, defined); !close.empty()) {
      d.help = "did you mean `" + close + "`?";
    } else {
      d.help = "`tollgate init PROFILE` writes a target file with every setting a profile uses";
    }
    diags.Add(std::move(d));
  }
}

std::string SecretVariable(const std::string& profile, const std::string& name) {
  std::string out;
  for (char c : profile + "_" + name) {
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
               : '_';
  }
  return out;
}

std::string RenderTargetFile(const InitInput& in) {
  std::map<std::string, const TargetSetting*> reference;
  for (const TargetSetting& s : in.reference) reference.emplace(s.name, &s);
  // In the reference target's order (related settings sit together), then the rest by name.
  std::vector<const TargetUse*> ordered;
  for (const TargetSetting& s : in.reference) {
    for (const TargetUse& u : in.uses) {
      if (u.name == s.name && std::find(ordered.begin(), ordered.end(), &u) == ordered.end()) {
        ordered.push_back(&u);
      }
    }
  }
  for (const TargetUse& u : in.uses) {
    if (!reference.count(u.name)) ordered.push_back(&u);
  }

  std::string settings, secrets, exports;
  for (const TargetUse* u : ordered) {
    auto it = reference.find(u->name);
    const TargetSetting* ref = it == reference.end() ? nullptr : it->second;
    std::string meaning = ref && !ref->meaning.empty() ? ref->meaning : "no description";
    if (ref && ref->secret) {
      std::string var = SecretVariable(in.profile, u->name);
      secrets += Comment(meaning + "; " + UsedBy(*u));
      secrets += "  " + u->name + ": ${env." + var + "}\n";
      exports += "#   export " + var + "=...\n";
      continue;
    }
    settings += Comment(meaning + "; " + UsedBy(*u));
    if (ref) {
      settings += "  " + u->name + ": " + YamlValue(ref->value) + "\n";
    } else {
      settings += "  # the reference target has no value for it: give your API's\n";
      settings += "  " + u->name + ": \"\"\n";
    }
  }

  std::string out = Comment(
      fmt::format("Target file for running the {0} profile against your API, written by "
                  "`tollgate init {0}`: every setting and secret the profile's suites use. Each "
                  "example value is the reference target's: replace it with what your API "
                  "does. Secrets are read from the environment when tollgate runs, never "
                  "written here:",
                  in.profile),
      "# ");
  out += exports.empty() ? "#   (this profile uses no secrets)\n" : exports;
  out += fmt::format(
      "# Check it, then run:\n"
      "#   tollgate validate suites/{0} --target-file FILE\n"
      "#   tollgate run suites/{0} --target-file FILE --html report.html\n"
      "target: {0}-staging\n"
      "# The base URL of your API (`${{target.url}}` in the suites).\n"
      "url: {1}\n"
      "# A PEM file of the private CA that issued your API's certificate, when it is not\n"
      "# publicly trusted:\n"
      "# ca: staging-ca.pem\n",
      in.profile, in.example_url);
  if (!settings.empty()) out += "settings:\n" + settings;
  if (!secrets.empty()) out += "secrets:\n" + secrets;
  return out;
}

int InitCommand(const std::string& profile, const std::string& out_file) {
  std::string folder = ProfileFolder(profile);
  if (folder.empty()) return kExitUsage;
  Diagnostics diags;
  auto project = LoadProject({folder}, "", /*require_coverage=*/false, diags);
  if (!project || !diags.empty()) return std::cerr << diags.Render(), kExitInvalid;
  InitInput in;
  in.profile = fs::path(folder).filename().string();
  if (in.profile.empty()) in.profile = fs::path(folder).parent_path().filename().string();
  for (const ProfileRun& p : *project) {
    std::vector<TargetUse> uses = TargetNamesUsed(p.suites);
    for (TargetUse& u : uses) in.uses.push_back(std::move(u));
  }
  std::sort(in.uses.begin(), in.uses.end(),
            [](const TargetUse& a, const TargetUse& b) { return a.name < b.name; });

  // The reference target's settings, as a run against it would see them: start its
  // environment (as `selftest` does), read them, stop it.
  const ProfileRun& run = project->front();
  if (!run.environment || run.environment->default_target.empty()) {
    std::cerr << "error: profile `" << in.profile
              << "` has no environment with a default_target to take example values from\n";
    return kExitInvalid;
  }
  const std::string service = run.environment->default_target;
  OffsetClock clock;
  Redactor redactor;
  MockEnvironment env(*run.environment, &clock, &redactor);
  if (PkiPaths pki = ProjectPki(); !pki.out_dir.empty()) env.SetPki(pki.config, pki.out_dir);
  if (Status st = env.Start(); !st.ok()) {
    std::cerr << "error: starting the reference target of " << in.profile << ": "
              << redactor.Redact(st.message()) << "\n";
    return kExitHarness;
  }
  in.reference = env.TargetSettings(service);
  if (std::string one_way = env.OneWayUrl(service); !one_way.empty()) {
    in.reference.push_back({"one_way_url", one_way, false,
                            "the URL of your API's second host, which asks for no client "
                            "certificate (server authentication only)"});
  }
  // Longest URLs first, so a URL that extends another is replaced whole.
  std::vector<std::pair<std::string, std::string>> hosts;
  for (const std::string& name : env.ServiceNames()) {
    hosts.emplace_back(env.Url(name), ExampleHost(name));
    if (std::string one_way = env.OneWayUrl(name); !one_way.empty()) {
      hosts.emplace_back(one_way, ExampleHost(name + "-one-way"));
    }
  }
  std::sort(hosts.begin(), hosts.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (TargetSetting& s : in.reference) {
    for (const auto& [url, example] : hosts) s.value = ReplaceAll(s.value, url, example);
  }
  in.example_url = ExampleHost(service);
  env.Stop();

  std::string text = RenderTargetFile(in);
  if (out_file.empty()) {
    std::cout << text;
    return kExitOk;
  }
  if (Status st = WriteFile(out_file, text); !st.ok()) {
    std::cerr << "error: " << st.message() << "\n";
    return kExitHarness;
  }
  std::cerr << "wrote " << out_file << ": " << in.uses.size() << " settings and secrets for "
            << in.profile << "\n";
  return kExitOk;
}

}  // namespace tollgate::cli
