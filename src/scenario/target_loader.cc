// Target files: an external API under test, its settings and secrets. Templates may only
// use env.NAME; they are evaluated by the runner, so a secret's value is never in the model.

#include <algorithm>

#include "tollgate/scenario/loader.h"
#include "yaml_reader.h"

namespace tollgate {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::Node;

const scenario::NameScope& TargetScope() {
  static const scenario::NameScope kScope{
      {"env"}, true, "`env.NAME` (a target file can only use environment variables)"};
  return kScope;
}

// settings: or secrets: into `out`; `taken` holds the names already used under target.
void ReadNamedTemplates(Document& doc, const Node& n, const std::string& key,
                        std::vector<std::string>& taken,
                        std::vector<std::pair<std::string, Template>>& out) {
  MapReader m(doc, n, {}, key, true, "a mapping of names to values");
  for (const auto& [k, v] : m.entries()) {
    std::optional<std::string> name = scenario::ReadIdentifier(doc, k, key);
    if (!name) continue;
    if (std::find(taken.begin(), taken.end(), *name) != taken.end()) {
      doc.Error(k, "`target." + *name + "` is defined twice", scenario::Describe(k),
                "a name not used by `url`, `settings` or `secrets` already");
      continue;
    }
    taken.push_back(*name);
    if (auto t = scenario::ReadTemplate(doc, v, *name, TargetScope())) out.emplace_back(*name, *t);
  }
}

}  // namespace

std::optional<TargetFile> ParseTargetFile(const std::string& text, const std::string& path,
                                          Diagnostics& diags) {
  Document doc(path, text, diags);
  if (!doc.Parse()) return std::nullopt;
  TargetFile target;
  target.file = path;
  Node root = doc.root();
  MapReader top(doc, root, {"target", "url", "ca", "settings", "secrets"}, "", true,
                "a mapping with `target:` and `url:`");
  if (top.ok()) {
    target.loc = doc.Loc(root);
    if (auto n = top.Require("target")) {
      if (auto s = scenario::ReadString(doc, *n, "target")) target.name = *s;
    }
    if (auto n = top.Require("url")) {
      if (auto t = scenario::ReadTemplate(doc, *n, "url", TargetScope())) target.url = *t;
    }
    if (auto n = top.Get("ca")) {
      if (auto t = scenario::ReadTemplate(doc, *n, "ca", TargetScope())) target.ca = *t;
    }
    std::vector<std::string> taken = {"url"};
    if (auto n = top.Get("settings")) {
      ReadNamedTemplates(doc, *n, "settings", taken, target.settings);
    }
    if (auto n = top.Get("secrets")) ReadNamedTemplates(doc, *n, "secrets", taken, target.secrets);
  }
  if (doc.errors() > 0) return std::nullopt;
  return target;
}

}  // namespace tollgate
