#include "yaml_reader.h"

#include <algorithm>
#include <climits>

#include "tollgate/scenario/loader.h"

namespace tollgate::scenario {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Title(const std::string& key) {
  return key.empty() ? "invalid document" : "invalid value for `" + key + "`";
}

// The mark of a value node, or `fallback` when yaml-cpp gave it none of its own.
YAML::Mark MarkOr(const YAML::Node& n, const YAML::Mark& fallback) {
  if (!n.IsDefined() || n.IsNull() || n.Mark().line < 0) return fallback;
  return n.Mark();
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsYamlInt(std::string_view t) {
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
  return AllDigits(t);
}

bool IsYamlFloat(std::string_view t) {
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
  std::size_t e = t.find_first_of("eE");
  std::string_view mantissa = t.substr(0, e);
  if (e != std::string_view::npos) {
    std::string_view exp = t.substr(e + 1);
    if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.remove_prefix(1);
    if (!AllDigits(exp)) return false;
  }
  std::size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos) return AllDigits(mantissa) && e != std::string_view::npos;
  std::string_view whole = mantissa.substr(0, dot), frac = mantissa.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  return (whole.empty() || AllDigits(whole)) && (frac.empty() || AllDigits(frac));
}

// True for [A-Za-z_][A-Za-z0-9_]*: names that templates can refer to.
bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  auto name_start = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!name_start(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return name_start(c) || (c >= '0' && c <= '9'); });
}

// A plain scalar resolved the YAML way (null, bool, integer, float, else string); a
// quoted one is always a string.
nlohmann::json ScalarToJson(const Node& n) {
  if (n.IsNull()) return nullptr;
  std::string t = n.Text();
  if (!n.IsPlain()) return t;
  if (t == "~" || t == "null" || t == "Null" || t == "NULL") return nullptr;
  if (t == "true" || t == "True" || t == "TRUE") return true;
  if (t == "false" || t == "False" || t == "FALSE") return false;
  if (IsYamlInt(t) && t.size() <= 18) return std::stoll(t);
  if (IsYamlFloat(t)) return std::stod(t);
  return t;
}

// The paths the runner resolves itself under the reserved roots `dpop` and `pki`: "" when
// `path` has one of their shapes, else the shapes expected, and in `last` what the last
// segment could be (for a did-you-mean).
std::string ReservedPathShape(const std::vector<std::string>& path,
                              std::vector<std::string>& last) {
  if (path[0] == "dpop") {
    last = {"jkt", "jwk"};
    if (path.size() == 3 && Contains(last, path[2])) return "";
    return "`dpop.KEY.jkt` or `dpop.KEY.jwk`";
  }
  if (path[0] == "pki") {
    last = {"x5t_s256", "issuer_x5t_s256", "bundle"};
    if ((path.size() == 3 && path[2] != "bundle" && Contains(last, path[2])) ||
        (path.size() == 4 && path[2] == "bundle")) {
      return "";
    }
    return "`pki.IDENTITY.bundle.NAME`, `pki.IDENTITY.x5t_s256` or "
           "`pki.IDENTITY.issuer_x5t_s256`";
  }
  return "";
}

// Checks a parsed template's names and functions against `scope`; reports each problem.
bool CheckNames(Document& doc, const Node& n, const Template& t, const NameScope& scope) {
  bool ok = true;
  for (const auto& [root, offset] : t.Roots()) {
    if (Contains(scope.names, root)) continue;
    auto [loc, length] = doc.Span(n, offset, static_cast<int>(root.size()));
    doc.ErrorAt(loc, length, "unknown name `" + root + "` in template", "`" + root + "`",
                scope.expected.empty() ? OneOf(scope.names) : scope.expected,
                DidYouMean(root, scope.names));
    ok = false;
  }
  for (const auto& [path, offset] : t.Paths()) {
    if (!Contains(scope.names, path[0])) continue;  // reported above
    std::vector<std::string> last;
    std::string shape = ReservedPathShape(path, last);
    if (shape.empty()) continue;
    std::string text = path[0];
    for (std::size_t i = 1; i < path.size(); ++i) text += "." + path[i];
    auto [loc, length] = doc.Span(n, offset, static_cast<int>(text.size()));
    doc.ErrorAt(loc, length, "invalid `" + path[0] + "` path in template", "`" + text + "`", shape,
                path.size() > 2 ? DidYouMean(path.back(), last) : "");
    ok = false;
  }
  if (!scope.allow_clock_functions) {
    for (const auto& [fn, offset] : t.Functions()) {
      if (fn != "uuid" && fn != "now") continue;
      auto [loc, length] = doc.Span(n, offset, static_cast<int>(fn.size()));
      doc.ErrorAt(loc, length, "function `" + fn + "()` is not allowed here", "`" + fn + "()`",
                  "values known when the file loads: `env.NAME` or `base64(...)`");
      ok = false;
    }
  }
  return ok;
}

