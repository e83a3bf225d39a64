#include "mocks/connectpay.h"

#include <gtest/gtest.h>

#include "tollgate/base/encoding.h"

namespace tollgate::mocks {
namespace {

// The handlers are plain functions: exercised here without a socket.
class ConnectPayTest : public ::testing::Test {
 protected:
  ServiceDecl Decl() {
    ServiceDecl d;
    d.name = "cp";
    d.kind = "connectpay";
    d.config = {{"realm", "cp-realm"}, {"clients", {{"ConnectPay", {{"secret", "EasyBanking"}}}}}};
    return d;
  }
  ServerRequest With(const std::string& authorization) {
    ServerRequest r;
    r.method = "GET";
    r.path = "/v1/generic/status";
    if (!authorization.empty()) r.headers.Add("Authorization", authorization);
    return r;
  }
  ManualClock clock_;
  Redactor redactor_;
};

TEST_F(ConnectPayTest, AcceptsTheRegisteredCredentialsInAnySchemeCase) {
  ConnectPay cp(Decl(), ServiceContext{&clock_, &redactor_, {}, {}, {}});
  EXPECT_EQ(cp.HandleBasic(With("Basic " + Base64Encode("ConnectPay:EasyBanking"))).response.status,
            200);
  EXPECT_EQ(cp.HandleBasic(With("basic " + Base64Encode("ConnectPay:EasyBanking"))).response.status,
            200);
  EXPECT_EQ(cp.HandleBasic(With("BASIC " + Base64Encode("ConnectPay:EasyBanking"))).response.status,
            200);
}

TEST_F(ConnectPayTest, RefusesEveryBadCredentialWith401AndAChallenge) {
  ConnectPay cp(Decl(), ServiceContext{&clock_, &redactor_, {}, {}, {}});
  struct Case {
    const char* name;
    std::string header;
  } cases[] = {
      {"none", ""},
      {"wrong secret", "Basic " + Base64Encode("ConnectPay:nope")},
      {"unknown key", "Basic " + Base64Encode("Other:EasyBanking")},
      {"empty key", "Basic " + Base64Encode(":EasyBanking")},
      {"not base64", "Basic !!!!"},
      {"no colon", "Basic " + Base64Encode("ConnectPay")},
      {"no token", "Basic"},
      {"control char", "Basic " + Base64Encode("Connect\x01Pay:EasyBanking")},
      {"bearer scheme", "Bearer abc"},
  };
  for (const Case& c : cases) {
    Handled h = cp.HandleBasic(With(c.header));
    EXPECT_EQ(h.response.status, 401) << c.name;
    EXPECT_EQ(h.response.headers.Get("WWW-Authenticate").value_or(""),
              "Basic realm=\"cp-realm\", charset=\"UTF-8\"")
        << c.name;
    EXPECT_EQ(h.response.body, R"({"error":"unauthorized"})") << c.name;
  }
}

TEST_F(ConnectPayTest, RegistersClientSecretsWithTheRedactor) {
  ConnectPay cp(Decl(), ServiceContext{&clock_, &redactor_, {}, {}, {}});
  EXPECT_EQ(redactor_.Redact("x EasyBanking y"), "x *** y");
}

TEST_F(ConnectPayTest, EachFaultBreaksExactlyItsRule) {
  const std::string good = "Basic " + Base64Encode("ConnectPay:EasyBanking");
  const std::string wrong = "Basic " + Base64Encode("ConnectPay:nope");
  const std::string unknown = "Basic " + Base64Encode("Other:nope");
  const std::string empty_key = "Basic " + Base64Encode(":EasyBanking");
  auto make = [&](const char* fault) {
    auto cp = std::make_unique<ConnectPay>(Decl(), ServiceContext{&clock_, &redactor_, {}, {}, {}});
    cp->EnableFault(fault);
    return cp;
  };
  EXPECT_EQ(make("accept_any_secret")->HandleBasic(With(wrong)).response.status, 200);
  EXPECT_EQ(make("accept_any_secret")->HandleBasic(With(unknown)).response.status, 401);
  EXPECT_EQ(make("accept_unknown_key")->HandleBasic(With(unknown)).response.status, 200);
  EXPECT_EQ(make("accept_unknown_key")->HandleBasic(With(wrong)).response.status, 401);
  EXPECT_EQ(make("accept_empty_key")->HandleBasic(With(empty_key)).response.status, 200);
  EXPECT_FALSE(
      make("omit_challenge")->HandleBasic(With("")).response.headers.Has("WWW-Authenticate"));
  EXPECT_THROW(make("malformed_500")->HandleBasic(With("Basic !!!!")), std::exception);
  EXPECT_EQ(
      make("reject_lowercase_scheme")->HandleBasic(With("basic " + good.substr(6))).response.status,
      401);
  EXPECT_EQ(make("reject_lowercase_scheme")->HandleBasic(With(good)).response.status, 200);
  EXPECT_EQ(make("basic_on_bearer_path")->HandleBearerOnly(With(good)).response.status, 200);
  auto distinct = make("distinct_unknown_key_body");
  EXPECT_NE(distinct->HandleBasic(With(unknown)).response.body,
            distinct->HandleBasic(With(wrong)).response.body);
  ConnectPay plain(Decl(), ServiceContext{&clock_, &redactor_, {}, {}, {}});
  EXPECT_EQ(plain.HandleBasic(With(unknown)).response.body,
            plain.HandleBasic(With(wrong)).response.body);
}

TEST_F(ConnectPayTest, BasicNeverOpensTheDataApi) {
  ConnectPay cp(Decl(), ServiceContext{&clock_, &redactor_, {}, {}, {}});
  Handled h = cp.HandleBearerOnly(With("Basic " + Base64Encode("ConnectPay:EasyBanking")));
  EXPECT_EQ(h.response.status, 401);
  EXPECT_EQ(h.response.headers.Get("WWW-Authenticate").value_or("").rfind("Bearer realm=", 0), 0u);
}

TEST_F(ConnectPayTest, OffersItsSettingsWithTheSecretMarked) {
  ConnectPay cp(Decl(), ServiceContext{&clock_, &redactor_, {}, {}, {}});
  bool saw_secret = false;
  for (const TargetSetting& s : cp.TargetSettings()) {
    if (s.name == "client_secret") {
      saw_secret = true;
      EXPECT_TRUE(s.secret);
      EXPECT_EQ(s.value, "EasyBanking");
    }
  }
  EXPECT_TRUE(saw_secret);
}

}  // namespace
}  // namespace tollgate::mocks
