#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "mocks/issuer.h"
#include "mocks/issuer_fixture.h"

namespace tollgate::mocks {
namespace {

using ::testing::HasSubstr;

// Refresh tokens rotate on every use; a used one coming back revokes its family
// (RFC 9700 §4.14.2); they expire, belong to one client, and never widen the scope.

TEST_F(IssuerTest, RefreshRotatesAndTheSuccessorWorks) {
  auto idp = Make();
  std::string rt1 = RefreshTokenFor(*idp, "alpha", "alpha-secret");
  Handled h = idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt1));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_EQ(h.response.headers.Get("Cache-Control").value_or(""), "no-store");
  std::string rt2 = Body(h)["refresh_token"];
  EXPECT_NE(rt2, rt1);
  EXPECT_EQ(Segment(Body(h)["access_token"], 1)["sub"], "alpha");
  Handled h3 = idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt2));
  EXPECT_EQ(h3.response.status, 200) << h3.response.body;
}

TEST_F(IssuerTest, ReusingAUsedRefreshTokenRevokesTheWholeFamily) {
  auto idp = Make();
  std::string rt1 = RefreshTokenFor(*idp, "alpha", "alpha-secret");
  std::string rt2 =
      Body(idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt1)))["refresh_token"];
  Handled reuse = idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt1));
  EXPECT_EQ(reuse.response.status, 400);
  EXPECT_EQ(Body(reuse)["error"], "invalid_grant");
  EXPECT_THAT(reuse.note, HasSubstr("family revoked"));
  Handled successor = idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt2));
  EXPECT_EQ(successor.response.status, 400);
  EXPECT_EQ(Body(successor)["error"], "invalid_grant");
  // Another family of the same client is untouched.
  std::string other = RefreshTokenFor(*idp, "alpha", "alpha-secret");
  EXPECT_EQ(idp->HandleToken(RefreshRequest("alpha", "alpha-secret", other)).response.status, 200);
}

TEST_F(IssuerTest, ARefreshTokenOfAnotherClientIsInvalidGrant) {
  auto idp = Make();
  std::string alpha_rt = RefreshTokenFor(*idp, "alpha", "alpha-secret");
  Handled h = idp->HandleToken(RefreshRequest("beta", kOddSecret, alpha_rt));
  EXPECT_EQ(h.response.status, 400);
  EXPECT_EQ(Body(h)["error"], "invalid_grant");
  // The attempt neither used nor revoked alpha's token.
  EXPECT_EQ(idp->HandleToken(RefreshRequest("alpha", "alpha-secret", alpha_rt)).response.status,
            200);
  // And refreshing needs client authentication like any token request.
  Handled anon = idp->HandleToken(Token("grant_type=refresh_token&refresh_token=" + alpha_rt));
  EXPECT_EQ(anon.response.status, 401);
}

TEST_F(IssuerTest, RefreshTokensExpireAfterRefreshTtl) {
  auto idp = Make();
  std::string rt = RefreshTokenFor(*idp, "alpha", "alpha-secret");
  std::string rt_late = RefreshTokenFor(*idp, "alpha", "alpha-secret");
  clock_.Advance(std::chrono::seconds(3599));
  EXPECT_EQ(idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt)).response.status, 200);
  clock_.Advance(std::chrono::seconds(1));
  Handled h = idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt_late));
  EXPECT_EQ(h.response.status, 400);
  EXPECT_EQ(Body(h)["error"], "invalid_grant");
  EXPECT_THAT(h.note, HasSubstr("expired"));
}

TEST_F(IssuerTest, RefreshCannotWidenTheScopeButMayNarrowIt) {
  auto idp = Make();
  Handled first =
      idp->HandleToken(ClientCredentials("alpha", "alpha-secret", {{"scope", "accounts:read"}}));
  std::string rt = Body(first)["refresh_token"];
  Handled wider =
      idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt, "accounts:read payments:write"));
  EXPECT_EQ(wider.response.status, 400);
  EXPECT_EQ(Body(wider)["error"], "invalid_scope");
  Handled same = idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt, "accounts:read"));
  EXPECT_EQ(same.response.status, 200) << same.response.body;
  EXPECT_EQ(Body(same)["scope"], "accounts:read");
}

TEST_F(IssuerTest, ConcurrentRefreshesWithOneTokenLetExactlyOneThrough) {
  auto idp = Make();
  std::string rt = RefreshTokenFor(*idp, "alpha", "alpha-secret");
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      int status = idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt)).response.status;
      (status == 200 ? ok : refused)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

TEST_F(IssuerTest, RestoreKeepsRefreshTokenState) {
  auto idp = Make();
  std::string rt = RefreshTokenFor(*idp, "alpha", "alpha-secret");
  ASSERT_EQ(idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt)).response.status, 200);
  idp->Restore();
  EXPECT_EQ(idp->HandleToken(RefreshRequest("alpha", "alpha-secret", rt)).response.status, 400);
}

}  // namespace
}  // namespace tollgate::mocks
