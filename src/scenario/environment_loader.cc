// Environment files (docs/formats.md, Environments): mock services checked against the
// schema their kind registered (tollgate/scenario/service_schema.h; docs/mock-kinds.md). Strings
// may use ${env.NAME:-default}, evaluated here, so the model holds final values.

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "suite_parts.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/service_schema.h"
#include "tollgate/scenario/vocabulary.h"
#include "yaml_reader.h"

namespace tollgate {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::Node;

// The process environment; nothing else is visible to an environment file's templates.
class ProcessEnvScope : public Scope {
 public:
  StatusOr<std::string> Lookup(const std::vector<std::string>& path) const override {
    return NotFoundError("only env.NAME can be used in an environment file");
  }
  std::string NewUuid() const override { return ""; }  // refused by the loader's NameScope
  long long NowSeconds() const override { return 0; }  // likewise
  std::optional<std::string> Env(const std::string& name) const override {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  }
};

const scenario::NameScope& EnvOnlyScope() {
  static const scenario::NameScope kScope{
      {"env"}, false, "`env.NAME` (an environment file can only use environment variables)"};
  return kScope;
}

bool IsServiceName(const std::string& s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_')) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// Reads one environment file into `env_`. Borrows both.
class EnvironmentReader {
 public:
  EnvironmentReader(Document& doc, Environment& env) : doc_(doc), env_(env) {}

  void Read() {
    Node root = doc_.root();
    MapReader top(doc_, root, {"environment", "services", "default_target"}, "", true,
                  "a mapping with `environment:` and `services:`");
    if (!top.ok()) return;
    env_.loc = doc_.Loc(root);
    if (auto n = top.Require("environment")) {
      if (auto s = scenario::ReadString(doc_, *n, "environment")) env_.name = *s;
    }
    std::vector<std::string> names;
    if (auto n = top.Require("services")) {
      MapReader services(doc_, *n, {}, "services", true, "a mapping of service names to services");
      for (const auto& [k, v] : services.entries()) {
        if (k.IsScalar()) all_names_.push_back(k.Text());
        if (k.IsScalar()) all_kinds_.push_back(KindOf(v));
      }
      for (const auto& [k, v] : services.entries()) {
        std::optional<std::string> name = scenario::ReadString(doc_, k, "services");
        if (!name) continue;
        if (!IsServiceName(*name)) {
          doc_.Error(k, "invalid service name", scenario::Describe(k),
                     "a name of letters, digits, `_` and `-` that starts with a letter or `_`");
          continue;
        }
        names.push_back(*name);
        current_ = *name;
        std::string kind = ReadService(*name, k, v);
        declared_.emplace_back(*name, kind);
      }
    }
    if (auto n = top.Get("default_target")) {
      if (auto s = scenario::ReadString(doc_, *n, "default_target")) {
        if (std::find(names.begin(), names.end(), *s) == names.end()) {
          doc_.Error(*n, "unknown service `" + *s + "` in `default_target`", scenario::Describe(*n),
                     names.empty() ? "a service of this environment" : scenario::OneOf(names),
                     scenario::DidYouMean(*s, names));
        }
        env_.default_target = *s;
      }
    }
  }

 private:
  // Reads one service; returns its kind when the kind is known ("" otherwise).
  std::string ReadService(const std::string& name, const Node& key, const Node& n) {
    current_kind_.clear();
    MapReader m(doc_, n, {}, name, true, "a mapping with a `kind`");
    if (!m.ok()) return "";
    std::optional<Node> kind_node = m.Require("kind");
    if (!kind_node) return "";
    std::optional<std::string> kind = scenario::ReadString(doc_, *kind_node, "kind");
    if (!kind) return "";
    std::shared_ptr<const ServiceKindSpec> spec = FindServiceKind(*kind);
    if (!spec) {
      std::vector<std::string> known = ServiceKindNames();
      if (known.empty()) {
        // Kinds are registered by their owner (the mocks module) before loading; a program
        // that forgot must not accept every service unchecked.
        doc_.Error(*kind_node, "unknown service kind `" + *kind + "`",
                   scenario::Describe(*kind_node), "a registered mock kind",
                   "no mock kind is registered: this program must call RegisterVocabularies() "
                   "before it loads an environment");
      } else {
        doc_.Error(*kind_node, "unknown service kind `" + *kind + "`",
                   scenario::Describe(*kind_node), scenario::OneOf(known),
                   scenario::DidYouMean(*kind, known));
      }
      return "";
    }
    current_kind_ = *kind;

    std::vector<FieldSpec> fields = CommonServiceFields();
    fields.insert(fields.end(), spec->fields.begin(), spec->fields.end());
    std::vector<std::string> allowed = {"kind", "faults"};
    for (const FieldSpec& f : fields) allowed.push_back(f.name);

    ServiceDecl s;
    s.name = name;
    s.kind = *kind;
    s.loc = doc_.Loc(key);
    s.config = nlohmann::json::object();
    int before = doc_.errors();
    for (const auto& [k, v] : m.entries()) {
      std::string field = k.Text();
      if (field == "kind") continue;
      if (field == "faults") {
        if (auto l = scenario::ReadStringList(doc_, v, "faults", false)) {
          s.faults = *l;
          for (const Node& item : scenario::Items(v)) {
            scenario::CheckTerm(doc_, item, "faults", vocabulary::Faults(*kind),
                                scenario::NameScope{});
          }
        }
        continue;
      }
      auto f = std::find_if(fields.begin(), fields.end(),
                            [&](const FieldSpec& spec) { return spec.name == field; });
      if (f == fields.end()) {
        doc_.Error(k, "unknown key `" + field + "` for a `" + *kind + "` service",
                   scenario::Describe(k), scenario::OneOf(allowed),
                   scenario::DidYouMean(field, allowed));
        continue;
      }
      if (std::optional<nlohmann::json> value = ReadField(*f, v)) s.config[field] = *value;
    }
    CheckRequired(m, fields);
    if (doc_.errors() == before) env_.services.push_back(std::move(s));
    return *kind;
  }

  void CheckRequired(MapReader& m, const std::vector<FieldSpec>& fields) {
    for (const FieldSpec& f : fields) {
      if (f.required) m.Require(f.name);
    }
  }

  std::optional<std::string> ReadEnvString(const Node& n, const std::string& key) {
    std::optional<Template> t = scenario::ReadTemplate(doc_, n, key, EnvOnlyScope());
    if (!t) return std::nullopt;
    StatusOr<std::string> v = t->Evaluate(ProcessEnvScope());
    if (!v.ok()) {
      doc_.Error(n, v.status().message(), scenario::Describe(n), "",
                 "set it, or give a default: ${env.NAME:-value}");
      return std::nullopt;
    }
    return *v;
  }

  std::optional<nlohmann::json> ReadField(const FieldSpec& f, const Node& v) {
    switch (f.type) {
      case FieldType::kString: {
        std::optional<std::string> s = ReadEnvString(v, f.name);
        if (!s || !CheckChoice(f, v, *s)) return std::nullopt;
        return nlohmann::json(*s);
      }
      case FieldType::kInt: {
        std::optional<long long> i = scenario::ReadInt(doc_, v, f.name, INT_MIN, INT_MAX);
        if (!i || !CheckChoice(f, v, std::to_string(*i))) return std::nullopt;
        return nlohmann::json(*i);
      }
      case FieldType::kDuration: {
        std::optional<std::string> s = ReadEnvString(v, f.name);
        if (!s) return std::nullopt;
        if (!ParseDuration(*s)) {
          doc_.Error(v, "invalid value for `" + f.name + "`", scenario::Describe(v),
                     "a duration such as 500ms, 2s, 1m or 1h");
          return std::nullopt;
        }
        return nlohmann::json(*s);
      }
      case FieldType::kServiceRef:
        return ReadServiceRef(f, v);
      case FieldType::kObject:
        return ReadObject(f.fields, f.name, v);
      case FieldType::kObjectList:
        return ReadObjectList(f, v);
      case FieldType::kStatusCode:
        return Int(scenario::ReadInt(doc_, v, f.name, 100, 599));
      case FieldType::kPort:
        return Int(scenario::ReadInt(doc_, v, f.name, 0, 65535));
      case FieldType::kPositiveInt:
        return Int(scenario::ReadInt(doc_, v, f.name, 1, INT_MAX));
      case FieldType::kBool: {
        std::optional<bool> b = scenario::ReadBool(doc_, v, f.name);
        if (!b) return std::nullopt;
        return nlohmann::json(*b);
      }
      case FieldType::kStringList: {
        if (!v.IsSeq()) {
          doc_.Error(v, "invalid value for `" + f.name + "`", scenario::Describe(v),
                     "a list of strings");
          return std::nullopt;
        }
        nlohmann::json arr = nlohmann::json::array();
        bool ok = true;
        for (const Node& item : scenario::Items(v)) {
          std::optional<std::string> s = ReadEnvString(item, f.name);
          if (s && !CheckChoice(f, item, *s)) s.reset();
          ok = ok && s.has_value();
          if (s) arr.push_back(*s);
        }
        if (!ok) return std::nullopt;
        return arr;
      }
      case FieldType::kStringMap:
      case FieldType::kObjectMap:
        return ReadMap(f, v);
    }
    return std::nullopt;
  }

  // A value of a field with `choices` must be one of them.
  bool CheckChoice(const FieldSpec& f, const Node& at, const std::string& value) {
    if (f.choices.empty() ||
        std::find(f.choices.begin(), f.choices.end(), value) != f.choices.end()) {
      return true;
    }
    // "did you mean `401`?" for 404 would be noise: numbers are not misspelt.
    std::string help = f.type == FieldType::kInt ? "" : scenario::DidYouMean(value, f.choices);
    for (const Term& r : f.refused) {
      if (r.name == value) help = r.summary;
    }
    doc_.Error(at, "invalid value for `" + f.name + "`", scenario::Describe(at),
               scenario::OneOf(f.choices), help);
    return false;
  }

  // The name of a service declared above the one being read, of one of the kinds
  // `f.choices`: services start in file order, so a service can only use earlier ones.
  std::optional<nlohmann::json> ReadServiceRef(const FieldSpec& f, const Node& v) {
    std::optional<std::string> name = scenario::ReadString(doc_, v, f.name);
    if (!name) return std::nullopt;
    std::string kinds;
    for (const std::string& k : f.choices) kinds += (kinds.empty() ? "`" : " or `") + k + "`";
    std::vector<std::string> candidates;
    for (const auto& [n, kind] : declared_) {
      if (std::find(f.choices.begin(), f.choices.end(), kind) != f.choices.end()) {
        candidates.push_back(n);
      }
    }
    std::string expected = candidates.empty()
                               ? "a service of kind " + kinds + " declared above `" + current_ + "`"
                               : scenario::OneOf(candidates) + " (services of kind " + kinds +
                                     " declared above `" + current_ + "`)";
    std::vector<std::pair<std::string, std::string>> known = declared_;
    known.emplace_back(current_, current_kind_);
    auto it =
        std::find_if(known.begin(), known.end(), [&](const auto& d) { return d.first == *name; });
    if (it == known.end()) {
      bool later = std::find(all_names_.begin(), all_names_.end(), *name) != all_names_.end();
      if (later) {
        doc_.Error(v, "service `" + *name + "` is declared after `" + current_ + "`",
                   scenario::Describe(v), expected,
                   "services start in file order: move `" + *name + "` above `" + current_ + "`");
      } else {
        std::string help = scenario::DidYouMean(*name, all_names_);
        if (help.empty() && candidates.empty()) help = MoveAboveHelp(f);
        doc_.Error(v, "unknown service `" + *name + "` in `" + f.name + "`", scenario::Describe(v),
                   expected, help);
      }
      return std::nullopt;
    }
    // A service whose kind is unknown has its own error already.
    if (!it->second.empty() &&
        std::find(f.choices.begin(), f.choices.end(), it->second) == f.choices.end()) {
      doc_.Error(v, "service `" + *name + "` is not of kind " + kinds,
                 scenario::Describe(v) + " (kind `" + it->second + "`)", expected,
                 candidates.empty() ? MoveAboveHelp(f) : "");
      return std::nullopt;
    }
    return nlohmann::json(*name);
  }

  // When a service of a kind `f` may name is declared below the current one: how to fix it.
  std::string MoveAboveHelp(const FieldSpec& f) const {
    auto self = std::find(all_names_.begin(), all_names_.end(), current_);
    if (self == all_names_.end()) return "";
    for (std::size_t i = self - all_names_.begin() + 1; i < all_names_.size(); ++i) {
      if (std::find(f.choices.begin(), f.choices.end(), all_kinds_[i]) == f.choices.end()) {
        continue;
      }
      return "`" + all_names_[i] + "` (kind `" + all_kinds_[i] +
             "`) is declared below; services start in file order: move it above `" + current_ + "`";
    }
    return "";
  }

  // The `kind:` text of a service's mapping, or "" (read before the services, to say where
  // a fitting service is when a reference points the wrong way).
  static std::string KindOf(const Node& service) {
    if (!service.IsMap()) return "";
    for (const auto& kv : service.y) {
      if (kv.first.IsScalar() && kv.first.Scalar() == "kind" && kv.second.IsScalar()) {
        return kv.second.Scalar();
      }
    }
    return "";
  }

  // A list of mappings; `f.unique` names a field whose values must all differ (key ids).
  std::optional<nlohmann::json> ReadObjectList(const FieldSpec& f, const Node& v) {
    if (!v.IsSeq()) {
      doc_.Error(v, "invalid value for `" + f.name + "`", scenario::Describe(v),
                 "a list of mappings");
      return std::nullopt;
    }
    nlohmann::json arr = nlohmann::json::array();
    bool ok = true;
    std::vector<std::pair<std::string, int>> seen;  // unique value -> line
    for (const Node& item : scenario::Items(v)) {
      std::optional<nlohmann::json> obj = ReadObject(f.fields, f.name, item);
      if (!obj) {
        ok = false;
        continue;
      }
      if (!f.unique.empty() && obj->contains(f.unique) && (*obj)[f.unique].is_string()) {
        std::string value = (*obj)[f.unique].get<std::string>();
        Node at = ValueOf(item, f.unique);
        auto first =
            std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == value; });
        if (first != seen.end()) {
          doc_.Error(at, "duplicate " + f.unique + " `" + value + "` in `" + f.name + "`",
                     "`" + value + "` again", "a " + f.unique + " unique in `" + f.name + "`",
                     "the first `" + value + "` is on line " + std::to_string(first->second));
          ok = false;
          continue;
        }
        seen.emplace_back(value, at.mark.line + 1);
      }
      arr.push_back(*obj);
    }
    if (!ok) return std::nullopt;
    return arr;
  }

