#include "mocks/gateway.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "mocks/gateway_fixture.h"
#include "mocks/issuer.h"
#include "tollgate/base/encoding.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"

namespace tollgate::mocks {
namespace {

using ::testing::HasSubstr;

TEST_F(GatewayTest, AValidRequestIsAccepted) {
  auto gw = Make();
  Handled h = gw->HandleMessage(Post("payment", Bearer(Token())));
  EXPECT_EQ(h.response.status, 200) << h.response.body << " / " << h.note;
  EXPECT_EQ(Body(h), nlohmann::json({{"accepted", "m-1"}}));
  EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(Token()), R"({"messageId":7,"amount":1.5})"))
                .response.body,
            R"({"accepted":7})");
}

TEST_F(GatewayTest, TheBearerSchemeIsCaseInsensitive) {
  auto gw = Make();
  for (const char* scheme : {"bearer ", "BEARER ", "BeArEr "}) {
    EXPECT_EQ(gw->HandleMessage(Post("payment", scheme + Token())).response.status, 200) << scheme;
  }
}

TEST_F(GatewayTest, AMintedTokenIsAccepted) {
  auto gw = Make();
  std::optional<jose::Jwk> key = idp_->SigningKey("");
  jose::Jwks published = idp_->PublishedKeys();
  jose::MintRequest req;
  req.key = &*key;
  req.issuer_keys = &published;
  req.header = {{"typ", idp_->TokenType()}};
  req.claims = Claims();
  req.now = clock_.NowSeconds();
  auto token = jose::Mint(req);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(*token))).response.status, 200);
}

TEST_F(GatewayTest, EndToEndOverLoopbackWithATokenFromTheIssuer) {
  InitHttpClientLibrary();
  HttpClient http;
  ClientRequest token_req;
  token_req.method = "POST";
  token_req.url = env_->Url("idp") + "/token";
  token_req.headers = {{"Authorization", "Basic " + Base64Encode("alpha:alpha-secret")},
                       {"Content-Type", "application/x-www-form-urlencoded"}};
  token_req.body = "grant_type=client_credentials";
  auto token_resp = http.Send(token_req);
  ASSERT_TRUE(token_resp.ok());
  ASSERT_EQ(token_resp->status, 200) << token_resp->body;
  std::string token = nlohmann::json::parse(token_resp->body)["access_token"];

  ClientRequest post;
  post.method = "POST";
  post.url = env_->Url("gw") + "/api/messages/payment";
  post.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  post.body = kPayment;
  auto ok = http.Send(post);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200) << ok->body;
  post.url = env_->Url("gw") + "/api/messages/statement";
  post.body = kStatement;
  EXPECT_EQ(http.Send(post)->status, 403);  // alpha holds the payment role only

  // The gateway discovered once and fetched the JWKS once; both are in the journal.
  int discovery = 0, jwks = 0;
  for (const JournalEntry& e : env_->GetJournal("idp")->Snapshot()) {
    discovery += e.path == "/.well-known/openid-configuration";
    jwks += e.path == "/jwks";
  }
  EXPECT_EQ(discovery, 1);
  EXPECT_EQ(jwks, 1);
}

TEST_F(GatewayTest, NoCredentialsGet401WithAChallengeWithoutError) {
  auto gw = Make();
  for (const char* authorization : {"", "Basic YWxwaGE6YWxwaGEtc2VjcmV0", "Token abc"}) {
    Handled h = gw->HandleMessage(Post("payment", authorization));
    EXPECT_EQ(h.response.status, 401) << authorization;
    EXPECT_EQ(Challenge(h), "Bearer realm=\"gateway\"") << authorization;
    EXPECT_EQ(Body(h)["error"], "unauthorized") << authorization;
  }
}

