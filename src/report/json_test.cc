#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/test_runs.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

using Json = nlohmann::ordered_json;
using ::testing::ElementsAre;
using testing::GoldenRun;
using testing::HostileRun;
using testing::kHostileMarkup;
using testing::kHostileUtf8;

Json ParseReport(const RunResult& run) {
  const std::string text = RenderJson(run);
  EXPECT_TRUE(Json::accept(text)) << text;
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

TEST(JsonReport, TopLevelFields) {
  const Json j = ParseReport(GoldenRun());
  EXPECT_EQ(j["schema"], "tollgate.results/1");
  EXPECT_EQ(j["tool"], (Json{{"name", "tollgate"}, {"version", "0.1.0"}}));
  EXPECT_EQ(j["target"], "mock:connectpay");
  EXPECT_EQ(j["environment"], "connectpay");
  EXPECT_EQ(j["timestamp"], "2024-05-01T10:00:00Z");
  EXPECT_EQ(j["hostname"], "ci-runner-7");
  EXPECT_DOUBLE_EQ(j["seconds"].get<double>(), 1.234);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_THAT(keys, ElementsAre("schema", "tool", "target", "environment", "timestamp", "hostname",
                                "shard", "seconds", "summary", "requirements", "suites"));
}

TEST(JsonReport, RunSummaryCountsAndVerdict) {
  const Json j = ParseReport(GoldenRun());
  EXPECT_EQ(j["summary"], (Json{{"tests", 6},
                                {"passed", 3},
                                {"failures", 1},
                                {"errors", 1},
                                {"skipped", 1},
                                {"warnings", 0},
                                {"waived", 0},
                                {"stale_waivers", 0},
                                {"verdict", "fail"}}));
}

TEST(JsonReport, SuiteSummariesAndVerdicts) {
  const Json j = ParseReport(GoldenRun());
  ASSERT_EQ(j["suites"].size(), 2u);
  const Json& basic = j["suites"][0];
  EXPECT_EQ(basic["id"], "connectpay/basic-auth");
  EXPECT_EQ(basic["title"], "ConnectPay: basic authentication");
  EXPECT_EQ(basic["file"], "suites/connectpay/basic-auth.yaml");
  EXPECT_EQ(basic["sha256"], "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  EXPECT_EQ(basic["profile"], "connectpay");
  EXPECT_EQ(basic["timestamp"], "2024-05-01T10:00:00Z");
  EXPECT_DOUBLE_EQ(basic["seconds"].get<double>(), 0.75);
  EXPECT_EQ(basic["summary"]["verdict"], "fail");
  EXPECT_EQ(basic["summary"]["tests"], 4);
  EXPECT_EQ(basic["cases"].size(), 4u);
  // An error without failures makes the suite "error", not "fail".
  EXPECT_EQ(j["suites"][1]["summary"]["verdict"], "error");
  EXPECT_EQ(j["suites"][1]["summary"]["errors"], 1);
}

TEST(JsonReport, VerdictRanksFailOverErrorOverPass) {
  struct Row {
    const char* name;
    std::vector<Verdict> verdicts;
    const char* want;
  };
  const std::vector<Row> rows = {
      {"empty", {}, "pass"},
      {"passes and skips", {Verdict::kPass, Verdict::kSkipped}, "pass"},
      {"only skipped", {Verdict::kSkipped}, "pass"},
      {"one error", {Verdict::kPass, Verdict::kError}, "error"},
      {"error and failure", {Verdict::kError, Verdict::kFail, Verdict::kPass}, "fail"},
  };
  for (const Row& row : rows) {
    RunResult run;
    SuiteResult s;
    for (Verdict v : row.verdicts) {
      CaseResult c;
      c.verdict = v;
      s.cases.push_back(c);
    }
    run.suites.push_back(s);
    const Json j = ParseReport(run);
    EXPECT_EQ(j["summary"]["verdict"], row.want) << row.name;
    EXPECT_EQ(j["suites"][0]["summary"]["verdict"], row.want) << row.name;
  }
}

TEST(JsonReport, FailedCaseFields) {
  const Json c = ParseReport(GoldenRun())["suites"][0]["cases"][1];
  EXPECT_EQ(c["id"], "CP-BA-002[scheme=Bearer]");
  EXPECT_EQ(c["scenario"], "CP-BA-002");
  EXPECT_EQ(c["name"], "CP-BA-002 rejects a wrong scheme [scheme=Bearer]");
  EXPECT_EQ(c["matrix"], (Json{{"scheme", "Bearer"}}));
  EXPECT_EQ(c["requirements"], (Json{"CP-AUTH-2", "CP-AUTH-3"}));
  EXPECT_EQ(c["tags"], (Json{"auth", "negative"}));
  EXPECT_EQ(c["verdict"], "fail");
  EXPECT_DOUBLE_EQ(c["seconds"].get<double>(), 0.0304);
  EXPECT_EQ(c["location"], "suites/connectpay/basic-auth.yaml:15:3");
  ASSERT_EQ(c["failures"].size(), 2u);
  EXPECT_EQ(c["failures"][0], (Json{{"type", "assert.status"},
                                    {"message", "expected status 401, got 200"},
                                    {"expected", "401"},
                                    {"actual", "200"},
                                    {"location", "suites/connectpay/basic-auth.yaml:21:9"}}));
  EXPECT_EQ(c["failures"][1]["type"], "assert.header");
  EXPECT_EQ(c["error"], "");
  EXPECT_EQ(c["skip_reason"], "");
  EXPECT_EQ(c["transcript"], "> GET /accounts HTTP/1.1\n> Authorization: ***\n< HTTP/1.1 200 OK\n");
}

TEST(JsonReport, ErrorAndSkippedCaseFields) {
  const Json j = ParseReport(GoldenRun());
  const Json& err = j["suites"][1]["cases"][0];
  EXPECT_EQ(err["verdict"], "error");
  EXPECT_EQ(err["error"], "mock receiver did not start\nbind 127.0.0.1:0: address in use");
  EXPECT_EQ(err["failures"], Json::array());
  EXPECT_EQ(err["matrix"], Json::object());
  EXPECT_EQ(err["tags"], Json::array());
  const Json& skip = j["suites"][0]["cases"][3];
  EXPECT_EQ(skip["verdict"], "skipped");
  EXPECT_EQ(skip["skip_reason"], "excluded by --tags 'not slow'");
}

TEST(JsonReport, MatrixKeepsDeclarationOrder) {
  RunResult run;
  SuiteResult s;
  CaseResult c;
  c.matrix_values = {{"zeta", "1"}, {"alpha", "2"}, {"mid", "3"}};
  s.cases.push_back(c);
  run.suites.push_back(s);
  const Json j = ParseReport(run);  // named: a temporary would die before the loop body
  std::vector<std::string> keys;
  for (const auto& [k, v] : j["suites"][0]["cases"][0]["matrix"].items()) keys.push_back(k);
  EXPECT_THAT(keys, ElementsAre("zeta", "alpha", "mid"));
}

TEST(JsonReport, HostileTextSurvives) {
  const Json j = ParseReport(HostileRun());
  EXPECT_EQ(j["target"], "https://api.example/?a=1&b=<2>");
  EXPECT_EQ(j["hostname"], "host\x01name");  // JSON can carry controls, escaped
  EXPECT_EQ(j["suites"][0]["title"], kHostileUtf8);
  const Json& f = j["suites"][0]["cases"][0]["failures"][0];
  EXPECT_EQ(f["message"], std::string("body had \x1B[31mred\x1B[0m and NUL ") + '\0' + " end");
  EXPECT_EQ(f["expected"], kHostileMarkup);
  // Invalid UTF-8 becomes U+FFFD instead of aborting the report.
  EXPECT_EQ(f["actual"], "bad utf8 \xEF\xBF\xBD\xEF\xBF\xBD and \xEF\xBF\xBE nonchar");
  EXPECT_EQ(j["suites"][0]["cases"][0]["matrix"]["k"], "\xE2\x82\xAC");
}

TEST(JsonReport, BadTimesBecomeZero) {
  const Json j = ParseReport(HostileRun());
  EXPECT_EQ(j["seconds"], 0.0);
  EXPECT_EQ(j["suites"][0]["seconds"], 0.0);
}

TEST(JsonReport, EndsWithNewline) {
  const std::string text = RenderJson(GoldenRun());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.substr(0, 4), "{\n  ");  // pretty-printed, two-space indent
}

}  // namespace
}  // namespace tollgate
