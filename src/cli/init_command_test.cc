// `tollgate init` and `tollgate validate --target-file`: what a target file must define,
// derived from the suites, and the file init writes for it.

#include "cli/init_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/binary_test.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using testing::Slurp;
using Result = testing::ExecResult;

class InitTest : public testing::BinaryTest {
 protected:
  InitTest() : BinaryTest("tollgate-init-") {}

  fs::path Write(const std::string& name, const std::string& text) {
    fs::path p = tmp_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

TEST_F(InitTest, TargetNamesComeFromEveryTemplateOfTheSuiteFile) {
  fs::path file = Write("s.yaml",
                        "suite: s\n"
                        "vars:\n"
                        "  path: \"${target.message_path}\"\n"
                        "scenarios:\n"
                        "  - id: A\n"
                        "    steps:\n"
                        "      - request:\n"
                        "          url: \"${target.url}${path}\"\n"
                        "          headers: {Authorization: \"${base64(target.client_id, ':')}\"}\n"
                        "          body: \"$${target.escaped} ${target.message_path}\"\n");
  Suite suite;
  suite.file = file.string();
  std::vector<TargetUse> uses = TargetNamesUsed({suite});
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].name, "client_id");
  EXPECT_EQ(uses[0].first.ToString(), file.string() + ":9:36");
  EXPECT_EQ(uses[1].name, "message_path");
  EXPECT_EQ(uses[1].first.ToString(), file.string() + ":3:9");
  EXPECT_THAT(uses[1].suites, ElementsAre("s.yaml"));
}

TEST_F(InitTest, CheckNamesEachMissingSettingWithADidYouMean) {
  fs::path file = Write("t.yaml",
                        "target: partner\n"
                        "url: https://partner.example\n"
                        "settings:\n"
                        "  audiense: api\n"
                        "secrets:\n"
                        "  header_value: ${env.X}\n");
  Diagnostics diags;
  std::optional<TargetFile> target = LoadTargetFile(file.string(), diags);
  ASSERT_TRUE(target) << diags.Render();
  std::vector<TargetUse> uses = {{"audience", {"suites/x.yaml", 4, 9}, {"x.yaml"}},
                                 {"header_value", {"suites/x.yaml", 5, 9}, {"x.yaml"}},
                                 {"zeta", {"suites/x.yaml", 6, 9}, {"x.yaml"}}};
  CheckTargetFile(*target, uses, diags);
  ASSERT_EQ(diags.size(), 2u);
  // The file's path is the temporary folder's; the rest of the text is pinned.
  std::string text = diags.Render();
  for (std::size_t at = text.find(file.string()); at != std::string::npos;
       at = text.find(file.string(), at)) {
    text.replace(at, file.string().size(), "t.yaml");
  }
  EXPECT_EQ(text,
            "error: target file t.yaml does not define `audience`\n"
            "  --> t.yaml:1:1\n"
            "   |\n"
            " 1 | target: partner\n"
            "   | ^ found no `audience`, expected `audience` under `settings:` or `secrets:`, as "
            "suites/x.yaml:4:9 uses it\n"
            "   = help: did you mean `audiense`?\n"
            "\n"
            "error: target file t.yaml does not define `zeta`\n"
            "  --> t.yaml:1:1\n"
            "   |\n"
            " 1 | target: partner\n"
            "   | ^ found no `zeta`, expected `zeta` under `settings:` or `secrets:`, as "
            "suites/x.yaml:6:9 uses it\n"
            "   = help: `tollgate init PROFILE` writes a target file with every setting a "
            "profile uses\n"
            "\n");
}

TEST(InitRender, SecretsAreEnvironmentReferencesAndUnknownNamesAreEmpty) {
  InitInput in;
  in.profile = "my-api";
  in.example_url = "https://api.example";
  in.uses = {{"api_key", {}, {"a.yaml"}}, {"extra", {}, {"b.yaml"}}, {"path", {}, {"a.yaml"}}};
  in.reference = {{"path", "/v1/x y", false, "where it posts"},
                  {"api_key", "s3cret-value", true, "the key"},
                  {"unused", "u", false, "not used by any suite"}};
  std::string text = RenderTargetFile(in);
  EXPECT_THAT(text, HasSubstr("settings:\n"
                              "  # where it posts; used by a.yaml\n"
                              "  path: '/v1/x y'\n"
                              "  # no description; used by b.yaml\n"
                              "  # the reference target has no value for it: give your API's\n"
                              "  extra: \"\"\n"
                              "secrets:\n"
                              "  # the key; used by a.yaml\n"
                              "  api_key: ${env.MY_API_API_KEY}\n"));
  EXPECT_THAT(text, HasSubstr("#   export MY_API_API_KEY=...\n"));
  EXPECT_THAT(text, Not(HasSubstr("s3cret-value")));
  EXPECT_THAT(text, Not(HasSubstr("unused")));
}

