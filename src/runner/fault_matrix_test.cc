#include "tollgate/runner/fault_matrix.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace tollgate {
namespace {

using ::testing::ElementsAre;
using Faults = std::vector<std::pair<std::string, std::string>>;

// A profile with cases and B-1[m=x], B-1[m=y], a gateway target with two faults
// and an issuer, and the fault map `maps`.
ProfileRun Profile(std::vector<std::pair<std::string, std::vector<std::string>>> maps) {
  ProfileRun p;
  p.profile = "demo";
  p.requirements.emplace();
  p.requirements->faults = std::move(maps);
  p.environment.emplace();
  p.environment->default_target = "gw";
  ServiceDecl gw, idp;
  gw.name = "gw";
  gw.kind = "gateway";
  idp.name = "idp";
  idp.kind = "issuer";
  p.environment->services = {gw, idp};
  Suite s;
  s.id = "demo/s";
  for (const char* id : {"A-1", "A-2"}) {
    Scenario sc;
    sc.id = id;
    s.scenarios.push_back(sc);
  }
  Scenario b;
  b.id = "B-1";
  b.matrix = {{"m", {"x", "y"}}};
  s.scenarios.push_back(b);
  p.suites.push_back(s);
  return p;
}

// A scripted target: which cases fail (and error) with which fault on.
struct Script {
  std::map<std::string, RunOutcome> by_fault;  // "" for the clean run
  std::vector<Faults> calls;
  ProfileRunner Runner() {
    return [this](const ProfileRun&, const Faults& faults) -> StatusOr<RunOutcome> {
      calls.push_back(faults);
      std::string key = faults.empty() ? "" : faults[0].first + ":" + faults[0].second;
      auto it = by_fault.find(key);
      if (it == by_fault.end()) return UnavailableError("no script for " + key);
      return it->second;
    };
  }
};

TEST(FaultMatrix, EachFaultMustFailExactlyItsCases) {
  std::vector<ProfileRun> profiles = {
      Profile({{"ignore_audience", {"A-1"}},           // caught exactly
               {"ignore_issuer", {"A-2", "B-1"}},      // B-1 names both matrix cases
               {"no_role_check", {"A-1"}},             // missed, and over-broad
               {"idp:long_lived_tokens", {"A-2"}}})};  // another service's fault
  Script script;
  script.by_fault[""] = {};
  script.by_fault["gw:ignore_audience"] = {{"A-1"}, {}};
  script.by_fault["gw:ignore_issuer"] = {{"A-2", "B-1[m=x]", "B-1[m=y]"}, {}};
  script.by_fault["gw:no_role_check"] = {{"A-2"}, {}};
  script.by_fault["idp:long_lived_tokens"] = {{"A-2"}, {"A-1 (connect failed)"}};
  auto m = CheckFaultMatrix(profiles, {}, script.Runner());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->profiles.size(), 1u);
  const ProfileCheck& p = m->profiles[0];
  EXPECT_TRUE(p.ran);
  EXPECT_EQ(p.target, "gw");
  ASSERT_EQ(p.faults.size(), 4u);
  EXPECT_TRUE(p.faults[0].ok());
  EXPECT_TRUE(p.faults[1].ok());
  EXPECT_THAT(p.faults[1].expected, ElementsAre("A-2", "B-1[m=x]", "B-1[m=y]"));
  EXPECT_FALSE(p.faults[2].ok());
  EXPECT_THAT(p.faults[2].missed, ElementsAre("A-1"));
  EXPECT_THAT(p.faults[2].extra, ElementsAre("A-2"));
  EXPECT_FALSE(p.faults[3].ok());  // caught, but a case errored
  EXPECT_THAT(p.faults[3].errored, ElementsAre("A-1 (connect failed)"));
  EXPECT_EQ(m->problems(), 2);
  // One clean run, then one run per entry with exactly its fault on.
  EXPECT_THAT(
      script.calls,
      ElementsAre(Faults{}, Faults{{"gw", "ignore_audience"}}, Faults{{"gw", "ignore_issuer"}},
                  Faults{{"gw", "no_role_check"}}, Faults{{"idp", "long_lived_tokens"}}));
}

TEST(FaultMatrix, ACleanRunThatFailsIsAProblem) {
  Script script;
  script.by_fault[""] = {{"A-1"}, {}};
  script.by_fault["gw:ignore_audience"] = {{"A-1"}, {}};
  auto m = CheckFaultMatrix({Profile({{"ignore_audience", {"A-1"}}})}, {}, script.Runner());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->problems(), 1);
}

TEST(FaultMatrix, OnlyFaultRunsOnlyThatEntry) {
  Script script;
  script.by_fault[""] = {};
  script.by_fault["idp:long_lived_tokens"] = {{"A-2"}, {}};
  FaultMatrixOptions o;
  o.only_fault = "long_lived_tokens";
  auto m = CheckFaultMatrix(
      {Profile({{"ignore_audience", {"A-1"}}, {"idp:long_lived_tokens", {"A-2"}}})}, o,
      script.Runner());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->profiles[0].faults.size(), 1u);
  EXPECT_EQ(m->profiles[0].faults[0].entry, "idp:long_lived_tokens");
  EXPECT_EQ(m->problems(), 0);
}

TEST(FaultMatrix, MapOnlyRunsNothingAndNamesEveryUnmappedFault) {
  Script script;
  FaultMatrixOptions o;
  o.map_only = true;
  o.all_profiles = true;
  auto m = CheckFaultMatrix({Profile({{"ignore_audience", {"A-1"}}})}, o, script.Runner());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(script.calls.empty());
  EXPECT_FALSE(m->profiles[0].ran);
  // Every other gateway fault and every issuer fault is unmapped; the mapped one is not.
  EXPECT_THAT(m->unmapped, ::testing::Contains("gateway:ignore_issuer"));
  EXPECT_THAT(m->unmapped, ::testing::Contains("issuer:long_lived_tokens"));
  EXPECT_THAT(m->unmapped, ::testing::Not(::testing::Contains("gateway:ignore_audience")));
  EXPECT_EQ(m->problems(), static_cast<int>(m->unmapped.size()));
}

TEST(FaultMatrix, AHarnessErrorStopsTheMatrix) {
  Script script;  // no script: every run fails to run
  auto m = CheckFaultMatrix({Profile({{"ignore_audience", {"A-1"}}})}, {}, script.Runner());
  EXPECT_FALSE(m.ok());
  EXPECT_EQ(script.calls.size(), 1u);
}

TEST(MatchesFault, EntryOrItsFault) {
  EXPECT_TRUE(MatchesFault("idp:accept_wrong_secret", "accept_wrong_secret"));
  EXPECT_TRUE(MatchesFault("idp:accept_wrong_secret", "idp:accept_wrong_secret"));
  EXPECT_TRUE(MatchesFault("ignore_audience", "ignore_audience"));
  EXPECT_FALSE(MatchesFault("idp:accept_wrong_secret", "idp"));
  EXPECT_FALSE(MatchesFault("ignore_audience", "audience"));
}

}  // namespace
}  // namespace tollgate
