#include "mocks/signed_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "mocks/nonce_store.h"

namespace tollgate::mocks {
namespace {

using ::testing::HasSubstr;

class SignedApiTest : public ::testing::Test {
 protected:
  std::unique_ptr<SignedApi> Make(const std::vector<std::string>& faults = {}) {
    ServiceDecl d;
    d.name = "api";
    d.kind = "signed-api";
    d.config = {{"signing",
                 {{"components",
                   {"method", "path", "query", "host", "header:content-type", "body_digest",
                    "timestamp", "nonce", "key_id"}},
                  {"window", "5m"}}},
                {"clients",
                 {{"alpha", {{"secret", "alpha-secret-0123456789"}}},
                  {"beta", {{"secret", "beta-secret-0123456789"}}}}}};
    auto s = SignedApi::Create(d, ServiceContext{&clock_, &redactor_, {}, {}, {}});
    EXPECT_TRUE(s.ok()) << s.status().message();
    for (const std::string& f : faults) (*s)->EnableFault(f);
    return std::move(s).value();
  }
  ServerRequest Signed(const SignedApi& api, const std::string& nonce, std::int64_t offset = 0) {
    ServerRequest r;
    r.method = "POST";
    r.path = "/v3/payments";
    r.query = "ref=1";
    r.body = R"({"amount":"10.00"})";
    r.peer_address = "127.0.0.1";
    r.headers.Add("Host", "127.0.0.1:9000");
    r.headers.Add("Content-Type", "application/json");
    signing::Profile p = api.EffectiveProfile();
    signing::SignParams s{"alpha", std::to_string(clock_.NowSeconds() + offset), nonce};
    signing::Message m{r.method, r.path, r.query, r.headers.items(), r.body};
    std::string sig = signing::Sign(p, m, s, "alpha-secret-0123456789").value();
    for (auto& [n, v] : signing::SignatureHeaders(p, s, sig)) r.headers.Add(n, v);
    return r;
  }
  ManualClock clock_;
  Redactor redactor_;
};

TEST_F(SignedApiTest, AcceptsOnceThenRefusesTheReplay) {
  auto api = Make();
  ServerRequest r = Signed(*api, "n-1");
  EXPECT_EQ(api->HandleSigned(r).response.status, 200);
  Handled again = api->HandleSigned(r);
  EXPECT_EQ(again.response.status, 401);
  EXPECT_EQ(again.note, "replay: nonce seen");
}

TEST_F(SignedApiTest, ChecksTheWindowBeforeTheNonceStore) {
  auto api = Make();
  Handled stale = api->HandleSigned(Signed(*api, "n-2", -301));
  EXPECT_EQ(stale.note, "timestamp older than the window");
  EXPECT_EQ(api->HandleSigned(Signed(*api, "n-2")).response.status, 200);
  // The fault records the nonce first: the stale request burns it.
  auto faulty = Make({"nonce_before_window"});
  EXPECT_EQ(faulty->HandleSigned(Signed(*faulty, "n-2", -301)).response.status, 401);
  EXPECT_EQ(faulty->HandleSigned(Signed(*faulty, "n-2")).note, "replay: nonce seen");
}

TEST_F(SignedApiTest, BodyNotSignedDropsTheComponentFromTheAdvertisedProfile) {
  auto api = Make({"body_not_signed"});
  EXPECT_FALSE(api->EffectiveProfile().Covers("body_digest"));
  ServerRequest r = Signed(*api, "n-3");
  r.body = R"({"amount":"99.00"})";
  EXPECT_EQ(api->HandleSigned(r).response.status, 200);
  auto strict = Make();
  ServerRequest s = Signed(*strict, "n-3");
  s.body = R"({"amount":"99.00"})";
  EXPECT_EQ(strict->HandleSigned(s).note, "signature does not match");
}

TEST_F(SignedApiTest, AllowListIgnoresForwardedFor) {
  auto api = Make();
  ServerRequest r = Signed(*api, "n-4");
  r.peer_address = "127.0.0.2";
  r.headers.Add("X-Forwarded-For", "127.0.0.1");
  ASSERT_TRUE(api->CheckSource(r).has_value());
  EXPECT_EQ(api->CheckSource(r)->response.status, 403);
  EXPECT_FALSE(Make({"trust_forwarded_for"})->CheckSource(r).has_value());
}

TEST_F(SignedApiTest, RefreshRotatesAndReuseRevokesTheFamily) {
  auto api = Make();
  auto post = [&](const std::string& body) {
    ServerRequest r;
    r.method = "POST";
    r.body = body;
    r.peer_address = "127.0.0.1";
    return nlohmann::json::parse(api->HandleToken(r).response.body);
  };
  const std::string creds = "client_id=alpha&client_secret=alpha-secret-0123456789";
  auto first = post("grant_type=client_credentials&" + creds);
  auto second =
      post("grant_type=refresh_token&refresh_token=" + first["refresh_token"].get<std::string>() +
           "&" + creds);
  ASSERT_TRUE(second.contains("access_token"));
  EXPECT_NE(second["refresh_token"], first["refresh_token"]);
  EXPECT_EQ(post("grant_type=refresh_token&refresh_token=" +
                 first["refresh_token"].get<std::string>() + "&" + creds)["error"],
            "invalid_grant");
  EXPECT_EQ(post("grant_type=refresh_token&refresh_token=" +
                 second["refresh_token"].get<std::string>() + "&" + creds)["error"],
            "invalid_grant");
  ServerRequest acc;
  acc.headers.Add("Authorization", "Bearer " + second["access_token"].get<std::string>());
  EXPECT_EQ(api->HandleAccounts(acc).note, "token family revoked");
}

TEST_F(SignedApiTest, AccessTokensExpireOnTheSharedClock) {
  auto api = Make();
  ServerRequest t;
  t.body = "grant_type=client_credentials&client_id=alpha&client_secret=alpha-secret-0123456789";
  auto tok = nlohmann::json::parse(api->HandleToken(t).response.body);
  ServerRequest acc;
  acc.headers.Add("Authorization", "Bearer " + tok["access_token"].get<std::string>());
  EXPECT_EQ(api->HandleAccounts(acc).response.status, 200);
  clock_.Advance(std::chrono::minutes(15));
  EXPECT_EQ(api->HandleAccounts(acc).note, "access token expired");
}

TEST_F(SignedApiTest, RejectsConfigWithOneClient) {
  ServiceDecl d;
  d.name = "api";
  d.kind = "signed-api";
  d.config = {{"clients", {{"alpha", {{"secret", "alpha-secret-0123456789"}}}}}};
  EXPECT_THAT(
      SignedApi::Create(d, ServiceContext{&clock_, &redactor_, {}, {}, {}}).status().message(),
      HasSubstr("at least two clients"));
}

TEST(NonceStore, ConcurrentInsertsOfOneNonceLetExactlyOneThrough) {
  NonceStore store(600, 100);
  std::atomic<int> fresh{0};
  std::latch go(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      go.arrive_and_wait();
      if (store.Insert("k", "n", 1000) == NonceStore::Outcome::kFresh) fresh++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fresh.load(), 1);
}

TEST(NonceStore, TheRacyStoreLetsBothCopiesThroughWhenTheyInterleave) {
  // Both threads pass the check before either inserts: the latch holds them in the gap.
  NonceStore store(600, 100);
  std::latch both_checked(2);
  std::atomic<int> fresh{0};
  auto run = [&] {
    if (store.InsertRacy("k", "n", 1000, [&] { both_checked.arrive_and_wait(); }) ==
        NonceStore::Outcome::kFresh) {
      fresh++;
    }
  };
  std::thread a(run), b(run);
  a.join();
  b.join();
  EXPECT_EQ(fresh.load(), 2);
}

TEST(NonceStore, BoundedAndExpiring) {
  NonceStore store(600, 2);
  EXPECT_EQ(store.Insert("k", "a", 1000), NonceStore::Outcome::kFresh);
  EXPECT_EQ(store.Insert("k2", "a", 1000), NonceStore::Outcome::kFresh);  // keyed by key id too
  EXPECT_EQ(store.Insert("k", "b", 1000), NonceStore::Outcome::kFull);
  EXPECT_EQ(store.Insert("k", "a", 1599), NonceStore::Outcome::kReplay);
  EXPECT_EQ(store.Insert("k", "b", 1600), NonceStore::Outcome::kFresh);  // expired ones pruned
}

}  // namespace
}  // namespace tollgate::mocks
