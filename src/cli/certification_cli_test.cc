// Through the binary: severities and waivers decide the exit code; shards split the cases
// stably and merge back; evidence bundles verify and catch a modified file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/binary_test.h"

namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using tollgate::testing::ExecResult;
using tollgate::testing::Slurp;

class Certification : public tollgate::testing::BinaryTest {
 protected:
  Certification() : BinaryTest("tollgate-cert-") {}

  std::string Reports(const std::string& tag = "") {
    return " -q --junit " + (tmp_ / (tag + "junit.xml")).string() + " --json " +
           (tmp_ / (tag + "results.json")).string();
  }
  nlohmann::json Json(const std::string& tag = "") {
    return nlohmann::json::parse(Slurp(tmp_ / (tag + "results.json")));
  }
  fs::path Waivers(const std::string& scenario, const std::string& expires) {
    fs::path p = tmp_ / "waivers.yaml";
    std::ofstream(p) << "waivers:\n  - scenario: " << scenario
                     << "\n    reason: fix ships in 4.2 (TICKET-7)\n    expires: " << expires
                     << "\n";
    return p;
  }
  nlohmann::json CaseOf(const nlohmann::json& results, const std::string& id) {
    for (const auto& s : results["suites"]) {
      for (const auto& c : s["cases"]) {
        if (c["id"] == id) return c;
      }
    }
    ADD_FAILURE() << "no case " << id;
    return {};
  }
};

int Xmllint(const fs::path& file) {
  // The schema is vendored under tests/schemas/.
  const fs::path xsd = fs::path(TOLLGATE_SOURCE_DIR) / "tests" / "schemas" / "junit-10.xsd";
  if (!fs::exists(xsd)) {
    ADD_FAILURE() << "junit-10.xsd not found: " << xsd;
    return -1;
  }
  return std::system(
      ("xmllint --noout --schema " + xsd.string() + " " + file.string() + " >/dev/null 2>&1")
          .c_str());
}

TEST_F(Certification, AShouldFailureIsAWarningThatExitsZero) {
  // omit_challenge breaks CP-BASIC-3, a `should` requirement.
  ExecResult r = Exec(
      "run suites/connectpay/basic.yaml --jobs 2 --fault connectpay:omit_challenge" + Reports());
  EXPECT_EQ(r.exit, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("12 passed, 0 failed, 0 errors, 0 skipped, 1 warnings"));
  const std::string junit = Slurp(tmp_ / "junit.xml");
  EXPECT_THAT(junit, Not(HasSubstr("<failure")));
  EXPECT_THAT(junit, HasSubstr(R"(<property name="case.CP-BA-008.result" value="WARNING" />)"));
  EXPECT_THAT(junit, HasSubstr("WARNING (should requirement; does not fail the run)"));
  EXPECT_EQ(Xmllint(tmp_ / "junit.xml"), 0);
  EXPECT_EQ(CaseOf(Json(), "CP-BA-008")["outcome"], "warning");
}

TEST_F(Certification, AMustFailureStillExitsFour) {
  ExecResult r = Exec(
      "run suites/connectpay/basic.yaml --jobs 2 --fault connectpay:accept_empty_key" + Reports());
  EXPECT_EQ(r.exit, 4) << r.out << r.err;
  EXPECT_THAT(Slurp(tmp_ / "junit.xml"), HasSubstr("<failure"));
}

TEST_F(Certification, ALiveWaiverTurnsTheFailureIntoAPass) {
  fs::path w = Waivers("CP-BA-006", "2999-12-31");
  ExecResult r = Exec(
      "run suites/connectpay/basic.yaml --jobs 2 --fault connectpay:accept_empty_key --waivers " +
      w.string() + Reports());
  EXPECT_EQ(r.exit, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 waived"));
  nlohmann::json c = CaseOf(Json(), "CP-BA-006");
  EXPECT_EQ(c["outcome"], "waived");
  EXPECT_EQ(c["waiver"]["reason"], "fix ships in 4.2 (TICKET-7)");
  EXPECT_THAT(Slurp(tmp_ / "junit.xml"), Not(HasSubstr("<failure")));
}

TEST_F(Certification, AnExpiredWaiverNoLongerApplies) {
  fs::path w = Waivers("CP-BA-006", "2000-01-01");
  ExecResult r = Exec(
      "run suites/connectpay/basic.yaml --jobs 2 --fault connectpay:accept_empty_key --waivers " +
      w.string() + Reports());
  EXPECT_EQ(r.exit, 4) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("expired on 2000-01-01: it no longer applies"));
}

