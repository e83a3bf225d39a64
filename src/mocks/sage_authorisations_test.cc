#include "mocks/sage_authorisations.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace tollgate::mocks {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(AuthorisationStore, AnnouncedIdIsAcceptedOnce) {
  ManualClock clock;
  AuthorisationStore ids(&clock, minutes(20), {});
  ids.Announce("a-1");
  EXPECT_EQ(ids.Use("a-1"), UseResult::kAccepted);
  EXPECT_EQ(ids.Use("a-1"), UseResult::kUsed);
}

TEST(AuthorisationStore, UnknownAndMismatchedIdsAreRefused) {
  ManualClock clock;
  AuthorisationStore ids(&clock, minutes(20), {});
  ids.Announce("auth-12345678");
  EXPECT_EQ(ids.Use("auth-123456780"), UseResult::kUnknown);
  EXPECT_EQ(ids.Use("other"), UseResult::kUnknown);
  EXPECT_EQ(ids.Use("auth-12345678"), UseResult::kAccepted);
}

TEST(AuthorisationStore, IdExpiresAtItsLifetime) {
  ManualClock clock;
  AuthorisationStore ids(&clock, minutes(20), {});
  ids.Announce("early");
  ids.Announce("late");
  clock.Advance(minutes(20) - seconds(1));
  EXPECT_EQ(ids.Use("early"), UseResult::kAccepted);
  clock.Advance(seconds(1));
  EXPECT_EQ(ids.Use("late"), UseResult::kExpired);
}

TEST(AuthorisationStore, ConcurrentUsesAcceptExactlyOne) {
  ManualClock clock;
  AuthorisationStore ids(&clock, minutes(20), {});
  ids.Announce("race");
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (ids.Use("race") == UseResult::kAccepted) accepted.fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
}

TEST(AuthorisationStore, OldestIdIsDroppedPastCapacity) {
  ManualClock clock;
  AuthorisationStore ids(&clock, minutes(20), {}, 2);
  ids.Announce("a");
  ids.Announce("b");
  ids.Announce("c");
  EXPECT_EQ(ids.Use("a"), UseResult::kUnknown);
  EXPECT_EQ(ids.Use("c"), UseResult::kAccepted);
}

TEST(AuthorisationStore, EachFaultBreaksItsRule) {
  ManualClock clock;
  AuthorisationFaults reuse;
  reuse.allow_reuse = true;
  AuthorisationStore a(&clock, minutes(20), reuse);
  a.Announce("x");
  EXPECT_EQ(a.Use("x"), UseResult::kAccepted);
  EXPECT_EQ(a.Use("x"), UseResult::kAccepted);

  AuthorisationFaults lifetime;
  lifetime.ignore_lifetime = true;
  AuthorisationStore b(&clock, minutes(20), lifetime);
  b.Announce("y");
  clock.Advance(minutes(21));
  EXPECT_EQ(b.Use("y"), UseResult::kAccepted);

  AuthorisationFaults prefix;
  prefix.prefix_match = true;
  AuthorisationStore c(&clock, minutes(20), prefix);
  c.Announce("auth-12345678");
  EXPECT_EQ(c.Use("auth-123X"), UseResult::kAccepted);
  EXPECT_EQ(c.Use("zzzzzzzz"), UseResult::kUnknown);
}

}  // namespace
}  // namespace tollgate::mocks
