#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/scenario/waivers.h"

namespace tollgate {
namespace {

using ::testing::HasSubstr;

TEST(Waivers, ReadsEntriesWithTheirLines) {
  Diagnostics diags;
  auto w = ParseWaivers(
      "waivers:\n"
      "  - scenario: CP-BA-008\n"
      "    reason: challenge header ships in 4.2 (TICKET-7)\n"
      "    expires: 2027-01-31\n",
      "waivers.yaml", diags);
  ASSERT_TRUE(w) << diags.Render();
  ASSERT_EQ(w->waivers.size(), 1u);
  EXPECT_EQ(w->waivers[0].scenario, "CP-BA-008");
  EXPECT_EQ(w->waivers[0].reason, "challenge header ships in 4.2 (TICKET-7)");
  EXPECT_EQ(w->waivers[0].expires, "2027-01-31");
  EXPECT_EQ(w->waivers[0].loc.ToString(), "waivers.yaml:2:5");
}

TEST(Waivers, BadInputNamesFileLineAndWhatWasExpected) {
  struct Row {
    const char* name;
    const char* text;
    const char* want;
  } rows[] = {
      {"bad date", "waivers:\n  - {scenario: A, reason: r, expires: 2027-02-30}\n",
       "expected a date YYYY-MM-DD (the last day the waiver applies)"},
      {"missing reason", "waivers:\n  - {scenario: A, expires: 2027-02-01}\n", "reason"},
      {"empty reason", "waivers:\n  - {scenario: A, reason: ' ', expires: 2027-02-01}\n",
       "why the failure is accepted"},
      {"unknown key", "waivers:\n  - {scenario: A, reason: r, expires: 2027-02-01, until: x}\n",
       "until"},
      {"not a list", "waivers: {}\n", "a list of waivers"},
      {"duplicate",
       "waivers:\n  - {scenario: A, reason: r, expires: 2027-02-01}\n"
       "  - {scenario: A, reason: r, expires: 2027-02-01}\n",
       "duplicate waiver for `A`"},
  };
  for (const Row& row : rows) {
    Diagnostics diags;
    EXPECT_FALSE(ParseWaivers(row.text, "w.yaml", diags)) << row.name;
    const std::string text = diags.Render();
    EXPECT_THAT(text, HasSubstr("--> w.yaml:")) << row.name;
    EXPECT_THAT(text, HasSubstr(row.want)) << row.name << "\n" << text;
  }
}

TEST(Waivers, IsoDatesAreRealCalendarDates) {
  EXPECT_TRUE(IsIsoDate("2028-02-29"));
  EXPECT_FALSE(IsIsoDate("2027-02-29"));
  EXPECT_FALSE(IsIsoDate("2027-13-01"));
  EXPECT_FALSE(IsIsoDate("27-01-01"));
  EXPECT_FALSE(IsIsoDate("2027/01/01"));
}

}  // namespace
}  // namespace tollgate
