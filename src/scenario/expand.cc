#include "tollgate/scenario/expand.h"

#include <algorithm>

namespace tollgate {
namespace {

std::vector<std::string> MergeTags(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto* list : {&a, &b}) {
    for (const std::string& t : *list) {
      if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    }
  }
  return out;
}

std::string CaseId(const std::string& id,
                   const std::vector<std::pair<std::string, std::string>>& values) {
  if (values.empty()) return id;
  std::string out = id + "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ",";
    out += values[i].first + "=" + values[i].second;
  }
  return out + "]";
}

}  // namespace

std::vector<ScenarioCase> ExpandSuite(const Suite& suite) {
  std::vector<ScenarioCase> cases;
  for (const Scenario& sc : suite.scenarios) {
    std::vector<std::string> tags = MergeTags(suite.tags, sc.tags);
    // An odometer over the matrix: the last key turns fastest, so cases come out in the
    // order of nested loops written in file order. A key with no values yields no case.
    std::size_t total = 1;
    for (const auto& [key, values] : sc.matrix) total *= values.size();
    std::vector<std::size_t> index(sc.matrix.size(), 0);
    for (std::size_t n = 0; n < total; ++n) {
      ScenarioCase c;
      c.suite = &suite;
      c.scenario = &sc;
      for (std::size_t k = 0; k < sc.matrix.size(); ++k) {
        c.matrix_values.emplace_back(sc.matrix[k].first, sc.matrix[k].second[index[k]]);
      }
      c.case_id = CaseId(sc.id, c.matrix_values);
      c.tags = tags;
      cases.push_back(std::move(c));
      for (std::size_t k = sc.matrix.size(); k-- > 0;) {
        if (++index[k] < sc.matrix[k].second.size()) break;
        index[k] = 0;
      }
    }
  }
  return cases;
}

}  // namespace tollgate
