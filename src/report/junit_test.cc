#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>
#include <string>

#include "report/test_runs.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;
using testing::GoldenRun;
using ::testing::HasSubstr;
using testing::HostileRun;
using testing::kHostileMarkup;
using testing::kHostileUtf8;
using ::testing::Not;

// The Jenkins xunit JUnit schema, vendored with its licence notice under tests/schemas/.
const std::string kSchemaPath = std::string(TOLLGATE_SOURCE_DIR) + "/tests/schemas/junit-10.xsd";
const char kGoldenPath[] = TOLLGATE_SOURCE_DIR "/tests/e2e/junit-golden/expected.xml";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs xmllint against the schema; returns its exit status and, on failure, its output.
int ValidateWithXmllint(const std::string& xml, const std::string& label, std::string& log) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("tollgate_junit_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / (label + ".xml");
  const fs::path out = dir / (label + ".log");
  std::ofstream(file, std::ios::binary) << xml;
  const std::string cmd = "xmllint --noout --schema '" + kSchemaPath + "' '" + file.string() +
                          "' >'" + out.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  log = ReadAll(out);
  fs::remove_all(dir);
  return rc;
}

pugi::xml_document Parse(const std::string& xml) {
  pugi::xml_document doc;
  const pugi::xml_parse_result r = doc.load_string(xml.c_str());
  EXPECT_TRUE(r) << r.description() << " at offset " << r.offset;
  return doc;
}

int CountChildren(pugi::xml_node node, const char* name) {
  int n = 0;
  for (pugi::xml_node c : node.children(name)) {
    (void)c;
    ++n;
  }
  return n;
}

pugi::xml_node CaseNamed(const pugi::xml_document& doc, const std::string& name) {
  for (pugi::xml_node s : doc.child("testsuites").children("testsuite")) {
    for (pugi::xml_node tc : s.children("testcase")) {
      if (name == tc.attribute("name").value()) return tc;
    }
  }
  ADD_FAILURE() << "no testcase named " << name;
  return {};
}

class JunitSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    // Vendored in the tree: a missing schema is a failure, never a skip.
    ASSERT_TRUE(fs::exists(kSchemaPath)) << "schema not found: " << kSchemaPath;
    // libxml2-utils is a build dependency; a missing xmllint must not pass silently.
    ASSERT_EQ(std::system("command -v xmllint >/dev/null 2>&1"), 0) << "xmllint not installed";
  }
};

TEST_F(JunitSchema, GoldenRunValidates) {
  std::string log;
  EXPECT_EQ(ValidateWithXmllint(RenderJunit(GoldenRun()), "golden", log), 0) << log;
}

TEST_F(JunitSchema, HostileTextValidates) {
  std::string log;
  EXPECT_EQ(ValidateWithXmllint(RenderJunit(HostileRun()), "hostile", log), 0) << log;
}

TEST_F(JunitSchema, EmptyRunValidates) {
  std::string log;
  EXPECT_EQ(ValidateWithXmllint(RenderJunit(RunResult{}), "empty", log), 0) << log;
}

// Guards the guard: the validation above must be able to fail.
TEST_F(JunitSchema, XmllintRejectsACountlessSuite) {
  std::string log;
  EXPECT_NE(ValidateWithXmllint("<testsuites><testsuite name=\"x\"/></testsuites>", "bad", log), 0);
}

TEST(Junit, CountsEqualChildren) {
  for (const RunResult& run : {GoldenRun(), HostileRun()}) {
    const pugi::xml_document doc = Parse(RenderJunit(run));
    const pugi::xml_node root = doc.child("testsuites");
    int tests = 0, failures = 0, errors = 0;
    for (pugi::xml_node s : root.children("testsuite")) {
      int s_tests = 0, s_failures = 0, s_errors = 0, s_skipped = 0;
      for (pugi::xml_node tc : s.children("testcase")) {
        ++s_tests;
        s_failures += CountChildren(tc, "failure");
        s_errors += CountChildren(tc, "error");
        s_skipped += CountChildren(tc, "skipped");
      }
      EXPECT_EQ(s.attribute("tests").as_int(-1), s_tests) << s.attribute("name").value();
      EXPECT_EQ(s.attribute("failures").as_int(-1), s_failures);
      EXPECT_EQ(s.attribute("errors").as_int(-1), s_errors);
      EXPECT_EQ(s.attribute("skipped").as_int(-1), s_skipped);
      tests += s_tests;
      failures += s_failures;
      errors += s_errors;
    }
    EXPECT_EQ(root.attribute("tests").as_int(-1), tests);
    EXPECT_EQ(root.attribute("failures").as_int(-1), failures);
    EXPECT_EQ(root.attribute("errors").as_int(-1), errors);
  }
}