std::optional<Template> ParseTemplateText(Document& doc, const Node& n, const NameScope& scope) {
  const std::string text = n.Text();
  TemplateError err;
  StatusOr<Template> t = Template::Parse(text, doc.Span(n, 0, 0).first, &err);
  if (!t.ok()) {
    auto [loc, length] = doc.Span(n, err.expr_offset, err.expr_length);
    doc.ErrorAt(loc, length, "invalid template", err.found, err.expected, err.help);
    return std::nullopt;
  }
  if (!CheckNames(doc, n, *t, scope)) return std::nullopt;
  return std::move(t).value();
}

// At most this many nodes in one value once YAML aliases are expanded: a "billion laughs"
// document of a few hundred bytes would otherwise expand into gigabytes.
constexpr std::size_t kMaxValueNodes = 100000;
// At most this many levels of nesting. An alias used inside its own anchor's node
// (`a: &a [*a]`) makes yaml-cpp build a cycle, which the node budget alone would follow
// deeper than the stack allows.
constexpr int kMaxValueDepth = 64;

// JSON of any node; strings are checked as templates. Sets `ok` false on any problem;
// `budget` counts down the nodes still allowed (see kMaxValueNodes); 0 stops the walk.
nlohmann::json ToJson(Document& doc, const Node& n, const NameScope& scope, bool& ok,
                      std::size_t& budget, int depth = 0) {
  if (budget == 0) return nullptr;  // already reported
  if (--budget == 0) {
    doc.Error(n, "value too large",
              "more than " + std::to_string(kMaxValueNodes) + " nodes once aliases are expanded",
              "a smaller value (YAML aliases count once per use)");
    ok = false;
    return nullptr;
  }
  if (depth > kMaxValueDepth) {
    doc.Error(n, "value nested too deeply",
              "more than " + std::to_string(kMaxValueDepth) +
                  " levels of nesting (or an alias inside its own anchor)",
              "a flatter value");
    ok = false;
    budget = 0;
    return nullptr;
  }
  if (n.IsMap()) {
    nlohmann::json obj = nlohmann::json::object();
    MapReader map(doc, n, {}, "", /*report_unknown=*/false);
    for (const auto& [k, v] : map.entries()) {
      if (!k.IsScalar()) {
        doc.Error(k, "invalid key", Describe(k), "a string");
        ok = false;
        continue;
      }
      obj[k.Text()] = ToJson(doc, v, scope, ok, budget, depth + 1);
      if (budget == 0) return nullptr;
    }
    return obj;
  }
  if (n.IsSeq()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const Node& item : Items(n)) {
      arr.push_back(ToJson(doc, item, scope, ok, budget, depth + 1));
      if (budget == 0) return nullptr;
    }
    return arr;
  }
  nlohmann::json value = ScalarToJson(n);
  if (value.is_string() && !ParseTemplateText(doc, n, scope)) ok = false;
  return value;
}

}  // namespace

Document::Document(std::string path, std::string text, Diagnostics& diags)
    : path_(std::move(path)), text_(std::move(text)), diags_(diags) {
  std::string_view all(text_);
  while (true) {
    std::size_t nl = all.find('\n');
    std::string_view line = all.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines_.push_back(line);
    if (nl == std::string_view::npos) break;
    all.remove_prefix(nl + 1);
  }
}

