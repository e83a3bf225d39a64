#pragma once
// Test-only fixture for the gateway tests: a running issuer (and a gateway, for the
// loopback and target-settings tests) on loopback, and token builders. The gateways under
// test are built directly so each test picks its faults; their handlers are called without
// a socket, while discovery and JWKS go over HTTP to the issuer.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "mocks/gateway.h"
#include "tollgate/base/encoding.h"
#include "tollgate/mocks/environment.h"

namespace tollgate::mocks {

inline constexpr char kPayment[] = R"({"messageId":"m-1","amount":"10.00"})";
inline constexpr char kStatement[] = R"({"messageId":"m-2","accountId":"acc-1"})";

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Environment model;
    model.name = "gateway-test";
    ServiceDecl idp;
    idp.name = "idp";
    idp.kind = "issuer";
    idp.config = {
        {"audiences", {"api://gateway"}},
        {"clients",
         {{"alpha",
           {{"secret", "alpha-secret"},
            {"scopes", {"accounts:read", "payments:write"}},
            {"roles", {"payment"}}}},
          {"beta", {{"secret", "beta-secret"}, {"scopes", {"payments:write"}}}}}},
    };
    ServiceDecl gw;
    gw.name = "gw";
    gw.kind = "gateway";
    gw.config = GatewayConfig();
    model.services = {idp, gw};
    env_ = std::make_unique<MockEnvironment>(model, &clock_, &redactor_);
    Status st = env_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    idp_ = env_->Service("idp")->keys();
  }
  void TearDown() override { env_->Stop(); }

  static nlohmann::json GatewayConfig() {
    return {{"trust", {{"issuer", "idp"}, {"audience", "api://gateway"}}},
            {"scoped_paths", {{"/api/accounts", "accounts:read"}}}};
  }
  ServiceContext Ctx() {
    return {&clock_, &redactor_, [this](const std::string& n) { return env_->Url(n); },
            [this](const std::string& n) { return env_->Service(n); }};
  }
  std::unique_ptr<Gateway> Make(const std::vector<std::string>& faults = {},
                                nlohmann::json extra = nlohmann::json::object()) {
    ServiceDecl d;
    d.name = "gateway";
    d.kind = "gateway";
    d.config = GatewayConfig();
    for (const auto& [k, v] : extra.items()) d.config[k] = v;
    auto g = Gateway::Create(d, Ctx());
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    if (!g.ok()) return nullptr;
    for (const std::string& f : faults) (*g)->EnableFault(f);
    return std::move(g).value();
  }

  nlohmann::json Claims(const nlohmann::json& changes = nlohmann::json::object()) {
    long long now = clock_.NowSeconds();
    nlohmann::json c = {{"iss", idp_->Issuer()},
                        {"sub", "alpha"},
                        {"client_id", "alpha"},
                        {"aud", "api://gateway"},
                        {"roles", {"payment"}},
                        {"scope", "accounts:read"},
                        {"iat", now},
                        {"exp", now + 600},
                        {"jti", "j-1"}};
    for (const auto& [k, v] : changes.items()) {
      if (v.is_null())
        c.erase(k);
      else
        c[k] = v;
    }
    return c;
  }
  static std::string SignWith(const jose::Jwk& key, const nlohmann::json& claims,
                              nlohmann::json header = {{"typ", "at+jwt"}}) {
    auto t = jose::Sign(key, header, claims.dump());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : "";
  }
  // A token of the issuer's active key with `changes` to the claims (null removes one).
  std::string Token(const nlohmann::json& changes = nlohmann::json::object(),
                    nlohmann::json header = {{"typ", "at+jwt"}}) {
    return SignWith(*idp_->SigningKey(""), Claims(changes), std::move(header));
  }
  std::string Unsigned(const std::string& alg) {
    return Base64UrlEncode(nlohmann::json{{"alg", alg}, {"typ", "at+jwt"}}.dump()) + "." +
           Base64UrlEncode(Claims().dump()) + ".";
  }
  std::string ForgedSignature() {  // kid k1, signed by another key
    return SignWith(*jose::Jwk::Generate(jose::Alg::kRS256, "k1"), Claims());
  }
  std::string UnknownKid() {
    return SignWith(*jose::Jwk::Generate(jose::Alg::kES256, "ghost"), Claims());
  }
  std::string EmbeddedJwk(bool embed = true) {
    jose::Jwk attacker = *jose::Jwk::Generate(jose::Alg::kES256, "attacker");
    nlohmann::json header = {{"typ", "at+jwt"}};
    if (embed) header["jwk"] = attacker.ToPublicJson();
    return SignWith(attacker, Claims(), header);
  }
  std::string KeyConfusion(std::string secret = "") {
    if (secret.empty()) secret = idp_->SigningKey("k1")->PublicPem();
    return SignWith(jose::Jwk::FromSecret(secret, "k1", jose::Alg::kHS256), Claims());
  }
  std::string Expired() {
    long long now = clock_.NowSeconds();
    return Token({{"iat", now - 720}, {"exp", now - 120}});
  }
  std::string NotYetValid() { return Token({{"nbf", clock_.NowSeconds() + 300}}); }

  static ServerRequest Post(const std::string& type, const std::string& authorization,
                            const std::string& body = kPayment) {
    ServerRequest r;
    r.method = "POST";
    r.path = "/api/messages/" + type;
    r.target = r.path;
    r.headers.Add("Content-Type", "application/json");
    if (!authorization.empty()) r.headers.Add("Authorization", authorization);
    r.body = body;
    return r;
  }
  static ServerRequest Scoped(const std::string& authorization) {
    ServerRequest r;
    r.method = "GET";
    r.path = "/api/accounts";
    r.target = r.path;
    if (!authorization.empty()) r.headers.Add("Authorization", authorization);
    return r;
  }
  static std::string Bearer(const std::string& token) { return "Bearer " + token; }
  static std::string Challenge(const Handled& h) {
    return h.response.headers.Get("WWW-Authenticate").value_or("<none>");
  }
  static nlohmann::json Body(const Handled& h) {
    return nlohmann::json::parse(h.response.body, nullptr, false);
  }

  ManualClock clock_;
  Redactor redactor_;
  std::unique_ptr<MockEnvironment> env_;
  const KeyHolder* idp_ = nullptr;  // borrowed from env_
};

}  // namespace tollgate::mocks
