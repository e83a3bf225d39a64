// Suite files (docs/formats.md, Suites): the suite, its vars, scenarios and matrices.
// Steps are read in step_loader.cc (and each kind's own file, see suite_parts.h).

#include <algorithm>

#include "suite_parts.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/observability.h"

namespace tollgate {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::NameScope;
using scenario::Node;

// Tag names must survive a --tags expression: no spaces, operators or parentheses.
bool IsTagName(const std::string& t) {
  if (t.empty() || t == "and" || t == "or" || t == "not") return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':' || c == '/';
  });
}

bool IsScenarioId(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
  });
}

// Reads one suite into `suite_`, reporting into the document. Borrows both.
class SuiteReader {
 public:
  SuiteReader(Document& doc, Suite& suite) : doc_(doc), suite_(suite) {}

  void Read() {
    Node root = doc_.root();
    MapReader top(doc_, root, {"suite", "title", "requires", "tags", "vars", "scenarios"}, "", true,
                  "a mapping with `suite:` and `scenarios:`");
    if (!top.ok()) return;
    suite_.loc = doc_.Loc(root);
    if (auto n = top.Require("suite")) {
      if (auto s = scenario::ReadString(doc_, *n, "suite")) suite_.id = *s;
    }
    if (auto n = top.Get("title")) {
      if (auto s = scenario::ReadString(doc_, *n, "title")) suite_.title = *s;
    }
    if (auto n = top.Get("requires")) {
      if (auto l = scenario::ReadStringList(doc_, *n, "requires", false))
        suite_.requires_services = *l;
    }
    if (auto n = top.Get("tags")) suite_.tags = ReadTags(*n);
    if (auto n = top.Get("vars")) ReadVars(*n);
    if (auto n = top.Require("scenarios")) {
      if (!n->IsSeq() || n->y.size() == 0) {
        doc_.Error(*n, "invalid value for `scenarios`",
                   n->IsSeq() ? "an empty list" : scenario::Describe(*n),
                   "a list of at least one scenario");
        return;
      }
      for (const Node& item : scenario::Items(*n)) ReadScenario(item);
      CheckRealTimeLinks();
      scenario::CheckDpopSteps(doc_, suite_);
    }
  }

 private:
  std::vector<std::string> ReadTags(const Node& n) {
    std::optional<std::vector<std::string>> tags = scenario::ReadStringList(doc_, n, "tags", false);
    if (!tags) return {};
    std::vector<Node> items = scenario::Items(n);
    for (std::size_t i = 0; i < tags->size(); ++i) {
      if (!IsTagName((*tags)[i])) {
        doc_.Error(items[i], "invalid value for `tags`", scenario::Describe(items[i]),
                   "a tag name of letters, digits, `_`, `-`, `.`, `:` or `/` (not and/or/not)");
      }
    }
    return *tags;
  }

  void ReadVars(const Node& n) {
    MapReader vars(doc_, n, {}, "vars", true, "a mapping of names to templates");
    if (!vars.ok()) return;
    for (const auto& [k, v] : vars.entries()) {
      std::optional<std::string> name = scenario::ReadIdentifier(doc_, k, "vars");
      if (!name) continue;
      if (!scenario::CheckNewName(doc_, k, *name, "var", var_names_)) continue;
      NameScope scope;
      scope.names = scenario::ReservedRoots();
      scope.names.insert(scope.names.end(), var_names_.begin(), var_names_.end());
      std::optional<Template> t = scenario::ReadTemplate(doc_, v, *name, scope);
      var_names_.push_back(*name);
      if (t) suite_.vars.emplace_back(*name, std::move(*t));
    }
  }

  void ReadScenario(const Node& n) {
    MapReader m(doc_, n, {"id", "name", "requirements", "tags", "matrix", "steps", "real_time"},
                "scenarios");
    if (!m.ok()) return;
    Scenario sc;
    sc.loc = doc_.Loc(n);
    if (auto id = m.Require("id")) {
      if (auto s = scenario::ReadString(doc_, *id, "id")) {
        if (!IsScenarioId(*s)) {
          doc_.Error(*id, "invalid value for `id`", scenario::Describe(*id),
                     "an id of letters, digits, `_`, `-`, `.` or `:`");
        }
        auto first =
            std::find_if(ids_.begin(), ids_.end(), [&](const auto& p) { return p.first == *s; });
        if (first != ids_.end()) {
          doc_.Error(*id, "duplicate scenario id `" + *s + "`", "`" + *s + "` again",
                     "an id unique in this suite",
                     "the first `" + *s + "` is on line " + std::to_string(first->second));
        } else {
          ids_.emplace_back(*s, id->mark.line + 1);
        }
        sc.id = *s;
      }
    }
    matrix_nodes_.clear();
    if (auto mx = m.Get("matrix")) ReadMatrix(*mx, sc);

    NameScope scope;
    scope.names = scenario::ReservedRoots();
    scope.names.insert(scope.names.end(), var_names_.begin(), var_names_.end());
    for (const auto& [key, values] : sc.matrix) scope.names.push_back(key);
    scope.matrix = &matrix_nodes_;

    if (auto name = m.Require("name")) {
      if (auto t = scenario::ReadTemplate(doc_, *name, "name", scope)) sc.name = std::move(*t);
    }
    if (auto r = m.Require("requirements")) {
      if (auto l = scenario::ReadStringList(doc_, *r, "requirements", true)) sc.requirements = *l;
    }
    if (auto t = m.Get("tags")) sc.tags = ReadTags(*t);
    if (auto rt = m.Get("real_time")) {
      if (auto s = scenario::ReadString(doc_, *rt, "real_time")) {
        sc.real_time = *s;
        sc.real_time_loc = doc_.Loc(*rt);
        real_time_links_.emplace_back(suite_.scenarios.size(), *rt);
      }
    }
    if (auto steps = m.Require("steps")) {
      if (!steps->IsSeq() || steps->y.size() == 0) {
        doc_.Error(*steps, "invalid value for `steps`",
                   steps->IsSeq() ? "an empty list" : scenario::Describe(*steps),
                   "a list of at least one step");
      } else {
        scenario::ReadSteps(doc_, *steps, scope, suite_.requires_services, sc.steps);
      }
    }
    suite_.scenarios.push_back(std::move(sc));
  }

