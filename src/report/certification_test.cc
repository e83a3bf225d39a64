// The certification side of the reports: severities and waivers in JUnit and on the
// console, the HTML report, merging shard results, and the evidence manifest.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <regex>
#include <sstream>

#include "tollgate/report/report.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// The Jenkins xunit JUnit schema, vendored with its licence notice under tests/schemas/.
const std::string kSchemaPath = std::string(TOLLGATE_SOURCE_DIR) + "/tests/schemas/junit-10.xsd";

CaseResult Case(const std::string& id, Verdict v, std::vector<std::string> reqs, int line) {
  CaseResult c;
  c.suite_id = "gateway/auth";
  c.scenario_id = id;
  c.case_id = id;
  c.name = id + " does its thing";
  c.requirements = std::move(reqs);
  c.verdict = v;
  c.loc = {"suites/gateway/auth.yaml", line, 5};
  if (v == Verdict::kFail) {
    c.failures.push_back({"assert.status",
                          "expected status 401, got 200",
                          "401",
                          "200",
                          {"suites/gateway/auth.yaml", line + 4, 17}});
  }
  return c;
}

// A run with one of each outcome, a requirement catalog and evidence with TLS and tokens.
RunResult CertRun() {
  RunResult run;
  run.target = "https://staging.example.test";
  run.environment = "gateway";
  run.version = "0.1.0";
  run.timestamp = "2026-05-01T10:00:00Z";
  run.hostname = "ci";
  run.requirements = {
      {"gateway", "GW-1", "A request without a JWT gets 401.", "000_doc.txt", "Any request",
       Severity::kMust},
      {"gateway", "GW-2", "A 401 carries a challenge.", "RFC 6750 §3", "", Severity::kShould},
      {"gateway", "GW-3", "Rotated keys are honoured.", "000_doc.txt", "", Severity::kMust},
      {"gateway", "GW-9", "Never exercised here.", "000_doc.txt", "", Severity::kMust}};
  SuiteResult s;
  s.id = "gateway/auth";
  s.title = "Gateway auth";
  s.file = "suites/gateway/auth.yaml";
  s.profile = "gateway";
  s.cases.push_back(Case("GW-A-001", Verdict::kPass, {"GW-1"}, 4));
  CaseResult fail = Case("GW-A-002", Verdict::kFail, {"GW-1"}, 12);
  fail.transcript = {TranscriptText{"> GET /pay\n> Authorization: Bearer ***\n< HTTP/1.1 200\n"}};
  RecordedExchange x;
  x.request = {"GET", "https://staging.example.test/pay", {{"Authorization", "Bearer ***"}}, ""};
  x.response.status = 200;
  x.response.headers = {{"Content-Type", "text/plain"}};
  x.response.body = "<b>paid</b>";
  x.response.total_ms = 12.5;
  x.tls = RecordedTls{};
  x.tls->protocol = "TLSv1.3";
  x.tls->client_cert_subject = "CN=tollgate-client";
  x.tls->client_cert_sha256 = "ab12cd";
  x.tls->server_chain.push_back({"CN=staging.example.test", "CN=ca", "ef34", "", "", 30, {}});
  fail.evidence.push_back({"request",
                           {"suites/gateway/auth.yaml", 14, 9},
                           x,
                           {{"request Authorization: Bearer", R"({"alg":"none","typ":"JWT"})",
                             R"({"aud":"api","sub":"mallory"})"}}});
  s.cases.push_back(fail);
  CaseResult warn = Case("GW-A-003", Verdict::kFail, {"GW-2"}, 20);
  warn.severity = Severity::kShould;
  s.cases.push_back(warn);
  CaseResult waived = Case("GW-A-004", Verdict::kFail, {"GW-3"}, 28);
  waived.waiver = WaiverState::kWaived;
  waived.waiver_note = {"fix in release 4.2 (TICKET-7)", "2026-06-30", "waivers.yaml:3:5"};
  s.cases.push_back(waived);
  CaseResult unused = Case("GW-A-005", Verdict::kPass, {"GW-3"}, 36);
  unused.waiver = WaiverState::kUnused;
  unused.waiver_note = {"was flaky", "2026-06-30", "waivers.yaml:6:5"};
  s.cases.push_back(unused);
  run.suites.push_back(s);
  return run;
}

