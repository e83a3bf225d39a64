#include "tollgate/scenario/template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace tollgate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// A Scope over fixed maps, with a fixed uuid and clock.
class FakeScope : public Scope {
 public:
  std::map<std::string, std::string> values;  // "a.b" -> value
  std::map<std::string, std::string> env;

  StatusOr<std::string> Lookup(const std::vector<std::string>& path) const override {
    std::string key;
    for (const std::string& s : path) key += (key.empty() ? "" : ".") + s;
    auto it = values.find(key);
    if (it == values.end()) return NotFoundError("unknown name `" + key + "`");
    return it->second;
  }
  std::string NewUuid() const override { return "123e4567-e89b-42d3-a456-426614174000"; }
  long long NowSeconds() const override { return 1700000000; }
  std::optional<std::string> Env(const std::string& name) const override {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  }
};

FakeScope MakeScope() {
  FakeScope s;
  s.values = {{"target.url", "https://api.test"},
              {"n.authorisation_id", "A-1"},
              {"user", "alice"},
              {"secret.pw", "s3cret"},
              {"n.response.headers.content-type", "application/json"}};
  s.env = {{"HOME_DIR", "/home/x"}, {"EMPTY", ""}};
  return s;
}

struct EvalCase {
  std::string name;
  std::string raw;
  std::string want;
};

TEST(Template, EvaluatesAgainstScope) {
  const std::vector<EvalCase> cases = {
      {"plain text", "no templates here", "no templates here"},
      {"empty", "", ""},
      {"one path", "${target.url}", "https://api.test"},
      {"path inside text", "${target.url}/auth?AuthorisationID=${n.authorisation_id}",
       "https://api.test/auth?AuthorisationID=A-1"},
      {"spaces inside braces", "${ target.url }", "https://api.test"},
      {"hyphen in a segment", "${n.response.headers.content-type}", "application/json"},
      {"single-quoted literal", "${'x}y'}", "x}y"},
      {"double-quoted literal", "a${\"lit\"}b", "alitb"},
      {"escaped dollar brace", "$${target.url}", "${target.url}"},
      {"escape next to expression", "$${x}=${user}", "${x}=alice"},
      {"lone dollar", "cost: $5 and $", "cost: $5 and $"},
      {"uuid", "id-${uuid()}", "id-123e4567-e89b-42d3-a456-426614174000"},
      {"now", "${now()}", "1700000000"},
      {"base64 of one arg", "${base64(user)}", "YWxpY2U="},
      {"base64 concatenates", "Basic ${base64(user, ':', secret.pw)}", "Basic YWxpY2U6czNjcmV0"},
      {"base64 pads two", "${base64('ab')}", "YWI="},
      {"base64 no padding", "${base64('abc')}", "YWJj"},
      {"nested call", "${base64(base64('a'))}", "WVE9PQ=="},
      {"env set", "${env.HOME_DIR}", "/home/x"},
      {"env set but empty ignores default", "[${env.EMPTY:-d}]", "[]"},
      {"env default when unset", "${env.NOPE:-dev-only}", "dev-only"},
      {"env default may be empty", "[${env.NOPE:-}]", "[]"},
      {"env default keeps punctuation", "${env.NOPE:-a:b/c?d=e}", "a:b/c?d=e"},
      {"env default inside a call", "${base64(env.NOPE:-x, ':', 'y')}", "eDp5"},
  };
  FakeScope scope = MakeScope();
  for (const EvalCase& c : cases) {
    StatusOr<Template> t = Template::Parse(c.raw);
    ASSERT_TRUE(t.ok()) << c.name << ": " << t.status().ToString();
    StatusOr<std::string> got = t->Evaluate(scope);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.name;
  }
}

TEST(Template, UnknownPathReturnsTheScopesNotFound) {
  StatusOr<Template> t = Template::Parse("x ${target.nope} y");
  ASSERT_TRUE(t.ok());
  StatusOr<std::string> got = t->Evaluate(MakeScope());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(got.status().message(), "unknown name `target.nope`");
}

TEST(Template, UnsetEnvWithoutDefaultIsNotFound) {
  StatusOr<Template> t = Template::Parse("${env.MISSING_VAR}");
  ASSERT_TRUE(t.ok());
  StatusOr<std::string> got = t->Evaluate(MakeScope());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(got.status().message(), "environment variable `MISSING_VAR` is not set");
}

struct ErrorCase {
  std::string name;
  std::string raw;
  int offset;       // of the problem
  int expr_offset;  // of the `${`
  int expr_length;
  std::string found;
  std::string expected;
  std::string help;
};