  // The value under `key` of a mapping that has it (checked by the caller).
  static Node ValueOf(const Node& map, const std::string& key) {
    for (const auto& kv : map.y) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) {
        return Node{kv.second, kv.second.Mark().line < 0 ? map.mark : kv.second.Mark()};
      }
    }
    return map;
  }

  static std::optional<nlohmann::json> Int(std::optional<long long> v) {
    if (!v) return std::nullopt;
    return nlohmann::json(*v);
  }

  std::optional<nlohmann::json> ReadMap(const FieldSpec& f, const Node& v) {
    bool objects = f.type == FieldType::kObjectMap;
    MapReader m(doc_, v, {}, f.name, true,
                objects ? "a mapping of names to mappings" : "a mapping of names to strings");
    if (!m.ok()) return std::nullopt;
    nlohmann::json obj = nlohmann::json::object();
    bool ok = true;
    for (const auto& [k, item] : m.entries()) {
      std::optional<std::string> name = scenario::ReadString(doc_, k, f.name);
      if (!name) {
        ok = false;
        continue;
      }
      std::optional<nlohmann::json> value;
      if (objects) {
        value = ReadObject(f.fields, *name, item);
      } else if (std::optional<std::string> s = ReadEnvString(item, *name)) {
        value = nlohmann::json(*s);
      }
      if (value) {
        obj[*name] = *value;
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return obj;
  }

  std::optional<nlohmann::json> ReadObject(const std::vector<FieldSpec>& fields,
                                           const std::string& key, const Node& v) {
    std::vector<std::string> allowed;
    for (const FieldSpec& f : fields) allowed.push_back(f.name);
    MapReader m(doc_, v, allowed, key);
    if (!m.ok()) return std::nullopt;
    int before = doc_.errors();
    nlohmann::json obj = nlohmann::json::object();
    for (const FieldSpec& f : fields) {
      std::optional<Node> n = f.required ? m.Require(f.name) : m.Get(f.name);
      if (!n) continue;
      if (std::optional<nlohmann::json> value = ReadField(f, *n)) obj[f.name] = *value;
    }
    if (doc_.errors() > before) return std::nullopt;
    return obj;
  }

  Document& doc_;
  Environment& env_;
  std::vector<std::string> all_kinds_;  // their `kind:` text ("" when not a string)
  std::vector<std::string> all_names_;  // every service key, in order
  std::vector<std::pair<std::string, std::string>> declared_;  // services read: name -> kind
  std::string current_;                                        // the service being read
  std::string current_kind_;                                   // its kind, once known
};

}  // namespace

std::optional<Environment> ParseEnvironment(const std::string& text, const std::string& path,
                                            Diagnostics& diags) {
  Document doc(path, text, diags);
  if (!doc.Parse()) return std::nullopt;
  Environment env;
  env.file = path;
  EnvironmentReader(doc, env).Read();
  if (doc.errors() > 0) return std::nullopt;
  return env;
}

}  // namespace tollgate
