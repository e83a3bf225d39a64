#include "tollgate/base/status.h"

#include <gtest/gtest.h>

#include "tollgate/base/clock.h"
#include "tollgate/base/digest.h"

namespace tollgate {
namespace {

StatusOr<int> Half(int v) {
  if (v % 2) return InvalidArgumentError("odd");
  return v / 2;
}

StatusOr<int> Quarter(int v) {
  ASSIGN_OR_RETURN(int h, Half(v));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Status, CarriesCodeMessageAndContext) {
  Status s = NotFoundError("no kid").WithContext("jwks");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not found: jwks: no kid");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusOr, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  StatusOr<int> bad = Quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "odd");
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock c;
  long long t0 = c.NowSeconds();
  c.Advance(std::chrono::seconds(90));
  EXPECT_EQ(c.NowSeconds(), t0 + 90);
}

TEST(Clock, OffsetClockShiftsTheSystemClock) {
  OffsetClock c;
  c.SetOffset(std::chrono::hours(-2));
  long long sys = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  EXPECT_NEAR(static_cast<double>(c.NowSeconds()), static_cast<double>(sys - 7200), 2.0);
}

TEST(Digest, Sha256KnownAnswerAndConstantTimeEquals) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret-longer"));
}

}  // namespace
}  // namespace tollgate
