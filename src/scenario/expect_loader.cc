// `expect:` mappings: status patterns, matchers (RE2 patterns compiled at load), TLS,
// alternatives, durations, journal counts and tokens.

#include <re2/re2.h>

#include <algorithm>

#include "suite_parts.h"
#include "tls_expect_loader.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::scenario {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::NameScope;
using scenario::Node;

const char kStatusExpected[] = "a status code (e.g. 200) or class (e.g. 4xx)";
const char kMatcherExpected[] =
    "a value, or a mapping with one of: equals, matches, contains, exists, not";

// Only used to read the text of templates without ${...}: nothing to look up.
class NoScope : public Scope {
 public:
  StatusOr<std::string> Lookup(const std::vector<std::string>& path) const override {
    return NotFoundError("no names at load time");
  }
  std::string NewUuid() const override { return ""; }
  long long NowSeconds() const override { return 0; }
  std::optional<std::string> Env(const std::string& name) const override { return std::nullopt; }
};

std::optional<StatusExpect> ReadStatus(Document& doc, const Node& n, const std::string& key,
                                       const NameScope& scope) {
  StatusExpect s;
  s.loc = doc.Loc(n);
  std::vector<Node> items = n.IsSeq() ? scenario::Items(n) : std::vector<Node>{n};
  if (n.IsMap() || (n.IsSeq() && items.empty()) || n.IsNull()) {
    doc.Error(n, "invalid value for `" + key + "`",
              n.IsSeq() ? "an empty list" : scenario::Describe(n),
              std::string(kStatusExpected) + ", or a list of them");
    return std::nullopt;
  }
  bool ok = true;
  for (const Node& item : items) {
    if (item.IsScalar() && item.Text().find("${") != std::string::npos) {
      // A setting of the target, e.g. the Gateway's 401-or-403 for unassigned types.
      std::optional<TemplatedValue> v = scenario::ReadTemplatedValue(doc, item, key, scope);
      if (!v) {
        ok = false;
        continue;
      }
      s.any_of.push_back(StatusPattern{0, 0, item.Text()});
      continue;
    }
    std::optional<StatusPattern> p =
        item.IsScalar() ? StatusPattern::Parse(item.Text()) : std::nullopt;
    if (!p) {
      doc.Error(item, "invalid value for `" + key + "`", scenario::Describe(item), kStatusExpected);
      ok = false;
      continue;
    }
    s.any_of.push_back(*p);
  }
  if (!ok) return std::nullopt;
  return s;
}

std::optional<Matcher> ReadMatcher(Document& doc, const Node& n, const std::string& key,
                                   const NameScope& scope) {
  Matcher m;
  m.loc = doc.Loc(n);
  if (n.IsScalar()) {
    std::optional<TemplatedValue> v = scenario::ReadTemplatedValue(doc, n, key, scope);
    if (!v) return std::nullopt;
    m.operand = std::move(*v);
    return m;
  }
  if (!n.IsMap()) {
    doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n), kMatcherExpected);
    return std::nullopt;
  }
  MapReader r(doc, n, {"equals", "matches", "contains", "exists", "not"}, key);
  if (!r.ok()) return std::nullopt;
  if (r.entries().size() != 1) {
    if (r.unknown().empty()) {
      doc.Error(n, "invalid matcher", r.entries().empty() ? "an empty mapping" : "several keys",
                "exactly one of: equals, matches, contains, exists, not");
    }
    return std::nullopt;
  }
  const auto& [k, v] = r.entries().front();
  const std::string op = k.Text();
  if (op == "not") {
    std::optional<Matcher> inner = ReadMatcher(doc, v, "not", scope);
    if (!inner) return std::nullopt;
    inner->negated = !inner->negated;
    inner->loc = m.loc;
    return inner;
  }
  if (op == "exists") {
    std::optional<bool> b = scenario::ReadBool(doc, v, "exists");
    if (!b) return std::nullopt;
    m.kind = Matcher::Kind::kExists;
    m.operand = TemplatedValue{*b, doc.Loc(v)};
    return m;
  }
  if (op == "equals") {
    std::optional<TemplatedValue> val = scenario::ReadTemplatedValue(doc, v, "equals", scope);
    if (!val) return std::nullopt;
    m.operand = std::move(*val);
    return m;
  }
  // matches, contains: a string operand.
  std::optional<Template> t = scenario::ReadTemplate(doc, v, op, scope);
  if (!t) return std::nullopt;
  m.kind = op == "matches" ? Matcher::Kind::kMatches : Matcher::Kind::kContains;
  m.operand = TemplatedValue{t->raw(), doc.Loc(v)};
  if (m.kind == Matcher::Kind::kMatches && t->is_literal()) {
    // Patterns with ${...} are compiled when the runner has their values.
    StatusOr<std::string> text = t->Evaluate(NoScope());
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(text.ok() ? *text : t->raw(), options);
    if (!re.ok()) {
      // RE2's message already quotes the offending part of the pattern.
      doc.Error(v, "invalid regular expression: " + re.error(), "",
                "an RE2 pattern (https://github.com/google/re2/wiki/Syntax)");
      return std::nullopt;
    }
  }
  return m;
}

