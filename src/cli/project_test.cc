#include "cli/project.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tollgate/runner/vocabulary.h"

namespace tollgate::cli {
namespace {
namespace fs = std::filesystem;

// Each test lays out folders under its own temporary folder: a project checkout, an
// installed copy (bin/ and share/tollgate/) and a source tree, each with suites/.
class ProjectLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_cwd_ = fs::current_path();
    tmp_ = fs::temp_directory_path() /
           ("tollgate-project-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(tmp_ / "checkout" / "suites");
    fs::create_directories(tmp_ / "prefix" / "bin");
    fs::create_directories(tmp_ / "prefix" / "share" / "tollgate" / "suites" / "gateway");
    fs::create_directories(tmp_ / "prefix" / "share" / "tollgate" / "certs");
    std::ofstream(tmp_ / "prefix" / "share" / "tollgate" / "certs" / "pki.yaml") << "pki: {}\n";
    fs::create_directories(tmp_ / "source" / "suites");
    fs::create_directories(tmp_ / "empty");
  }
  void TearDown() override {
    fs::current_path(saved_cwd_);
    fs::remove_all(tmp_);
  }

  // A lookup from the empty folder by the installed binary, with a source tree compiled in.
  ProjectLookup Installed() const {
    ProjectLookup l;
    l.cwd = (tmp_ / "empty").string();
    l.executable = (tmp_ / "prefix" / "bin" / "tollgate").string();
    l.installed_data = "../share/tollgate";
    l.source_dir = (tmp_ / "source").string();
    return l;
  }

  fs::path tmp_, saved_cwd_;
};

TEST_F(ProjectLookupTest, InstalledDataFolderBeatsTheCompiledInSourceTree) {
  ProjectPlace place = FindProject(Installed());
  EXPECT_EQ(place.root, (tmp_ / "prefix" / "share" / "tollgate").string());
  EXPECT_TRUE(place.installed);
}

TEST_F(ProjectLookupTest, CurrentFolderWithSuitesBeatsEverything) {
  ProjectLookup l = Installed();
  l.cwd = (tmp_ / "checkout").string();
  l.home_override = (tmp_ / "source").string();
  ProjectPlace place = FindProject(l);
  EXPECT_EQ(place.root, l.cwd);
  EXPECT_FALSE(place.installed);
}

TEST_F(ProjectLookupTest, HomeOverrideBeatsTheInstalledCopy) {
  ProjectLookup l = Installed();
  l.home_override = (tmp_ / "checkout").string();
  ProjectPlace place = FindProject(l);
  EXPECT_EQ(place.root, l.home_override);
  EXPECT_FALSE(place.installed);
}

TEST_F(ProjectLookupTest, BuildTreeBinaryFallsBackToItsSourceTree) {
  ProjectLookup l = Installed();
  l.executable = (tmp_ / "build" / "tollgate").string();  // no share/tollgate beside it
  ProjectPlace place = FindProject(l);
  EXPECT_EQ(place.root, (tmp_ / "source").string());
  EXPECT_FALSE(place.installed);
  l.source_dir.clear();
  EXPECT_EQ(FindProject(l).root, l.cwd);
}

TEST_F(ProjectLookupTest, PkiCacheFollowsXdgThenHome) {
  EXPECT_EQ(PkiCacheDir("/x/cache", "/home/u"), "/x/cache/tollgate/pki");
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
  EXPECT_EQ(PkiCacheDir("relative", "/home/u"), "/home/u/.cache/tollgate/pki");
  EXPECT_EQ(PkiCacheDir("", "/home/u"), "/home/u/.cache/tollgate/pki");
  EXPECT_EQ(
      PkiCacheDir("", ""),
      (fs::temp_directory_path() / ("tollgate-" + std::to_string(getuid())) / "pki").string());
}

TEST_F(ProjectLookupTest, InstalledCopyGeneratesItsPkiIntoTheCacheNeverIntoShare) {
  ProjectPlace place = FindProject(Installed());
  PkiPaths pki = PkiFor(place, "/cache/tollgate/pki");
  EXPECT_EQ(pki.config, (tmp_ / "prefix" / "share" / "tollgate" / "certs" / "pki.yaml").string());
  EXPECT_EQ(pki.out_dir, "/cache/tollgate/pki");
}

TEST_F(ProjectLookupTest, ProjectFolderKeepsItsPkiBesideItsProfile) {
  fs::create_directories(tmp_ / "checkout" / "certs");
  std::ofstream(tmp_ / "checkout" / "certs" / "pki.yaml") << "pki: {}\n";
  PkiPaths pki = PkiFor({(tmp_ / "checkout").string(), false}, "/cache/tollgate/pki");
  EXPECT_EQ(pki.out_dir, (tmp_ / "checkout" / "certs" / "generated").string());
  // No PKI profile: nothing to generate, anywhere.
  PkiPaths none = PkiFor({(tmp_ / "source").string(), false}, "/cache/tollgate/pki");
  EXPECT_EQ(none.config, "");
  EXPECT_EQ(none.out_dir, "");
}

TEST_F(ProjectLookupTest, BareProfileNameRunsTheProjectsProfileUnlessAFileHasThatName) {
  fs::create_directories(tmp_ / "checkout" / "suites" / "gateway");
  fs::create_directories(tmp_ / "checkout" / "suites" / "signed-api");
  fs::current_path(tmp_ / "checkout");
  std::ofstream("signed-api") << "a file of that name in the current folder\n";
  std::vector<std::string> got =
      ResolveProfileNames({"gateway", "signed-api", "nosuch", "suites/gateway"});
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], "./suites/gateway");
  EXPECT_EQ(got[1], "signed-api");
  EXPECT_EQ(got[2], "nosuch");
  EXPECT_EQ(got[3], "suites/gateway");
}

