#include "tollgate/scenario/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tollgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

RunResult SampleRun() {
  RunResult run;
  run.requirements = {{"p", "M-1", "", "", "", Severity::kMust},
                      {"p", "S-1", "", "", "", Severity::kShould},
                      {"p", "S-2", "", "", "", Severity::kShould}};
  SuiteResult s;
  s.id = "p/s";
  s.profile = "p";
  auto add = [&](const std::string& id, Verdict v, std::vector<std::string> reqs) {
    CaseResult c;
    c.scenario_id = id;
    c.case_id = id;
    c.verdict = v;
    c.requirements = std::move(reqs);
    if (v == Verdict::kFail) c.failures.push_back({"assert.status", "m", "401", "200", {}});
    s.cases.push_back(c);
  };
  add("A", Verdict::kFail, {"S-1", "S-2"});  // should only
  add("B", Verdict::kFail, {"S-1", "M-1"});  // strongest wins: must
  add("C", Verdict::kFail, {"UNKNOWN"});     // unknown: must
  add("D", Verdict::kPass, {"M-1"});
  run.suites.push_back(s);
  ApplySeverity(run);
  return run;
}

Waivers W(std::vector<std::pair<std::string, std::string>> ids_expiry) {
  Waivers w;
  w.file = "w.yaml";
  int line = 2;
  for (auto& [id, expires] : ids_expiry)
    w.waivers.push_back({id, "known", expires, {"w.yaml", line++, 5}});
  return w;
}

const std::set<std::string> kKnown = {"A", "B", "C", "D"};

TEST(Severity, StrongestRequirementWinsAndUnknownCountsAsMust) {
  RunResult run = SampleRun();
  const auto& c = run.suites[0].cases;
  EXPECT_EQ(c[0].severity, Severity::kShould);
  EXPECT_EQ(c[1].severity, Severity::kMust);
  EXPECT_EQ(c[2].severity, Severity::kMust);
  const Counts n = run.Count();
  EXPECT_EQ(n.failures, 2);
  EXPECT_EQ(n.warnings, 1);
}

TEST(Waivers, ALiveWaiverTurnsAFailureIntoWaived) {
  RunResult run = SampleRun();
  auto warnings = ApplyWaivers(run, W({{"B", "2026-06-30"}}), "2026-06-30", false, kKnown);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(OutcomeOf(run.suites[0].cases[1]), Outcome::kWaived);
  EXPECT_EQ(run.suites[0].cases[1].waiver_note.where, "w.yaml:2:5");
  EXPECT_EQ(run.Count().failures, 1);
}

TEST(Waivers, AnExpiredWaiverNoLongerApplies) {
  RunResult run = SampleRun();
  auto warnings = ApplyWaivers(run, W({{"B", "2026-06-29"}}), "2026-06-30", false, kKnown);
  EXPECT_THAT(
      warnings,
      ElementsAre("waiver for `B` (w.yaml:2:5) expired on 2026-06-29: it no longer applies"));
  EXPECT_EQ(OutcomeOf(run.suites[0].cases[1]), Outcome::kFail);
  EXPECT_EQ(run.Count().failures, 2);
}

TEST(Waivers, AWaivedCaseThatPassesIsReportedAndFailsOnlyUnderStrict) {
  RunResult lax = SampleRun();
  ApplyWaivers(lax, W({{"D", "2027-01-01"}}), "2026-06-30", false, kKnown);
  EXPECT_EQ(lax.suites[0].cases[3].waiver, WaiverState::kUnused);
  EXPECT_EQ(OutcomeOf(lax.suites[0].cases[3]), Outcome::kPass);
  EXPECT_EQ(lax.Count().stale_waivers, 1);

  RunResult strict = SampleRun();
  ApplyWaivers(strict, W({{"D", "2027-01-01"}}), "2026-06-30", true, kKnown);
  const CaseResult& d = strict.suites[0].cases[3];
  EXPECT_EQ(OutcomeOf(d), Outcome::kFail);
  ASSERT_EQ(d.failures.size(), 1u);
  EXPECT_EQ(d.failures[0].type, "waiver.unused");
  EXPECT_EQ(strict.Count().failures, 3);
}

TEST(Waivers, AnUnknownIdIsAWarningNotAnError) {
  RunResult run = SampleRun();
  auto warnings = ApplyWaivers(run, W({{"ZZ-9", "2027-01-01"}}), "2026-06-30", false, kKnown);
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("waiver for `ZZ-9` (w.yaml:2:5) names no scenario")));
}

}  // namespace
}  // namespace tollgate
