// A profile's requirements.yaml: the requirements its suites cover and the fault map of its
// reference target.

#include <algorithm>

#include "tollgate/scenario/loader.h"
#include "yaml_reader.h"

namespace tollgate {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::Node;

// The settings a profile's `policy:` may make, each value with the severity it gives the
// requirements that name the setting (docs/formats.md, "requirements.yaml").
struct PolicySetting {
  const char* name;
  std::vector<std::pair<std::string, std::string>> values;  // value -> severity
};
const std::vector<PolicySetting>& PolicySettings() {
  static const std::vector<PolicySetting> kSettings = {
      // What a relying party does when a certificate's revocation status cannot be had
      // (responder down, slow, tryLater, unusable answers): refusing is a security rule,
      // serving anyway an availability choice the profile owns.
      {"revocation_unavailable", {{"fail_closed", "must"}, {"fail_open", "should"}}},
  };
  return kSettings;
}

const PolicySetting* FindPolicySetting(const std::string& name) {
  for (const PolicySetting& s : PolicySettings()) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

std::vector<std::string> PolicySettingNames() {
  std::vector<std::string> out;
  for (const PolicySetting& s : PolicySettings()) out.push_back(s.name);
  return out;
}

constexpr char kRationaleHelp[] =
    "one line saying why: `must: ...` when the source document states the rule or an RFC MUST "
    "for this role guards against a security defect; `should: ...` for stricter hardening and "
    "for every acceptance check";

// Every severity is a claim about the source: the rationale makes it reviewable line by line,
// and starting it with the severity keeps the two from drifting apart when one is changed.
void ReadRationale(Document& doc, const MapReader& m, const Node& n, Requirement& r) {
  std::optional<Node> v = m.Get("rationale");
  if (!v) {
    // A misspelt key already got a "did you mean `rationale`?": one error is enough.
    bool misspelt = std::any_of(m.unknown().begin(), m.unknown().end(), [](const auto& kv) {
      return !scenario::DidYouMean(kv.first.Text(), {"rationale"}).empty();
    });
    if (!misspelt) {
      doc.Error(n, "missing required key `rationale`", "", "`rationale` in this mapping",
                kRationaleHelp);
    }
    return;
  }
  std::optional<std::string> s = scenario::ReadString(doc, *v, "rationale");
  if (!s) return;
  if (s->find('\n') != std::string::npos) {
    doc.Error(*v, "invalid value for `rationale`", "several lines", "one line", kRationaleHelp);
    return;
  }
  // Unknown severities are reported on their own line; only a valid one is compared. A
  // severity the policy decides is reasoned about the policy, whichever way it is set.
  const std::string prefix = (r.policy.empty() ? r.severity : "policy") + ": ";
  bool reasoned = s->size() > prefix.size() && s->compare(0, prefix.size(), prefix) == 0 &&
                  s->find_first_not_of(' ', prefix.size()) != std::string::npos;
  if (!r.severity.empty() && !reasoned) {
    doc.Error(*v,
              r.policy.empty()
                  ? "`rationale` does not give the reason for `" + r.severity + "`"
                  : "`rationale` does not say how `" + r.policy + "` decides the severity",
              scenario::Describe(*v), "`" + prefix + "<why>`", kRationaleHelp);
    return;
  }
  r.rationale = *s;
}

std::optional<Requirement> ReadRequirement(Document& doc, const Node& n,
                                           const std::map<std::string, std::string>& policy) {
  int before = doc.errors();
  MapReader m(doc, n, {"id", "text", "source", "quote", "severity", "rationale", "policy"},
              "requirements");
  if (!m.ok()) return std::nullopt;
  Requirement r;
  r.loc = doc.Loc(n);
  auto read = [&](const char* key, bool required, std::string& out) {
    std::optional<Node> v = required ? m.Require(key) : m.Get(key);
    if (!v) return;
    if (auto s = scenario::ReadString(doc, *v, key)) out = *s;
  };
  read("id", true, r.id);
  read("text", true, r.text);
  read("source", true, r.source);
  read("quote", false, r.quote);
  if (auto v = m.Get("policy")) {
    // The severity follows the profile's choice for this setting.
    std::string name = v->IsScalar() ? v->Text() : "";
    auto chosen = policy.find(name);
    if (chosen == policy.end()) {
      std::vector<std::string> set;
      for (const auto& [k, value] : policy) set.push_back(k);
      doc.Error(*v, "invalid value for `policy`", scenario::Describe(*v),
                set.empty() ? std::string("a setting of the file's `policy:` (it has none)")
                            : scenario::OneOf(set));
    } else {
      r.policy = name;
      for (const auto& [value, severity] : FindPolicySetting(name)->values) {
        if (value == chosen->second) r.severity = severity;
      }
    }
    if (auto s = m.Get("severity")) {
      doc.Error(*s, "`severity` given with `policy`", scenario::Describe(*s),
                "no `severity`: the policy setting decides it");
    }
  } else if (auto v = m.Require("severity")) {
    if (v->IsScalar() && (v->Text() == "must" || v->Text() == "should")) {
      r.severity = v->Text();
    } else {
      doc.Error(*v, "invalid value for `severity`", scenario::Describe(*v), "`must` or `should`");
    }
  }
  ReadRationale(doc, m, n, r);
  if (doc.errors() > before) return std::nullopt;
  return r;
}

}  // namespace

std::optional<Requirements> ParseRequirements(const std::string& text, const std::string& path,
                                              Diagnostics& diags) {
  Document doc(path, text, diags);
  if (!doc.Parse()) return std::nullopt;
  Requirements reqs;
  reqs.file = path;
  Node root = doc.root();
  MapReader top(doc, root, {"profile", "environment", "policy", "requirements", "faults"}, "", true,
                "a mapping with `profile:`, `environment:` and `requirements:`");
  if (top.ok()) {
    reqs.loc = doc.Loc(root);
    if (auto n = top.Require("profile")) {
      if (auto s = scenario::ReadString(doc, *n, "profile")) reqs.profile = *s;
    }
    if (auto n = top.Require("environment")) {
      if (auto s = scenario::ReadString(doc, *n, "environment")) reqs.environment = *s;
    }
    if (auto n = top.Get("policy")) {
      MapReader settings(doc, *n, PolicySettingNames(), "policy");
      for (const auto& [k, v] : settings.entries()) {
        const PolicySetting* setting = FindPolicySetting(k.Text());
        if (setting == nullptr) continue;  // MapReader named it, with a did-you-mean
        std::vector<std::string> values;
        for (const auto& [value, severity] : setting->values) values.push_back(value);
        if (v.IsScalar() && std::find(values.begin(), values.end(), v.Text()) != values.end()) {
          reqs.policy[k.Text()] = v.Text();
        } else {
          doc.Error(v, "invalid value for `" + k.Text() + "`", scenario::Describe(v),
                    scenario::OneOf(values));
        }
      }
    }
    if (auto n = top.Require("requirements")) {
      if (!n->IsSeq() || n->y.size() == 0) {
        doc.Error(*n, "invalid value for `requirements`",
                  n->IsSeq() ? "an empty list" : scenario::Describe(*n),
                  "a list of at least one requirement");
      }
      std::vector<std::pair<std::string, int>> ids;  // id -> line
      for (const Node& item : scenario::Items(*n)) {
        std::optional<Requirement> r = ReadRequirement(doc, item, reqs.policy);
        if (!r) continue;
        auto first =
            std::find_if(ids.begin(), ids.end(), [&](const auto& p) { return p.first == r->id; });
        if (first != ids.end()) {
          MapReader m(doc, item, {}, "requirements");
          doc.Error(*m.Get("id"), "duplicate requirement id `" + r->id + "`",
                    "`" + r->id + "` again", "an id unique in this file",
                    "the first `" + r->id + "` is on line " + std::to_string(first->second));
          continue;
        }
        ids.emplace_back(r->id, r->loc.line);
        reqs.requirements.push_back(std::move(*r));
      }
    }
    if (auto n = top.Get("faults")) {
      MapReader faults(doc, *n, {}, "faults", true,
                       "a mapping of fault names to the scenario ids that must fail");
      for (const auto& [k, v] : faults.entries()) {
        std::optional<std::string> name = scenario::ReadString(doc, k, "faults");
        if (!name) continue;
        if (v.IsSeq() && v.y.size() == 0) {
          doc.Error(v, "invalid value for `" + *name + "`", "an empty list",
                    "at least one scenario id (a fault that no scenario catches is a hole in "
                    "the suites)");
          continue;
        }
        std::optional<std::vector<std::string>> ids =
            scenario::ReadStringList(doc, v, *name, /*non_empty=*/true);
        if (ids) {
          reqs.faults.emplace_back(*name, std::move(*ids));
          reqs.fault_locs.push_back(doc.Loc(k));
        }
      }
    }
  }
  if (doc.errors() > 0) return std::nullopt;
  return reqs;
}

}  // namespace tollgate
