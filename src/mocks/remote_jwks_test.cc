#include "mocks/remote_jwks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "http/test_pki.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/http/server.h"
#include "tollgate/mocks/environment.h"

namespace tollgate::mocks {
namespace {

using ::testing::HasSubstr;

TEST(CacheMaxAge, ReadsMaxAgeAndTreatsNoStoreAsZero) {
  EXPECT_EQ(CacheMaxAge("max-age=300"), std::chrono::seconds(300));
  EXPECT_EQ(CacheMaxAge("public, Max-Age=60"), std::chrono::seconds(60));
  EXPECT_EQ(CacheMaxAge("no-store"), std::chrono::seconds(0));
  EXPECT_EQ(CacheMaxAge("max-age=60, no-cache"), std::chrono::seconds(0));
  EXPECT_EQ(CacheMaxAge("max-age=soon"), std::chrono::seconds(0));  // invalid means stale
  EXPECT_EQ(CacheMaxAge("public"), std::nullopt);
}

// An issuer and a JWKS host on loopback, plus a tiny discovery server that points at the
// JWKS host, so each of the host's misbehaviours can be shown to fail closed.
class RemoteJwksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Environment model;
    model.name = "rp-test";
    ServiceDecl idp;
    idp.name = "idp";
    idp.kind = "issuer";
    idp.config = {{"keys", {{{"kid", "k1"}, {"alg", "ES256"}}}}, {"jwks_max_age", "5m"}};
    ServiceDecl keys;
    keys.name = "keys";
    keys.kind = "jwks";
    keys.config = {{"keys", {{{"kid", "j1"}, {"alg", "ES256"}}}}, {"max_age", "1m"}};
    model.services = {idp, keys};
    env_ = std::make_unique<MockEnvironment>(model, &clock_, &redactor_);
    ASSERT_TRUE(env_->Start().ok());

    Router router;
    std::string jwks_uri = env_->Url("keys") + "/jwks";
    router.Add("GET", "/.well-known/openid-configuration", [jwks_uri](const ServerRequest&) {
      return ServerResponse::Json(
          200, nlohmann::json{{"issuer", "https://rp.test"}, {"jwks_uri", jwks_uri}}.dump());
    });
    discovery_ = std::make_unique<Server>(ServerOptions{}, std::move(router));
    ASSERT_TRUE(discovery_->Start().ok());
  }
  void TearDown() override {
    if (discovery_) discovery_->Stop();
    if (env_) env_->Stop();
  }
  std::unique_ptr<RemoteJwks> Make(std::string url, RemoteJwksOptions options = {}) {
    return std::make_unique<RemoteJwks>([url] { return url; }, &clock_, options);
  }
  std::uint64_t Hits(const std::string& service, const std::string& path) {
    std::uint64_t n = 0;
    for (const JournalEntry& e : env_->GetJournal(service)->Snapshot()) n += e.path == path;
    return n;
  }

  ManualClock clock_;
  Redactor redactor_;
  std::unique_ptr<MockEnvironment> env_;
  std::unique_ptr<Server> discovery_;
};

