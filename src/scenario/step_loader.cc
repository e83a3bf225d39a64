// The steps of a scenario: each step's kind (one per step), its body (read by the kind's own
// file, see suite_parts.h), `save` and `expect`, and which names later steps may use.

#include <algorithm>

#include "suite_parts.h"

namespace tollgate::scenario {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::NameScope;
using scenario::Node;

// What each step kind accepts.
struct StepKindSpec {
  std::string name;
  Step::Kind kind;
  bool can_save;
  bool replayable;                   // `replay:` may name a step of this kind
  std::vector<std::string> expects;  // keys of its `expect:`; empty: it takes none
};

// A minted token has no HTTP exchange: only its own expectation applies.
const std::vector<std::string> kMintExpects = {"token"};

const std::vector<StepKindSpec>& StepKinds() {
  static const std::vector<StepKindSpec> kKinds = {
      {"request",
       Step::Kind::kRequest,
       true,
       true,
       {"status", "headers", "json", "body", "rejected", "tls", "one_of", "duration"}},
      {"replay",
       Step::Kind::kReplay,
       true,
       true,
       {"status", "headers", "json", "body", "rejected", "tls", "one_of", "exactly_one",
        "duration"}},
      {"race",
       Step::Kind::kRace,
       false,
       false,
       {"status", "headers", "json", "body", "rejected", "tls", "one_of", "exactly_one",
        "duration"}},
      {"wait", Step::Kind::kWait, false, false, {}},
      {"received", Step::Kind::kReceived, true, false, {"count", "headers", "json", "body"}},
      // These are the expectations of `token: fetch`; `token: mint` takes kMintExpects.
      {"token",
       Step::Kind::kToken,
       true,
       false,
       {"status", "headers", "json", "body", "one_of", "duration", "token"}},
      {"notify",
       Step::Kind::kNotify,
       true,
       true,
       {"status", "headers", "json", "body", "rejected", "tls", "one_of", "duration"}},
      {"mock", Step::Kind::kMock, false, false, {}},
      {"clock", Step::Kind::kClock, false, false, {}},
  };
  return kKinds;
}

const StepKindSpec* FindKind(const std::string& name) {
  for (const StepKindSpec& k : StepKinds()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::vector<std::string> StepKindNames() {
  std::vector<std::string> out;
  for (const StepKindSpec& k : StepKinds()) out.push_back(k.name);
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "`a`, `b` and `c`".
std::string ListInProse(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += "`" + names[i] + "`";
  }
  return out;
}

// The steps whose `expect` takes `key`, for "cannot expect" diagnostics: "`received` steps".
std::string StepsTaking(const std::string& key) {
  std::vector<std::string> names;
  for (const StepKindSpec& k : StepKinds()) {
    if (!Contains(k.expects, key)) continue;
    bool fetch_only = k.kind == Step::Kind::kToken && !Contains(kMintExpects, key);
    names.push_back(fetch_only ? k.name + ": fetch" : k.name);
  }
  return names.empty() ? "" : ListInProse(names) + " steps";
}

// True when the mapping `n` has the key (without inserting it, as yaml-cpp's [] would).
bool HasKey(const Node& n, const std::string& key) {
  if (!n.IsMap()) return false;
  for (const auto& kv : n.y) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return true;
  }
  return false;
}

// Reads the steps of one scenario. Borrows `doc` and `services` for its lifetime.
class StepsReader {
 public:
  StepsReader(Document& doc, const std::vector<std::string>& services)
      : doc_(doc), services_(services) {}

  void Read(const Node& steps, const NameScope& scenario_scope, std::vector<Step>& out) {
    std::vector<SavedName> saved;
    bool any_replayable = false;
    bool first = true;
    for (const Node& item : scenario::Items(steps)) {
      NameScope scope = scenario_scope;
      for (const SavedName& s : saved) scope.names.push_back(s.name);
      if (!first) scope.names.push_back("previous");  // the result of the step before
      first = false;
      const StepKindSpec* kind = nullptr;
      std::optional<std::string> save;
      std::optional<Step> step = ReadStep(item, scope, saved, any_replayable, &kind, &save);
      if (kind && kind->replayable) any_replayable = true;
      // A step with mistakes still declares its name, so later steps get no second error.
      if (save && kind) saved.push_back(SavedName{*save, kind->name, kind->replayable});
      if (step) out.push_back(std::move(*step));
    }
  }

  std::optional<Step> ReadStep(const Node& n, const NameScope& scope,
                               const std::vector<SavedName>& saved, bool any_replayable,
                               const StepKindSpec** kind_out,
                               std::optional<std::string>* save_out) {
    std::vector<std::string> keys = StepKindNames();
    keys.push_back("save");
    keys.push_back("expect");
    int errors_before = doc_.errors();
    MapReader m(doc_, n, keys, "steps", /*report_unknown=*/false,
                "a step: a mapping with one of " + Join(StepKindNames()));
    if (!m.ok()) return std::nullopt;

    std::vector<Node> kind_keys;
    for (const auto& [k, v] : m.entries()) {
      if (FindKind(k.Text())) kind_keys.push_back(k);
    }
    ReportUnknownStepKeys(m, kind_keys.empty());
    if (kind_keys.empty()) {
      if (m.unknown().empty()) {
        doc_.Error(n, "missing step kind", "", OneOf(StepKindNames()) + " in this step");
      }
      return std::nullopt;
    }
    for (std::size_t i = 1; i < kind_keys.size(); ++i) {
      doc_.Error(kind_keys[i], "more than one step kind", scenario::Describe(kind_keys[i]),
                 "one kind per step (this step is already a `" + kind_keys[0].Text() + "`)");
    }
    const StepKindSpec* kind = FindKind(kind_keys[0].Text());
    *kind_out = kind;

    Step step;
    step.kind = kind->kind;
    step.loc = doc_.Loc(n);
    Node body = *m.Get(kind->name);
    ExpectRules rules{kind->name, kind->expects, services_, StepsTaking};
    switch (kind->kind) {
      case Step::Kind::kRequest:
        if (auto r = ReadRequestStep(doc_, body, scope)) step.body = std::move(*r);
        break;
      case Step::Kind::kReplay:
        if (auto r = ReadReplayStep(doc_, body, saved, any_replayable)) {
          step.body = std::move(*r);
        }
        break;
      case Step::Kind::kRace:
        if (auto r = ReadRaceStep(doc_, body, scope, saved, any_replayable, services_)) {
          step.body = std::move(*r);
        }
        break;
      case Step::Kind::kWait:
        if (auto w = ReadWaitStep(doc_, body, scope)) step.body = std::move(*w);
        break;
      case Step::Kind::kReceived:
        if (auto r = ReadReceivedStep(doc_, body, scope, services_)) {
          step.body = std::move(*r);
        }
        break;
      case Step::Kind::kToken:
        // The expectations follow the token's kind even when its body has mistakes.
        if (HasKey(body, "mint") && !HasKey(body, "fetch")) {
          rules = {"token: mint", kMintExpects, services_, StepsTaking};
        } else if (HasKey(body, "fetch") && !HasKey(body, "mint")) {
          rules.step = "token: fetch";
        }
        if (auto t = ReadTokenStep(doc_, body, scope, services_)) {
          step.body = std::move(*t);
        }
        break;
      case Step::Kind::kMock:
        if (auto k = ReadMockStep(doc_, body, scope, services_)) step.body = std::move(*k);
        break;
      case Step::Kind::kClock:
        if (auto c = ReadClockStep(doc_, body)) step.body = *c;
        break;
      case Step::Kind::kNotify:
        if (auto s = ReadNotifyStep(doc_, body, scope, services_)) step.body = std::move(*s);
        break;
    }

    NameScope expect_scope = scope;
    if (auto s = m.Get("save")) {
      if (!kind->can_save) {
        doc_.Error(*m.KeyNode("save"), "a `" + kind->name + "` step cannot `save`");
      } else if (auto name = scenario::ReadIdentifier(doc_, *s, "save")) {
        if (scenario::CheckNewName(doc_, *s, *name, "saved name", scope.names)) {
          step.save = *name;
          *save_out = *name;
          expect_scope.names.push_back(*name);  // an expectation may refer to its own step
        }
      }
    }
    if (auto e = m.Get("expect")) {
      if (kind->expects.empty()) {
        doc_.Error(*m.KeyNode("expect"), "a `" + kind->name + "` step takes no `expect`");
      } else if (auto ex = ReadExpect(doc_, *e, expect_scope, rules)) {
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

  static std::string OneOf(const std::vector<std::string>& names) { return scenario::OneOf(names); }

  // A key that is neither a step kind nor save/expect: a misspelt kind when the step has
  // no kind yet (or the key looks like one), otherwise a misspelt save/expect.
  void ReportUnknownStepKeys(const MapReader& m, bool no_kind) {
    std::vector<std::string> kinds = StepKindNames();
    std::vector<std::string> others = {"save", "expect"};
    for (const auto& [k, v] : m.unknown()) {
      std::string name = k.Text();
      std::string as_kind = ClosestMatch(name, kinds);
      std::string as_other = ClosestMatch(name, others);
      if (as_other.empty() && (no_kind || !as_kind.empty())) {
        doc_.Error(k, "unknown step kind `" + name + "`", scenario::Describe(k),
                   OneOf(StepKindNames()), scenario::DidYouMean(name, kinds));
      } else {
        std::vector<std::string> allowed = no_kind ? StepKindNames() : std::vector<std::string>{};
        allowed.insert(allowed.end(), others.begin(), others.end());
        doc_.Error(k, "unknown key `" + name + "`", scenario::Describe(k), OneOf(allowed),
                   scenario::DidYouMean(name, allowed));
      }
    }
  }

 private:
  Document& doc_;
  const std::vector<std::string>& services_;  // the suite's `requires`
};

}  // namespace

void ReadSteps(Document& doc, const Node& steps, const NameScope& scope,
               const std::vector<std::string>& requires_services, std::vector<Step>& out) {
  StepsReader(doc, requires_services).Read(steps, scope, out);
}

}  // namespace tollgate::scenario