pugi::xml_document ParseXml(const std::string& xml) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str()));
  return doc;
}

pugi::xml_node TestCase(const pugi::xml_document& doc, const std::string& id) {
  for (pugi::xml_node tc : doc.child("testsuites").child("testsuite").children("testcase")) {
    if (std::string(tc.attribute("name").value()).rfind(id, 0) == 0) return tc;
  }
  ADD_FAILURE() << "no testcase " << id;
  return {};
}

std::string Property(const pugi::xml_document& doc, const std::string& name) {
  for (pugi::xml_node p :
       doc.child("testsuites").child("testsuite").child("properties").children()) {
    if (name == p.attribute("name").value()) return p.attribute("value").value();
  }
  return "<absent>";
}

int Xmllint(const std::string& xml) {
  const fs::path file =
      fs::path(::testing::TempDir()) / ("cert_" + std::to_string(getpid()) + ".xml");
  std::ofstream(file, std::ios::binary) << xml;
  const std::string cmd =
      "xmllint --noout --schema '" + kSchemaPath + "' '" + file.string() + "' >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  fs::remove(file);
  return rc;
}

TEST(Outcomes, CountsSeparateWarningsAndWaiversFromFailures) {
  const Counts n = CertRun().Count();
  EXPECT_EQ(n.tests, 5);
  EXPECT_EQ(n.passed, 2);
  EXPECT_EQ(n.failures, 1);
  EXPECT_EQ(n.warnings, 1);
  EXPECT_EQ(n.waived, 1);
  EXPECT_EQ(n.stale_waivers, 1);
}

TEST(Outcomes, StrictUnusedWaiverIsAFailureEvenOnAShouldCase) {
  CaseResult c = Case("X", Verdict::kFail, {"GW-2"}, 1);
  c.severity = Severity::kShould;
  c.waiver = WaiverState::kUnused;
  EXPECT_EQ(OutcomeOf(c), Outcome::kFail);
}

TEST(JunitOutcomes, ShouldFailureIsAPropertyAndSystemOutNeverAFailure) {
  const pugi::xml_document doc = ParseXml(RenderJunit(CertRun()));
  pugi::xml_node warn = TestCase(doc, "GW-A-003");
  EXPECT_FALSE(warn.child("failure"));
  EXPECT_FALSE(warn.child("error"));
  EXPECT_THAT(
      warn.child("system-out").text().get(),
      HasSubstr("WARNING (should requirement; does not fail the run)\nexpected status 401"));
  EXPECT_EQ(Property(doc, "case.GW-A-003.result"), "WARNING");
  EXPECT_EQ(Property(doc, "case.GW-A-003.requirement"), "GW-2");
  EXPECT_EQ(Property(doc, "case.GW-A-003.severity"), "should");
}

TEST(JunitOutcomes, WaivedFailureIsNotAFailureAndSaysWhyAndUntilWhen) {
  const pugi::xml_document doc = ParseXml(RenderJunit(CertRun()));
  pugi::xml_node waived = TestCase(doc, "GW-A-004");
  EXPECT_FALSE(waived.child("failure"));
  EXPECT_THAT(
      waived.child("system-out").text().get(),
      HasSubstr("WAIVED until 2026-06-30 (waivers.yaml:3:5): fix in release 4.2 (TICKET-7)"));
  EXPECT_EQ(Property(doc, "case.GW-A-004.result"), "WAIVED");
  EXPECT_EQ(Property(doc, "case.GW-A-005.result"), "WAIVER-NOT-NEEDED");
}