TEST_F(RemoteJwksTest, DiscoversOnceAndCachesForMaxAge) {
  auto rp = Make(env_->Url("idp"));
  auto first = rp->Get("k1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->issuer, env_->Url("idp"));
  EXPECT_NE(first->keys.Find("k1"), nullptr);
  ASSERT_TRUE(rp->Get("k1").ok());
  clock_.Advance(std::chrono::seconds(299));
  ASSERT_TRUE(rp->Get("k1").ok());
  EXPECT_EQ(Hits("idp", "/.well-known/openid-configuration"), 1u);
  EXPECT_EQ(Hits("idp", "/jwks"), 1u);
  clock_.Advance(std::chrono::seconds(1));  // max-age=300 has passed
  ASSERT_TRUE(rp->Get("k1").ok());
  EXPECT_EQ(Hits("idp", "/jwks"), 2u);
  EXPECT_EQ(Hits("idp", "/.well-known/openid-configuration"), 1u);
  EXPECT_EQ(rp->jwks_fetches(), 2);
}

// An https issuer (a mock issuer with `mtls:` serves its own TLS): discovery and the key
// set verify against the configured root, and fail closed without it.
TEST_F(RemoteJwksTest, AnHttpsIssuerIsTrustedThroughItsRoot) {
  tollgate::testing::TestPki pki;
  tollgate::testing::TestCert root =
      pki.Make("root", tollgate::testing::CertSpec::Root("jwks-root"));
  tollgate::testing::TestCert leaf =
      pki.Make("host", tollgate::testing::CertSpec::Leaf("127.0.0.1", "root").Eku("serverAuth"));
  ASSERT_FALSE(root.cert_file.empty() || leaf.cert_file.empty());
  Router router;
  std::string jwks_uri = env_->Url("keys") + "/jwks";
  router.Add("GET", "/.well-known/openid-configuration", [jwks_uri](const ServerRequest&) {
    return ServerResponse::Json(
        200, nlohmann::json{{"issuer", "https://rp.test"}, {"jwks_uri", jwks_uri}}.dump());
  });
  ServerOptions options;
  options.tls = true;
  options.tls_options.cert_chain_file = leaf.cert_file;
  options.tls_options.key_file = leaf.key_file;
  Server https(options, std::move(router));
  ASSERT_TRUE(https.Start().ok());
  ASSERT_EQ(https.url().rfind("https://", 0), 0u) << https.url();

  auto untrusted = Make(https.url());
  EXPECT_FALSE(untrusted->Get("j1").ok());
  RemoteJwksOptions trusting;
  trusting.ca_file = root.cert_file;
  auto rp = Make(https.url(), trusting);
  auto keys = rp->Get("j1");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_NE(keys->keys.Find("j1"), nullptr);
  https.Stop();
}

TEST_F(RemoteJwksTest, UnknownKidRefetchesAtMostOncePerCooldown) {
  auto rp = Make(env_->Url("idp"));
  ASSERT_TRUE(rp->Get("k1").ok());
  ASSERT_TRUE(env_->Service("idp")->Control("rotate_keys", nlohmann::json::object()).ok());
  auto rotated = rp->Get("k1-r1");
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(rotated->keys.Find("k1-r1"), nullptr);  // picked up by the refetch
  EXPECT_EQ(rp->jwks_fetches(), 2);
  for (int i = 0; i < 5; ++i) {
    auto r = rp->Get("random-" + std::to_string(i));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->keys.Find("random-" + std::to_string(i)), nullptr);
  }
  EXPECT_EQ(rp->jwks_fetches(), 2);  // within the 30 s cooldown: no flood
  clock_.Advance(std::chrono::seconds(30));
  ASSERT_TRUE(rp->Get("random-again").ok());
  EXPECT_EQ(rp->jwks_fetches(), 3);
}

TEST_F(RemoteJwksTest, WithoutRefetchOnUnknownKidOnlyMaxAgeBringsNewKeys) {
  RemoteJwksOptions options;
  options.refetch_on_unknown_kid = false;
  auto rp = Make(env_->Url("idp"), options);
  ASSERT_TRUE(rp->Get("k1").ok());
  ASSERT_TRUE(env_->Service("idp")->Control("rotate_keys", nlohmann::json::object()).ok());
  EXPECT_EQ(rp->Get("k1-r1")->keys.Find("k1-r1"), nullptr);
  clock_.Advance(std::chrono::minutes(5));
  EXPECT_NE(rp->Get("k1-r1")->keys.Find("k1-r1"), nullptr);
}

TEST_F(RemoteJwksTest, FailsClosedWhenTheIssuerCannotBeDiscovered) {
  auto none = Make("");
  EXPECT_EQ(none->Get("k1").status().code(), StatusCode::kUnavailable);
  auto unreachable = Make("http://127.0.0.1:9");
  EXPECT_EQ(unreachable->Get("k1").status().code(), StatusCode::kUnavailable);
  auto not_metadata = Make(env_->Url("keys"));  // 404 at the discovery path
  EXPECT_THAT(not_metadata->Get("k1").status().message(), HasSubstr("HTTP 404"));
}

