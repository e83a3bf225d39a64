#pragma once
// Matrix expansion: one scenario with `matrix:` becomes one case per combination of
// values (cartesian product, in file order).

#include <string>
#include <utility>
#include <vector>

#include "tollgate/scenario/model.h"

namespace tollgate {

/// One runnable case of a scenario.
struct ScenarioCase {
  const Suite* suite = nullptr;        // borrowed; lives as long as the loaded suites
  const Scenario* scenario = nullptr;  // borrowed, likewise
  std::vector<std::pair<std::string, std::string>> matrix_values;  // in matrix order
  /// "ID" or "ID[k=v,k2=v2]": unique within the suite, stable across runs (sharding).
  std::string case_id;
  /// Suite tags + scenario tags.
  std::vector<std::string> tags;
};

/// All cases of a suite, in file order.
std::vector<ScenarioCase> ExpandSuite(const Suite& suite);

}  // namespace tollgate
