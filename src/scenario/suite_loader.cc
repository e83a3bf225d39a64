// Suite files (SPEC §5): the suite, its scenarios and their steps. Requests and
// expectations are read in request_loader.cc and expect_loader.cc.

#include <algorithm>
#include <array>

#include "suite_parts.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

using yaml::Document;
using yaml::MapReader;
using yaml::NameScope;
using yaml::Node;

// What each step kind accepts. Kinds that are recognised but not built yet are listed so
// that a suite using them gets "not supported yet" rather than "unknown step kind".
struct StepKindSpec {
  std::string name;
  bool supported;
  Step::Kind kind;
  bool can_save;
  bool replayable;                   // `replay:` may name a step of this kind
  std::vector<std::string> expects;  // keys of its `expect:`; empty: it takes none
};

const std::vector<StepKindSpec>& StepKinds() {
  static const std::vector<StepKindSpec> kKinds = {
      {"request",
       true,
       Step::Kind::kRequest,
       true,
       true,
       {"status", "headers", "json", "body", "rejected", "tls", "one_of", "duration"}},
      {"replay",
       true,
       Step::Kind::kReplay,
       true,
       true,
       {"status", "headers", "json", "body", "rejected", "tls", "one_of", "exactly_one",
        "duration"}},
      {"wait", true, Step::Kind::kWait, false, false, {}},
      {"received", true, Step::Kind::kReceived, true, false, {"count", "headers", "json", "body"}},
      {"token", false, Step::Kind::kRequest, false, false, {}},
      {"notify", false, Step::Kind::kRequest, false, false, {}},
      {"mock", false, Step::Kind::kRequest, false, false, {}},
  };
  return kKinds;
}

