// `tls: {resume: NAME}` on a request and `expect: {tls: {resumed: BOOL}}`: read as written,
// and a name or a value that cannot be one refused with file, line and what is expected.

#include <gtest/gtest.h>

#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

std::string ResumeSuite(const std::string& tls, const std::string& expect) {
  return "suite: s/x\n"
         "scenarios:\n"
         "  - id: A\n"
         "    name: n\n"
         "    requirements: [R]\n"
         "    steps:\n"
         "      - request:\n"
         "          url: ${target.url}/t\n"
         "          tls: " +
         tls + "\n        expect: " + expect + "\n";
}

TEST(TlsResumeLoader, ReadsTheSessionNameAndTheExpectation) {
  std::string text = ResumeSuite("{identity: partner, resume: before-revocation}",
                                 "{tls: {outcome: accepted, resumed: true}}");
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  const Step& step = suite->scenarios.at(0).steps.at(0);
  const RequestStep& r = std::get<RequestStep>(step.body);
  ASSERT_TRUE(r.tls.resume.has_value());
  EXPECT_EQ(*r.tls.resume, "before-revocation");
  ASSERT_TRUE(step.expect->tls.has_value());
  EXPECT_EQ(step.expect->tls->resumed, true);
  EXPECT_EQ(step.expect->tls->resumed_loc.line, 10);
}

TEST(TlsResumeLoader, ResumedAloneIsAnExpectation) {
  std::string text = ResumeSuite("{resume: s}", "{tls: {resumed: false}}");
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  EXPECT_EQ(suite->scenarios.at(0).steps.at(0).expect->tls->resumed, false);
}

TEST(TlsResumeLoader, BadNamesAndValuesAreRefused) {
  std::string text = ResumeSuite("{resume: \"a b\"}", "{status: 200}");
  Diagnostics diags;
  EXPECT_FALSE(ParseSuite(text, "x.yaml", diags).has_value());
  std::string shown = diags.RenderWithText(text);
  EXPECT_NE(shown.find("invalid value for `resume`"), std::string::npos) << shown;
  EXPECT_NE(shown.find("x.yaml:9:"), std::string::npos) << shown;
  EXPECT_NE(shown.find("letters, digits"), std::string::npos) << shown;

  std::string bad = ResumeSuite("{resume: s}", "{tls: {resumed: often}}");
  Diagnostics d2;
  EXPECT_FALSE(ParseSuite(bad, "x.yaml", d2).has_value());
  EXPECT_NE(d2.RenderWithText(bad).find("x.yaml:10:"), std::string::npos) << d2.RenderWithText(bad);
}

}  // namespace
}  // namespace tollgate
