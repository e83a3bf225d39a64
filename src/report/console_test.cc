#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "report/test_runs.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

using ::testing::EndsWith;
using testing::GoldenRun;
using ::testing::HasSubstr;
using testing::HostileRun;
using ::testing::Not;

const ConsoleOptions kPlain{.color = false, .verbose = false};
const ConsoleOptions kVerbose{.color = false, .verbose = true};
const ConsoleOptions kColor{.color = true, .verbose = false};

CaseResult Case(std::string name, Verdict v, double seconds) {
  CaseResult c;
  c.name = std::move(name);
  c.verdict = v;
  c.seconds = seconds;
  return c;
}

TEST(ConsoleCaseLine, ExactTextPerVerdict) {
  struct Row {
    CaseResult c;
    std::string want;
  };
  const std::vector<Row> rows = {
      {Case("CP-BA-001 ok", Verdict::kPass, 0.012), "  PASS  CP-BA-001 ok  (12 ms)\n"},
      {Case("CP-BA-002 x [k=v]", Verdict::kFail, 0.0216), "  FAIL  CP-BA-002 x [k=v]  (22 ms)\n"},
      {Case("CP-BA-003 y", Verdict::kError, 1.5), "  ERROR CP-BA-003 y  (1500 ms)\n"},
      {Case("CP-BA-004 z", Verdict::kSkipped, 0), "  SKIP  CP-BA-004 z  (0 ms)\n"},
      {Case("CP-BA-005 broken timer", Verdict::kPass, -1),
       "  PASS  CP-BA-005 broken timer  (0 ms)\n"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ConsoleCaseLine(row.c, kPlain), row.want) << row.c.name;
  }
}

TEST(ConsoleCaseLine, ColoursOnlyTheVerdictWhenAsked) {
  EXPECT_EQ(ConsoleCaseLine(Case("A", Verdict::kPass, 0.001), kColor),
            "  \x1b[32mPASS \x1b[0m A  (1 ms)\n");
  EXPECT_EQ(ConsoleCaseLine(Case("A", Verdict::kFail, 0.001), kColor),
            "  \x1b[31mFAIL \x1b[0m A  (1 ms)\n");
  EXPECT_EQ(ConsoleCaseLine(Case("A", Verdict::kError, 0.001), kColor),
            "  \x1b[33mERROR\x1b[0m A  (1 ms)\n");
  EXPECT_EQ(ConsoleCaseLine(Case("A", Verdict::kSkipped, 0.001), kColor),
            "  \x1b[90mSKIP \x1b[0m A  (1 ms)\n");
  EXPECT_THAT(ConsoleCaseLine(Case("A", Verdict::kFail, 0.001), kPlain), Not(HasSubstr("\x1b")));
}

TEST(ConsoleCaseLine, EscapesControlCharactersInNames) {
  EXPECT_EQ(ConsoleCaseLine(Case("X \x1b[32mPASS\r", Verdict::kFail, 0), kPlain),
            "  FAIL  X \\x1B[32mPASS\\x0D  (0 ms)\n");
}

const char kGoldenSummary[] =
    "FAIL CP-BA-002 rejects a wrong scheme [scheme=Bearer]\n"
    "  expected status 401, got 200\n"
    "    expected: 401\n"
    "    actual:   200\n"
    "    at suites/connectpay/basic-auth.yaml:21:9\n"
    "  expected header WWW-Authenticate, absent\n"
    "    expected: WWW-Authenticate: Basic\n"
    "    actual:   (absent)\n"
    "    at suites/connectpay/basic-auth.yaml:23:9\n"
    "\n"
    "ERROR SC-NT-001 notification carries a fresh token\n"
    "  mock receiver did not start\n"
    "  bind 127.0.0.1:0: address in use\n"
    "\n"
    "3 passed, 1 failed, 1 errors, 1 skipped in 1.23 s\n";

TEST(ConsoleSummary, ExactTextWithoutColour) {
  EXPECT_EQ(ConsoleSummary(GoldenRun(), kPlain), kGoldenSummary);
}

TEST(ConsoleSummary, VerboseAddsTranscriptsOfFailedAndErroredCases) {
  const std::string out = ConsoleSummary(GoldenRun(), kVerbose);
  EXPECT_THAT(out, HasSubstr("    at suites/connectpay/basic-auth.yaml:23:9\n"
                             "  transcript:\n"
                             "    > GET /accounts HTTP/1.1\n"
                             "    > Authorization: ***\n"
                             "    < HTTP/1.1 200 OK\n"
                             "\n"));
  EXPECT_THAT(out, HasSubstr("  bind 127.0.0.1:0: address in use\n"
                             "  transcript:\n"
                             "    (no traffic)\n"
                             "\n"));
  // A passed case's transcript is not printed.
  EXPECT_THAT(out, Not(HasSubstr("POST /token")));
  EXPECT_THAT(ConsoleSummary(GoldenRun(), kPlain), Not(HasSubstr("transcript")));
}

TEST(ConsoleSummary, AllPassedIsTheCountsLineAlone) {
  RunResult run;
  SuiteResult s;
  s.cases = {Case("A", Verdict::kPass, 0.1), Case("B", Verdict::kPass, 0.2)};
  run.suites.push_back(s);
  run.seconds = 0.305;
  EXPECT_EQ(ConsoleSummary(run, kPlain), "2 passed, 0 failed, 0 errors, 0 skipped in 0.30 s\n");
  EXPECT_EQ(ConsoleSummary(RunResult{}, kPlain),
            "0 passed, 0 failed, 0 errors, 0 skipped in 0.00 s\n");
}

TEST(ConsoleSummary, CountsLineStaysPlainWithColour) {
  const std::string out = ConsoleSummary(GoldenRun(), kColor);
  EXPECT_THAT(out, HasSubstr("\x1b[31mFAIL\x1b[0m CP-BA-002"));
  EXPECT_THAT(out, HasSubstr("\x1b[33mERROR\x1b[0m SC-NT-001"));
  EXPECT_THAT(out, EndsWith("\n3 passed, 1 failed, 1 errors, 1 skipped in 1.23 s\n"));
}

TEST(ConsoleSummary, HostileTextCannotDriveTheTerminal) {
  const std::string out = ConsoleSummary(HostileRun(), kVerbose);
  EXPECT_THAT(out, Not(HasSubstr("\x1b")));
  EXPECT_THAT(out, Not(HasSubstr("\r")));
  EXPECT_THAT(out, HasSubstr("  body had \\x1B[31mred\\x1B[0m and NUL \\x00 end\n"));
  EXPECT_THAT(out, HasSubstr("    < X-Bell: \\x07\\x0D\n"));
  EXPECT_THAT(out, EndsWith("\n0 passed, 1 failed, 1 errors, 1 skipped in 0.00 s\n"));
}

}  // namespace
}  // namespace tollgate
