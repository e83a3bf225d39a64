#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "mocks/fault_verifier.h"
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

// The hostile tokens of the suites, built by the same minter.
class GatewayFaultTest : public GatewayTest {
 protected:
  std::string Mutated(const std::string& mutation,
                      const nlohmann::json& changes = nlohmann::json::object()) {
    jose::Jwks published = idp_->PublishedKeys();
    std::optional<jose::Jwk> key = idp_->SigningKey("");
    EXPECT_TRUE(key.has_value());
    if (!key) return "";
    jose::MintRequest r;
    r.key = &*key;
    r.issuer_keys = &published;
    r.header = {{"typ", "at+jwt"}};
    r.claims = Claims(changes);
    r.mutation = mutation;
    r.now = clock_.NowSeconds();
    r.leeway_seconds = 60;
    StatusOr<std::string> token = jose::Mint(r);
    EXPECT_TRUE(token.ok()) << mutation << ": " << token.status().ToString();
    return token.ok() ? *token : "";
  }
  std::function<std::string()> Hostile(std::string mutation) {
    return [this, mutation] { return "Bearer " + Mutated(mutation); };
  }
};

TEST_F(GatewayFaultTest, EachFaultBreaksExactlyItsRule) {
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
      // Each probe is the hostile token its fault map names; the control a neighbour that
      // the fault must still refuse.
      {"hs256_empty_secret", post(Hostile("hs256_blank_secret")), "401+challenge", "200",
       post(Hostile("kid_path_traversal")), "401+challenge"},
      {"kid_as_file_path", post(Hostile("kid_path_traversal")), "401+challenge", "200",
       post(Hostile("hs256_blank_secret")), "401+challenge"},
      {"kid_in_sql_query", post(Hostile("kid_sql_injection")), "401+challenge", "200",
       post(Hostile("kid_path_traversal")), "401+challenge"},
      {"try_every_key", post(Hostile("kid_command_injection")), "401+challenge", "200",
       post(Hostile("unknown_kid")), "401+challenge"},
      {"unknown_kid_fail_open", post(Hostile("unknown_kid")), "401+challenge", "200",
       post(Hostile("bad_signature")), "401+challenge"},
      {"duplicate_members_first_wins", post(Hostile("duplicate_alg_member")), "401+challenge",
       "200", post(Hostile("crit_unknown")), "401+challenge"},
      {"ignore_crit", post(Hostile("crit_unknown")), "401+challenge", "200",
       post(Hostile("duplicate_claim")), "401+challenge"},
      {"lenient_base64", post(Hostile("padded_base64")), "401+challenge", "200",
       post(Hostile("jws_json_serialization")), "401+challenge"},
      {"accept_jws_json", post(Hostile("jws_json_serialization")), "401+challenge", "200",
       post(Hostile("padded_base64")), "401+challenge"},
      {"accept_unverified_jwe", post(Hostile("five_segments")), "401+challenge", "200",
       post(Hostile("jws_json_serialization")), "401+challenge"},
      {"exp_optional", post(Hostile("missing_exp")), "401+challenge", "200",
       post(Hostile("exp_as_string")), "401+challenge"},
      {"lenient_exp", post(Hostile("exp_as_string")), "401+challenge", "200",
       post(Hostile("missing_exp")), "401+challenge"},
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

// Every hostile case of the fault map: the correct gateway refuses the token, the faulty
// one accepts it, and still refuses the same token with a wrong audience (the fault
// relaxes its one rule, not the claims checks after it).
TEST_F(GatewayFaultTest, EachHostileTokenHasAFaultThatAcceptsItAndOnlyIt) {
  struct Case {
    std::string fault, mutation;
  };
  const std::vector<Case> cases = {
      {"hs256_key_confusion", "hs256_public_key_pem"},
      {"hs256_key_confusion", "hs256_public_key_pem_no_newline"},
      {"hs256_key_confusion", "hs256_public_key_jwk"},
      {"hs256_empty_secret", "hs256_blank_secret"},
      {"kid_as_file_path", "kid_path_traversal"},
      {"kid_in_sql_query", "kid_sql_injection"},
      {"try_every_key", "kid_command_injection"},
      {"unknown_kid_fail_open", "unknown_kid"},
      {"unknown_kid_fail_open", "kid_command_injection"},
      {"unknown_kid_fail_open", "embedded_jwk"},
      {"duplicate_members_first_wins", "duplicate_alg_member"},
      {"duplicate_members_first_wins", "duplicate_claim"},
      {"ignore_crit", "crit_unknown"},
      {"ignore_crit", "crit_empty"},
      {"lenient_base64", "padded_base64"},
      {"lenient_base64", "plus_slash_base64"},
      {"accept_jws_json", "jws_json_serialization"},
      {"accept_unverified_jwe", "five_segments"},
      {"exp_optional", "missing_exp"},
      {"lenient_exp", "exp_as_string"},
      {"lenient_exp", "exp_overflow"},
  };
  auto correct = Make();
  for (const Case& c : cases) {
    auto faulty = Make({c.fault});
    std::string token = Mutated(c.mutation);
    Handled refused = correct->HandleMessage(Post("payment", Bearer(token)));
    EXPECT_EQ(Outcome(refused), "401+challenge") << c.fault << " / " << c.mutation;
    Handled accepted = faulty->HandleMessage(Post("payment", Bearer(token)));
    EXPECT_EQ(accepted.response.status, 200)
        << c.fault << " / " << c.mutation << ": " << accepted.note;
    Handled other = faulty->HandleMessage(
        Post("payment", Bearer(Mutated(c.mutation, {{"aud", "api://other"}}))));
    EXPECT_EQ(Outcome(other), "401+challenge") << c.fault << " / " << c.mutation;
    EXPECT_THAT(other.note, ::testing::HasSubstr("wrong_audience")) << c.fault;
  }
}

TEST_F(GatewayTest, SqlFaultKeysWithTheInjectedLiteralOnly) {
  auto faulty = Make({"kid_in_sql_query"});
  auto hs256 = [this](const std::string& secret, const std::string& kid) {
    return SignWith(jose::Jwk::FromSecret(secret, kid, jose::Alg::kHS256), Claims());
  };
  EXPECT_EQ(
      faulty->HandleMessage(Post("payment", Bearer(hs256("s3cret", "k' UNION SELECT 's3cret'--"))))
          .response.status,
      200);
  // Another key than the injected row, and a query the simulated database cannot run.
  EXPECT_EQ(faulty->HandleMessage(Post("payment", Bearer(hs256("1", "k' UNION SELECT '2';--"))))
                .response.status,
            401);
  EXPECT_EQ(
      faulty->HandleMessage(Post("payment", Bearer(hs256("1", "k' OR '1'='1")))).response.status,
      401);
}

TEST_F(GatewayTest, FilePathFaultKeysWithTheFileNotTheName) {
  auto faulty = Make({"kid_as_file_path"});
  std::string kid = "../../../../../../dev/null";
  // /dev/null reads as the empty key: "x" is not it.
  EXPECT_EQ(faulty
                ->HandleMessage(
                    Post("payment", Bearer(SignWith(jose::Jwk::FromSecret("x", kid), Claims()))))
                .response.status,
            401);
  // A kid naming no file gives no key, even for an empty secret.
  EXPECT_EQ(
      faulty
          ->HandleMessage(
              Post("payment", Bearer(SignWith(jose::Jwk::FromSecret("", "no-such-key"), Claims()))))
          .response.status,
      401);
}

TEST_F(GatewayTest, KnownFaultsAreTheDocumentedTwentySeven) {
  EXPECT_EQ(Make()->KnownFaults().size(), 27u);
}

TEST(EnabledVerifierFaults, SwitchesOnExactlyTheFaultsTheServiceHas) {
  std::set<std::string> on = {"accept_expired", "ignore_crit", "no_role_check"};
  VerifierFaults f = EnabledVerifierFaults([&](const std::string& n) { return on.count(n) > 0; });
  EXPECT_TRUE(f.accept_expired);
  EXPECT_TRUE(f.ignore_crit);
  EXPECT_FALSE(f.skip_signature);
  EXPECT_FALSE(f.accept_alg_none);
  // Every verifier fault the service has is switched on: none is left out.
  VerifierFaults all = EnabledVerifierFaults([](const std::string&) { return true; });
  EXPECT_TRUE(all.accept_expired && all.skip_signature && all.accept_alg_none &&
              all.try_every_key && all.lenient_exp && all.accept_unverified_jwe);
}

}  // namespace
}  // namespace tollgate::mocks
