// Which cases an external target cannot decide, derived from the steps; the `real_time:`
// link and `wait: {for, plus}`. Over the shipped profiles (whose environments need the
// mocks' kinds): src/runner/shipped_profiles_test.cc.

#include "tollgate/scenario/observability.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

using ::testing::HasSubstr;

const char kSuite[] = R"yaml(suite: demo/time
requires: [idp, ref]
scenarios:
  - id: CLOCK-THEN-TARGET
    name: expiry through the shared clock
    requirements: [R-1]
    real_time: REAL
    steps:
      - request: {url: "${target.url}/a"}
      - clock: {offset: 16m}
      - request: {url: "${target.url}/a"}
        expect: {status: 401}
  - id: CLOCK-THEN-MINT
    name: the clock only moves the minter
    requirements: [R-1]
    steps:
      - clock: -1h
      - token: {mint: {issuer: idp}}
  - id: REFERENCE-JOURNAL
    name: reads the reference target's journal
    requirements: [R-2]
    steps:
      - request: {url: "${target.url}/a"}
      - received: {service: ref, path: /a}
        expect: {count: 1}
  - id: MOCK-JOURNAL
    name: reads a mock the target talks to
    requirements: [R-2]
    steps:
      - request: {url: "${target.url}/a"}
      - received: {service: idp, path: /jwks}
        expect: {count: {max: 2}}
  - id: REAL
    name: expiry by really waiting
    requirements: [R-1]
    tags: [slow]
    steps:
      - request: {url: "${target.url}/a"}
      - wait: {for: "${target.token_ttl}", plus: 2s}
      - request: {url: "${target.url}/a"}
        expect: {status: 401}
)yaml";

const Scenario& Find(const Suite& s, const std::string& id) {
  for (const Scenario& sc : s.scenarios) {
    if (sc.id == id) return sc;
  }
  ADD_FAILURE() << "no scenario " << id;
  return s.scenarios.front();
}

class ObservabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diags;
    auto s = ParseSuite(kSuite, "time.yaml", diags);
    ASSERT_TRUE(s) << diags.RenderWithText(kSuite);
    suite_ = std::move(*s);
  }
  Suite suite_;
};

TEST_F(ObservabilityTest, AClockStepFollowedByTargetTrafficBlocksAnExternalTarget) {
  const Scenario& sc = Find(suite_, "CLOCK-THEN-TARGET");
  ASSERT_NE(SharedClockStep(sc), nullptr);
  EXPECT_EQ(SharedClockStep(sc), &sc.steps[1]);
  std::optional<std::string> why = ExternalTargetBlocker(sc, "ref");
  ASSERT_TRUE(why);
  EXPECT_EQ(*why,
            "moves tollgate's shared clock (`clock: {offset: 16m}` at time.yaml:10:9) and then "
            "expects the target to act on it; an external target keeps its own clock");
}

TEST_F(ObservabilityTest, AClockStepThatOnlyMovesTheMinterDoesNot) {
  EXPECT_EQ(SharedClockStep(Find(suite_, "CLOCK-THEN-MINT")), nullptr);
  EXPECT_FALSE(ExternalTargetBlocker(Find(suite_, "CLOCK-THEN-MINT"), "ref"));
}

TEST_F(ObservabilityTest, TheReferenceTargetsJournalBlocksButAMocksJournalDoesNot) {
  std::optional<std::string> why = ExternalTargetBlocker(Find(suite_, "REFERENCE-JOURNAL"), "ref");
  ASSERT_TRUE(why);
  EXPECT_THAT(*why, HasSubstr("reads the journal of the in-process reference target `ref`"));
  EXPECT_FALSE(ExternalTargetBlocker(Find(suite_, "MOCK-JOURNAL"), "ref"));
  // Without a reference target in the environment, nothing is reference-only.
  EXPECT_FALSE(ExternalTargetBlocker(Find(suite_, "REFERENCE-JOURNAL"), ""));
}

TEST_F(ObservabilityTest, RealTimeLinkAndWaitForAreLoaded) {
  EXPECT_EQ(Find(suite_, "CLOCK-THEN-TARGET").real_time, "REAL");
  const Scenario& real = Find(suite_, "REAL");
  EXPECT_FALSE(ExternalTargetBlocker(real, "ref"));
  const WaitStep& w = std::get<WaitStep>(real.steps[1].body);
  ASSERT_TRUE(w.for_);
  EXPECT_EQ(w.for_->raw(), "${target.token_ttl}");
  EXPECT_EQ(w.duration, Duration(2000));
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(RealTimeLink, MustNameASlowScenarioOfTheSuiteWithoutAClockStep) {
  Diagnostics diags;
  std::string unknown = Replace(kSuite, "real_time: REAL", "real_time: REEL");
  EXPECT_FALSE(ParseSuite(unknown, "time.yaml", diags));
  EXPECT_THAT(diags.RenderWithText(unknown), HasSubstr("unknown scenario in `real_time`"));

  Diagnostics diags2;
  std::string not_slow = Replace(kSuite, "    tags: [slow]\n", "");
  EXPECT_FALSE(ParseSuite(not_slow, "time.yaml", diags2));
  EXPECT_THAT(diags2.RenderWithText(not_slow),
              HasSubstr("a scenario tagged `slow` that waits for real (no `clock:` step)"));
}

TEST(RealTimeLink, MustCheckOneOfTheSameRequirements) {
  Diagnostics diags;
  std::string other = Replace(kSuite, "    name: expiry by really waiting\n    requirements: [R-1]",
                              "    name: expiry by really waiting\n    requirements: [R-9]");
  EXPECT_FALSE(ParseSuite(other, "time.yaml", diags));
  EXPECT_THAT(diags.RenderWithText(other),
              HasSubstr("a scenario that checks one of this scenario's requirements"));
}

TEST(WaitFor, NeedsATemplateAndADurationMargin) {
  Diagnostics diags;
  std::string bad = Replace(kSuite, "plus: 2s", "plus: soon");
  EXPECT_FALSE(ParseSuite(bad, "time.yaml", diags));
  EXPECT_THAT(diags.RenderWithText(bad), HasSubstr("invalid value for `plus`"));
}

}  // namespace
}  // namespace tollgate
