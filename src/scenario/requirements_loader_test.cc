#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(ParseRequirements, ReadsRequirementsAndTheFaultMap) {
  const std::string text =
      "profile: sage-connector\n"
      "environment: mocks/sage.yaml\n"
      "requirements:\n"
      "  - id: SG-1\n"
      "    text: A valid notification is accepted\n"
      "    source: 004_ddb7de34a77281fa.txt\n"
      "    quote: The partner must accept ...\n"
      "    severity: must\n"
      "    rationale: 'must: the guide states it'\n"
      "  - {id: SG-2, text: Hostile tokens are rejected, source: RFC 8725, severity: should,\n"
      "     rationale: 'should: RFC 8725 hardening the guide does not state'}\n"
      "faults:\n"
      "  skip_audience_check: [SG-TOK-010]\n"
      "  allow_id_reuse: [SG-TOK-001, SG-TOK-002]\n";
  Diagnostics diags;
  std::optional<Requirements> r = ParseRequirements(text, "suites/sage/requirements.yaml", diags);
  ASSERT_TRUE(r.has_value()) << diags.RenderWithText(text);
  EXPECT_EQ(r->profile, "sage-connector");
  EXPECT_EQ(r->environment, "mocks/sage.yaml");
  EXPECT_EQ(r->file, "suites/sage/requirements.yaml");
  ASSERT_EQ(r->requirements.size(), 2u);
  EXPECT_EQ(r->requirements[0].id, "SG-1");
  EXPECT_EQ(r->requirements[0].text, "A valid notification is accepted");
  EXPECT_EQ(r->requirements[0].source, "004_ddb7de34a77281fa.txt");
  EXPECT_EQ(r->requirements[0].quote, "The partner must accept ...");
  EXPECT_EQ(r->requirements[0].severity, "must");
  EXPECT_EQ(r->requirements[0].rationale, "must: the guide states it");
  EXPECT_EQ(r->requirements[0].loc.ToString(), "suites/sage/requirements.yaml:4:5");
  EXPECT_EQ(r->requirements[1].id, "SG-2");
  EXPECT_EQ(r->requirements[1].quote, "");
  EXPECT_EQ(r->requirements[1].severity, "should");
  EXPECT_EQ(r->requirements[1].rationale, "should: RFC 8725 hardening the guide does not state");
  EXPECT_THAT(r->faults,
              ElementsAre(Pair("skip_audience_check", ElementsAre("SG-TOK-010")),
                          Pair("allow_id_reuse", ElementsAre("SG-TOK-001", "SG-TOK-002"))));
}

std::string Errors(const std::string& text) {
  Diagnostics diags;
  if (ParseRequirements(text, "r.yaml", diags)) return "loaded";
  return diags.RenderWithText(text);
}

TEST(ParseRequirements, SeverityDuplicatesAndEmptyFaults) {
  EXPECT_EQ(Errors("profile: p\n"
                   "environment: e.yaml\n"
                   "requirements:\n"
                   "  - {id: A, text: t, source: s, severity: may, rationale: 'may: x'}\n"
                   "  - {id: B, text: t, source: s, severity: must, rationale: 'must: x'}\n"
                   "  - {id: B, text: u, source: s, severity: must, rationale: 'must: x'}\n"
                   "faults:\n"
                   "  skip_check: []\n"),
            "error: invalid value for `severity`\n"
            "  --> r.yaml:4:43\n"
            "   |\n"
            " 4 |   - {id: A, text: t, source: s, severity: may, rationale: 'may: x'}\n"
            "   |                                           ^^^ found `may`, expected `must` or "
            "`should`\n"
            "\n"
            "error: duplicate requirement id `B`\n"
            "  --> r.yaml:6:10\n"
            "   |\n"
            " 6 |   - {id: B, text: u, source: s, severity: must, rationale: 'must: x'}\n"
            "   |          ^ found `B` again, expected an id unique in this file\n"
            "   = help: the first `B` is on line 5\n"
            "\n"
            "error: invalid value for `skip_check`\n"
            "  --> r.yaml:8:15\n"
            "   |\n"
            " 8 |   skip_check: []\n"
            "   |               ^ found an empty list, expected at least one scenario id (a "
            "fault that no scenario catches is a hole in the suites)\n"
            "\n");
}

TEST(ParseRequirements, RequiredFieldsOfARequirement) {
  EXPECT_EQ(Errors("profile: p\nenvironment: e.yaml\nrequirements:\n  - {id: A, severity: must}\n"),
            "error: missing required key `text`\n"
            "  --> r.yaml:4:5\n"
            "   |\n"
            " 4 |   - {id: A, severity: must}\n"
            "   |     ^ expected `text` in this mapping\n"
            "\n"
            "error: missing required key `source`\n"
            "  --> r.yaml:4:5\n"
            "   |\n"
            " 4 |   - {id: A, severity: must}\n"
            "   |     ^ expected `source` in this mapping\n"
            "\n"
            "error: missing required key `rationale`\n"
            "  --> r.yaml:4:5\n"
            "   |\n"
            " 4 |   - {id: A, severity: must}\n"
            "   |     ^ expected `rationale` in this mapping\n"
            "   = help: one line saying why: `must: ...` when the source document states the rule "
            "or an RFC MUST for this role guards against a security defect; `should: ...` for "
            "stricter hardening and for every acceptance check\n"
            "\n");
}

TEST(ParseRequirements, RationaleIsOneLineGivingTheReasonForItsSeverity) {
  const std::string head = "profile: p\nenvironment: e.yaml\nrequirements:\n";
  EXPECT_EQ(
      Errors(head + "  - {id: A, text: t, source: s, severity: should, rationale: 'must: x'}\n"),
      "error: `rationale` does not give the reason for `should`\n"
      "  --> r.yaml:4:62\n"
      "   |\n"
      " 4 |   - {id: A, text: t, source: s, severity: should, rationale: 'must: x'}\n"
      "   |                                                              ^^^^^^^^^ found "
      "`must: x`, expected `should: <why>`\n"
      "   = help: one line saying why: `must: ...` when the source document states the rule "
      "or an RFC MUST for this role guards against a security defect; `should: ...` for "
      "stricter hardening and for every acceptance check\n"
      "\n");
  // The severity word alone says nothing about why.
  EXPECT_THAT(
      Errors(head + "  - {id: A, text: t, source: s, severity: must, rationale: 'must: '}\n"),
      ::testing::StartsWith("error: `rationale` does not give the reason for `must`\n"));
  EXPECT_THAT(Errors(head + "  - id: A\n    text: t\n    source: s\n    severity: must\n"
                            "    rationale: |\n      must: the guide\n      says so\n"),
              ::testing::StartsWith("error: invalid value for `rationale`\n"));
  // A misspelt key is reported once, with its suggestion, not again as missing.
  std::string misspelt =
      Errors(head + "  - {id: A, text: t, source: s, severity: must, rationle: 'must: x'}\n");
  EXPECT_THAT(misspelt, ::testing::HasSubstr("did you mean `rationale`?"));
  EXPECT_THAT(misspelt, ::testing::Not(::testing::HasSubstr("missing required key")));
  EXPECT_EQ(
      Errors(head + "  - {id: A, text: t, source: s, severity: must, rationale: 'must: x'}\n"),
      "loaded");
}

}  // namespace
}  // namespace tollgate