bool Document::Parse() {
  try {
    root_ = YAML::Load(text_);
    return true;
  } catch (const YAML::ParserException& e) {
    ErrorAt(SourceLoc{path_, e.mark.line + 1, e.mark.column + 1}, 1, "invalid YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    ErrorAt(SourceLoc{path_, e.mark.line + 1, e.mark.column + 1}, 1, "invalid YAML: " + e.msg);
  }
  return false;
}

Node Document::root() const {
  YAML::Mark top;  // line 0, column 0
  return Node{root_, MarkOr(root_, top)};
}

std::string_view Document::Line(int line0) const {
  if (line0 < 0 || line0 >= static_cast<int>(lines_.size())) return {};
  return lines_[line0];
}

SourceLoc Document::Loc(const Node& n) const {
  if (n.mark.line < 0) return SourceLoc{path_, 0, 0};
  return SourceLoc{path_, n.mark.line + 1, n.mark.column + 1};
}

int Document::Length(const Node& n) const {
  if (!n.IsScalar() || n.mark.line < 0) return 1;
  std::string_view line = Line(n.mark.line);
  std::size_t col = n.mark.column;
  if (col >= line.size()) return 1;
  const std::string value = n.Text();
  if (n.IsPlain()) {
    return line.substr(col).starts_with(value) && !value.empty() ? static_cast<int>(value.size())
                                                                 : 1;
  }
  char quote = line[col];
  if (quote != '\'' && quote != '"') return 1;  // block scalar: point at its indicator
  for (std::size_t i = col + 1; i < line.size(); ++i) {
    if (quote == '"' && line[i] == '\\') {
      ++i;
    } else if (quote == '\'' && line[i] == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
      ++i;
    } else if (line[i] == quote) {
      return static_cast<int>(i - col + 1);
    }
  }
  return 1;
}

std::pair<SourceLoc, int> Document::Span(const Node& n, int offset, int length) const {
  std::pair<SourceLoc, int> fallback{Loc(n), 1};
  if (!n.IsScalar() || n.mark.line < 0) return fallback;
  std::string_view line = Line(n.mark.line);
  std::size_t start = n.mark.column;
  if (!n.IsPlain()) {
    if (start >= line.size() || (line[start] != '\'' && line[start] != '"')) return fallback;
    ++start;
  }
  const std::string value = n.Text();
  std::size_t need = std::min(value.size(), static_cast<std::size_t>(offset + length));
  if (start > line.size() || line.substr(start, need) != std::string_view(value).substr(0, need)) {
    return fallback;
  }
  return {SourceLoc{path_, n.mark.line + 1, static_cast<int>(start) + offset + 1},
          std::max(length, 1)};
}

void Document::Error(const Node& at, std::string title, std::string found, std::string expected,
                     std::string help) {
  ErrorAt(Loc(at), Length(at), std::move(title), std::move(found), std::move(expected),
          std::move(help));
}

void Document::ErrorAt(SourceLoc loc, int length, std::string title, std::string found,
                       std::string expected, std::string help) {
  Diagnostic d;
  d.title = std::move(title);
  d.loc = std::move(loc);
  d.length = length;
  d.found = std::move(found);
  d.expected = std::move(expected);
  d.help = std::move(help);
  diags_.Add(std::move(d));
  ++errors_;
}

std::string Describe(const Node& n) {
  if (n.IsMap()) return "a mapping";
  if (n.IsSeq()) return "a list";
  if (n.IsNull()) return "nothing";
  std::string text = n.Text();
  if (text.empty()) return "an empty string";
  std::size_t nl = text.find('\n');
  if (nl != std::string::npos || text.size() > 40) {
    text = text.substr(0, std::min<std::size_t>(nl, 40)) + "...";
  }
  return "`" + text + "`";
}

std::string OneOf(const std::vector<std::string>& names) {
  std::string out = "one of: ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best = ClosestMatch(word, candidates);
  return best.empty() ? "" : "did you mean `" + best + "`?";
}

std::vector<Node> Items(const Node& seq) {
  std::vector<Node> out;
  if (!seq.IsSeq()) return out;
  for (const YAML::Node& item : seq.y) out.push_back(Node{item, MarkOr(item, seq.mark)});
  return out;
}

MapReader::MapReader(Document& doc, const Node& node, std::vector<std::string> allowed,
                     const std::string& key, bool report_unknown, const std::string& expected)
    : doc_(doc), node_(node), allowed_(allowed) {
  if (!node.IsMap()) {
    doc.Error(node, Title(key), Describe(node), expected);
    return;
  }
  ok_ = true;
  std::vector<std::pair<std::string, int>> seen;  // key -> line
  for (const auto& kv : node.y) {
    Node k{kv.first, MarkOr(kv.first, node.mark)};
    Node v{kv.second, MarkOr(kv.second, k.mark)};
    entries_.emplace_back(k, v);
    std::string name = k.Text();
    // An empty `allowed` accepts any key (free-form mappings such as headers).
    if (!allowed.empty() && !Contains(allowed, name)) {
      unknown_.emplace_back(k, v);
      std::string close = ClosestMatch(name, allowed);
      if (!close.empty()) suggested_.push_back(close);
      if (report_unknown) {
        doc.Error(k, "unknown key `" + name + "`", Describe(k), OneOf(allowed),
                  close.empty() ? "" : "did you mean `" + close + "`?");
      }
      continue;
    }
    auto dup =
        std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == name; });
    if (dup != seen.end()) {
      doc.Error(k, "duplicate key `" + name + "`", "a second `" + name + "`",
                "each key at most once",
                "the first `" + name + "` is on line " + std::to_string(dup->second));
      continue;
    }
    seen.emplace_back(name, k.mark.line + 1);
  }
}

