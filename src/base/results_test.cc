#include "tollgate/results.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(RunVerdict, FailOutranksErrorWhichOutranksPass) {
  struct Case {
    int failures, errors, warnings, skipped;
    Verdict want;
  } cases[] = {
      // Warnings (failed `should`s) and skips do not fail a run.
      {0, 0, 0, 0, Verdict::kPass}, {0, 0, 3, 2, Verdict::kPass}, {0, 1, 0, 0, Verdict::kError},
      {1, 0, 0, 0, Verdict::kFail}, {2, 5, 1, 1, Verdict::kFail},
  };
  for (const Case& c : cases) {
    Counts counts;
    counts.failures = c.failures;
    counts.errors = c.errors;
    counts.warnings = c.warnings;
    counts.skipped = c.skipped;
    EXPECT_EQ(RunVerdict(counts), c.want) << c.failures << " failures, " << c.errors << " errors";
  }
}

}  // namespace
}  // namespace tollgate
