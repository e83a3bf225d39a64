#include "crypto/strict_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tollgate::jose {
namespace {

using ::testing::HasSubstr;

TEST(StrictJson, AcceptsAnObjectWithDistinctMembers) {
  JsonDefect defect = JsonDefect::kSyntax;
  auto v = ParseStrictObject(R"({"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]})", "claims", &defect);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(defect, JsonDefect::kNone);
  EXPECT_EQ((*v)["c"][1]["a"], 4);
}

TEST(StrictJson, RejectsDuplicateMembersAtAnyDepth) {
  for (const char* text :
       {R"({"alg":"RS256","alg":"none"})", R"({"a":{"x":1,"x":1}})", R"({"a":[{"k":1,"k":2}]})"}) {
    JsonDefect defect = JsonDefect::kNone;
    auto v = ParseStrictObject(text, "header", &defect);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(defect, JsonDefect::kDuplicateMember) << text;
    EXPECT_THAT(v.status().message(), HasSubstr("header: duplicate member")) << text;
  }
}

TEST(StrictJson, RejectsSyntaxErrorsAndNonObjects) {
  JsonDefect defect = JsonDefect::kNone;
  auto bad = ParseStrictObject(R"({"a":1,})", "claims", &defect);
  EXPECT_EQ(defect, JsonDefect::kSyntax);
  EXPECT_THAT(bad.status().message(), HasSubstr("claims: not valid JSON (at byte"));
  EXPECT_FALSE(ParseStrictObject("{} {}", "claims").ok());             // trailing content
  EXPECT_FALSE(ParseStrictObject("{\"a\":\"\xff\"}", "claims").ok());  // invalid UTF-8
  auto array = ParseStrictObject("[1]", "claims", &defect);
  EXPECT_EQ(defect, JsonDefect::kNotObject);
  EXPECT_THAT(array.status().message(), HasSubstr("not a JSON object"));
}

}  // namespace
}  // namespace tollgate::jose