TEST_F(GatewayTest, EveryInvalidTokenGets401InvalidToken) {
  auto gw = Make();
  long long now = clock_.NowSeconds();
  struct Case {
    std::string name;
    std::string authorization;
    std::string code;
  } cases[] = {
      {"not a JWT", Bearer("abc"), ""},
      {"two segments", Bearer("abc.def"), ""},
      {"empty token", "Bearer", "malformed"},
      {"spaces only", "Bearer   ", "malformed"},
      {"illegal characters", Bearer("a b"), "malformed"},
      {"expired", Bearer(Expired()), "expired"},
      {"not yet valid", Bearer(NotYetValid()), "not_yet_valid"},
      {"issued in the future", Bearer(Token({{"iat", now + 300}})), "issued_in_future"},
      {"wrong issuer", Bearer(Token({{"iss", "https://evil.example"}})), "wrong_issuer"},
      {"no issuer", Bearer(Token({{"iss", nullptr}})), ""},
      {"wrong audience", Bearer(Token({{"aud", "api://other"}})), "wrong_audience"},
      {"audience list without ours", Bearer(Token({{"aud", {"a", "b"}}})), "wrong_audience"},
      {"typ JWT", Bearer(Token({}, {{"typ", "JWT"}})), "wrong_typ"},
      {"no typ", Bearer(Token({}, nlohmann::json::object())), "wrong_typ"},
      {"no exp", Bearer(Token({{"exp", nullptr}})), "missing_claim"},
      {"forged signature", Bearer(ForgedSignature()), "bad_signature"},
      {"unknown kid", Bearer(UnknownKid()), "unknown_kid"},
      {"alg none", Bearer(Unsigned("none")), ""},
      {"alg nOnE", Bearer(Unsigned("nOnE")), ""},
      {"embedded jwk", Bearer(EmbeddedJwk()), ""},
      {"HS256 keyed with the public key", Bearer(KeyConfusion()), ""},
  };
  for (const Case& c : cases) {
    Handled h = gw->HandleMessage(Post("payment", c.authorization));
    EXPECT_EQ(h.response.status, 401) << c.name << ": " << h.note;
    std::string challenge = Challenge(h);
    EXPECT_THAT(challenge, HasSubstr("Bearer realm=\"gateway\", error=\"invalid_token\""))
        << c.name;
    if (!c.code.empty()) {
      EXPECT_THAT(challenge, HasSubstr("error_description=\"" + c.code + "\"")) << c.name;
    }
    EXPECT_EQ(Body(h)["error"], "invalid_token") << c.name;
  }
}

TEST_F(GatewayTest, LeewayIsSixtySecondsByDefault) {
  auto gw = Make();
  long long now = clock_.NowSeconds();
  EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(Token({{"exp", now - 55}})))).response.status,
            200);
  EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(Token({{"exp", now - 65}})))).response.status,
            401);
  auto strict = Make({}, {{"leeway", "0s"}});
  EXPECT_EQ(strict->HandleMessage(Post("payment", Bearer(Token({{"exp", now}})))).response.status,
            401);
  EXPECT_EQ(
      strict->HandleMessage(Post("payment", Bearer(Token({{"exp", now + 1}})))).response.status,
      200);
}

TEST_F(GatewayTest, AmbiguousCredentialsAre400InvalidRequest) {
  auto gw = Make();
  ServerRequest two = Post("payment", Bearer(Token()));
  two.headers.Add("Authorization", Bearer(Token()));
  Handled h = gw->HandleMessage(two);
  EXPECT_EQ(h.response.status, 400);
  EXPECT_EQ(Challenge(h), "Bearer realm=\"gateway\", error=\"invalid_request\"");
  ServerRequest query = Post("payment", Bearer(Token()));
  query.query = "access_token=" + Token();
  EXPECT_EQ(gw->HandleMessage(query).response.status, 400);
  // A token only in the query is not a supported method: no credentials.
  ServerRequest query_only = Post("payment", "");
  query_only.query = "access_token=" + Token();
  Handled q = gw->HandleMessage(query_only);
  EXPECT_EQ(q.response.status, 401);
  EXPECT_EQ(Challenge(q), "Bearer realm=\"gateway\"");
}

TEST_F(GatewayTest, UnassignedMessageTypesAreForbidden) {
  auto gw = Make();
  struct Case {
    const char* name;
    std::string type;
    std::string token;
    std::string body;
  } cases[] = {
      {"type not in roles", "statement", Token(), kStatement},
      {"unknown type", "refund", Token(), kPayment},
      {"no roles claim", "payment", Token({{"roles", nullptr}}), kPayment},
      {"roles not an array", "payment", Token({{"roles", "payment"}}), kPayment},
      {"role of another case", "payment", Token({{"roles", {"Payment"}}}), kPayment},
  };
  for (const Case& c : cases) {
    Handled h = gw->HandleMessage(Post(c.type, Bearer(c.token), c.body));
    EXPECT_EQ(h.response.status, 403) << c.name << ": " << h.note;
    EXPECT_EQ(h.response.body, R"({"error":"forbidden"})") << c.name;
    EXPECT_FALSE(h.response.headers.Has("WWW-Authenticate")) << c.name;
  }
  EXPECT_EQ(
      gw->HandleMessage(Post("statement", Bearer(Token({{"roles", {"statement"}}})), kStatement))
          .response.status,
      200);
}

