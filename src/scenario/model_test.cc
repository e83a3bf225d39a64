#include "tollgate/scenario/model.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

struct PatternCase {
  StatusPattern pattern;
  std::string text;
  std::vector<int> matches;
  std::vector<int> rejects;
};

TEST(StatusPattern, CodesMatchExactlyAndClassesByHundreds) {
  const std::vector<PatternCase> cases = {
      {{200, 0}, "200", {200}, {201, 204, 400, 0}},
      {{401, 0}, "401", {401}, {403, 400}},
      {{0, 2}, "2xx", {200, 201, 299}, {199, 300, 404}},
      {{0, 4}, "4xx", {400, 401, 403, 499}, {500, 399, 200}},
      {{0, 5}, "5xx", {500, 503, 599}, {600, 499}},
  };
  for (const PatternCase& c : cases) {
    EXPECT_EQ(c.pattern.ToString(), c.text);
    for (int s : c.matches) EXPECT_TRUE(c.pattern.Matches(s)) << c.text << " vs " << s;
    for (int s : c.rejects) EXPECT_FALSE(c.pattern.Matches(s)) << c.text << " vs " << s;
  }
}

}  // namespace
}  // namespace tollgate