TEST_F(Certification, AWaivedScenarioThatPassesIsReportedAndFailsUnderStrictWaivers) {
  fs::path w = Waivers("CP-BA-006", "2999-12-31");
  ExecResult lax =
      Exec("run suites/connectpay/basic.yaml --jobs 2 --waivers " + w.string() + Reports());
  EXPECT_EQ(lax.exit, 0) << lax.out << lax.err;
  EXPECT_THAT(lax.out, HasSubstr("waiver not needed: CP-BA-006"));
  EXPECT_EQ(CaseOf(Json(), "CP-BA-006")["waiver"]["state"], "unused");
  ExecResult strict = Exec("run suites/connectpay/basic.yaml --jobs 2 --strict-waivers --waivers " +
                           w.string() + Reports());
  EXPECT_EQ(strict.exit, 4) << strict.out << strict.err;
  EXPECT_THAT(Slurp(tmp_ / "junit.xml"), HasSubstr(R"(type="waiver.unused")"));
}

TEST_F(Certification, ABadWaiverFileExitsTwoWithFileAndLine) {
  fs::path w = Waivers("CP-BA-006", "next week");
  ExecResult r = Exec("run suites/connectpay/basic.yaml --waivers " + w.string() + Reports());
  EXPECT_EQ(r.exit, 2);
  EXPECT_THAT(r.err, HasSubstr(w.string() + ":4:14"));
  EXPECT_THAT(r.err, HasSubstr("expected a date YYYY-MM-DD"));
}

TEST_F(Certification, ShardsAreDisjointCoverEveryCaseStayStableAndMergeBack) {
  ASSERT_EQ(Exec("run suites/connectpay/basic.yaml --jobs 2" + Reports("all-")).exit, 0);
  std::set<std::string> all;
  const nlohmann::json whole = Json("all-");
  for (const auto& c : whole["suites"][0]["cases"]) all.insert(c["id"].get<std::string>());
  ASSERT_EQ(all.size(), 13u);
  std::set<std::string> seen;
  std::string inputs;
  int non_empty = 0;
  for (int i = 1; i <= 4; ++i) {
    const std::string tag = "s" + std::to_string(i) + "-";
    ExecResult r = Exec("run suites/connectpay/basic.yaml --jobs 2 --shard " + std::to_string(i) +
                        "/4" + Reports(tag));
    ASSERT_EQ(r.exit, 0) << r.out << r.err;
    nlohmann::json j = Json(tag);
    EXPECT_EQ(j["shard"], std::to_string(i) + "/4");
    int here = 0;
    for (const auto& s : j["suites"]) {
      for (const auto& c : s["cases"]) {
        EXPECT_TRUE(seen.insert(c["id"].get<std::string>()).second) << c["id"] << " in two shards";
        ++here;
      }
    }
    non_empty += here > 0;
    inputs += " " + (tmp_ / (tag + "results.json")).string();
  }
  EXPECT_EQ(seen, all);
  EXPECT_GE(non_empty, 3);
  // The environment variables pick the same shard as --shard.
  ASSERT_EQ(Exec("run suites/connectpay/basic.yaml --jobs 2" + Reports("env-"),
                 "TOLLGATE_SHARD_INDEX=2 TOLLGATE_TOTAL_SHARDS=4")
                .exit,
            0);
  std::set<std::string> env_ids, s2_ids;
  const nlohmann::json env_run = Json("env-"), s2_run = Json("s2-");
  for (const auto& s : env_run["suites"])
    for (const auto& c : s["cases"]) env_ids.insert(c["id"].get<std::string>());
  for (const auto& s : s2_run["suites"])
    for (const auto& c : s["cases"]) s2_ids.insert(c["id"].get<std::string>());
  EXPECT_EQ(env_ids, s2_ids);

  ExecResult m =
      Exec("report merge --junit " + (tmp_ / "merged.xml").string() + " --json " +
           (tmp_ / "merged.json").string() + " --html " + (tmp_ / "merged.html").string() + inputs);
  ASSERT_EQ(m.exit, 0) << m.out << m.err;
  EXPECT_THAT(m.out, HasSubstr("merged 4 file(s): 13 cases"));
  nlohmann::json merged = nlohmann::json::parse(Slurp(tmp_ / "merged.json"));
  EXPECT_EQ(merged["summary"]["tests"], 13);
  EXPECT_EQ(Xmllint(tmp_ / "merged.xml"), 0);
  const std::string xml = Slurp(tmp_ / "merged.xml");
  EXPECT_THAT(xml, HasSubstr(R"(<testsuites name="tollgate" tests="13" failures="0" errors="0")"));
}