TEST(Template, ParseErrorsSayWhereAndWhatWasExpected) {
  const std::vector<ErrorCase> cases = {
      {"unterminated", "a ${target.url", 14, 2, 12, "end of text",
       "`}` to close the `${` at byte 2", ""},
      {"unterminated at once", "${", 2, 0, 2, "end of text", "`}` to close the `${` at byte 0", ""},
      {"empty", "x${}", 3, 1, 3, "an empty `${}`", "a name, a function call or a quoted literal",
       ""},
      {"blank", "${  }", 4, 0, 5, "an empty `${}`", "a name, a function call or a quoted literal",
       ""},
      {"bad first character", "${#x}", 2, 0, 5, "`#`",
       "a name, a function call or a quoted literal", ""},
      {"digit first", "${1abc}", 2, 0, 7, "`1`", "a name, a function call or a quoted literal", ""},
      {"bad character after path", "${a.b c}", 6, 0, 8, "`c`", "`}`", ""},
      {"trailing dot", "${a.}", 4, 0, 5, "`}`", "a name after `.`", ""},
      {"unknown function", "${base46('x')}", 2, 0, 14, "function `base46`",
       "one of: uuid, now, base64", "did you mean `base64`?"},
      {"unknown function far off", "${sha256(x)}", 2, 0, 12, "function `sha256`",
       "one of: uuid, now, base64", ""},
      {"uuid takes no args", "${uuid(x)}", 2, 0, 10, "1 argument", "no arguments: `uuid()`", ""},
      {"now takes no args", "${now('a', 'b')}", 2, 0, 16, "2 arguments", "no arguments: `now()`",
       ""},
      {"base64 needs an arg", "${base64()}", 2, 0, 11, "no arguments",
       "at least one argument: `base64(expr, ...)`", ""},
      {"missing comma", "${base64(a b)}", 11, 0, 14, "`b`", "`,` or `)`", ""},
      {"empty argument", "${base64(a,)}", 11, 0, 13, "`)`",
       "an argument: a name, a function call or a quoted literal", ""},
      {"unterminated literal", "${'abc}", 7, 0, 7, "end of text",
       "the closing `'` of the literal at byte 2", ""},
      {"default outside env", "${target.url:-x}", 12, 0, 16, "`:-`",
       "`}` (a `:-default` is only allowed after `env.NAME`)", ""},
      {"bare env", "${env}", 5, 0, 6, "`}`", "`.NAME` after `env` (an environment variable)", ""},
      {"env with two segments", "${env.A.B}", 2, 0, 10, "`env.A.B`",
       "`env.NAME` with no further segments", ""},
      {"nested template", "${a${b}}", 3, 0, 7, "`$`", "`}`", ""},
      {"second expression is bad", "${a} and ${}", 11, 9, 3, "an empty `${}`",
       "a name, a function call or a quoted literal", ""},
  };
  for (const ErrorCase& c : cases) {
    TemplateError err;
    StatusOr<Template> t = Template::Parse(c.raw, {}, &err);
    ASSERT_FALSE(t.ok()) << c.name;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(err.offset, c.offset) << c.name;
    EXPECT_EQ(err.expr_offset, c.expr_offset) << c.name;
    EXPECT_EQ(err.expr_length, c.expr_length) << c.name;
    EXPECT_EQ(err.found, c.found) << c.name;
    EXPECT_EQ(err.expected, c.expected) << c.name;
    EXPECT_EQ(err.help, c.help) << c.name;
    EXPECT_THAT(t.status().message(),
                HasSubstr("at byte " + std::to_string(c.offset) + ": expected " + c.expected))
        << c.name;
  }
}

TEST(Template, ParseErrorMessageNamesTheLocation) {
  StatusOr<Template> t = Template::Parse("${}", SourceLoc{"suites/x.yaml", 4, 12});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "suites/x.yaml:4:12: bad template at byte 2: expected a name, a function call or a "
            "quoted literal, found an empty `${}`");
}

TEST(Template, RootsAndFunctionsListEveryPathAndCallWithOffsets) {
  StatusOr<Template> t =
      Template::Parse("${target.url}/x?a=${n.id}&b=${base64(user, 'x', env.K:-d)}&u=${uuid()}");
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(t->Roots(),
              ElementsAre(Pair("target", 2), Pair("n", 20), Pair("user", 37), Pair("env", 48)));
  EXPECT_THAT(t->Functions(), ElementsAre(Pair("base64", 30), Pair("uuid", 63)));
  EXPECT_FALSE(t->is_literal());
}

TEST(Template, PathsListEveryFullPathIncludingCallArguments) {
  StatusOr<Template> t = Template::Parse(
      "${target.url}/x?b=${base64(target.client_id, ':', target.client_secret)}&e=$${target.no}");
  ASSERT_TRUE(t.ok());
  using P = std::vector<std::string>;
  EXPECT_THAT(t->Paths(),
              ElementsAre(Pair(P{"target", "url"}, 2), Pair(P{"target", "client_id"}, 27),
                          Pair(P{"target", "client_secret"}, 50)));
}

TEST(Template, KeepsRawAndLocation) {
  StatusOr<Template> t = Template::Parse("a ${b}", SourceLoc{"f.yaml", 2, 7});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->raw(), "a ${b}");
  EXPECT_EQ(t->loc().ToString(), "f.yaml:2:7");
}

TEST(Template, EscapedOnlyIsLiteral) {
  StatusOr<Template> t = Template::Parse("$${not.a.template}");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->is_literal());
  EXPECT_TRUE(t->Roots().empty());
}

TEST(Template, LiteralKeepsTextAndEscapesItsRaw) {
  Template t = Template::Literal("GET ${x}");
  EXPECT_TRUE(t.is_literal());
  EXPECT_EQ(t.raw(), "GET $${x}");
  StatusOr<std::string> got = t.Evaluate(MakeScope());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "GET ${x}");
  // raw() parses back to the same text.
  StatusOr<Template> again = Template::Parse(t.raw());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->Evaluate(MakeScope()), "GET ${x}");
}

TEST(Template, DefaultConstructedIsEmpty) {
  Template t;
  EXPECT_TRUE(t.empty());
  EXPECT_TRUE(t.is_literal());
  EXPECT_EQ(*t.Evaluate(MakeScope()), "");
}

}  // namespace
}  // namespace tollgate
