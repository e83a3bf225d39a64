// A profile's `policy:` in requirements.yaml: a requirement that names a setting takes its
// severity from the profile's choice (revocation_unavailable: fail_closed is must, fail_open
// should); settings, values and the requirements' use of them are checked at load.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

using ::testing::HasSubstr;

std::string PolicyFile(const std::string& policy, const std::string& requirement) {
  return "profile: p\nenvironment: e.yaml\n" + policy +
         "requirements:\n"
         "  - {id: A, text: t, source: s, severity: must, rationale: 'must: x'}\n"
         "  - {id: B, text: t, source: s, " +
         requirement + "}\n";
}

std::string PolicyErrors(const std::string& text) {
  Diagnostics diags;
  if (ParseRequirements(text, "r.yaml", diags)) return "loaded";
  return diags.RenderWithText(text);
}

TEST(RequirementsPolicy, TheProfilesChoiceDecidesTheSeverity) {
  const std::string req = "policy: revocation_unavailable, rationale: 'policy: fail closed or not'";
  for (const auto& [choice, severity] : std::vector<std::pair<std::string, std::string>>{
           {"fail_closed", "must"}, {"fail_open", "should"}}) {
    std::string text = PolicyFile("policy: {revocation_unavailable: " + choice + "}\n", req);
    Diagnostics diags;
    std::optional<Requirements> r = ParseRequirements(text, "r.yaml", diags);
    ASSERT_TRUE(r.has_value()) << diags.RenderWithText(text);
    EXPECT_EQ(r->policy.at("revocation_unavailable"), choice);
    EXPECT_EQ(r->requirements.at(0).severity, "must");
    EXPECT_EQ(r->requirements.at(0).policy, "");
    EXPECT_EQ(r->requirements.at(1).severity, severity) << choice;
    EXPECT_EQ(r->requirements.at(1).policy, "revocation_unavailable");
  }
}

TEST(RequirementsPolicy, SettingsAndValuesAreChecked) {
  const std::string req = "policy: revocation_unavailable, rationale: 'policy: x'";
  std::string unknown =
      PolicyErrors(PolicyFile("policy: {revocation_unavailble: fail_open}\n", req));
  EXPECT_THAT(unknown, HasSubstr("unknown key `revocation_unavailble`"));
  EXPECT_THAT(unknown, HasSubstr("did you mean `revocation_unavailable`?"));
  std::string value = PolicyErrors(PolicyFile("policy: {revocation_unavailable: maybe}\n", req));
  EXPECT_THAT(value, HasSubstr("invalid value for `revocation_unavailable`"));
  EXPECT_THAT(value, HasSubstr("r.yaml:3:"));
  EXPECT_THAT(value, HasSubstr("fail_closed"));
}

TEST(RequirementsPolicy, ARequirementMustNameASettingTheFileMakes) {
  std::string unset =
      PolicyErrors(PolicyFile("", "policy: revocation_unavailable, rationale: 'policy: x'"));
  EXPECT_THAT(unset, HasSubstr("invalid value for `policy`"));
  EXPECT_THAT(unset, HasSubstr("r.yaml:5:"));
  EXPECT_THAT(unset, HasSubstr("it has none"));
  std::string both = PolicyErrors(
      PolicyFile("policy: {revocation_unavailable: fail_open}\n",
                 "policy: revocation_unavailable, severity: must, rationale: 'policy: x'"));
  EXPECT_THAT(both, HasSubstr("`severity` given with `policy`"));
  std::string reason =
      PolicyErrors(PolicyFile("policy: {revocation_unavailable: fail_closed}\n",
                              "policy: revocation_unavailable, rationale: 'must: x'"));
  EXPECT_THAT(
      reason,
      HasSubstr("`rationale` does not say how `revocation_unavailable` decides the severity"));
}

}  // namespace
}  // namespace tollgate