TEST_F(GatewayTest, UnassignedStatusCanBe401AsTheSeedAlsoSays) {
  auto gw = Make({}, {{"unassigned_status", 401}});
  EXPECT_EQ(Make({}, {{"unassigned_status", "401"}})
                ->HandleMessage(Post("statement", Bearer(Token()), kStatement))
                .response.status,
            401);
  Handled h = gw->HandleMessage(Post("statement", Bearer(Token()), kStatement));
  EXPECT_EQ(h.response.status, 401);
  EXPECT_EQ(Challenge(h), "Bearer realm=\"gateway\", error=\"insufficient_scope\"");
}

TEST_F(GatewayTest, NonConformingMessagesAre400AfterAuthentication) {
  auto gw = Make();
  struct Case {
    const char* name;
    std::string body;
    nlohmann::json missing;
  } cases[] = {
      {"amount missing", R"({"messageId":"m"})", {"amount"}},
      {"both missing", R"({})", {"messageId", "amount"}},
      {"empty messageId", R"({"messageId":"","amount":"1"})", {"messageId"}},
      {"boolean amount", R"({"messageId":"m","amount":true})", {"amount"}},
      {"null amount", R"({"messageId":"m","amount":null})", {"amount"}},
      {"object amount", R"({"messageId":"m","amount":{"v":1}})", {"amount"}},
  };
  for (const Case& c : cases) {
    Handled h = gw->HandleMessage(Post("payment", Bearer(Token()), c.body));
    EXPECT_EQ(h.response.status, 400) << c.name;
    EXPECT_EQ(Body(h)["error"], "invalid_request") << c.name;
    EXPECT_EQ(Body(h)["missing"], c.missing) << c.name;
  }
  for (const char* body : {"not json", "[1,2]", "\"text\"", ""}) {
    Handled h = gw->HandleMessage(Post("payment", Bearer(Token()), body));
    EXPECT_EQ(h.response.status, 400) << body;
    EXPECT_EQ(Body(h)["error"], "invalid_request") << body;
  }
  ServerRequest text = Post("payment", Bearer(Token()));
  text.headers.Set("Content-Type", "text/plain");
  EXPECT_EQ(gw->HandleMessage(text).response.status, 415);
  ServerRequest untyped = Post("payment", Bearer(Token()));
  untyped.headers.Remove("Content-Type");
  EXPECT_EQ(gw->HandleMessage(untyped).response.status, 200);
  ServerRequest charset = Post("payment", Bearer(Token()));
  charset.headers.Set("Content-Type", "application/json; charset=utf-8");
  EXPECT_EQ(gw->HandleMessage(charset).response.status, 200);
}

TEST_F(GatewayTest, AuthenticationComesFirstThenAuthorisationThenValidation) {
  auto gw = Make();
  EXPECT_EQ(gw->HandleMessage(Post("payment", "", "garbage")).response.status, 401);
  EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(Expired()), "garbage")).response.status, 401);
  EXPECT_EQ(gw->HandleMessage(Post("refund", "", "garbage")).response.status, 401);
  EXPECT_EQ(gw->HandleMessage(Post("statement", Bearer(Token()), "garbage")).response.status, 403);
}

TEST_F(GatewayTest, RoutingAnswers405And404) {
  auto gw = Make();
  ServerRequest get = Post("payment", Bearer(Token()));
  get.method = "GET";
  Handled h = gw->HandleMessage(get);
  EXPECT_EQ(h.response.status, 405);
  EXPECT_EQ(h.response.headers.Get("Allow").value_or(""), "POST");
  ServerRequest deep = Post("payment", Bearer(Token()));
  deep.path = "/api/messages/payment/extra";
  EXPECT_EQ(gw->HandleMessage(deep).response.status, 404);
  ServerRequest bare = Post("", Bearer(Token()));
  EXPECT_EQ(gw->HandleMessage(bare).response.status, 404);
}

