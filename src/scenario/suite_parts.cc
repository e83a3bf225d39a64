// Helpers shared by the readers of suite parts.

#include "suite_parts.h"

#include <algorithm>

namespace tollgate::scenario {

bool CheckNewName(scenario::Document& doc, const scenario::Node& at, const std::string& name,
                  const std::string& what, const std::vector<std::string>& taken) {
  std::vector<std::string> used = ReservedRoots();
  used.push_back("previous");
  for (const std::string& t : taken) {
    if (std::find(used.begin(), used.end(), t) == used.end()) used.push_back(t);
  }
  if (std::find(used.begin(), used.end(), name) == used.end()) return true;
  std::string list;
  for (const std::string& u : used) list += (list.empty() ? "" : ", ") + u;
  doc.Error(at, what + " `" + name + "` is already in use", "`" + name + "`",
            "a name other than: " + list);
  return false;
}

std::optional<std::string> ReadRequiredService(scenario::Document& doc, const scenario::Node& node,
                                               const std::string& key,
                                               const std::vector<std::string>& requires_services) {
  std::optional<std::string> name = scenario::ReadString(doc, node, key);
  if (!name) return std::nullopt;
  const std::vector<std::string>& req = requires_services;
  if (std::find(req.begin(), req.end(), *name) != req.end()) return name;
  std::string help = scenario::DidYouMean(*name, req);
  if (help.empty()) help = "add `" + *name + "` to the suite's `requires:`";
  doc.Error(
      node, "service `" + *name + "` is not in the suite's `requires`", scenario::Describe(node),
      req.empty() ? "a service listed in `requires` (the suite lists none)" : scenario::OneOf(req),
      help);
  return std::nullopt;
}

}  // namespace tollgate::scenario
