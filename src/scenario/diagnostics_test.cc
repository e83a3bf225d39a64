#include "tollgate/scenario/diagnostics.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tollgate {
namespace {

Diagnostic UnknownKey() {
  Diagnostic d;
  d.title = "unknown key `scenarois`";
  d.loc = SourceLoc{"suites/x.yaml", 3, 1};
  d.length = 9;
  d.found = "`scenarois`";
  d.expected = "one of: suite, title, requires, tags, vars, scenarios";
  d.help = "did you mean `scenarios`?";
  return d;
}

TEST(RenderDiagnostic, MatchesTheDocumentedFormat) {
  EXPECT_EQ(RenderDiagnostic(UnknownKey(), "scenarois:"),
            "error: unknown key `scenarois`\n"
            "  --> suites/x.yaml:3:1\n"
            "   |\n"
            " 3 | scenarois:\n"
            "   | ^^^^^^^^^ found `scenarois`, expected one of: suite, title, requires, tags, "
            "vars, scenarios\n"
            "   = help: did you mean `scenarios`?\n");
}

TEST(RenderDiagnostic, GutterWidensWithTheLineNumber) {
  Diagnostic d;
  d.title = "invalid value for `status`";
  d.loc = SourceLoc{"s.yaml", 120, 18};
  d.length = 3;
  d.found = "`abc`";
  d.expected = "a status code (e.g. 200) or class (e.g. 4xx)";
  EXPECT_EQ(RenderDiagnostic(d, "        expect: {status: abc}"),
            "error: invalid value for `status`\n"
            "    --> s.yaml:120:18\n"
            "     |\n"
            " 120 |         expect: {status: abc}\n"
            "     |                  ^^^ found `abc`, expected a status code (e.g. 200) or "
            "class (e.g. 4xx)\n");
}

TEST(RenderDiagnostic, OmitsEmptyFoundExpectedAndHelp) {
  Diagnostic d;
  d.title = "more than one step kind";
  d.loc = SourceLoc{"s.yaml", 9, 9};
  d.length = 5;
  EXPECT_EQ(RenderDiagnostic(d, "      - token: {}"),
            "error: more than one step kind\n"
            "  --> s.yaml:9:9\n"
            "   |\n"
            " 9 |       - token: {}\n"
            "   |         ^^^^^\n");

  d.expected = "`steps` in this mapping";
  EXPECT_EQ(RenderDiagnostic(d, "      - token: {}"),
            "error: more than one step kind\n"
            "  --> s.yaml:9:9\n"
            "   |\n"
            " 9 |       - token: {}\n"
            "   |         ^^^^^ expected `steps` in this mapping\n");

  d.expected = "";
  d.found = "`token`";
  EXPECT_EQ(RenderDiagnostic(d, "      - token: {}"),
            "error: more than one step kind\n"
            "  --> s.yaml:9:9\n"
            "   |\n"
            " 9 |       - token: {}\n"
            "   |         ^^^^^ found `token`\n");
}

TEST(RenderDiagnostic, CaretAlignsUnderMultiByteCharactersAndTabs) {
  // Columns are bytes: `é` takes two bytes but one place on screen.
  Diagnostic d;
  d.title = "t";
  d.loc = SourceLoc{"s.yaml", 1, 13};  // the `x` after "name: \"é\", "
  d.length = 1;
  EXPECT_EQ(RenderDiagnostic(d, "name: \"é\", x: 1"),
            "error: t\n"
            "  --> s.yaml:1:13\n"
            "   |\n"
            " 1 | name: \"é\", x: 1\n"
            "   |            ^\n");
  d.loc.column = 7;  // the quoted `"é"`: four bytes, three characters
  d.length = 4;
  EXPECT_EQ(RenderDiagnostic(d, "name: \"é\", x: 1"),
            "error: t\n"
            "  --> s.yaml:1:7\n"
            "   |\n"
            " 1 | name: \"é\", x: 1\n"
            "   |       ^^^\n");
  d.loc.column = 2;
  d.length = 1;
  EXPECT_EQ(RenderDiagnostic(d, "\tx"),
            "error: t\n"
            "  --> s.yaml:1:2\n"
            "   |\n"
            " 1 | \tx\n"
            "   | \t^\n");
}

TEST(RenderDiagnostic, WithoutSourceLineKeepsLocationAndMovesTheNote) {
  EXPECT_EQ(RenderDiagnostic(UnknownKey(), ""),
            "error: unknown key `scenarois`\n"
            "  --> suites/x.yaml:3:1\n"
            "   = found `scenarois`, expected one of: suite, title, requires, tags, vars, "
            "scenarios\n"
            "   = help: did you mean `scenarios`?\n");
}

TEST(RenderDiagnostic, FileWithoutLine) {
  Diagnostic d;
  d.title = "cannot read `x.yaml`: No such file or directory";
  d.loc.file = "x.yaml";
  EXPECT_EQ(RenderDiagnostic(d, ""),
            "error: cannot read `x.yaml`: No such file or directory\n"
            " --> x.yaml\n");
}

TEST(Diagnostics, RenderReadsSourceLinesFromDiskAndSeparatesWithBlankLines) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "tollgate_diag_test";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "x.yaml").string();
  {
    std::ofstream out(path);
    out << "suite: a\ntitle: b\nscenarois:\n";
  }
  Diagnostics diags;
  Diagnostic d = UnknownKey();
  d.loc.file = path;
  diags.Add(d);
  Diagnostic second;
  second.title = "second";
  second.loc = SourceLoc{path, 1, 8};
  second.found = "`a`";
  diags.Add(second);
  EXPECT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags.Render(),
            "error: unknown key `scenarois`\n"
            "  --> " +
                path +
                ":3:1\n"
                "   |\n"
                " 3 | scenarois:\n"
                "   | ^^^^^^^^^ found `scenarois`, expected one of: suite, title, requires, tags, "
                "vars, scenarios\n"
                "   = help: did you mean `scenarios`?\n"
                "\n"
                "error: second\n"
                "  --> " +
                path +
                ":1:8\n"
                "   |\n"
                " 1 | suite: a\n"
                "   |        ^ found `a`\n"
                "\n");
  std::filesystem::remove_all(dir);
}

