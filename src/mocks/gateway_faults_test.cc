#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "mocks/gateway.h"
#include "mocks/gateway_fixture.h"

namespace tollgate::mocks {
namespace {

// ---- Faults -------------------------------------------------------------------------
// Each fault must change the outcome of its probe and nothing else: the correct gateway
// and the faulty one agree on the control request.

std::string Outcome(const Handled& h) {
  return std::to_string(h.response.status) +
         (h.response.headers.Has("WWW-Authenticate") ? "+challenge" : "");
}

TEST_F(GatewayTest, EachFaultBreaksExactlyItsRule) {
  using Probe = std::function<Handled(Gateway&)>;
  auto post = [this](std::function<std::string()> authz, std::string type = "payment",
                     std::string body = kPayment) -> Probe {
    return [=](Gateway& g) { return g.HandleMessage(Post(type, authz(), body)); };
  };
  auto bearer = [this](std::function<std::string()> token) -> std::function<std::string()> {
    return [token] { return "Bearer " + token(); };
  };
  auto scoped = [this](std::function<std::string()> authz) -> Probe {
    return [=](Gateway& g) { return g.HandleScoped(Scoped(authz())); };
  };
  auto none = [] { return std::string(); };
  auto valid = [this] { return Token(); };
  auto rotated = [this](Gateway& g) {
    g.HandleMessage(Post("payment", Bearer(Token())));  // prime the cache
    EXPECT_TRUE(env_->Service("idp")->Control("rotate_keys", nlohmann::json::object()).ok());
    Handled h = g.HandleMessage(Post("payment", Bearer(Token())));
    env_->RestoreAll();
    return h;
  };
  struct Case {
    std::string fault;
    Probe probe;
    std::string correct, faulty;
    Probe control;
    std::string control_outcome;
  };
  std::vector<Case> cases = {
      {"accept_expired", post(bearer([this] { return Expired(); })), "401+challenge", "200",
       post(bearer([this] { return NotYetValid(); })), "401+challenge"},
      {"accept_not_yet_valid", post(bearer([this] { return NotYetValid(); })), "401+challenge",
       "200", post(bearer([this] { return Expired(); })), "401+challenge"},
      {"skip_signature", post(bearer([this] { return ForgedSignature(); })), "401+challenge", "200",
       post(bearer([this] { return UnknownKid(); })), "401+challenge"},
      {"accept_alg_none", post(bearer([this] { return Unsigned("none"); })), "401+challenge", "200",
       post(bearer([this] { return ForgedSignature(); })), "401+challenge"},
      {"ignore_audience", post(bearer([this] {
         return Token({{"aud", "api://other"}});
       })),
       "401+challenge", "200", post(bearer([this] {
         return Token({{"iss", "https://evil.example"}});
       })),
       "401+challenge"},
      {"ignore_issuer", post(bearer([this] {
         return Token({{"iss", "https://evil.example"}});
       })),
       "401+challenge", "200", post(bearer([this] {
         return Token({{"aud", "api://other"}});
       })),
       "401+challenge"},
      {"ignore_typ", post(bearer([this] {
         return Token({}, {{"typ", "JWT"}});
       })),
       "401+challenge", "200", post(bearer([this] { return Expired(); })), "401+challenge"},
      {"no_role_check", post(bearer(valid), "statement", kStatement), "403", "200",
       post(none, "statement", kStatement), "401+challenge"},
      {"validate_body_before_auth", post(none, "payment", "garbage"), "401+challenge", "400",
       post(none), "401+challenge"},
      {"no_jwks_refetch", rotated, "200", "401+challenge", post(bearer(valid)), "200"},
      {"accept_embedded_jwk", post(bearer([this] { return EmbeddedJwk(); })), "401+challenge",
       "200", post(bearer([this] { return EmbeddedJwk(false); })), "401+challenge"},
      {"hs256_key_confusion", post(bearer([this] { return KeyConfusion(); })), "401+challenge",
       "200", post(bearer([this] { return KeyConfusion("not-the-key"); })), "401+challenge"},
      {"no_scope_check", scoped(bearer([this] {
         return Token({{"scope", "payments:write"}});
       })),
       "403+challenge", "200", scoped(none), "401+challenge"},
      {"omit_bearer_challenge", post(none), "401+challenge", "401", scoped(bearer([this] {
         return Token({{"scope", "payments:write"}});
       })),
       "403+challenge"},
      {"lowercase_scheme_rejected", post([this] { return "bearer " + Token(); }), "200",
       "401+challenge", post(bearer(valid)), "200"},
  };

  std::set<std::string> covered;
  for (const Case& c : cases) {
    covered.insert(c.fault);
    auto correct = Make();
    auto faulty = Make({c.fault});
    EXPECT_EQ(Outcome(c.probe(*correct)), c.correct) << c.fault << " (correct gateway)";
    EXPECT_EQ(Outcome(c.probe(*faulty)), c.faulty) << c.fault << " (faulty gateway)";
    EXPECT_EQ(Outcome(c.control(*correct)), c.control_outcome) << c.fault << " control (correct)";
    EXPECT_EQ(Outcome(c.control(*faulty)), c.control_outcome) << c.fault << " control (faulty)";
    // The happy path survives every fault.
    EXPECT_EQ(faulty->HandleMessage(Post("payment", Bearer(Token()))).response.status, 200)
        << c.fault;
  }
  EXPECT_EQ(covered, Make()->KnownFaults()) << "every fault needs a case";
}

TEST_F(GatewayTest, TimeFaultsRelaxOnlyTheirClaims) {
  long long now = clock_.NowSeconds();
  auto early = Make({"accept_not_yet_valid"});
  EXPECT_EQ(
      early->HandleMessage(Post("payment", Bearer(Token({{"iat", now + 300}})))).response.status,
      200);
  EXPECT_EQ(early->HandleMessage(Post("payment", Bearer(Token({{"nbf", now + 300}, {"aud", "x"}}))))
                .response.status,
            401);
  auto late = Make({"accept_expired"});
  EXPECT_EQ(late->HandleMessage(Post("payment", Bearer(Token({{"exp", now - 3600}, {"typ", "x"}}))))
                .response.status,
            200);
  EXPECT_EQ(
      late->HandleMessage(Post("payment", Bearer(Token({{"exp", now - 3600}}, {{"typ", "JWT"}}))))
          .response.status,
      401);
  // A forged signature stays refused: only the time rule is relaxed.
  std::string forged =
      SignWith(*jose::Jwk::Generate(jose::Alg::kRS256, "k1"), Claims({{"exp", now - 3600}}));
  EXPECT_EQ(late->HandleMessage(Post("payment", Bearer(forged))).response.status, 401);
}

TEST_F(GatewayTest, SignatureFaultsStillCheckTheClaims) {
  auto none = Make({"accept_alg_none"});
  EXPECT_EQ(none->HandleMessage(Post("payment", Bearer(Unsigned("nOnE")))).response.status, 200);
  std::string unsigned_wrong_aud = Base64UrlEncode(R"({"alg":"none","typ":"at+jwt"})") + "." +
                                   Base64UrlEncode(Claims({{"aud", "api://other"}}).dump()) + ".";
  EXPECT_EQ(none->HandleMessage(Post("payment", Bearer(unsigned_wrong_aud))).response.status, 401);
  auto skip = Make({"skip_signature"});
  std::string forged_expired = SignWith(*jose::Jwk::Generate(jose::Alg::kRS256, "k1"),
                                        Claims({{"exp", clock_.NowSeconds() - 3600}}));
  EXPECT_EQ(skip->HandleMessage(Post("payment", Bearer(forged_expired))).response.status, 401);
  EXPECT_EQ(skip->HandleMessage(Post("payment", Bearer(Unsigned("none")))).response.status, 401);
  auto confused = Make({"hs256_key_confusion"});
  std::string pem = idp_->SigningKey("k1")->PublicPem();
  std::string no_newline = pem.substr(0, pem.find_last_not_of('\n') + 1);
  EXPECT_EQ(
      confused->HandleMessage(Post("payment", Bearer(KeyConfusion(no_newline)))).response.status,
      200);
  EXPECT_EQ(confused
                ->HandleMessage(Post(
                    "payment", Bearer(SignWith(jose::Jwk::FromSecret(pem, "k1", jose::Alg::kHS256),
                                               Claims({{"iss", "https://evil"}})))))
                .response.status,
            401);
}

TEST_F(GatewayTest, KnownFaultsAreTheDocumentedFifteen) {
  EXPECT_EQ(Make()->KnownFaults().size(), 15u);
}

}  // namespace
}  // namespace tollgate::mocks
