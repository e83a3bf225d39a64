#include "cli/journal_console.h"

#include <gtest/gtest.h>

namespace tollgate::cli {
namespace {

TEST(JournalConsole, LineNamesServiceRequestAnswerAndVerdict) {
  JournalEntry e;
  e.method = "POST";
  e.path = "/notification";
  e.status = 401;
  e.note = "refused: custom header X-Partner-Key missing";
  EXPECT_EQ(FormatJournalLine("connector", e),
            "connector: POST /notification -> 401 refused: custom header X-Partner-Key missing");
}

TEST(JournalConsole, LineWithoutNoteEndsAtTheStatus) {
  JournalEntry e;
  e.method = "GET";
  e.path = "/auth";
  e.status = 200;
  EXPECT_EQ(FormatJournalLine("c", e), "c: GET /auth -> 200");
}

}  // namespace
}  // namespace tollgate::cli