TEST(Junit, TotalsForGoldenRun) {
  const pugi::xml_document doc = Parse(RenderJunit(GoldenRun()));
  const pugi::xml_node root = doc.child("testsuites");
  EXPECT_STREQ(root.attribute("name").value(), "tollgate");
  EXPECT_EQ(root.attribute("tests").as_int(), 6);
  EXPECT_EQ(root.attribute("failures").as_int(), 1);
  EXPECT_EQ(root.attribute("errors").as_int(), 1);
  EXPECT_STREQ(root.attribute("time").value(), "1.234");
  EXPECT_EQ(CountChildren(root, "testsuite"), 2);
  const pugi::xml_node first = root.child("testsuite");
  EXPECT_STREQ(first.attribute("name").value(), "connectpay/basic-auth");
  EXPECT_STREQ(first.attribute("tests").value(), "4");
  EXPECT_STREQ(first.attribute("skipped").value(), "1");
  EXPECT_STREQ(first.attribute("time").value(), "0.750");
  EXPECT_STREQ(first.attribute("timestamp").value(), "2024-05-01T10:00:00Z");
  EXPECT_STREQ(first.attribute("hostname").value(), "ci-runner-7");
  EXPECT_STREQ(first.attribute("file").value(), "suites/connectpay/basic-auth.yaml");
}

// Parallel cases: the suite's time is its wall time as the runner measured it, not the sum
// of its case times, and a suite never reports more than the whole run.
TEST(Junit, SuiteTimeIsItsWallTimeNotTheSumOfItsCases) {
  RunResult run = GoldenRun();
  run.seconds = 1.0;
  SuiteResult& suite = run.suites.front();
  for (CaseResult& c : suite.cases) c.seconds = 0.9;  // overlapping cases, sum > 1 s
  suite.seconds = 0.95;
  pugi::xml_document doc = Parse(RenderJunit(run));
  pugi::xml_node root = doc.child("testsuites");
  EXPECT_STREQ(root.attribute("time").value(), "1.000");
  EXPECT_STREQ(root.child("testsuite").attribute("time").value(), "0.950");
  EXPECT_STREQ(root.child("testsuite").child("testcase").attribute("time").value(), "0.900");

  // Merged shards add up suite times that overlapped: capped at the run's wall time.
  suite.seconds = 2.5;
  doc = Parse(RenderJunit(run));
  root = doc.child("testsuites");
  EXPECT_STREQ(root.attribute("time").value(), "1.000");
  EXPECT_STREQ(root.child("testsuite").attribute("time").value(), "1.000");
}

