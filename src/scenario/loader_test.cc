#include "tollgate/scenario/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tollgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct DurationCase {
  std::string text;
  std::optional<long long> ms;
};

TEST(ParseDuration, IntegerAndUnitWithoutSpaces) {
  const std::vector<DurationCase> cases = {
      {"500ms", 500},
      {"0ms", 0},
      {"2s", 2000},
      {"1m", 60000},
      {"20m", 1200000},
      {"1h", 3600000},
      {"007s", 7000},
      {"", std::nullopt},
      {"ms", std::nullopt},
      {"5", std::nullopt},
      {"5 s", std::nullopt},
      {" 5s", std::nullopt},
      {"5s ", std::nullopt},
      {"1.5s", std::nullopt},
      {"-1s", std::nullopt},
      {"5d", std::nullopt},
      {"5S", std::nullopt},
      {"5sec", std::nullopt},
      {"1234567890h", std::nullopt},
  };
  for (const DurationCase& c : cases) {
    std::optional<Duration> d = ParseDuration(c.text);
    if (c.ms) {
      ASSERT_TRUE(d.has_value()) << c.text;
      EXPECT_EQ(d->count(), *c.ms) << c.text;
    } else {
      EXPECT_FALSE(d.has_value()) << c.text;
    }
  }
}

TEST(ParseSignedDuration, OptionalSignBeforeAnUnsignedDuration) {
  const std::vector<DurationCase> cases = {
      {"90s", 90000},          {"-5m", -300000},
      {"+2h", 7200000},        {"-0s", 0},
      {"+500ms", 500},         {"", std::nullopt},
      {"-", std::nullopt},     {"+", std::nullopt},
      {"--5m", std::nullopt},  {"+-5m", std::nullopt},
      {"- 5m", std::nullopt},  {"-5", std::nullopt},
      {"-1.5s", std::nullopt}, {"5m ago", std::nullopt},
  };
  for (const DurationCase& c : cases) {
    std::optional<Duration> d = ParseSignedDuration(c.text);
    if (c.ms) {
      ASSERT_TRUE(d.has_value()) << c.text;
      EXPECT_EQ(d->count(), *c.ms) << c.text;
    } else {
      EXPECT_FALSE(d.has_value()) << c.text;
    }
  }
  // The unsigned form stays unsigned: a sign is only for offsets.
  EXPECT_FALSE(ParseDuration("+5m").has_value());
}

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("tollgate_files_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string Write(const std::string& rel, const std::string& text = "x: 1\n") {
    std::filesystem::path p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.generic_string();
  }
  std::filesystem::path root_;
};

TEST_F(FilesTest, CollectsYamlRecursivelySortedWithoutRequirementsOrFaults) {
  Write("suites/gw/b.yaml");
  Write("suites/gw/a.yml");
  Write("suites/gw/requirements.yaml");
  Write("suites/gw/faults.yaml");
  Write("suites/gw/notes.md");
  Write("suites/gw/deep/c.yaml");
  Write("suites/aa.yaml");
  std::string s = (root_ / "suites").generic_string();
  StatusOr<std::vector<std::string>> files = CollectSuiteFiles({s});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_THAT(*files, ElementsAre(s + "/aa.yaml", s + "/gw/a.yml", s + "/gw/b.yaml",
                                  s + "/gw/deep/c.yaml"));
}

TEST_F(FilesTest, ExplicitFilesAreKeptAndDeduplicated) {
  std::string a = Write("x/a.yaml");
  std::string odd = Write("x/suite.txt");
  StatusOr<std::vector<std::string>> files =
      CollectSuiteFiles({odd, a, (root_ / "x").generic_string()});
  ASSERT_TRUE(files.ok());
  EXPECT_THAT(*files, ElementsAre(a, odd));
}

TEST_F(FilesTest, MissingPathIsNotFound) {
  std::string missing = (root_ / "nope").generic_string();
  StatusOr<std::vector<std::string>> files = CollectSuiteFiles({missing});
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(files.status().message(), HasSubstr(missing));
}

TEST_F(FilesTest, LoadSuiteHashesTheFileBytes) {
  // The expected hash is `sha256sum` of the same text, computed outside tollgate.
  std::string text =
      "suite: s\nscenarios:\n  - id: A\n    name: a\n    requirements: [R]\n"
      "    steps:\n      - wait: 1s\n";
  std::string path = Write("s.yaml", text);
  Diagnostics diags;
  std::optional<Suite> suite = LoadSuite(path, diags);
  ASSERT_TRUE(suite.has_value()) << diags.Render();
  EXPECT_EQ(suite->file, path);
  EXPECT_EQ(suite->sha256, "c2bd5a8ce2b3613a4e4286f716fe06d5eb05a7251384e0166dd4599621be9d11");
}

TEST_F(FilesTest, LoadOfAMissingFileIsADiagnosticNamingIt) {
  std::string missing = (root_ / "missing.yaml").generic_string();
  Diagnostics diags;
  EXPECT_FALSE(LoadSuite(missing, diags).has_value());
  EXPECT_FALSE(LoadEnvironment(missing, diags).has_value());
  EXPECT_FALSE(LoadTargetFile(missing, diags).has_value());
  EXPECT_FALSE(LoadRequirements(missing, diags).has_value());
  ASSERT_EQ(diags.size(), 4u);
  EXPECT_EQ(diags.items()[0].title, "cannot read `" + missing + "`: No such file or directory");
  EXPECT_EQ(diags.items()[0].loc.file, missing);
  EXPECT_EQ(diags.items()[0].loc.line, 0);
}

}  // namespace
}  // namespace tollgate
