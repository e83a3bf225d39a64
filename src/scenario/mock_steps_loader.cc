// Steps that act on a mock service of the environment: `received:` asserts on its journal,
// `mock:` controls it (rotate keys, take it down, slow it, restore). Both may only name
// services the suite `requires`.

#include <algorithm>

#include "suite_parts.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::scenario {

using scenario::Document;
using scenario::MapReader;
using scenario::NameScope;
using scenario::Node;

std::optional<ReceivedStep> ReadReceivedStep(Document& doc, const Node& n, const NameScope& scope,
                                             const std::vector<std::string>& requires_services) {
  MapReader m(doc, n, {"service", "method", "path", "since"}, "received");
  if (!m.ok()) return std::nullopt;
  ReceivedStep r;
  if (auto s = m.Require("service")) {
    if (auto name = ReadRequiredService(doc, *s, "service", requires_services)) r.service = *name;
  }
  if (auto v = m.Get("method")) r.method = scenario::ReadTemplate(doc, *v, "method", scope);
  if (auto v = m.Get("path")) r.path = scenario::ReadTemplate(doc, *v, "path", scope);
  if (auto v = m.Get("since")) r.since = scenario::ReadTemplate(doc, *v, "since", scope);
  return r;
}

std::optional<MockStep> ReadMockStep(Document& doc, const Node& n, const NameScope& scope,
                                     const std::vector<std::string>& requires_services) {
  // Keys besides `service` and `action` are the action's arguments, whatever their names:
  // the service checks them when it runs the action.
  MapReader m(doc, n, {}, "mock", true, "a mapping with `service:`, `action:` and arguments");
  if (!m.ok()) return std::nullopt;
  int before = doc.errors();
  MockStep step;
  step.loc = doc.Loc(n);
  step.args = nlohmann::json::object();
  if (auto s = m.Require("service")) {
    if (auto name = ReadRequiredService(doc, *s, "service", requires_services)) {
      step.service = *name;
    }
  }
  if (auto a = m.Require("action")) {
    if (auto action = scenario::ReadString(doc, *a, "action")) {
      // Whether the service's own kind has it is checked with the environment (the project
      // loader); here, that some kind has it.
      CheckTerm(doc, *a, "action", vocabulary::kMockAction, scope);
      step.action = *action;
    }
  }
  for (const auto& [k, v] : m.entries()) {
    std::optional<std::string> key = scenario::ReadString(doc, k, "mock");
    if (!key || *key == "service" || *key == "action") continue;
    if (auto value = scenario::ReadTemplatedValue(doc, v, *key, scope))
      step.args[*key] = value->value;
  }
  if (doc.errors() > before) return std::nullopt;
  return step;
}

}  // namespace tollgate::scenario