TEST(Diagnostics, RenderWithMissingFileStillNamesTheLocation) {
  Diagnostics diags;
  Diagnostic d = UnknownKey();
  d.loc.file = "/nonexistent/tollgate/x.yaml";
  diags.Add(d);
  EXPECT_EQ(diags.Render(),
            "error: unknown key `scenarois`\n"
            "  --> /nonexistent/tollgate/x.yaml:3:1\n"
            "   = found `scenarois`, expected one of: suite, title, requires, tags, vars, "
            "scenarios\n"
            "   = help: did you mean `scenarios`?\n"
            "\n");
}

struct MatchCase {
  std::string word;
  std::vector<std::string> candidates;
  std::string want;
};

TEST(NearestNames, RanksByEditDistanceKeepingTheListOrderOnTies) {
  const std::vector<std::string> names = {"restore",    "rotate_keys", "add_key",
                                          "remove_key", "revoke",      "down"};
  EXPECT_EQ(NearestNames("rotate_key", names, 3),
            (std::vector<std::string>{"rotate_keys", "remove_key", "add_key"}));
  EXPECT_EQ(NearestNames("x", names, 10).size(), names.size());
  EXPECT_TRUE(NearestNames("x", {}, 3).empty());
}

TEST(ClosestMatch, PicksTheNearestWithinALengthBoundAndFirstOnTies) {
  const std::vector<MatchCase> cases = {
      {"scenarois", {"suite", "title", "scenarios"}, "scenarios"},
      {"reqest", {"request", "replay", "wait"}, "request"},
      {"recieved", {"request", "received"}, "received"},  // 2 edits, 8 letters: bound 2
      {"wiat", {"wait"}, ""},                             // 2 edits, 4 letters: bound 1
      {"wat", {"wait"}, "wait"},                          // 1 edit
      {"xyz", {"wait", "replay"}, ""},
      {"ab", {"ac", "ad"}, "ac"},  // tie: first wins
      {"ab", {"ab", "ac"}, "ab"},  // exact match
      {"", {"a"}, "a"},            // bound is at least 1
      {"abc", {}, ""},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(ClosestMatch(c.word, c.candidates), c.want) << c.word;
  }
}

// A huge value: the diagnostic quotes at most 200 bytes of it and shows a window of its
// line around the column, with the caret still under the same byte.
TEST(RenderDiagnostic, HugeValuesAndLinesAreClipped) {
  std::string value(50000, 'v');
  std::string line = "    url: " + value + " tail";
  Diagnostic d;
  d.title = "invalid value for `url`";
  d.loc.file = "big.yaml";
  d.loc.line = 3;
  d.loc.column = 10 + 50000 + 1;  // at "tail"
  d.length = 4;
  d.found = value;
  d.expected = "a URL";
  std::string out = RenderDiagnostic(d, line);
  EXPECT_LT(out.size(), 1000u) << out.size();
  EXPECT_NE(out.find("--> big.yaml:3:50011"), std::string::npos) << out;
  EXPECT_NE(out.find("... (50000 bytes)"), std::string::npos) << out;
  // The caret line ends with ^^^^ under "tail".
  std::size_t shown = out.find(" 3 | ...");
  ASSERT_NE(shown, std::string::npos) << out;
  std::string source = out.substr(shown + 5, out.find('\n', shown) - shown - 5);
  std::size_t caret_line = out.find('\n', shown) + 1;
  std::string carets = out.substr(caret_line, out.find('\n', caret_line) - caret_line);
  std::size_t col = carets.find('^') - 5;  // after "   | "
  EXPECT_EQ(source.substr(col, 4), "tail") << source << "\n" << carets;
}

}  // namespace
}  // namespace tollgate