// Names other modules own are checked with the environment: a `mock:` action the service's
// kind lacks and a fault-map entry its kind lacks, each with a "did you mean".
TEST_F(ProjectLookupTest, MockActionsAndFaultMapsAreCheckedAgainstTheServicesKinds) {
  RegisterVocabularies();
  fs::path p = tmp_ / "checkout";
  fs::create_directories(p / "suites" / "demo");
  fs::create_directories(p / "mocks");
  std::ofstream(p / "mocks" / "demo.yaml") << "environment: demo\n"
                                              "default_target: idp\n"
                                              "services:\n"
                                              "  idp: {kind: issuer}\n"
                                              "  keys: {kind: jwks}\n";
  std::ofstream(p / "suites" / "demo" / "requirements.yaml")
      << "profile: demo\n"
         "environment: mocks/demo.yaml\n"
         "requirements:\n"
         "  - {id: R-1, text: t, source: s, quote: q, severity: must, rationale: \"must: a "
         "test\"}\n"
         "faults:\n"
         "  long_lived_token: [D-001]\n"
         "  keys:expired_certificate: [D-001]\n"
         "  keys:dwn: [D-001]\n";
  std::ofstream(p / "suites" / "demo" / "demo.yaml")
      << "suite: demo\n"
         "requires: [idp, keys]\n"
         "scenarios:\n"
         "  - id: D-001\n"
         "    name: n\n"
         "    requirements: [R-1]\n"
         "    steps:\n"
         "      - mock: {service: keys, action: down}\n"
         "      - mock: {service: idp, action: down}\n";
  fs::current_path(p);
  Diagnostics diags;
  auto runs = LoadProject({"suites/demo"}, "", /*require_coverage=*/true, diags);
  EXPECT_FALSE(runs.has_value());
  std::vector<std::string> titles;
  for (const Diagnostic& d : diags.items()) titles.push_back(d.title + " | " + d.help);
  EXPECT_THAT(titles, ::testing::UnorderedElementsAre(
                          "service `idp` (kind issuer) has no action `down` | ",
                          "unknown fault `long_lived_token` of service `idp` (kind issuer) | "
                          "did you mean `long_lived_tokens`?",
                          "unknown fault `dwn` of service `keys` (kind jwks) | "));
}

}  // namespace
}  // namespace tollgate::cli