TEST_F(InitTest, InitWritesTheSageConnectorTargetFile) {
  Result r = Exec("init sage-connector");
  EXPECT_EQ(r.exit, 0) << r.err;
  EXPECT_EQ(
      r.out,
      R"golden(# Target file for running the sage-connector profile against your API, written by `tollgate init
# sage-connector`: every setting and secret the profile's suites use. Each example value is the
# reference target's: replace it with what your API does. Secrets are read from the environment when
# tollgate runs, never written here:
#   export SAGE_CONNECTOR_HEADER_VALUE=...
# Check it, then run:
#   tollgate validate suites/sage-connector --target-file FILE
#   tollgate run suites/sage-connector --target-file FILE --html report.html
target: sage-connector-staging
# The base URL of your API (`${target.url}` in the suites).
url: https://connector.example
# A PEM file of the private CA that issued your API's certificate, when it is not
# publicly trusted:
# ca: staging-ca.pem
settings:
  # the `aud` your API requires in ID tokens; used by accounts.yaml, authorisation.yaml, jwks.yaml,
  # notification.yaml
  audience: sfdsbanking/sfdsBankingProvider-Pre
  # the partner's custom header every notification carries; used by authorisation.yaml, jwks.yaml,
  # notification.yaml
  header_name: X-Partner-Key
  # how long an AuthorisationID stays valid; used by authorisation.yaml
  authorisation_ttl: 1200s
  # how long your API keeps a fetched key set when its host names no max-age; used by jwks.yaml
  jwks_cache_ttl: 300s
  # the least time between two key-set refetches for unknown kids; used by jwks.yaml
  jwks_refetch_cooldown: 30s
secrets:
  # the value of the custom header named by `header_name`; used by authorisation.yaml, jwks.yaml,
  # notification.yaml
  header_value: ${env.SAGE_CONNECTOR_HEADER_VALUE}
)golden");
  // The reference connector's header value is a secret: never in the file.
  EXPECT_THAT(r.out, Not(HasSubstr("dev-only-partner-key")));
}

TEST_F(InitTest, ValidateNamesASettingTheTargetFileLacks) {
  fs::path file = Write("partner.yaml",
                        "target: partner\n"
                        "url: https://partner.example\n"
                        "settings:\n"
                        "  audience: api\n"
                        "  header_name: X-Partner-Key\n"
                        "  authorisation_ttl: 20m\n"
                        "  jwks_cache_ttl: 300s\n"
                        "  jwks_refetch_cooldown: 30s\n");
  Result r = Exec("validate suites/sage-connector --target-file " + file.string());
  EXPECT_EQ(r.exit, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("error: target file " + file.string() +
                               " does not define `header_value`\n"));
  EXPECT_THAT(r.err, HasSubstr("found no `header_value`, expected `header_value` under "
                               "`settings:` or `secrets:`, as suites/sage-connector/"));
  EXPECT_THAT(r.err, Not(HasSubstr("`audience`")));
}

TEST_F(InitTest, EveryProfilesGeneratedFilePassesValidate) {
  for (const auto& entry : fs::directory_iterator("suites")) {
    if (!fs::is_regular_file(entry.path() / "requirements.yaml")) continue;
    std::string profile = entry.path().filename().string();
    fs::path out = tmp_ / (profile + ".yaml");
    Result init = Exec("init " + profile + " --out " + out.string());
    ASSERT_EQ(init.exit, 0) << profile << ": " << init.err;
    Result v = Exec("validate suites/" + profile + " --target-file " + out.string());
    EXPECT_EQ(v.exit, 0) << profile << ": " << v.err;
    EXPECT_THAT(v.out, HasSubstr("ok: 1 profile(s)")) << profile;
  }
}

TEST_F(InitTest, InitOfAnUnknownProfileIsAUsageErrorWithADidYouMean) {
  Result r = Exec("init sage-conector");
  EXPECT_EQ(r.exit, 1);
  EXPECT_THAT(r.err, HasSubstr("error: no profile `sage-conector` (profiles: "));
  EXPECT_THAT(r.err, HasSubstr("= help: did you mean `sage-connector`?"));
}

}  // namespace
}  // namespace tollgate::cli