TEST(JunitOutcomes, CountsEqualFailureChildrenAndValidate) {
  const std::string xml = RenderJunit(CertRun());
  const pugi::xml_document doc = ParseXml(xml);
  pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  int failures = 0, tests = 0;
  for (pugi::xml_node tc : suite.children("testcase")) {
    ++tests;
    failures += tc.child("failure") ? 1 : 0;
    EXPECT_FALSE(tc.child("error"));
  }
  EXPECT_EQ(suite.attribute("tests").as_int(), tests);
  EXPECT_EQ(suite.attribute("failures").as_int(), failures);
  EXPECT_EQ(failures, 1);
  ASSERT_TRUE(fs::exists(kSchemaPath)) << kSchemaPath;
  EXPECT_EQ(Xmllint(xml), 0);
}

TEST(ConsoleOutcomes, WarningsAndWaiversHaveTheirOwnWordsAndCounts) {
  const RunResult run = CertRun();
  EXPECT_EQ(ConsoleCaseLine(run.suites[0].cases[2], {}),
            "  WARN  GW-A-003 does its thing  (0 ms)\n");
  EXPECT_EQ(ConsoleCaseLine(run.suites[0].cases[3], {}),
            "  WAIVE GW-A-004 does its thing  (0 ms)\n");
  const std::string summary = ConsoleSummary(run, {});
  EXPECT_THAT(summary, HasSubstr("waived until 2026-06-30: fix in release 4.2 (TICKET-7)"));
  EXPECT_THAT(summary, HasSubstr("waiver not needed: GW-A-005 does its thing passes"));
  EXPECT_THAT(summary,
              HasSubstr("2 passed, 1 failed, 0 errors, 0 skipped, 1 warnings, 1 waived in"));
}

