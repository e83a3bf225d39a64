// Environment files (SPEC §6): mock services checked against their kind's schema
// (service_kinds.cc). Strings may use ${env.NAME:-default}, evaluated here, so the model
// holds final values.

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "service_kinds.h"
#include "tollgate/scenario/loader.h"
#include "yaml_reader.h"

namespace tollgate {
namespace {

using internal::FieldSpec;
using internal::FieldType;
using internal::ServiceKindSpec;
using yaml::Document;
using yaml::MapReader;
using yaml::Node;

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

const yaml::NameScope& EnvOnlyScope() {
  static const yaml::NameScope kScope{
      {"env"}, false, "`env.NAME` (an environment file can only use environment variables)"};
  return kScope;
}

std::vector<std::string> KindNames(bool supported_only) {
  std::vector<std::string> out;
  for (const ServiceKindSpec& k : internal::ServiceKinds()) {
    if (k.supported || !supported_only) out.push_back(k.kind);
  }
  return out;
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
      if (auto s = yaml::ReadString(doc_, *n, "environment")) env_.name = *s;
    }
    std::vector<std::string> names;
    if (auto n = top.Require("services")) {
      MapReader services(doc_, *n, {}, "services", true, "a mapping of service names to services");
      for (const auto& [k, v] : services.entries()) {
        std::optional<std::string> name = yaml::ReadString(doc_, k, "services");
        if (!name) continue;
        if (!IsServiceName(*name)) {
          doc_.Error(k, "invalid service name", yaml::Describe(k),
                     "a name of letters, digits, `_` and `-` that starts with a letter or `_`");
          continue;
        }
        names.push_back(*name);
        ReadService(*name, k, v);
      }
    }
    if (auto n = top.Get("default_target")) {
      if (auto s = yaml::ReadString(doc_, *n, "default_target")) {
        if (std::find(names.begin(), names.end(), *s) == names.end()) {
          doc_.Error(*n, "unknown service `" + *s + "` in `default_target`", yaml::Describe(*n),
                     names.empty() ? "a service of this environment" : yaml::OneOf(names),
                     yaml::DidYouMean(*s, names));
        }
        env_.default_target = *s;
      }
    }
  }

 private:
  void ReadService(const std::string& name, const Node& key, const Node& n) {
    MapReader m(doc_, n, {}, name, true, "a mapping with a `kind`");
    if (!m.ok()) return;
    std::optional<Node> kind_node = m.Require("kind");
    if (!kind_node) return;
    std::optional<std::string> kind = yaml::ReadString(doc_, *kind_node, "kind");
    if (!kind) return;
    const auto& kinds = internal::ServiceKinds();
    auto spec = std::find_if(kinds.begin(), kinds.end(),
                             [&](const ServiceKindSpec& k) { return k.kind == *kind; });
    if (spec == kinds.end()) {
      doc_.Error(*kind_node, "unknown service kind `" + *kind + "`", yaml::Describe(*kind_node),
                 yaml::OneOf(KindNames(false)), yaml::DidYouMean(*kind, KindNames(false)));
      return;
    }
    if (!spec->supported) {
      std::string supported;
      for (const std::string& k : KindNames(true)) supported += (supported.empty() ? "" : ", ") + k;
      doc_.Error(*kind_node, "service kind `" + *kind + "` is not supported yet", "", "",
                 "supported kinds: " + supported);
      return;
    }

    std::vector<FieldSpec> fields = internal::CommonServiceFields();
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
        if (auto l = yaml::ReadStringList(doc_, v, "faults", false)) s.faults = *l;
        continue;
      }
      auto f = std::find_if(fields.begin(), fields.end(),
                            [&](const FieldSpec& spec) { return spec.name == field; });
      if (f == fields.end()) {
        doc_.Error(k, "unknown key `" + field + "` for a `" + *kind + "` service",
                   yaml::Describe(k), yaml::OneOf(allowed), yaml::DidYouMean(field, allowed));
        continue;
      }
      if (std::optional<nlohmann::json> value = ReadField(*f, v)) s.config[field] = *value;
    }
    CheckRequired(m, fields);
    if (doc_.errors() == before) env_.services.push_back(std::move(s));
  }

  void CheckRequired(MapReader& m, const std::vector<FieldSpec>& fields) {
    for (const FieldSpec& f : fields) {
      if (f.required) m.Require(f.name);
    }
  }

  std::optional<std::string> ReadEnvString(const Node& n, const std::string& key) {
    std::optional<Template> t = yaml::ReadTemplate(doc_, n, key, EnvOnlyScope());
    if (!t) return std::nullopt;
    StatusOr<std::string> v = t->Evaluate(ProcessEnvScope());
    if (!v.ok()) {
      doc_.Error(n, v.status().message(), yaml::Describe(n), "",
                 "set it, or give a default: ${env.NAME:-value}");
      return std::nullopt;
    }
    return *v;
  }

  std::optional<nlohmann::json> ReadField(const FieldSpec& f, const Node& v) {
    switch (f.type) {
      case FieldType::kString: {
        std::optional<std::string> s = ReadEnvString(v, f.name);
        if (!s) return std::nullopt;
        return nlohmann::json(*s);
      }
      case FieldType::kInt:
        return Int(yaml::ReadInt(doc_, v, f.name, INT_MIN, INT_MAX));
      case FieldType::kStatusCode:
        return Int(yaml::ReadInt(doc_, v, f.name, 100, 599));
      case FieldType::kPort:
        return Int(yaml::ReadInt(doc_, v, f.name, 0, 65535));
      case FieldType::kPositiveInt:
        return Int(yaml::ReadInt(doc_, v, f.name, 1, INT_MAX));
      case FieldType::kBool: {
        std::optional<bool> b = yaml::ReadBool(doc_, v, f.name);
        if (!b) return std::nullopt;
        return nlohmann::json(*b);
      }
      case FieldType::kStringList: {
        if (!v.IsSeq()) {
          doc_.Error(v, "invalid value for `" + f.name + "`", yaml::Describe(v),
                     "a list of strings");
          return std::nullopt;
        }
        nlohmann::json arr = nlohmann::json::array();
        bool ok = true;
        for (const Node& item : yaml::Items(v)) {
          std::optional<std::string> s = ReadEnvString(item, f.name);
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
      std::optional<std::string> name = yaml::ReadString(doc_, k, f.name);
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
