#include "report/text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace tollgate::report {
namespace {

TEST(XmlSafe, KeepsValidTextAndReplacesWhatXmlCannotCarry) {
  struct Row {
    const char* name;
    std::string in;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"ascii and markup", "a<b>&\"c'", "a<b>&\"c'"},  // escaping is pugixml's job
      {"tab newline cr", "a\tb\nc\rd", "a\tb\nc\rd"},
      {"nul and esc", std::string("a\0b\x1b", 4), "a\\x00b\\x1B"},
      {"del is allowed", "a\x7f", "a\x7f"},
      {"two-byte", "\xC3\xA4", "\xC3\xA4"},
      {"four-byte emoji", "\xF0\x9F\x92\xB3", "\xF0\x9F\x92\xB3"},
      {"lone continuation", "a\x80z", "a\\x80z"},
      {"overlong slash", "\xC0\xAF", "\\xC0\\xAF"},
      {"utf-16 surrogate", "\xED\xA0\x80", "\\xED\\xA0\\x80"},
      {"above U+10FFFF", "\xF4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"},
      {"truncated at end", "ok\xE2\x82", "ok\\xE2\\x82"},
      {"non-character U+FFFF", "\xEF\xBF\xBF", "\xEF\xBF\xBD"},
  };
  for (const Row& row : rows) EXPECT_EQ(XmlSafe(row.in), row.want) << row.name;
}

TEST(TerminalSafe, EscapesEveryControlButNewlineAndTab) {
  EXPECT_EQ(TerminalSafe("a\tb\n"), "a\tb\n");
  EXPECT_EQ(TerminalSafe("\x1b[2J\rX\x7f"), "\\x1B[2J\\x0DX\\x7F");
  EXPECT_EQ(TerminalSafe("\xC3\xA4"), "\xC3\xA4");
}

TEST(SaneSeconds, ZeroForNegativeAndNonFinite) {
  EXPECT_EQ(SaneSeconds(1.5), 1.5);
  EXPECT_EQ(SaneSeconds(-0.1), 0.0);
  EXPECT_EQ(SaneSeconds(std::nan("")), 0.0);
  EXPECT_EQ(SaneSeconds(std::numeric_limits<double>::infinity()), 0.0);
}

TEST(FirstLine, StopsAtNewline) {
  EXPECT_EQ(FirstLine("a\nb"), "a");
  EXPECT_EQ(FirstLine("single"), "single");
  EXPECT_EQ(FirstLine(""), "");
}

}  // namespace
}  // namespace tollgate::report
