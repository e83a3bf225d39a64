#include "tollgate/mocks/journal.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(Journal, RedactsSecretsAndAuthorizationBeforeStoring) {
  ManualClock clock;
  Redactor redactor;
  redactor.AddSecret("EasyBanking");
  Journal journal(10, &redactor, &clock);
  ServerRequest req;
  req.method = "POST";
  req.path = "/hook";
  req.query = "token=EasyBanking";
  req.headers.Add("Authorization", "Basic Q29ubmVjdFBheTpFYXN5QmFua2luZw==");
  req.headers.Add("X-Note", "EasyBanking in a header");
  req.body = R"({"secret":"EasyBanking"})";
  journal.Record(req, ServerResponse::Text(200, "ok"), "accepted EasyBanking");
  std::string dumped = journal.ToJson("sink").dump();
  EXPECT_EQ(dumped.find("EasyBanking"), std::string::npos) << dumped;
  EXPECT_EQ(dumped.find("Q29ubmVjdFBheTpFYXN5QmFua2luZw=="), std::string::npos) << dumped;
  auto entries = journal.Snapshot();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].headers[0].second, "Basic ***");
  EXPECT_EQ(entries[0].body, R"({"secret":"***"})");
  EXPECT_EQ(entries[0].body_bytes, req.body.size());
  EXPECT_EQ(entries[0].status, 200);
  EXPECT_EQ(entries[0].time, "2023-11-14T22:13:20.000Z");  // the shared clock, not the wall
}

TEST(Journal, IsBoundedAndKeepsCountingAfterEviction) {
  ManualClock clock;
  Redactor redactor;
  Journal journal(3, &redactor, &clock);
  for (int i = 0; i < 5; ++i) {
    ServerRequest req;
    req.path = "/" + std::to_string(i);
    journal.Record(req, ServerResponse::Text(200, ""), "");
  }
  auto entries = journal.Snapshot();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries.front().path, "/2");
  EXPECT_EQ(entries.front().seq, 3u);
  EXPECT_EQ(journal.total(), 5u);
}

}  // namespace
}  // namespace tollgate
