#include "mocks/jwks_host.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <thread>

namespace tollgate::mocks {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class JwksHostTest : public ::testing::Test {
 protected:
  std::unique_ptr<JwksHost> Make(nlohmann::json config = {
                                     {"keys", {{{"kid", "k1"}, {"alg", "ES256"}}}}}) {
    ServiceDecl d;
    d.name = "keys";
    d.kind = "jwks";
    d.config = std::move(config);
    auto h = JwksHost::Create(
        d, {&clock_, &redactor_, [](const std::string&) { return "http://keys.test"; }, nullptr});
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(h).value() : nullptr;
  }
  static ServerRequest Get() {
    ServerRequest r;
    r.method = "GET";
    r.path = "/jwks";
    return r;
  }
  static std::vector<std::string> ServedKids(const Handled& h) {
    std::vector<std::string> out;
    nlohmann::json body = nlohmann::json::parse(h.response.body);
    for (const auto& k : body["keys"]) out.push_back(k["kid"]);
    return out;
  }
  ManualClock clock_;
  Redactor redactor_;
};

TEST_F(JwksHostTest, ServesThePublicKeysAtBothPathsWithCachingHeaders) {
  auto host = Make();
  Handled h = host->HandleJwks(Get());
  EXPECT_EQ(h.response.status, 200);
  EXPECT_THAT(ServedKids(h), ElementsAre("k1"));
  EXPECT_EQ(h.response.headers.Get("Cache-Control").value_or(""), "max-age=300");
  ASSERT_TRUE(h.response.headers.Has("ETag"));
  ServerRequest again = Get();
  again.headers.Add("If-None-Match", *h.response.headers.Get("ETag"));
  EXPECT_EQ(host->HandleJwks(again).response.status, 304);

  struct Recorder : ServiceRouter {
    std::vector<std::string> paths;
    void Add(std::string, std::string p, ServiceHandler) override { paths.push_back(p); }
    void AddPrefix(std::string, std::string p, ServiceHandler) override {
      paths.push_back(p + "*");
    }
  } recorder;
  host->AddRoutes(recorder);
  EXPECT_THAT(recorder.paths, ElementsAre("/jwks", "/.well-known/jwks.json"));

  ServerRequest post = Get();
  post.method = "POST";
  EXPECT_EQ(host->HandleJwks(post).response.status, 405);
}

TEST_F(JwksHostTest, DownAnswers503AndClosesTheConnection) {
  auto host = Make();
  ASSERT_TRUE(host->Control("down", nlohmann::json::object()).ok());
  Handled h = host->HandleJwks(Get());
  EXPECT_EQ(h.response.status, 503);
  EXPECT_EQ(h.response.headers.Get("Connection").value_or(""), "close");
  EXPECT_EQ(h.note, "down");
}

TEST_F(JwksHostTest, Error500Answers500) {
  auto host = Make();
  ASSERT_TRUE(host->Control("error_500", nlohmann::json::object()).ok());
  EXPECT_EQ(host->HandleJwks(Get()).response.status, 500);
}

TEST_F(JwksHostTest, MalformedServesTruncatedJsonThatNoParserAccepts) {
  auto host = Make();
  ASSERT_TRUE(host->Control("malformed", nlohmann::json::object()).ok());
  Handled h = host->HandleJwks(Get());
  EXPECT_EQ(h.response.status, 200);
  EXPECT_EQ(h.response.body, R"({"keys":[)");
  EXPECT_FALSE(jose::Jwks::Parse(h.response.body).ok());
}

TEST_F(JwksHostTest, EmptyServesAnEmptySet) {
  auto host = Make();
  ASSERT_TRUE(host->Control("empty", nlohmann::json::object()).ok());
  Handled h = host->HandleJwks(Get());
  EXPECT_EQ(h.response.status, 200);
  EXPECT_EQ(h.response.body, R"({"keys":[]})");
  // Minting still works: the keys exist, they are just not published.
  EXPECT_TRUE(host->SigningKey("").has_value());
}

TEST_F(JwksHostTest, SlowDelaysTheAnswerByTheGivenTime) {
  auto host = Make();
  ASSERT_TRUE(host->Control("slow", {{"ms", 150}}).ok());
  auto start = std::chrono::steady_clock::now();
  Handled h = host->HandleJwks(Get());
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(h.response.status, 200);
  EXPECT_GE(took, std::chrono::milliseconds(150));
  ASSERT_TRUE(host->Control("slow", {{"ms", "0"}}).ok());  // numbers as text are fine
}

TEST_F(JwksHostTest, SlowIsBoundedAndRestoreWakesAWaitingHandler) {
  auto host = Make();
  EXPECT_THAT(host->Control("slow", {{"ms", 30'001}}).message(), HasSubstr("between 0 and 30000"));
  EXPECT_FALSE(host->Control("slow", {{"ms", "soon"}}).ok());
  ASSERT_TRUE(host->Control("slow", nlohmann::json::object()).ok());  // default 3000 ms
  ASSERT_TRUE(host->Control("slow", {{"ms", 30'000}}).ok());
  auto start = std::chrono::steady_clock::now();
  std::future<int> status =
      std::async(std::launch::async, [&] { return host->HandleJwks(Get()).response.status; });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  host->Restore();
  EXPECT_EQ(status.get(), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(JwksHostTest, SameKidNewKeyPublishesNewMaterialUnderTheOldKid) {
  auto host = Make();
  nlohmann::json before = nlohmann::json::parse(host->HandleJwks(Get()).response.body)["keys"][0];
  ASSERT_TRUE(host->Control("same_kid_new_key", nlohmann::json::object()).ok());
  nlohmann::json after = nlohmann::json::parse(host->HandleJwks(Get()).response.body)["keys"][0];
  EXPECT_EQ(after["kid"], "k1");
  EXPECT_NE(after["x"], before["x"]);
}

TEST_F(JwksHostTest, RotateAddAndRemoveChangeThePublishedSet) {
  auto host = Make();
  ASSERT_TRUE(host->Control("rotate_keys", nlohmann::json::object()).ok());
  EXPECT_THAT(ServedKids(host->HandleJwks(Get())), ElementsAre("k1-r1", "k1"));
  EXPECT_EQ(host->SigningKey("")->kid(), "k1-r1");
  ASSERT_TRUE(host->Control("add_key", {{"kid", "spare"}}).ok());
  EXPECT_THAT(ServedKids(host->HandleJwks(Get())), ElementsAre("k1-r1", "k1", "spare"));
  ASSERT_TRUE(host->Control("remove_key", {{"kid", "k1"}}).ok());
  EXPECT_THAT(ServedKids(host->HandleJwks(Get())), ElementsAre("k1-r1", "spare"));
  EXPECT_FALSE(host->SigningKey("k1").has_value());
}

TEST_F(JwksHostTest, MaxAgeChangesCacheControl) {
  auto host = Make();
  ASSERT_TRUE(host->Control("max_age", {{"seconds", 5}}).ok());
  EXPECT_EQ(host->HandleJwks(Get()).response.headers.Get("Cache-Control").value_or(""),
            "max-age=5");
  EXPECT_FALSE(host->Control("max_age", nlohmann::json::object()).ok());
  EXPECT_FALSE(host->Control("max_age", {{"seconds", -1}}).ok());
}

TEST_F(JwksHostTest, RestoreUndoesEveryAction) {
  auto host = Make({{"keys", {{{"kid", "k1"}, {"alg", "ES256"}}}}, {"max_age", "1m"}});
  std::string body = host->HandleJwks(Get()).response.body;
  for (const char* action : {"down", "max_age", "rotate_keys", "same_kid_new_key"}) {
    ASSERT_TRUE(host->Control(action, {{"seconds", 9}}).ok()) << action;
  }
  ASSERT_TRUE(host->Control("restore", nlohmann::json::object()).ok());
  Handled h = host->HandleJwks(Get());
  EXPECT_EQ(h.response.status, 200);
  EXPECT_EQ(h.response.body, body);  // the configured key, same material
  EXPECT_EQ(h.response.headers.Get("Cache-Control").value_or(""), "max-age=60");
}

TEST_F(JwksHostTest, UnknownActionNamesTheKnownOnes) {
  Status st = Make()->Control("explode", nlohmann::json::object());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(),
              HasSubstr("down, error_500, slow, malformed, empty, rotate_keys, add_key, "
                        "remove_key, same_kid_new_key, max_age, restore"));
}

TEST_F(JwksHostTest, IsAKeyHolderForMinting) {
  auto host = Make();
  const KeyHolder* keys = host->keys();
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->SigningKey("")->kid(), "k1");
  EXPECT_TRUE(keys->SigningKey("")->has_private());
  EXPECT_EQ(keys->Issuer(), "http://keys.test");
  EXPECT_EQ(keys->TokenTtl(), std::chrono::seconds(3600));
  EXPECT_EQ(keys->PublishedKeys().keys.size(), 1u);
}

TEST_F(JwksHostTest, IssuerSetsTheIssOfItsTokensAndItsTargetSetting) {
  auto host =
      Make({{"keys", {{{"kid", "k1"}, {"alg", "RS256"}}}}, {"issuer", "https://id.example.com"}});
  EXPECT_EQ(host->keys()->Issuer(), "https://id.example.com");
  std::map<std::string, std::string> settings;
  for (const TargetSetting& s : host->TargetSettings()) settings[s.name] = s.value;
  EXPECT_EQ(settings["issuer"], "https://id.example.com");
  EXPECT_EQ(settings["jwks_url"], "http://keys.test/jwks");  // the key set stays where it is
}

}  // namespace
}  // namespace tollgate::mocks