TEST(HtmlReport, IsSelfContained) {
  const std::string html = RenderHtml(CertRun());
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"re((src|href)\s*=\s*"?(https?:)?//)re")));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"re(url\()re")));
  // Every href is an anchor within the page.
  std::smatch m;
  std::string rest = html;
  while (std::regex_search(rest, m, std::regex(R"re(href="([^"]*)")re"))) {
    EXPECT_EQ(m[1].str().substr(0, 1), "#") << m[1];
    rest = m.suffix();
  }
}

TEST(HtmlReport, HeaderCarriesTargetEnvironmentVersionDateAndVerdict) {
  const std::string html = RenderHtml(CertRun());
  EXPECT_THAT(html, HasSubstr("<div class=\"verdict fail\">FAIL</div>"));
  EXPECT_THAT(html, HasSubstr("<tr><th>Target</th><td>https://staging.example.test</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr><th>Environment</th><td>gateway</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr><th>Harness</th><td>tollgate 0.1.0</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr><th>Date</th><td>2026-05-01T10:00:00Z</td></tr>"));
  RunResult passing = CertRun();
  passing.suites[0].cases.erase(passing.suites[0].cases.begin() + 1);
  EXPECT_THAT(RenderHtml(passing), HasSubstr("<div class=\"verdict pass\">PASS</div>"));
}

TEST(HtmlReport, RequirementMatrixRowsCarrySourceSeverityAndWorstResult) {
  const std::string html = RenderHtml(CertRun());
  EXPECT_THAT(html, HasSubstr("<td class=\"req\">GW-1</td><td>must</td><td>000_doc.txt</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"req\">GW-2</td><td>should</td><td>RFC 6750 §3</td>"));
  // GW-1: one pass, one fail -> fail. GW-9: nothing checks it in this run.
  const std::size_t gw1 = html.find("<td class=\"req\">GW-1</td>");
  const std::size_t row_end = html.find("</tr>", gw1);
  EXPECT_THAT(html.substr(gw1, row_end - gw1),
              HasSubstr("<td><span class=\"chip fail\">fail</span></td>"));
  const std::size_t gw9 = html.find("<td class=\"req\">GW-9</td>");
  EXPECT_THAT(html.substr(gw9, html.find("</tr>", gw9) - gw9), HasSubstr("not run"));
}

TEST(HtmlReport, FailureEvidenceShowsRequestResponseTlsTokensAndWhere) {
  const std::string html = RenderHtml(CertRun());
  EXPECT_THAT(html, HasSubstr("<code>GET https://staging.example.test/pay</code>"));
  EXPECT_THAT(html, HasSubstr("<code>HTTP 200 (12.5 ms)</code>"));
  EXPECT_THAT(html, HasSubstr("&lt;b&gt;paid&lt;/b&gt;"));  // the body, escaped
  EXPECT_THAT(html, Not(HasSubstr("<b>paid</b>")));
  EXPECT_THAT(html, HasSubstr("<h5>TLS</h5>"));
  EXPECT_THAT(html, HasSubstr("<code>TLSv1.3</code>"));
  EXPECT_THAT(html, HasSubstr("<code>CN=tollgate-client</code>"));
  EXPECT_THAT(html, HasSubstr("<code>ab12cd</code>"));
  EXPECT_THAT(html, HasSubstr("<code>CN=staging.example.test</code>"));
  EXPECT_THAT(html, HasSubstr("&quot;alg&quot;: &quot;none&quot;"));
  EXPECT_THAT(html, HasSubstr("&quot;sub&quot;: &quot;mallory&quot;"));
  EXPECT_THAT(html, HasSubstr("<td><code>401</code></td><td><code>200</code></td><td><code>suites/"
                              "gateway/auth.yaml:16:17</code>"));
  EXPECT_THAT(html, HasSubstr("fix in release 4.2 (TICKET-7)"));
}

TEST(HtmlReport, EscapesHostileTextAndKeepsRedaction) {
  RunResult run = CertRun();
  run.target = "<script>alert(1)</script>";
  run.suites[0].cases[1].failures[0].actual = "\"><img src=x onerror=alert(1)>";
  const std::string html = RenderHtml(run);
  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("Bearer ***"));
}

TEST(JsonRoundTrip, ParseJsonResultsReadsBackWhatRenderJsonWrote) {
  const RunResult run = CertRun();
  auto back = ParseJsonResults(RenderJson(run), "r.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(RenderJson(*back), RenderJson(run));
  EXPECT_EQ(RenderJunit(*back), RenderJunit(run));
}

TEST(JsonRoundTrip, RejectsWhatIsNotAResultsFile) {
  auto r = ParseJsonResults("{\"schema\": \"other\"}", "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("x.json: not a tollgate JSON report"));
  EXPECT_FALSE(ParseJsonResults("not json", "y.json").ok());
}

// Splits CertRun's cases into two "shards".
std::vector<std::pair<std::string, RunResult>> Shards() {
  RunResult a = CertRun(), b = CertRun();
  a.shard = "1/2";
  b.shard = "2/2";
  auto& ca = a.suites[0].cases;
  auto& cb = b.suites[0].cases;
  ca.erase(ca.begin() + 1, ca.begin() + 3);  // a: 001, 004, 005
  cb.erase(cb.begin() + 3, cb.end());        // b: 001, 002, 003
  cb.erase(cb.begin());                      // b: 002, 003
  return {{"a.json", a}, {"b.json", b}};
}

TEST(Merge, UnionOfShardsEqualsTheWholeRunInFileOrder) {
  std::vector<std::string> notes;
  auto merged = MergeResults(Shards(), &notes);
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_TRUE(notes.empty());
  const RunResult whole = CertRun();
  ASSERT_EQ(merged->suites.size(), 1u);
  std::vector<std::string> ids;
  for (const CaseResult& c : merged->suites[0].cases) ids.push_back(c.case_id);
  EXPECT_THAT(ids,
              ::testing::ElementsAre("GW-A-001", "GW-A-002", "GW-A-003", "GW-A-004", "GW-A-005"));
  const Counts m = merged->Count(), w = whole.Count();
  EXPECT_EQ(m.tests, w.tests);
  EXPECT_EQ(m.failures, w.failures);
  EXPECT_EQ(m.warnings, w.warnings);
  EXPECT_EQ(m.waived, w.waived);
  EXPECT_EQ(merged->requirements.size(), whole.requirements.size());
  const std::string xml = RenderJunit(*merged);
  const pugi::xml_document doc = ParseXml(xml);
  EXPECT_EQ(doc.child("testsuites").attribute("tests").as_int(), 5);
  EXPECT_EQ(doc.child("testsuites").attribute("failures").as_int(), 1);
  ASSERT_TRUE(fs::exists(kSchemaPath)) << kSchemaPath;
  EXPECT_EQ(Xmllint(xml), 0);
}

TEST(Merge, ConflictingDuplicateIsAnErrorNamingBothFiles) {
  auto shards = Shards();
  CaseResult twin = shards[1].second.suites[0].cases[0];  // GW-A-002, failed
  twin.verdict = Verdict::kPass;
  twin.failures.clear();
  shards[0].second.suites[0].cases.push_back(twin);
  auto merged = MergeResults(shards, nullptr);
  ASSERT_FALSE(merged.ok());
  EXPECT_THAT(
      merged.status().message(),
      HasSubstr("case `GW-A-002` of `gateway/auth` is in a.json (pass) and in b.json (fail)"));
}

TEST(Merge, IdenticalDuplicateCountsOnceWithANote) {
  auto shards = Shards();
  shards[0].second.suites[0].cases.push_back(shards[1].second.suites[0].cases[0]);
  std::vector<std::string> notes;
  auto merged = MergeResults(shards, &notes);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->Count().tests, 5);
  EXPECT_THAT(notes, ::testing::Contains(HasSubstr("counted once")));
}

TEST(Merge, DifferentTargetsAndMissingShardsAreReported) {
  auto shards = Shards();
  shards[1].second.target = "https://prod.example.test";
  auto merged = MergeResults(shards, nullptr);
  ASSERT_FALSE(merged.ok());
  EXPECT_THAT(merged.status().message(), HasSubstr("not shards of one run"));
  std::vector<std::string> notes;
  ASSERT_TRUE(MergeResults({Shards()[0]}, &notes).ok());
  EXPECT_THAT(notes, ::testing::ElementsAre("shard 2/2 is missing from the inputs"));
}

class Manifest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("manifest_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    ASSERT_TRUE(WriteFile((dir_ / "report.html").string(), "<html>ok</html>").ok());
    ASSERT_TRUE(WriteFile((dir_ / "sources/suites/a.yaml").string(), "suite: a\n").ok());
    ASSERT_TRUE(WriteManifest(dir_.string()).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(Manifest, AnIntactBundleVerifies) {
  auto problems = VerifyManifest(dir_.string());
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
}

TEST_F(Manifest, AModifiedMissingOrExtraFileIsNamed) {
  std::ofstream(dir_ / "sources/suites/a.yaml", std::ios::app) << "# edited\n";
  fs::remove(dir_ / "report.html");
  std::ofstream(dir_ / "extra.txt") << "x";
  auto problems = VerifyManifest(dir_.string());
  ASSERT_TRUE(problems.ok());
  EXPECT_THAT(*problems, ::testing::UnorderedElementsAre(
                             HasSubstr("modified: sources/suites/a.yaml (manifest sha256 "),
                             "missing: report.html", "not in the manifest: extra.txt"));
}

TEST_F(Manifest, NoManifestIsAnError) {
  fs::remove(dir_ / "manifest.json");
  auto problems = VerifyManifest(dir_.string());
  ASSERT_FALSE(problems.ok());
  EXPECT_THAT(problems.status().message(), HasSubstr("manifest.json"));
}

}  // namespace
}  // namespace tollgate