TEST_F(GatewayTest, ScopedPathsNeedTheirScope) {
  auto gw = Make();
  EXPECT_EQ(gw->HandleScoped(Scoped(Bearer(Token()))).response.status, 200);
  EXPECT_EQ(
      gw->HandleScoped(Scoped(Bearer(Token({{"scope", nullptr}, {"scp", {"accounts:read"}}}))))
          .response.status,
      200);
  for (nlohmann::json scope : {nlohmann::json("payments:write"), nlohmann::json(nullptr),
                               nlohmann::json("accounts:read-all"), nlohmann::json("accounts")}) {
    Handled h = gw->HandleScoped(Scoped(Bearer(Token({{"scope", scope}}))));
    EXPECT_EQ(h.response.status, 403) << scope;
    EXPECT_EQ(Challenge(h),
              "Bearer realm=\"gateway\", error=\"insufficient_scope\", scope=\"accounts:read\"")
        << scope;
  }
  Handled none = gw->HandleScoped(Scoped(""));
  EXPECT_EQ(none.response.status, 401);
  EXPECT_EQ(Challenge(none), "Bearer realm=\"gateway\"");
  EXPECT_EQ(gw->HandleScoped(Scoped(Bearer(Expired()))).response.status, 401);
  ServerRequest post = Scoped(Bearer(Token()));
  post.method = "POST";
  EXPECT_EQ(gw->HandleScoped(post).response.status, 405);
}

TEST_F(GatewayTest, FollowsKeyRotationWithOneRefetchPerCooldown) {
  auto gw = Make();
  std::string old_token = Token();
  ASSERT_EQ(gw->HandleMessage(Post("payment", Bearer(old_token))).response.status, 200);
  EXPECT_EQ(gw->jwks_fetches(), 1);
  ASSERT_TRUE(env_->Service("idp")->Control("rotate_keys", nlohmann::json::object()).ok());
  Handled rotated = gw->HandleMessage(Post("payment", Bearer(Token())));
  EXPECT_EQ(rotated.response.status, 200) << rotated.note;
  EXPECT_EQ(gw->jwks_fetches(), 2);
  EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(old_token))).response.status, 200);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(UnknownKid()))).response.status, 401);
  }
  EXPECT_EQ(gw->jwks_fetches(), 2);  // unknown kids within the cooldown fetch nothing
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(UnknownKid()))).response.status, 401);
  EXPECT_EQ(gw->jwks_fetches(), 3);
}

TEST_F(GatewayTest, ARemovedKeyIsRefusedOnceTheCacheExpires) {
  auto gw = Make();
  jose::Jwk k1 = *idp_->SigningKey("k1");  // kept: the issuer forgets it on removal
  ASSERT_EQ(gw->HandleMessage(Post("payment", Bearer(SignWith(k1, Claims())))).response.status,
            200);
  ASSERT_TRUE(env_->Service("idp")->Control("rotate_keys", nlohmann::json::object()).ok());
  ASSERT_TRUE(env_->Service("idp")->Control("remove_key", {{"kid", "k1"}}).ok());
  // Within the JWKS max-age the cached key is still trusted: that is what max-age means.
  EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(SignWith(k1, Claims())))).response.status,
            200);
  clock_.Advance(std::chrono::minutes(5));  // the issuer's max-age
  Handled removed = gw->HandleMessage(Post("payment", Bearer(SignWith(k1, Claims()))));
  EXPECT_EQ(removed.response.status, 401);
  EXPECT_THAT(Challenge(removed), HasSubstr("error_description=\"unknown_kid\""));
  EXPECT_EQ(gw->HandleMessage(Post("payment", Bearer(Token()))).response.status, 200);  // k1-r1
}

TEST_F(GatewayTest, FailsClosedWhenTheIssuerIsUnreachable) {
  auto gw = Make({}, {{"trust", {{"issuer", "nowhere"}, {"audience", "api://gateway"}}}});
  Handled h = gw->HandleMessage(Post("payment", Bearer(Token())));
  EXPECT_EQ(h.response.status, 401);
  EXPECT_THAT(Challenge(h), HasSubstr("error_description=\"keys_unavailable\""));
  EXPECT_THAT(h.note, HasSubstr("fail closed"));
}

