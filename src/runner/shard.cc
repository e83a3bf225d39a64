#include "tollgate/runner/shard.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>

#include "tollgate/base/digest.h"

namespace tollgate {
namespace {

constexpr int kMaxShards = 1000;

std::optional<int> ParseCount(const std::string& text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::stoi(text);
}

}  // namespace

std::string Shard::ToString() const { return fmt::format("{}/{}", index, total); }

StatusOr<Shard> ParseShard(const std::string& text) {
  const std::size_t slash = text.find('/');
  const std::string expected = fmt::format(
      "expected I/N with 1 <= I <= N <= {} (I is 1-based), e.g. 1/4, found `{}`", kMaxShards, text);
  if (slash == std::string::npos) return InvalidArgumentError(expected);
  std::optional<int> index = ParseCount(text.substr(0, slash));
  std::optional<int> total = ParseCount(text.substr(slash + 1));
  if (!index || !total || *total < 1 || *total > kMaxShards || *index < 1 || *index > *total) {
    if (index && *index == 0) return InvalidArgumentError(expected + " (shards count from 1)");
    return InvalidArgumentError(expected);
  }
  return Shard{*index, *total};
}

StatusOr<std::optional<Shard>> ShardFromEnvironment() {
  const char* index = std::getenv("TOLLGATE_SHARD_INDEX");
  const char* total = std::getenv("TOLLGATE_TOTAL_SHARDS");
  if (!index && !total) return std::optional<Shard>();
  if (!index || !total) {
    return InvalidArgumentError(
        "TOLLGATE_SHARD_INDEX and TOLLGATE_TOTAL_SHARDS must be set together");
  }
  auto shard = ParseShard(std::string(index) + "/" + total);
  if (!shard.ok()) {
    return InvalidArgumentError("TOLLGATE_SHARD_INDEX/TOLLGATE_TOTAL_SHARDS: " +
                                shard.status().message());
  }
  return std::optional<Shard>(*shard);
}

int ShardOf(const std::string& suite_id, const std::string& case_id, int total) {
  const std::string digest = Sha256(suite_id + "\n" + case_id);
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = (n << 8) | static_cast<unsigned char>(digest[i]);
  return static_cast<int>(n % static_cast<std::uint64_t>(total < 1 ? 1 : total)) + 1;
}

}  // namespace tollgate
