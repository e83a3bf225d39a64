#include "tollgate/http/form.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(ParseForm, Table) {
  struct Case {
    const char* text;
    std::map<std::string, std::string> want;  // when it parses
    const char* error;                        // "" when it parses
  } cases[] = {
      {"", {}, ""},
      {"a=1&b=2", {{"a", "1"}, {"b", "2"}}, ""},
      {"grant_type=client_credentials&scope=a+b",
       {{"grant_type", "client_credentials"}, {"scope", "a b"}},
       ""},
      {"x=%41%2b%20", {{"x", "A+ "}}, ""},
      {"&&a=1&", {{"a", "1"}}, ""},
      {"a=&b", {}, ""},             // no value: omitted (RFC 6749 §3.1)
      {"a==b", {{"a", "=b"}}, ""},  // the first `=` splits
      {"a%3Db=c", {{"a=b", "c"}}, ""},
      {"a=1&a=2", {}, "parameter `a` is repeated"},
      {"a=1&a=", {{"a", "1"}}, ""},  // an empty repeat is an omitted one
      {"a=%zz", {}, "bad % escape"},
      {"%=1", {}, "bad % escape"},
  };
  for (const Case& c : cases) {
    StatusOr<FormFields> got = ParseForm(c.text);
    if (std::string(c.error).empty()) {
      ASSERT_TRUE(got.ok()) << c.text << ": " << got.status().ToString();
      EXPECT_EQ(got->values, c.want) << c.text;
    } else {
      ASSERT_FALSE(got.ok()) << c.text;
      EXPECT_NE(got.status().message().find(c.error), std::string::npos)
          << c.text << ": " << got.status().message();
    }
  }
}

TEST(ParseForm, GetAndHas) {
  StatusOr<FormFields> f = ParseForm("client_id=app&client_secret=s%26t");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Get("client_secret"), "s&t");
  EXPECT_EQ(f->Get("missing"), "");
  EXPECT_TRUE(f->Has("client_id"));
  EXPECT_FALSE(f->Has("missing"));
}

TEST(FormNames, SpotsANameWhateverTheRestIs) {
  EXPECT_TRUE(FormNames("access_token=x", "access_token"));
  EXPECT_TRUE(FormNames("a=%zz&access_token", "access_token"));
  EXPECT_TRUE(FormNames("access%5Ftoken=x", "access_token"));
  EXPECT_FALSE(FormNames("xaccess_token=1&access_token_x=2", "access_token"));
  EXPECT_FALSE(FormNames("", "access_token"));
}

}  // namespace
}  // namespace tollgate
