#pragma once
// The parts of the suite loader that live in their own files: request steps and
// expectations. Internal to the scenario module.

#include <optional>
#include <string>
#include <vector>

#include "tollgate/scenario/model.h"
#include "yaml_reader.h"

namespace tollgate::internal {

/// The template roots every suite may use, whatever it declares.
inline const std::vector<std::string>& ReservedRoots() {
  static const std::vector<std::string> kRoots = {"target", "services", "env", "secret"};
  return kRoots;
}

/// A `request:` mapping; templates may use the names in `scope`.
std::optional<RequestStep> ReadRequestStep(yaml::Document& doc, const yaml::Node& node,
                                           const yaml::NameScope& scope);

/// An `expect:` mapping limited to `keys` (the step kind's expectations).
std::optional<Expect> ReadExpect(yaml::Document& doc, const yaml::Node& node,
                                 const yaml::NameScope& scope,
                                 const std::vector<std::string>& keys);

}  // namespace tollgate::internal