TEST(Junit, PropertiesComeFirstWithEveryField) {
  const pugi::xml_document doc = Parse(RenderJunit(GoldenRun()));
  const pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  ASSERT_STREQ(suite.first_child().name(), "properties");
  std::vector<std::pair<std::string, std::string>> props;
  for (pugi::xml_node p : suite.first_child().children("property")) {
    props.emplace_back(p.attribute("name").value(), p.attribute("value").value());
  }
  const std::vector<std::pair<std::string, std::string>> want = {
      {"target", "mock:connectpay"},
      {"environment", "connectpay"},
      {"tollgate.version", "0.1.0"},
      {"profile", "connectpay"},
      {"suite.sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
      {"suite.title", "ConnectPay: basic authentication"},
  };
  EXPECT_EQ(props, want);
  EXPECT_EQ(CountChildren(suite, "properties"), 1);
}

TEST(Junit, CaseNameIsTakenAsIsWithSuiteAsClassname) {
  const pugi::xml_document doc = Parse(RenderJunit(GoldenRun()));
  const pugi::xml_node tc = CaseNamed(doc, "CP-BA-002 rejects a wrong scheme [scheme=Bearer]");
  EXPECT_STREQ(tc.attribute("classname").value(), "connectpay/basic-auth");
  EXPECT_STREQ(tc.attribute("time").value(), "0.030");
  // The matrix values are part of CaseResult::name already; nothing is appended.
  EXPECT_THAT(RenderJunit(GoldenRun()), Not(HasSubstr("[scheme=Bearer] [scheme=Bearer]")));
}

TEST(Junit, FailedCaseIsOneFailureListingEveryCheck) {
  const pugi::xml_document doc = Parse(RenderJunit(GoldenRun()));
  const pugi::xml_node tc = CaseNamed(doc, "CP-BA-002 rejects a wrong scheme [scheme=Bearer]");
  EXPECT_EQ(CountChildren(tc, "failure"), 1);
  EXPECT_EQ(CountChildren(tc, "error"), 0);
  const pugi::xml_node f = tc.child("failure");
  EXPECT_STREQ(f.attribute("message").value(), "expected status 401, got 200");
  EXPECT_STREQ(f.attribute("type").value(), "assert.status");
  EXPECT_EQ(std::string(f.text().get()),
            "expected status 401, got 200\n"
            "  expected: 401\n"
            "  actual:   200\n"
            "  at suites/connectpay/basic-auth.yaml:21:9\n"
            "expected header WWW-Authenticate, absent\n"
            "  expected: WWW-Authenticate: Basic\n"
            "  actual:   (absent)\n"
            "  at suites/connectpay/basic-auth.yaml:23:9\n");
}

TEST(Junit, ErroredCaseIsHarnessErrorNeverFailure) {
  const pugi::xml_document doc = Parse(RenderJunit(GoldenRun()));
  const pugi::xml_node tc = CaseNamed(doc, "SC-NT-001 notification carries a fresh token");
  EXPECT_EQ(CountChildren(tc, "error"), 1);
  EXPECT_EQ(CountChildren(tc, "failure"), 0);
  const pugi::xml_node e = tc.child("error");
  EXPECT_STREQ(e.attribute("message").value(), "mock receiver did not start");
  EXPECT_STREQ(e.attribute("type").value(), "harness");
  EXPECT_STREQ(e.text().get(), "mock receiver did not start\nbind 127.0.0.1:0: address in use");
}

TEST(Junit, SkippedCaseCarriesReason) {
  const pugi::xml_document doc = Parse(RenderJunit(GoldenRun()));
  const pugi::xml_node tc = CaseNamed(doc, "CP-BA-003 token expires after 20 minutes");
  ASSERT_EQ(CountChildren(tc, "skipped"), 1);
  EXPECT_STREQ(tc.child("skipped").attribute("message").value(), "excluded by --tags 'not slow'");
  EXPECT_EQ(CountChildren(tc, "failure") + CountChildren(tc, "error"), 0);
}

TEST(Junit, PassedCaseHasNoOutcomeElement) {
  const pugi::xml_document doc = Parse(RenderJunit(GoldenRun()));
  const pugi::xml_node tc = CaseNamed(doc, "CP-BA-002 rejects a wrong scheme [scheme=Digest]");
  EXPECT_EQ(
      CountChildren(tc, "failure") + CountChildren(tc, "error") + CountChildren(tc, "skipped"), 0);
}

TEST(Junit, SystemOutStartsWithRequirementsThenTranscript) {
  const pugi::xml_document doc = Parse(RenderJunit(GoldenRun()));
  EXPECT_STREQ(CaseNamed(doc, "CP-BA-002 rejects a wrong scheme [scheme=Bearer]")
                   .child("system-out")
                   .text()
                   .get(),
               "requirements: CP-AUTH-2, CP-AUTH-3\n"
               "> GET /accounts HTTP/1.1\n> Authorization: ***\n< HTTP/1.1 200 OK\n");
  // Requirements alone, no transcript.
  EXPECT_STREQ(
      CaseNamed(doc, "CP-BA-001 accepts valid credentials").child("system-out").text().get(),
      "requirements: CP-AUTH-1\n");
  // Transcript alone, no requirements.
  EXPECT_STREQ(
      CaseNamed(doc, "SC-NT-002 token refused by other scopes").child("system-out").text().get(),
      "> POST /token HTTP/1.1\n< HTTP/1.1 400 Bad Request\n");
  // Neither: no element.
  EXPECT_FALSE(CaseNamed(doc, "CP-BA-003 token expires after 20 minutes").child("system-out"));
}

TEST(Junit, HostileTextParsesBackIntact) {
  const std::string xml = RenderJunit(HostileRun());
  const pugi::xml_document doc = Parse(xml);
  const pugi::xml_node root = doc.child("testsuites");
  const pugi::xml_node suite = root.child("testsuite");
  EXPECT_STREQ(suite.attribute("name").value(), "hostile/<suite>&\"");
  EXPECT_STREQ(suite.attribute("hostname").value(), "host\\x01name");
  EXPECT_STREQ(suite.child("properties")
                   .find_child_by_attribute("name", "suite.title")
                   .attribute("value")
                   .value(),
               kHostileUtf8);

  const pugi::xml_node fail = suite.child("testcase");
  EXPECT_EQ(std::string(fail.attribute("name").value()),
            std::string("H-001 ") + kHostileMarkup + " [k=\xE2\x82\xAC]");
  const pugi::xml_node f = fail.child("failure");
  EXPECT_STREQ(f.attribute("message").value(), "body had \\x1B[31mred\\x1B[0m and NUL \\x00 end");
  const std::string text = f.text().get();
  EXPECT_THAT(text, HasSubstr(std::string("  expected: ") + kHostileMarkup + "\n"));
  EXPECT_THAT(text, HasSubstr("  actual:   bad utf8 \\xFF\\xFE and \xEF\xBF\xBD nonchar\n"));
  const std::string out = fail.child("system-out").text().get();
  EXPECT_THAT(out, HasSubstr("requirements: R<1>, R&2\n"));
  EXPECT_THAT(out, HasSubstr("X-Bell: \\x07"));
  EXPECT_THAT(out, HasSubstr(kHostileUtf8));

  const pugi::xml_node err = CaseNamed(doc, "H-002 error with \\x02 control").child("error");
  EXPECT_STREQ(err.attribute("message").value(), "connect failed: <refused> & \"gone\"\\x0B");
  EXPECT_THAT(std::string(err.text().get()), HasSubstr(std::string("second line ") + kHostileUtf8));
  EXPECT_STREQ(CaseNamed(doc, "H-003 skipped").child("skipped").attribute("message").value(),
               "not applicable: <capability> & \x7F");

  // No raw control byte other than tab, newline and CR reaches the file.
  for (const char ch : xml) {
    const auto b = static_cast<unsigned char>(ch);
    EXPECT_FALSE(b < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') << "byte " << int{b};
  }
}

TEST(Junit, TimesHaveThreeDecimalsAndBadTimesBecomeZero) {
  const pugi::xml_document doc = Parse(RenderJunit(HostileRun()));
  const pugi::xml_node root = doc.child("testsuites");
  EXPECT_STREQ(root.attribute("time").value(), "0.000");                     // -3
  EXPECT_STREQ(root.child("testsuite").attribute("time").value(), "0.000");  // NaN
  EXPECT_STREQ(root.child("testsuite").child("testcase").attribute("time").value(), "0.001");

  RunResult long_run;
  long_run.seconds = 4321.98765;
  EXPECT_STREQ(Parse(RenderJunit(long_run)).child("testsuites").attribute("time").value(),
               "4321.988");
}

TEST(Junit, FailWithoutRecordedChecksStillReadsAsFailure) {
  RunResult run;
  SuiteResult s;
  s.id = "x";
  CaseResult c;
  c.name = "X-1";
  c.verdict = Verdict::kFail;
  s.cases.push_back(c);
  run.suites.push_back(s);
  const pugi::xml_document doc = Parse(RenderJunit(run));
  const pugi::xml_node f = CaseNamed(doc, "X-1").child("failure");
  ASSERT_TRUE(f);
  EXPECT_STREQ(f.attribute("type").value(), "unknown");
}

TEST(Junit, MatchesGoldenFile) {
  const std::string actual = RenderJunit(GoldenRun());
  if (std::getenv("TOLLGATE_UPDATE_GOLDEN") != nullptr) {
    fs::create_directories(fs::path(kGoldenPath).parent_path());
    std::ofstream(kGoldenPath, std::ios::binary) << actual;
  }
  ASSERT_TRUE(fs::exists(kGoldenPath)) << kGoldenPath;
  EXPECT_EQ(actual, ReadAll(kGoldenPath))
      << "rerun with TOLLGATE_UPDATE_GOLDEN=1 to refresh after an intended change";
}

}  // namespace
}  // namespace tollgate