std::optional<std::vector<std::pair<std::string, Matcher>>> ReadMatcherMap(
    Document& doc, const Node& n, const std::string& key, const NameScope& scope, bool pointers) {
  MapReader r(
      doc, n, {}, key, true,
      pointers ? "a mapping of JSON pointers to matchers" : "a mapping of names to matchers");
  if (!r.ok()) return std::nullopt;
  std::vector<std::pair<std::string, Matcher>> out;
  bool ok = true;
  for (const auto& [k, v] : r.entries()) {
    std::optional<std::string> name = scenario::ReadString(doc, k, key);
    if (name && pointers && !name->empty() && (*name)[0] != '/') {
      doc.Error(k, "invalid JSON pointer `" + *name + "`", scenario::Describe(k),
                "a JSON pointer such as /id or /items/0/name (\"\" for the whole body)");
      name.reset();
    }
    std::optional<Matcher> m = ReadMatcher(doc, v, name ? *name : key, scope);
    if (!name || !m) {
      ok = false;
      continue;
    }
    out.emplace_back(*name, std::move(*m));
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<DurationExpect> ReadDurationExpect(Document& doc, const Node& n) {
  DurationExpect d;
  d.loc = doc.Loc(n);
  if (n.IsScalar()) {
    std::string t = n.Text();
    char op = t.empty() ? '\0' : t[0];
    std::string rest = t.size() > 1 ? t.substr(1) : "";
    while (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
    std::optional<Duration> v = ParseDuration(rest);
    if ((op == '<' || op == '>') && v) {
      (op == '<' ? d.max : d.min) = v;
      return d;
    }
  }
  if (!n.IsMap()) {
    doc.Error(n, "invalid value for `duration`", scenario::Describe(n),
              "`< 500ms`, `> 1s` or a mapping with `min` and/or `max`");
    return std::nullopt;
  }
  MapReader r(doc, n, {"min", "max"}, "duration");
  if (auto v = r.Get("min")) d.min = scenario::ReadDuration(doc, *v, "min");
  if (auto v = r.Get("max")) d.max = scenario::ReadDuration(doc, *v, "max");
  if (r.ok() && r.entries().empty()) {
    doc.Error(n, "invalid value for `duration`", "an empty mapping", "`min` and/or `max`");
    return std::nullopt;
  }
  if (d.min && d.max && *d.min > *d.max) {
    doc.Error(*r.Get("max"), "invalid value for `max`", scenario::Describe(*r.Get("max")),
              "a duration of at least `min`");
  }
  return d;
}

std::optional<CountExpect> ReadCount(Document& doc, const Node& n) {
  CountExpect c;
  c.loc = doc.Loc(n);
  const long long kMax = 1'000'000'000;
  if (!n.IsMap()) {
    std::optional<long long> v = scenario::ReadInt(doc, n, "count", 0, kMax);
    if (!v) return std::nullopt;
    c.exactly = static_cast<int>(*v);
    return c;
  }
  MapReader r(doc, n, {"min", "max"}, "count");
  if (auto v = r.Get("min")) {
    if (auto i = scenario::ReadInt(doc, *v, "min", 0, kMax)) c.min = static_cast<int>(*i);
  }
  if (auto v = r.Get("max")) {
    if (auto i = scenario::ReadInt(doc, *v, "max", 0, kMax)) c.max = static_cast<int>(*i);
  }
  if (r.ok() && r.entries().empty()) {
    doc.Error(n, "invalid value for `count`", "an empty mapping", "`min` and/or `max`");
    return std::nullopt;
  }
  if (c.min && c.max && *c.min > *c.max) {
    doc.Error(*r.Get("max"), "invalid value for `max`", scenario::Describe(*r.Get("max")),
              "a count of at least `min`");
  }
  return c;
}

std::optional<TokenExpect> ReadTokenExpect(Document& doc, const Node& n,
                                           const std::vector<std::string>& requires_services) {
  static const std::vector<std::string> kKeys = {"claims", "max_lifetime", "algs", "kid_in"};
  MapReader r(doc, n, kKeys, "token");
  if (!r.ok()) return std::nullopt;
  if (r.entries().empty()) {
    doc.Error(n, "invalid value for `token`", "an empty mapping",
              "at least one of: claims, max_lifetime, algs, kid_in");
    return std::nullopt;
  }
  int before = doc.errors();
  TokenExpect t;
  t.loc = doc.Loc(n);
  if (auto v = r.Get("claims")) {
    if (auto l = scenario::ReadStringList(doc, *v, "claims", true)) t.claims = *l;
  }
  if (auto v = r.Get("max_lifetime"))
    t.max_lifetime = scenario::ReadDuration(doc, *v, "max_lifetime");
  if (auto v = r.Get("algs")) {
    if (auto l = scenario::ReadStringList(doc, *v, "algs", true)) {
      // The algorithm names are crypto's (registered with the other vocabularies).
      std::shared_ptr<const Terms> algs = FindTerms(vocabulary::kJwsAlgorithm);
      std::vector<std::string> known = algs ? TermNames(*algs) : std::vector<std::string>{};
      std::vector<Node> items = scenario::Items(*v);
      for (std::size_t i = 0; algs && i < l->size(); ++i) {
        const std::string& alg = (*l)[i];
        if (std::find(known.begin(), known.end(), alg) != known.end()) continue;
        std::string help = scenario::DidYouMean(alg, known);
        if (alg == "none" || alg == "None" || alg == "NONE") {
          help = "an unsigned token (`none`) is never acceptable";
        }
        doc.Error(items[i], "invalid value for `algs`", scenario::Describe(items[i]),
                  scenario::OneOf(known), help);
      }
      t.algs = *l;
    }
  }
  if (auto v = r.Get("kid_in"))
    t.kid_in = ReadRequiredService(doc, *v, "kid_in", requires_services);
  if (doc.errors() > before) return std::nullopt;
  return t;
}

}  // namespace

std::optional<Expect> ReadExpect(Document& doc, const Node& node, const NameScope& scope,
                                 const ExpectRules& rules) {
  const std::vector<std::string>& keys = rules.keys;
  MapReader r(doc, node, keys, "expect", /*report_unknown=*/false);
  if (!r.ok()) return std::nullopt;
  int before = doc.errors();
  // An expectation that other step kinds take says which; anything else is a misspelling.
  for (const auto& [k, v] : r.unknown()) {
    std::string key = k.Text();
    std::string others = rules.taken_by ? rules.taken_by(key) : "";
    if (!others.empty()) {
      doc.Error(k, "a `" + rules.step + "` step cannot expect `" + key + "`", scenario::Describe(k),
                scenario::OneOf(keys), "`" + key + "` applies to " + others);
    } else {
      doc.Error(k, "unknown key `" + key + "`", scenario::Describe(k), scenario::OneOf(keys),
                scenario::DidYouMean(key, keys));
    }
  }
  Expect e;
  e.loc = doc.Loc(node);
  if (auto v = r.Get("status")) e.status = ReadStatus(doc, *v, "status", scope);
  if (auto v = r.Get("headers")) {
    if (auto m = ReadMatcherMap(doc, *v, "headers", scope, false)) e.headers = std::move(*m);
  }
  if (auto v = r.Get("json")) {
    if (auto m = ReadMatcherMap(doc, *v, "json", scope, true)) e.json = std::move(*m);
  }
  if (auto v = r.Get("body")) {
    for (const Node& item : v->IsSeq() ? scenario::Items(*v) : std::vector<Node>{*v}) {
      if (auto m = ReadMatcher(doc, item, "body", scope)) e.body.push_back(std::move(*m));
    }
  }
  if (auto v = r.Get("rejected")) {
    e.rejected = scenario::ReadBool(doc, *v, "rejected");
    e.rejected_loc = doc.Loc(*v);
  }
  if (auto v = r.Get("tls")) {
    e.tls = ReadTlsExpect(doc, *v);
  }
  if (auto v = r.Get("one_of")) {
    e.one_of_loc = doc.Loc(*v);
    if (!v->IsSeq() || v->y.size() == 0) {
      doc.Error(*v, "invalid value for `one_of`",
                v->IsSeq() ? "an empty list" : scenario::Describe(*v),
                "a list of at least one expectation mapping");
    } else {
      for (const Node& item : scenario::Items(*v)) {
        if (auto alt = ReadExpect(doc, item, scope, rules)) e.one_of.push_back(std::move(*alt));
      }
    }
  }
  if (auto v = r.Get("exactly_one")) e.exactly_one = ReadStatus(doc, *v, "exactly_one", scope);
  if (auto v = r.Get("duration")) e.duration = ReadDurationExpect(doc, *v);
  if (auto v = r.Get("count")) e.count = ReadCount(doc, *v);
  if (auto v = r.Get("token")) e.token = ReadTokenExpect(doc, *v, rules.requires_services);
  if (doc.errors() > before) return std::nullopt;
  return e;
}

}  // namespace tollgate::scenario
