// Golden diagnostics: every tests/e2e/diagnostics/<case>/input.yaml must fail to load with
// exactly the text of expected.txt beside it (Diagnostics::Render, paths relative to the
// source root). Cases named environment-* are environment files, the others suites.
//
// After a deliberate change of wording, TOLLGATE_UPDATE_GOLDEN=1 rewrites expected.txt;
// review the diff before committing it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

const char kCasesDir[] = "tests/e2e/diagnostics";

// Runs the test body from the source root so locations read tests/e2e/..., then goes back.
class GoldenDiagnostics : public ::testing::Test {
 protected:
  void SetUp() override {
    old_cwd_ = std::filesystem::current_path();
    std::filesystem::current_path(TOLLGATE_SOURCE_DIR);
  }
  void TearDown() override { std::filesystem::current_path(old_cwd_); }

 private:
  std::filesystem::path old_cwd_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kCasesDir)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The rendered diagnostics of loading one case, or a note that it loaded.
std::string RenderCase(const std::string& name) {
  std::string input = std::string(kCasesDir) + "/" + name + "/input.yaml";
  Diagnostics diags;
  bool loaded = name.rfind("environment-", 0) == 0 ? LoadEnvironment(input, diags).has_value()
                                                   : LoadSuite(input, diags).has_value();
  if (loaded) return "(loaded without errors)\n";
  return diags.Render();
}

TEST_F(GoldenDiagnostics, EveryRequiredCaseIsPresent) {
  EXPECT_THAT(CaseNames(),
              ::testing::IsSupersetOf(
                  {"suite-unknown-key", "suite-unknown-step-kind", "suite-missing-key",
                   "suite-bad-status", "suite-bad-template", "suite-unknown-template-root",
                   "suite-invalid-regex", "suite-yaml-syntax", "suite-replay-unknown",
                   "suite-received-not-required", "suite-mock-unknown-action",
                   "suite-token-issuer-not-required", "environment-unknown-kind",
                   "environment-unknown-key", "environment-gateway-trust-not-issuer"}));
}

TEST_F(GoldenDiagnostics, EachCaseRendersExactlyItsExpectedText) {
  bool update = std::getenv("TOLLGATE_UPDATE_GOLDEN") != nullptr;
  for (const std::string& name : CaseNames()) {
    // Names other modules own (mutations, actions, faults, the mock kinds and their keys)
    // are only known once they are registered: the command-line test (Tollgate.BadFiles...)
    // checks those cases.
    if (std::filesystem::exists(std::string(kCasesDir) + "/" + name + "/needs-vocabularies")) {
      continue;
    }
    std::string expected_path = std::string(kCasesDir) + "/" + name + "/expected.txt";
    std::string got = RenderCase(name);
    if (update) std::ofstream(expected_path, std::ios::binary) << got;
    EXPECT_EQ(got, ReadAll(expected_path)) << "case " << name;
  }
}

}  // namespace
}  // namespace tollgate