TEST_F(RemoteJwksTest, FailsClosedOnEveryJwksMisbehaviourOnceTheCacheExpires) {
  struct Case {
    const char* action;
    nlohmann::json args;
    const char* message;
  } cases[] = {
      {"down", nlohmann::json::object(), "HTTP 503"},
      {"error_500", nlohmann::json::object(), "HTTP 500"},
      {"malformed", nlohmann::json::object(), "JWKS"},
      {"slow", {{"ms", 1500}}, "timeout"},
  };
  for (const Case& c : cases) {
    RemoteJwksOptions options;
    options.timeout = std::chrono::milliseconds(500);
    auto rp = Make(discovery_->url(), options);
    auto fresh = rp->Get("j1");
    ASSERT_TRUE(fresh.ok()) << c.action << ": " << fresh.status().ToString();
    EXPECT_EQ(fresh->issuer, "https://rp.test");
    ASSERT_TRUE(env_->Service("keys")->Control(c.action, c.args).ok());
    EXPECT_TRUE(rp->Get("j1").ok()) << c.action;  // still fresh: no fetch, no failure
    clock_.Advance(std::chrono::minutes(1));
    auto expired = rp->Get("j1");
    ASSERT_FALSE(expired.ok()) << c.action;
    EXPECT_EQ(expired.status().code(), StatusCode::kUnavailable) << c.action;
    EXPECT_THAT(expired.status().message(), HasSubstr(c.message)) << c.action;
    env_->RestoreAll();
    EXPECT_TRUE(rp->Get("j1").ok()) << c.action;  // recovers as soon as the host does
  }
}

TEST_F(RemoteJwksTest, AnEmptySetIsServedAndTrustsNothing) {
  auto rp = Make(discovery_->url());
  ASSERT_TRUE(env_->Service("keys")->Control("empty", nlohmann::json::object()).ok());
  auto r = rp->Get("j1");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->keys.keys.empty());
  env_->RestoreAll();
}

// Keycloak's key set holds an RSA-OAEP encryption key beside its signing key: the relying
// party ignores the key it cannot use (RFC 7517 §5) instead of distrusting the set, and
// fails closed on a set where no key can verify.
TEST(RemoteJwksKeySet, SkipsUnusableKeysAndFailsClosedWhenNoneIsLeft) {
  nlohmann::json enc = jose::Jwk::Generate(jose::Alg::kRS256, "enc-1")->ToPublicJson();
  enc["alg"] = "RSA-OAEP";
  enc["use"] = "enc";
  nlohmann::json sig = jose::Jwk::Generate(jose::Alg::kRS256, "sig-1")->ToPublicJson();
  const std::string keycloak = nlohmann::json{{"keys", {enc, sig}}}.dump();
  const std::string enc_only = nlohmann::json{{"keys", {enc}}}.dump();
  auto only_enc = std::make_shared<std::atomic<bool>>(false);  // read on the server thread
  Router router;
  router.Add("GET", "/jwks", [=](const ServerRequest&) {
    return ServerResponse::Json(200, *only_enc ? enc_only : keycloak);
  });
  Server host(ServerOptions{}, std::move(router));
  ASSERT_TRUE(host.Start().ok());
  ManualClock clock;
  RemoteJwksOptions options;
  std::string url = host.url() + "/jwks";
  options.pinned_jwks_url = [url] { return url; };
  options.pinned_issuer = "https://id.example.com";
  options.default_max_age = std::chrono::seconds(0);  // every Get fetches
  RemoteJwks rp([] { return std::string(); }, &clock, options);
  auto trusted = rp.Get("sig-1");
  ASSERT_TRUE(trusted.ok()) << trusted.status().ToString();
  EXPECT_EQ(trusted->issuer, "https://id.example.com");
  ASSERT_EQ(trusted->keys.keys.size(), 1u);
  EXPECT_EQ(trusted->keys.keys[0].kid(), "sig-1");
  EXPECT_EQ(trusted->keys.Find("enc-1"), nullptr);

  *only_enc = true;
  auto none = rp.Get("sig-1");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(none.status().message(), HasSubstr("no usable signing key"));
  host.Stop();
}

TEST_F(RemoteJwksTest, HonoursTheHostsMaxAge) {
  auto rp = Make(discovery_->url());
  ASSERT_TRUE(env_->Service("keys")->Control("max_age", {{"seconds", 0}}).ok());
  ASSERT_TRUE(rp->Get("j1").ok());
  ASSERT_TRUE(rp->Get("j1").ok());
  EXPECT_EQ(rp->jwks_fetches(), 2);  // max-age=0: every use refetches
  env_->RestoreAll();
}

}  // namespace
}  // namespace tollgate::mocks
