#include "tollgate/scenario/expand.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tollgate {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

Scenario MakeScenario(std::string id, std::vector<std::string> tags = {}) {
  Scenario sc;
  sc.id = std::move(id);
  sc.tags = std::move(tags);
  return sc;
}

std::vector<std::string> CaseIds(const std::vector<ScenarioCase>& cases) {
  std::vector<std::string> ids;
  for (const ScenarioCase& c : cases) ids.push_back(c.case_id);
  return ids;
}

TEST(ExpandSuite, ScenarioWithoutMatrixIsOneCase) {
  Suite suite;
  suite.tags = {"jwt"};
  suite.scenarios.push_back(MakeScenario("A-1", {"slow"}));
  std::vector<ScenarioCase> cases = ExpandSuite(suite);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].case_id, "A-1");
  EXPECT_EQ(cases[0].suite, &suite);
  EXPECT_EQ(cases[0].scenario, &suite.scenarios[0]);
  EXPECT_TRUE(cases[0].matrix_values.empty());
  EXPECT_THAT(cases[0].tags, ElementsAre("jwt", "slow"));
}

TEST(ExpandSuite, MatrixIsTheCartesianProductInFileOrder) {
  Suite suite;
  Scenario sc = MakeScenario("M");
  sc.matrix = {{"alg", {"none", "HS256"}}, {"where", {"header", "query", "body"}}};
  suite.scenarios.push_back(sc);
  std::vector<ScenarioCase> cases = ExpandSuite(suite);
  EXPECT_THAT(CaseIds(cases), ElementsAre("M[alg=none,where=header]", "M[alg=none,where=query]",
                                          "M[alg=none,where=body]", "M[alg=HS256,where=header]",
                                          "M[alg=HS256,where=query]", "M[alg=HS256,where=body]"));
  EXPECT_THAT(cases[4].matrix_values, ElementsAre(Pair("alg", "HS256"), Pair("where", "query")));
}

TEST(ExpandSuite, CasesFollowScenarioOrderAndTagsAreDeduplicated) {
  Suite suite;
  suite.tags = {"jwt", "gateway"};
  Scenario one = MakeScenario("B", {"gateway", "slow", "slow"});
  one.matrix = {{"m", {"x"}}};
  suite.scenarios.push_back(one);
  suite.scenarios.push_back(MakeScenario("A"));
  std::vector<ScenarioCase> cases = ExpandSuite(suite);
  EXPECT_THAT(CaseIds(cases), ElementsAre("B[m=x]", "A"));
  EXPECT_THAT(cases[0].tags, ElementsAre("jwt", "gateway", "slow"));
  EXPECT_THAT(cases[1].tags, ElementsAre("jwt", "gateway"));
  EXPECT_EQ(cases[1].scenario, &suite.scenarios[1]);
}

}  // namespace
}  // namespace tollgate