TEST_F(Certification, BadShardValuesAreUsageErrors) {
  for (const char* bad : {"0/4", "5/4", "x"}) {
    ExecResult r = Exec(std::string("run suites/connectpay/basic.yaml --shard ") + bad + Reports());
    EXPECT_EQ(r.exit, 1) << bad;
    EXPECT_THAT(r.err, HasSubstr("expected I/N with 1 <= I <= N")) << bad;
  }
  ExecResult r = Exec("run suites/connectpay/basic.yaml" + Reports(), "TOLLGATE_SHARD_INDEX=1");
  EXPECT_EQ(r.exit, 1);
  EXPECT_THAT(r.err, HasSubstr("must be set together"));
}

TEST_F(Certification, MergingConflictingShardsIsAnError) {
  ASSERT_EQ(Exec("run suites/connectpay/basic.yaml --jobs 2" + Reports("a-")).exit, 0);
  ASSERT_EQ(Exec("run suites/connectpay/basic.yaml --jobs 2 --fault connectpay:accept_empty_key" +
                 Reports("b-"))
                .exit,
            4);
  ExecResult m =
      Exec("report merge --json " + (tmp_ / "m.json").string() + " " +
           (tmp_ / "a-results.json").string() + " " + (tmp_ / "b-results.json").string());
  EXPECT_EQ(m.exit, 2);
  EXPECT_THAT(m.err, HasSubstr("case `CP-BA-006` of `connectpay/basic` is in"));
}

TEST_F(Certification, EvidenceBundleVerifiesAndCatchesAModifiedFile) {
  const fs::path bundle = tmp_ / "bundle";
  ExecResult r = Exec(
      "run suites/connectpay/basic.yaml --jobs 2 --fault connectpay:accept_empty_key --secret "
      "pin=CP-SECRET-PIN-42 --evidence " +
      bundle.string() + Reports());
  EXPECT_EQ(r.exit, 4) << r.out << r.err;
  for (const char* f :
       {"report.html", "results.json", "junit.xml", "manifest.json",
        "sources/suites/connectpay/basic.yaml", "sources/suites/connectpay/requirements.yaml",
        "sources/mocks/connectpay.yaml"}) {
    EXPECT_TRUE(fs::exists(bundle / f)) << f;
  }
  const std::string html = Slurp(bundle / "report.html");
  EXPECT_THAT(html, HasSubstr("<div class=\"verdict fail\">FAIL</div>"));
  EXPECT_THAT(html, HasSubstr("CP-BA-006"));
  EXPECT_THAT(html, HasSubstr("<h5>Request</h5>"));
  EXPECT_THAT(html, HasSubstr("Basic ***"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=\"http")));

  ExecResult ok = Exec("report verify " + bundle.string());
  EXPECT_EQ(ok.exit, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("every file matches its manifest"));
  std::ofstream(bundle / "sources/suites/connectpay/basic.yaml", std::ios::app) << "# edited\n";
  ExecResult bad = Exec("report verify " + bundle.string());
  EXPECT_EQ(bad.exit, 4);
  EXPECT_THAT(bad.out, HasSubstr("modified: sources/suites/connectpay/basic.yaml"));
  EXPECT_EQ(Exec("report verify " + (tmp_ / "nothing").string()).exit, 2);
}

}  // namespace