TEST_F(GatewayTest, TargetSettingsComeFromTheTrustedIssuer) {
  std::map<std::string, TargetSetting> s;
  for (const TargetSetting& t : env_->TargetSettings("gw")) s[t.name] = t;
  EXPECT_EQ(s["token_url"].value, env_->Url("idp") + "/token");
  EXPECT_EQ(s["issuer"].value, "idp");
  EXPECT_EQ(s["audience"].value, "api://gateway");
  EXPECT_EQ(s["message_path"].value, "/api/messages");
  EXPECT_EQ(s["client_id"].value, "alpha");  // the first client with roles
  EXPECT_EQ(s["client_secret"].value, "alpha-secret");
  EXPECT_TRUE(s["client_secret"].secret);
  EXPECT_FALSE(s["client_id"].secret);
  EXPECT_EQ(s["assigned_type"].value, "payment");
  EXPECT_EQ(s["assigned_required"].value, "messageId,amount");
  EXPECT_EQ(s["unassigned_type"].value, "statement");
  EXPECT_EQ(s["unassigned_status"].value, "403");
  EXPECT_EQ(s["scoped_path"].value, "/api/accounts");
  EXPECT_EQ(s["scope"].value, "accounts:read");
  EXPECT_EQ(s["leeway"].value, "60s");
  EXPECT_EQ(s["realm"].value, "gateway");
}

TEST_F(GatewayTest, TargetSettingsFallBackToConfigWithoutTheIssuer) {
  ServiceDecl d;
  d.name = "gateway";
  d.kind = "gateway";
  d.config = GatewayConfig();
  auto gw = Gateway::Create(d, {&clock_, &redactor_, nullptr, nullptr});
  ASSERT_TRUE(gw.ok());
  std::map<std::string, std::string> s;
  for (const TargetSetting& t : (*gw)->TargetSettings()) s[t.name] = t.value;
  EXPECT_EQ(s["assigned_type"], "payment");
  EXPECT_EQ(s["unassigned_type"], "statement");
  EXPECT_EQ(s.count("client_id"), 0u);
}

// What the schema cannot say (types, required keys and allowed values are the loader's:
// service_schemas_test.cc).
TEST_F(GatewayTest, BadConfigIsInvalidArgumentNamingTheProblem) {
  struct Case {
    const char* name;
    const char* key;
    nlohmann::json value;
    const char* message;
  } cases[] = {
      {"empty audience", "trust", {{"issuer", "idp"}, {"audience", ""}}, "`trust.audience`"},
      {"no algorithms", "algorithms", nlohmann::json::array(), "at least one algorithm"},
      {"no types", "message_types", nlohmann::json::object(), "non-empty mapping"},
      {"type", "message_types", {{"a/b", {{"required", {"x"}}}}}, "one path segment"},
      {"path", "path", "api", "must start with /"},
      {"scoped path", "scoped_paths", {{"payments", "p.write"}}, "starting with /"},
  };
  for (const Case& c : cases) {
    ServiceDecl d;
    d.name = "gw";
    d.kind = "gateway";
    d.config = GatewayConfig();
    if (c.value.is_null())
      d.config.erase(c.key);
    else
      d.config[c.key] = c.value;
    auto g = Gateway::Create(d, Ctx());
    ASSERT_FALSE(g.ok()) << c.name;
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(g.status().message(), HasSubstr(c.message)) << c.name;
  }
}

TEST_F(GatewayTest, ConfiguredPathTypesAndAlgorithmsAreHonoured) {
  auto gw = Make({}, {{"path", "/v2/msg/"},
                      {"message_types", {{"payment", {{"required", {"ref"}}}}}},
                      {"algorithms", {"ES256"}}});
  ServerRequest r = Post("payment", Bearer(Token()), R"({"ref":"r-1"})");
  r.path = "/v2/msg/payment";
  Handled h = gw->HandleMessage(r);
  EXPECT_EQ(h.response.status, 401);  // the issuer signs RS256, which is not allowed here
  auto rs =
      Make({}, {{"path", "/v2/msg"}, {"message_types", {{"payment", {{"required", {"ref"}}}}}}});
  EXPECT_EQ(rs->HandleMessage(r).response.status, 200);
  EXPECT_EQ(Body(rs->HandleMessage(r))["accepted"], true);  // no messageId in this schema
}

}  // namespace
}  // namespace tollgate::mocks