  void ReadMatrix(const Node& n, Scenario& sc) {
    MapReader mx(doc_, n, {}, "matrix", true, "a mapping of names to lists of values");
    if (!mx.ok()) return;
    std::vector<std::string> taken = var_names_;
    for (const auto& [k, v] : mx.entries()) {
      std::optional<std::string> name = scenario::ReadIdentifier(doc_, k, "matrix");
      if (!name || !scenario::CheckNewName(doc_, k, *name, "matrix key", taken)) continue;
      taken.push_back(*name);
      std::vector<std::string> values;
      bool ok = v.IsSeq() && v.y.size() > 0;
      for (const Node& item : scenario::Items(v)) {
        if (!item.IsScalar()) {
          doc_.Error(item, "invalid value for `" + *name + "`", scenario::Describe(item),
                     "a scalar value");
          ok = false;
          continue;
        }
        values.push_back(item.Text());
      }
      if (!v.IsSeq() || v.y.size() == 0) {
        doc_.Error(v, "invalid value for `" + *name + "`",
                   v.IsSeq() ? "an empty list" : scenario::Describe(v),
                   "a list of at least one value");
      }
      if (ok) {
        sc.matrix.emplace_back(*name, std::move(values));
        matrix_nodes_.emplace_back(*name, scenario::Items(v));
      }
    }
  }

  // `real_time: ID` names a scenario of this suite that an external target can run instead:
  // tagged `slow` (it really waits) and itself free of the shared clock.
  void CheckRealTimeLinks() {
    for (const auto& [index, node] : real_time_links_) {
      const Scenario& from = suite_.scenarios[index];
      auto to = std::find_if(suite_.scenarios.begin(), suite_.scenarios.end(),
                             [&](const Scenario& s) { return s.id == from.real_time; });
      if (to == suite_.scenarios.end()) {
        doc_.Error(node, "unknown scenario in `real_time`", "`" + from.real_time + "`",
                   "the id of a scenario of this suite tagged `slow`");
        continue;
      }
      bool slow = std::find(to->tags.begin(), to->tags.end(), "slow") != to->tags.end() ||
                  std::find(suite_.tags.begin(), suite_.tags.end(), "slow") != suite_.tags.end();
      if (!slow || to->id == from.id || SharedClockStep(*to)) {
        doc_.Error(node, "invalid value for `real_time`", "`" + from.real_time + "`",
                   "a scenario tagged `slow` that waits for real (no `clock:` step)");
        continue;
      }
      bool same_rule = std::any_of(
          from.requirements.begin(), from.requirements.end(), [&](const std::string& r) {
            return std::find(to->requirements.begin(), to->requirements.end(), r) !=
                   to->requirements.end();
          });
      if (!same_rule) {
        doc_.Error(node, "invalid value for `real_time`", "`" + from.real_time + "`",
                   "a scenario that checks one of this scenario's requirements");
      }
    }
  }

  Document& doc_;
  Suite& suite_;
  std::vector<std::pair<std::size_t, Node>> real_time_links_;  // scenario index -> its node
  std::vector<std::string> var_names_;
  // The matrix of the scenario being read, values as written (NameScope::matrix).
  std::vector<std::pair<std::string, std::vector<Node>>> matrix_nodes_;
  std::vector<std::pair<std::string, int>> ids_;  // scenario id -> line
};

}  // namespace

std::optional<Suite> ParseSuite(const std::string& text, const std::string& path,
                                Diagnostics& diags) {
  Document doc(path, text, diags);
  if (!doc.Parse()) return std::nullopt;
  Suite suite;
  suite.file = path;
  suite.sha256 = Sha256Hex(text);
  SuiteReader(doc, suite).Read();
  if (doc.errors() > 0) return std::nullopt;
  return suite;
}

}  // namespace tollgate
