// Over the shipped profiles: a requirement whose cases an external target cannot decide
// still has a case it can (a real-time variant, or another case of the requirement), so no
// rule is left uncheckable on a real implementation. Here rather than beside
// observability.h: loading the profiles' environments needs the mocks' registered kinds.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "tollgate/runner/vocabulary.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/observability.h"

namespace tollgate {
namespace {

TEST(ShippedProfiles, EveryRequirementStaysCheckableOnAnExternalTarget) {
  RegisterVocabularies();
  const std::filesystem::path root = std::filesystem::path(TOLLGATE_SOURCE_DIR) / "suites";
  int profiles = 0;
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    ++profiles;
    Diagnostics diags;
    auto req = LoadRequirements((dir.path() / "requirements.yaml").string(), diags);
    ASSERT_TRUE(req) << diags.Render();
    Diagnostics env_diags;
    auto env = LoadEnvironment(
        (std::filesystem::path(TOLLGATE_SOURCE_DIR) / req->environment).string(), env_diags);
    ASSERT_TRUE(env) << env_diags.Render();
    auto files = CollectSuiteFiles({dir.path().string()});
    ASSERT_TRUE(files.ok());
    std::map<std::string, int> decidable;
    std::set<std::string> blocked;
    for (const std::string& f : *files) {
      Diagnostics d;
      auto suite = LoadSuite(f, d);
      ASSERT_TRUE(suite) << d.Render();
      for (const Scenario& sc : suite->scenarios) {
        bool external_ok = !ExternalTargetBlocker(sc, env->default_target);
        for (const std::string& r : sc.requirements) {
          if (external_ok) ++decidable[r];
          if (!external_ok) blocked.insert(r);
        }
        if (!external_ok && SharedClockStep(sc)) {
          bool other = false;
          for (const std::string& r : sc.requirements) {
            for (const Scenario& o : suite->scenarios) {
              if (&o != &sc && !ExternalTargetBlocker(o, env->default_target) &&
                  std::find(o.requirements.begin(), o.requirements.end(), r) !=
                      o.requirements.end()) {
                other = true;
              }
            }
          }
          EXPECT_TRUE(!sc.real_time.empty() || other)
              << f << ": " << sc.id << " needs the shared clock and names no real-time variant";
        }
      }
    }
    for (const std::string& r : blocked) {
      EXPECT_GT(decidable[r], 0) << dir.path().filename().string() << ": requirement " << r
                                 << " is checked only by cases an external target cannot decide";
    }
  }
  EXPECT_EQ(profiles, 6);
}

}  // namespace
}  // namespace tollgate