std::optional<Node> MapReader::Get(const std::string& key) const {
  if (!allowed_.empty() && !Contains(allowed_, key)) return std::nullopt;
  for (const auto& [k, v] : entries_) {
    if (k.IsScalar() && k.Text() == key) return v;
  }
  return std::nullopt;
}

std::optional<Node> MapReader::KeyNode(const std::string& key) const {
  if (!allowed_.empty() && !Contains(allowed_, key)) return std::nullopt;
  for (const auto& [k, v] : entries_) {
    if (k.IsScalar() && k.Text() == key) return k;
  }
  return std::nullopt;
}

std::optional<Node> MapReader::Require(const std::string& key) {
  if (!ok_) return std::nullopt;
  std::optional<Node> v = Get(key);
  // A misspelt key already got a "did you mean" for this one: one error is enough.
  if (!v && !Contains(suggested_, key)) {
    doc_.Error(node_, "missing required key `" + key + "`", "", "`" + key + "` in this mapping");
  }
  return v;
}

std::optional<std::string> ReadString(Document& doc, const Node& n, const std::string& key) {
  if (!n.IsScalar()) {
    doc.Error(n, Title(key), Describe(n), "a string");
    return std::nullopt;
  }
  return n.Text();
}

std::optional<long long> ReadInt(Document& doc, const Node& n, const std::string& key,
                                 long long min, long long max) {
  std::string expected =
      max == LLONG_MAX ? "an integer of at least " + std::to_string(min)
                       : "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  std::string text = n.Text();
  if (!n.IsScalar() || !IsYamlInt(text) || text.size() > 18) {
    doc.Error(n, Title(key), Describe(n), expected);
    return std::nullopt;
  }
  long long v = std::stoll(text);
  if (v < min || v > max) {
    doc.Error(n, Title(key), Describe(n), expected);
    return std::nullopt;
  }
  return v;
}

std::optional<bool> ReadBool(Document& doc, const Node& n, const std::string& key) {
  std::string t = n.Text();
  if (n.IsScalar() && (t == "true" || t == "True" || t == "TRUE")) return true;
  if (n.IsScalar() && (t == "false" || t == "False" || t == "FALSE")) return false;
  doc.Error(n, Title(key), Describe(n), "`true` or `false`");
  return std::nullopt;
}

std::optional<Duration> ReadDuration(Document& doc, const Node& n, const std::string& key) {
  std::optional<Duration> d = n.IsScalar() ? ParseDuration(n.Text()) : std::nullopt;
  if (!d) doc.Error(n, Title(key), Describe(n), "a duration such as 500ms, 2s, 1m or 1h");
  return d;
}

std::optional<Duration> ReadSignedDuration(Document& doc, const Node& n, const std::string& key) {
  std::optional<Duration> d = n.IsScalar() ? ParseSignedDuration(n.Text()) : std::nullopt;
  if (!d)
    doc.Error(n, Title(key), Describe(n),
              "a duration with an optional sign, such as -5m, 90s or +2h");
  return d;
}

std::optional<std::vector<std::string>> ReadStringList(Document& doc, const Node& n,
                                                       const std::string& key, bool non_empty) {
  if (!n.IsSeq()) {
    doc.Error(n, Title(key), Describe(n), "a list of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const Node& item : Items(n)) {
    std::optional<std::string> s = ReadString(doc, item, key);
    if (s) {
      out.push_back(*s);
    } else {
      ok = false;
    }
  }
  if (ok && non_empty && out.empty()) {
    doc.Error(n, Title(key), "an empty list", "at least one item");
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> ReadIdentifier(Document& doc, const Node& n, const std::string& key) {
  if (!n.IsScalar() || !IsIdentifier(n.Text())) {
    doc.Error(n, Title(key), Describe(n),
              "a name of letters, digits and `_` that does not start with a digit");
    return std::nullopt;
  }
  return n.Text();
}

std::optional<Template> ReadTemplate(Document& doc, const Node& n, const std::string& key,
                                     const NameScope& scope) {
  if (!n.IsScalar()) {
    doc.Error(n, Title(key), Describe(n), "a string");
    return std::nullopt;
  }
  return ParseTemplateText(doc, n, scope);
}

std::optional<TemplatedValue> ReadTemplatedValue(Document& doc, const Node& n,
                                                 const std::string& key, const NameScope& scope) {
  bool ok = true;
  TemplatedValue v;
  std::size_t budget = kMaxValueNodes;
  v.value = ToJson(doc, n, scope, ok, budget);
  v.loc = doc.Loc(n);
  if (!ok) return std::nullopt;
  return v;
}

}  // namespace tollgate::scenario
