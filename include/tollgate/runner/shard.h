#pragma once
// CI fan-out: `--shard I/N` runs a stable 1/N of the scenario cases. A case belongs to the
// shard picked by a hash of its suite and case id, not by its position, so adding a
// scenario moves only that scenario's cases and every shard sees the same assignment.

#include <optional>
#include <string>

#include "tollgate/base/status.h"

namespace tollgate {

/// One shard of N; `index` is 1-based (1..total), as GitLab's CI_NODE_INDEX is.
struct Shard {
  int index = 1;
  int total = 1;
  /// "2/4".
  std::string ToString() const;
};

/// Parses "I/N" with 1 <= I <= N <= 1000; the error says what was found and expected.
StatusOr<Shard> ParseShard(const std::string& text);

/// The shard from TOLLGATE_SHARD_INDEX and TOLLGATE_TOTAL_SHARDS (both set, 1-based), or
/// nullopt when neither is set. One without the other is an error.
StatusOr<std::optional<Shard>> ShardFromEnvironment();

/// The 1-based shard of N that a case belongs to: SHA-256 of "suite_id\ncase_id", first
/// eight bytes as an unsigned number, modulo N, plus one.
int ShardOf(const std::string& suite_id, const std::string& case_id, int total);

}  // namespace tollgate