const StepKindSpec* FindKind(const std::string& name) {
  for (const StepKindSpec& k : StepKinds()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::vector<std::string> KindNames(bool supported_only) {
  std::vector<std::string> out;
  for (const StepKindSpec& k : StepKinds()) {
    if (k.supported || !supported_only) out.push_back(k.name);
  }
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

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
      if (auto s = yaml::ReadString(doc_, *n, "suite")) suite_.id = *s;
    }
    if (auto n = top.Get("title")) {
      if (auto s = yaml::ReadString(doc_, *n, "title")) suite_.title = *s;
    }
    if (auto n = top.Get("requires")) {
      if (auto l = yaml::ReadStringList(doc_, *n, "requires", false)) suite_.requires_services = *l;
    }
    if (auto n = top.Get("tags")) suite_.tags = ReadTags(*n);
    if (auto n = top.Get("vars")) ReadVars(*n);
    if (auto n = top.Require("scenarios")) {
      if (!n->IsSeq() || n->y.size() == 0) {
        doc_.Error(*n, "invalid value for `scenarios`",
                   n->IsSeq() ? "an empty list" : yaml::Describe(*n),
                   "a list of at least one scenario");
        return;
      }
      for (const Node& item : yaml::Items(*n)) ReadScenario(item);
    }
  }

 private:
  std::vector<std::string> ReadTags(const Node& n) {
    std::optional<std::vector<std::string>> tags = yaml::ReadStringList(doc_, n, "tags", false);
    if (!tags) return {};
    std::vector<Node> items = yaml::Items(n);
    for (std::size_t i = 0; i < tags->size(); ++i) {
      if (!IsTagName((*tags)[i])) {
        doc_.Error(items[i], "invalid value for `tags`", yaml::Describe(items[i]),
                   "a tag name of letters, digits, `_`, `-`, `.`, `:` or `/` (not and/or/not)");
      }
    }
    return *tags;
  }

  // Declared names must not hide a reserved root or another declaration.
  bool CheckNewName(const Node& at, const std::string& name, const std::string& what,
                    const std::vector<std::string>& taken) {
    std::vector<std::string> used = internal::ReservedRoots();
    used.push_back("previous");
    for (const std::string& t : taken) {
      if (!Contains(used, t)) used.push_back(t);
    }
    if (Contains(used, name)) {
      doc_.Error(at, what + " `" + name + "` is already in use", "`" + name + "`",
                 "a name other than: " + Join(used));
      return false;
    }
    return true;
  }

  void ReadVars(const Node& n) {
    MapReader vars(doc_, n, {}, "vars", true, "a mapping of names to templates");
    if (!vars.ok()) return;
    for (const auto& [k, v] : vars.entries()) {
      std::optional<std::string> name = yaml::ReadIdentifier(doc_, k, "vars");
      if (!name) continue;
      if (!CheckNewName(k, *name, "var", var_names_)) continue;
      NameScope scope;
      scope.names = internal::ReservedRoots();
      scope.names.insert(scope.names.end(), var_names_.begin(), var_names_.end());
      std::optional<Template> t = yaml::ReadTemplate(doc_, v, *name, scope);
      var_names_.push_back(*name);
      if (t) suite_.vars.emplace_back(*name, std::move(*t));
    }
  }

  void ReadScenario(const Node& n) {
    MapReader m(doc_, n, {"id", "name", "requirements", "tags", "matrix", "steps"}, "scenarios");
    if (!m.ok()) return;
    Scenario sc;
    sc.loc = doc_.Loc(n);
    if (auto id = m.Require("id")) {
      if (auto s = yaml::ReadString(doc_, *id, "id")) {
        if (!IsScenarioId(*s)) {
          doc_.Error(*id, "invalid value for `id`", yaml::Describe(*id),
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
    if (auto mx = m.Get("matrix")) ReadMatrix(*mx, sc);

    NameScope scope;
    scope.names = internal::ReservedRoots();
    scope.names.insert(scope.names.end(), var_names_.begin(), var_names_.end());
    for (const auto& [key, values] : sc.matrix) scope.names.push_back(key);

    if (auto name = m.Require("name")) {
      if (auto t = yaml::ReadTemplate(doc_, *name, "name", scope)) sc.name = std::move(*t);
    }
    if (auto r = m.Require("requirements")) {
      if (auto l = yaml::ReadStringList(doc_, *r, "requirements", true)) sc.requirements = *l;
    }
    if (auto t = m.Get("tags")) sc.tags = ReadTags(*t);
    if (auto steps = m.Require("steps")) {
      if (!steps->IsSeq() || steps->y.size() == 0) {
        doc_.Error(*steps, "invalid value for `steps`",
                   steps->IsSeq() ? "an empty list" : yaml::Describe(*steps),
                   "a list of at least one step");
      } else {
        ReadSteps(*steps, scope, sc);
      }
    }
    suite_.scenarios.push_back(std::move(sc));
  }

  void ReadMatrix(const Node& n, Scenario& sc) {
    MapReader mx(doc_, n, {}, "matrix", true, "a mapping of names to lists of values");
    if (!mx.ok()) return;
    std::vector<std::string> taken = var_names_;
    for (const auto& [k, v] : mx.entries()) {
      std::optional<std::string> name = yaml::ReadIdentifier(doc_, k, "matrix");
      if (!name || !CheckNewName(k, *name, "matrix key", taken)) continue;
      taken.push_back(*name);
      std::vector<std::string> values;
      bool ok = v.IsSeq() && v.y.size() > 0;
      for (const Node& item : yaml::Items(v)) {
        if (!item.IsScalar()) {
          doc_.Error(item, "invalid value for `" + *name + "`", yaml::Describe(item),
                     "a scalar value");
          ok = false;
          continue;
        }
        values.push_back(item.Text());
      }
      if (!v.IsSeq() || v.y.size() == 0) {
        doc_.Error(v, "invalid value for `" + *name + "`",
                   v.IsSeq() ? "an empty list" : yaml::Describe(v), "a list of at least one value");
      }
      if (ok) sc.matrix.emplace_back(*name, std::move(values));
    }
  }

  // A name saved by an earlier step of the scenario being read.
  struct Saved {
    std::string name;
    const StepKindSpec* kind;
  };

  void ReadSteps(const Node& steps, const NameScope& scenario_scope, Scenario& sc) {
    std::vector<Saved> saved;
    bool any_replayable = false;
    bool first = true;
    for (const Node& item : yaml::Items(steps)) {
      NameScope scope = scenario_scope;
      for (const Saved& s : saved) scope.names.push_back(s.name);
      if (!first) scope.names.push_back("previous");  // the result of the step before
      first = false;
      const StepKindSpec* kind = nullptr;
      std::optional<std::string> save;
      std::optional<Step> step = ReadStep(item, scope, saved, any_replayable, &kind, &save);
      if (kind && kind->replayable) any_replayable = true;
      // A step with mistakes still declares its name, so later steps get no second error.
      if (save && kind) saved.push_back(Saved{*save, kind});
      if (step) sc.steps.push_back(std::move(*step));
    }
  }

  std::optional<Step> ReadStep(const Node& n, const NameScope& scope,
                               const std::vector<Saved>& saved, bool any_replayable,
                               const StepKindSpec** kind_out,
                               std::optional<std::string>* save_out) {
    std::vector<std::string> keys = KindNames(false);
    keys.push_back("save");
    keys.push_back("expect");
    int errors_before = doc_.errors();
    MapReader m(doc_, n, keys, "steps", /*report_unknown=*/false,
                "a step: a mapping with one of request, replay, wait, received");
    if (!m.ok()) return std::nullopt;

    std::vector<Node> kind_keys;
    for (const auto& [k, v] : m.entries()) {
      if (FindKind(k.Text())) kind_keys.push_back(k);
    }
    ReportUnknownStepKeys(m, kind_keys.empty());
    if (kind_keys.empty()) {
      if (m.unknown().empty()) {
        doc_.Error(n, "missing step kind", "", OneOf(KindNames(true)) + " in this step");
      }
      return std::nullopt;
    }
    for (std::size_t i = 1; i < kind_keys.size(); ++i) {
      doc_.Error(kind_keys[i], "more than one step kind", yaml::Describe(kind_keys[i]),
                 "one kind per step (this step is already a `" + kind_keys[0].Text() + "`)");
    }
    const StepKindSpec* kind = FindKind(kind_keys[0].Text());
    *kind_out = kind;
    if (!kind->supported) {
      doc_.Error(kind_keys[0], "step kind `" + kind->name + "` is not supported yet", "", "",
                 "supported step kinds: " + Join(KindNames(true)));
      return std::nullopt;
    }

    Step step;
    step.kind = kind->kind;
    step.loc = doc_.Loc(n);
    Node body = *m.Get(kind->name);
    switch (kind->kind) {
      case Step::Kind::kRequest:
        if (auto r = internal::ReadRequestStep(doc_, body, scope)) step.body = std::move(*r);
        break;
      case Step::Kind::kReplay:
        if (auto r = ReadReplay(body, saved, any_replayable)) step.body = std::move(*r);
        break;
      case Step::Kind::kWait:
        if (auto w = ReadWait(body)) step.body = *w;
        break;
      case Step::Kind::kReceived:
        if (auto r = ReadReceived(body, scope)) step.body = std::move(*r);
        break;
    }

    NameScope expect_scope = scope;
    if (auto s = m.Get("save")) {
      if (!kind->can_save) {
        doc_.Error(*m.KeyNode("save"), "a `" + kind->name + "` step cannot `save`");
      } else if (auto name = yaml::ReadIdentifier(doc_, *s, "save")) {
        if (CheckNewName(*s, *name, "saved name", scope.names)) {
          step.save = *name;
          *save_out = *name;
          expect_scope.names.push_back(*name);  // an expectation may refer to its own step
        }
      }
    }
    if (auto e = m.Get("expect")) {
      if (kind->expects.empty()) {
        doc_.Error(*m.KeyNode("expect"), "a `" + kind->name + "` step takes no `expect`");
      } else if (auto ex = internal::ReadExpect(doc_, *e, expect_scope, kind->expects)) {
        step.expect = std::move(*ex);
      }
    }
    if (doc_.errors() > errors_before) return std::nullopt;
    return step;
  }

  static std::string Join(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& s : names) out += (out.empty() ? "" : ", ") + s;
    return out;
  }

  static std::string OneOf(const std::vector<std::string>& names) { return yaml::OneOf(names); }

  // A key that is neither a step kind nor save/expect: a misspelt kind when the step has
  // no kind yet (or the key looks like one), otherwise a misspelt save/expect.
  void ReportUnknownStepKeys(const MapReader& m, bool no_kind) {
    std::vector<std::string> kinds = KindNames(false);
    std::vector<std::string> others = {"save", "expect"};
    for (const auto& [k, v] : m.unknown()) {
      std::string name = k.Text();
      std::string as_kind = ClosestMatch(name, kinds);
      std::string as_other = ClosestMatch(name, others);
      if (as_other.empty() && (no_kind || !as_kind.empty())) {
        doc_.Error(k, "unknown step kind `" + name + "`", yaml::Describe(k), OneOf(KindNames(true)),
                   yaml::DidYouMean(name, kinds));
      } else {
        std::vector<std::string> allowed = no_kind ? KindNames(true) : std::vector<std::string>{};
        allowed.insert(allowed.end(), others.begin(), others.end());
        doc_.Error(k, "unknown key `" + name + "`", yaml::Describe(k), OneOf(allowed),
                   yaml::DidYouMean(name, allowed));
      }
    }
  }

  std::optional<ReplayStep> ReadReplay(const Node& n, const std::vector<Saved>& saved,
                                       bool any_replayable) {
    ReplayStep r;
    Node what = n;
    std::optional<std::string> name;
    bool defaulted = false;
    if (n.IsMap()) {
      MapReader m(doc_, n, {"of", "concurrent"}, "replay");
      if (auto c = m.Get("concurrent")) {
        if (auto v = yaml::ReadInt(doc_, *c, "concurrent", 1, 64)) {
          r.concurrent = static_cast<int>(*v);
        }
      }
      if (auto of = m.Get("of")) {
        what = *of;
        name = yaml::ReadString(doc_, what, "of");
        if (!name) return std::nullopt;
      } else {
        name = "previous";  // `of` defaults to the previous request
        defaulted = true;
      }
    } else {
      name = yaml::ReadString(doc_, what, "replay");
      if (!name) return std::nullopt;
    }
    std::vector<std::string> candidates = {"previous"};
    for (const Saved& s : saved) {
      if (s.kind->replayable) candidates.push_back(s.name);
    }
    if (*name == "previous") {
      if (!any_replayable) {
        doc_.Error(what, "nothing to replay", defaulted ? "" : yaml::Describe(what),
                   defaulted ? "an earlier `request` step in this scenario (`of` defaults to "
                               "`previous`)"
                             : "an earlier `request` step in this scenario");
        return std::nullopt;
      }
    } else if (!Contains(candidates, *name)) {
      auto other =
          std::find_if(saved.begin(), saved.end(), [&](const Saved& s) { return s.name == *name; });
      if (other != saved.end()) {
        doc_.Error(what, "`" + *name + "` cannot be replayed", yaml::Describe(what),
                   "a name saved by a request or replay step; `" + *name + "` was saved by a `" +
                       other->kind->name + "` step");
      } else {
        std::vector<std::string> names(candidates.begin() + 1, candidates.end());
        doc_.Error(what, "unknown saved name `" + *name + "` in `replay`", yaml::Describe(what),
                   names.empty()
                       ? "`previous` (no earlier step saves a request)"
                       : "`previous` or a request saved by an earlier step: " + Join(names),
                   yaml::DidYouMean(*name, candidates));
      }
      return std::nullopt;
    }
    r.what = *name;
    return r;
  }

  std::optional<WaitStep> ReadWait(const Node& n) {
    Node d = n;
    if (n.IsMap()) {
      MapReader m(doc_, n, {"duration"}, "wait");
      std::optional<Node> v = m.Require("duration");
      if (!v) return std::nullopt;
      d = *v;
    }
    std::optional<Duration> duration = yaml::ReadDuration(doc_, d, n.IsMap() ? "duration" : "wait");
    if (!duration) return std::nullopt;
    return WaitStep{*duration};
  }

  std::optional<ReceivedStep> ReadReceived(const Node& n, const NameScope& scope) {
    MapReader m(doc_, n, {"service", "method", "path"}, "received");
    if (!m.ok()) return std::nullopt;
    ReceivedStep r;
    if (auto s = m.Require("service")) {
      if (auto name = yaml::ReadString(doc_, *s, "service")) {
        const std::vector<std::string>& req = suite_.requires_services;
        if (!Contains(req, *name)) {
          std::string help = yaml::DidYouMean(*name, req);
          if (help.empty()) help = "add `" + *name + "` to the suite's `requires:`";
          doc_.Error(
              *s, "service `" + *name + "` is not in the suite's `requires`", yaml::Describe(*s),
              req.empty() ? "a service listed in `requires` (the suite lists none)" : OneOf(req),
              help);
        }
        r.service = *name;
      }
    }
    if (auto v = m.Get("method")) r.method = yaml::ReadTemplate(doc_, *v, "method", scope);
    if (auto v = m.Get("path")) r.path = yaml::ReadTemplate(doc_, *v, "path", scope);
    return r;
  }

  Document& doc_;
  Suite& suite_;
  std::vector<std::string> var_names_;
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
