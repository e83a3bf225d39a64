#include "mocks/issuer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/issuer_fixture.h"
#include "tollgate/base/encoding.h"
#include "tollgate/mocks/journal.h"

namespace tollgate::mocks {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

TEST_F(IssuerTest, DiscoveryIsCompleteAndTheSameAtBothAddresses) {
  auto idp = Make();
  ServerRequest req;
  req.method = "GET";
  nlohmann::json doc = nlohmann::json::parse(idp->HandleDiscovery(req).response.body);
  EXPECT_EQ(doc["issuer"], kUrl);
  EXPECT_EQ(doc["authorization_endpoint"], std::string(kUrl) + "/authorize");
  EXPECT_EQ(doc["token_endpoint"], std::string(kUrl) + "/token");
  EXPECT_EQ(doc["jwks_uri"], std::string(kUrl) + "/jwks");
  EXPECT_EQ(doc["response_types_supported"], nlohmann::json({"code"}));
  EXPECT_EQ(doc["subject_types_supported"], nlohmann::json({"public"}));
  EXPECT_EQ(doc["id_token_signing_alg_values_supported"], nlohmann::json({"ES256"}));
  EXPECT_EQ(doc["grant_types_supported"], nlohmann::json({"client_credentials", "refresh_token"}));
  EXPECT_EQ(doc["token_endpoint_auth_methods_supported"],
            nlohmann::json({"client_secret_basic", "client_secret_post"}));
  EXPECT_EQ(doc["scopes_supported"], nlohmann::json({"accounts:read", "payments:write"}));
  EXPECT_FALSE(doc.contains("revocation_endpoint"));  // not implemented, so not advertised

  struct Recorder : ServiceRouter {
    std::vector<std::pair<std::string, std::string>> routes;
    void Add(std::string m, std::string p, ServiceHandler) override { routes.emplace_back(m, p); }
    void AddPrefix(std::string m, std::string p, ServiceHandler) override {
      routes.emplace_back(m, p + "*");
    }
  } recorder;
  idp->AddRoutes(recorder);
  EXPECT_THAT(
      recorder.routes,
      UnorderedElementsAre(
          std::pair<std::string, std::string>("GET", "/.well-known/openid-configuration"),
          std::pair<std::string, std::string>("GET", "/.well-known/oauth-authorization-server"),
          std::pair<std::string, std::string>("GET", "/jwks"),
          std::pair<std::string, std::string>("*", "/authorize"),
          std::pair<std::string, std::string>("*", "/token")));
}

TEST_F(IssuerTest, ConfiguredIssuerIsUsedForDiscoveryAndTokens) {
  ServiceDecl d = Decl();
  d.config["issuer"] = "https://id.example";
  auto idp = Make(d);
  EXPECT_EQ(idp->Issuer(), "https://id.example");
  EXPECT_EQ(nlohmann::json::parse(idp->HandleDiscovery({}).response.body)["issuer"],
            "https://id.example");
  std::string at =
      Body(idp->HandleToken(ClientCredentials("alpha", "alpha-secret")))["access_token"];
  EXPECT_EQ(Segment(at, 1)["iss"], "https://id.example");
}

TEST_F(IssuerTest, AuthorizeIsAnHonest501) {
  Handled h = Make()->HandleAuthorize({});
  EXPECT_EQ(h.response.status, 501);
  EXPECT_EQ(Body(h)["error"], "unsupported_response_type");
}

TEST_F(IssuerTest, JwksServesPublicKeysWithCachingHeaders) {
  auto idp = Make();
  ServerRequest req;
  req.method = "GET";
  Handled h = idp->HandleJwks(req);
  EXPECT_EQ(h.response.status, 200);
  EXPECT_EQ(h.response.headers.Get("Cache-Control").value_or(""), "max-age=120");
  nlohmann::json jwks = Body(h);
  ASSERT_EQ(jwks["keys"].size(), 1u);
  EXPECT_EQ(jwks["keys"][0]["kid"], "k1");
  EXPECT_EQ(jwks["keys"][0]["alg"], "ES256");
  EXPECT_EQ(jwks["keys"][0]["use"], "sig");
  EXPECT_FALSE(jwks["keys"][0].contains("d"));  // never a private member
  std::string etag = h.response.headers.Get("ETag").value_or("");
  req.headers.Add("If-None-Match", etag);
  EXPECT_EQ(idp->HandleJwks(req).response.status, 304);
  ASSERT_TRUE(idp->Control("rotate_keys", nlohmann::json::object()).ok());
  Handled after = idp->HandleJwks(req);
  EXPECT_EQ(after.response.status, 200);  // the set changed, so the old tag no longer matches
  EXPECT_NE(after.response.headers.Get("ETag").value_or(""), etag);
}

TEST_F(IssuerTest, ClientCredentialsSuccessIsHygienicAndTheJwtComplete) {
  auto idp = Make();
  Handled h = idp->HandleToken(ClientCredentials("alpha", "alpha-secret"));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_EQ(h.response.headers.Get("Cache-Control").value_or(""), "no-store");
  EXPECT_EQ(h.response.headers.Get("Pragma").value_or(""), "no-cache");
  EXPECT_EQ(h.response.headers.Get("Content-Type").value_or(""), "application/json");
  nlohmann::json body = Body(h);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 600);
  EXPECT_EQ(body["scope"], "payments:write accounts:read");
  EXPECT_EQ(body["refresh_token"].get<std::string>().size(), 43u);  // 32 random bytes

  std::string at = body["access_token"];
  nlohmann::json header = Segment(at, 0), claims = Segment(at, 1);
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["kid"], "k1");
  EXPECT_EQ(header["typ"], "at+jwt");
  long long now = clock_.NowSeconds();
  EXPECT_EQ(claims["iss"], kUrl);
  EXPECT_EQ(claims["sub"], "alpha");
  EXPECT_EQ(claims["client_id"], "alpha");
  EXPECT_EQ(claims["aud"], "api://gateway");  // default: first of audiences
  EXPECT_EQ(claims["scope"], "payments:write accounts:read");
  EXPECT_EQ(claims["roles"], nlohmann::json({"payment"}));
  EXPECT_EQ(claims["iat"], now);
  EXPECT_EQ(claims["exp"], now + 600);
  EXPECT_FALSE(claims.contains("nbf"));
  EXPECT_FALSE(claims["jti"].get<std::string>().empty());
  EXPECT_NE(
      Segment(Body(idp->HandleToken(ClientCredentials("alpha", "alpha-secret")))["access_token"],
              1)["jti"],
      claims["jti"]);

  // And it verifies against what the JWKS publishes.
  jose::ValidationPolicy policy;
  policy.issuers = {kUrl};
  policy.audiences = {"api://gateway"};
  policy.typ = "at+jwt";
  jose::VerifyResult v = jose::VerifyJwt(at, idp->PublishedKeys(), policy, clock_);
  EXPECT_TRUE(v.ok.has_value()) << v.rejection.code << ": " << v.rejection.message;
}

TEST_F(IssuerTest, ClientSecretPostAndBasicBothWork) {
  auto idp = Make();
  Handled post = idp->HandleToken(Token(FormBody({{"grant_type", "client_credentials"},
                                                  {"client_id", "alpha"},
                                                  {"client_secret", "alpha-secret"}})));
  EXPECT_EQ(post.response.status, 200) << post.response.body;
  // Basic with a client_id in the body that agrees is still one method.
  Handled both_ids = idp->HandleToken(
      Token(FormBody({{"grant_type", "client_credentials"}, {"client_id", "alpha"}}),
            Basic("alpha", "alpha-secret")));
  EXPECT_EQ(both_ids.response.status, 200) << both_ids.response.body;
  // OA-08: id and secret are form-urlencoded before base64, and decoded after.
  Handled odd = idp->HandleToken(ClientCredentials("beta", kOddSecret));
  EXPECT_EQ(odd.response.status, 200) << odd.response.body;
  EXPECT_EQ(Segment(Body(odd)["access_token"], 1)["aud"], "api://other");
  // A lower-case scheme is the same scheme.
  ServerRequest lower = ClientCredentials("alpha", "alpha-secret");
  lower.headers.Set("Authorization", "basic " + Base64Encode("alpha:alpha-secret"));
  EXPECT_EQ(idp->HandleToken(lower).response.status, 200);
}

TEST_F(IssuerTest, EveryRfc6749ErrorHasItsCodeStatusAndChallengeRule) {
  auto idp = Make();
  const std::string cc = "grant_type=client_credentials";
  const std::string good = Basic("alpha", "alpha-secret");
  struct Case {
    const char* name;
    ServerRequest request;
    int status;
    const char* error;
  };
  ServerRequest get = Token("", good);
  get.method = "GET";
  ServerRequest two_headers = Token(cc, good);
  two_headers.headers.Add("Authorization", good);
  Case cases[] = {
      {"GET", get, 405, "invalid_request"},
      {"JSON body", Token(R"({"grant_type":"client_credentials"})", good, "application/json"), 400,
       "invalid_request"},
      {"no content type", Token(cc, good, ""), 400, "invalid_request"},
      {"bad escape", Token(cc + "&scope=%zz", good), 400, "invalid_request"},
      {"duplicated scope", Token(cc + "&scope=accounts:read&scope=accounts:read", good), 400,
       "invalid_request"},
      {"duplicated grant_type", Token(cc + "&" + cc, good), 400, "invalid_request"},
      {"basic and post", Token(cc + "&client_secret=alpha-secret", good), 400, "invalid_request"},
      {"two Authorization headers", two_headers, 400, "invalid_request"},
      {"body client_id disagrees", Token(cc + "&client_id=beta", good), 400, "invalid_request"},
      {"wrong secret, basic", Token(cc, Basic("alpha", "nope")), 401, "invalid_client"},
      {"unknown client, basic", Token(cc, Basic("nobody", "alpha-secret")), 401, "invalid_client"},
      {"malformed basic", Token(cc, "Basic !!!"), 401, "invalid_client"},
      {"basic without colon", Token(cc, "Basic " + Base64Encode("alpha")), 401, "invalid_client"},
      {"bearer scheme", Token(cc, "Bearer abc"), 401, "invalid_client"},
      {"wrong secret, post", Token(cc + "&client_id=alpha&client_secret=nope"), 401,
       "invalid_client"},
      {"unknown client, post", Token(cc + "&client_id=nobody&client_secret=x"), 401,
       "invalid_client"},
      {"no credentials", Token(cc), 401, "invalid_client"},
      {"id without secret, post", Token(cc + "&client_id=alpha"), 401, "invalid_client"},
      {"missing grant_type", Token("scope=accounts:read", good), 400, "invalid_request"},
      {"password grant", Token("grant_type=password&username=u&password=p", good), 400,
       "unsupported_grant_type"},
      {"unknown grant", Token("grant_type=urn:x", good), 400, "unsupported_grant_type"},
      {"grant not enabled", Token(cc, Basic("gamma", "gamma-secret")), 400, "unauthorized_client"},
      {"refresh not enabled",
       Token("grant_type=refresh_token&refresh_token=x", Basic("delta", "delta-secret")), 400,
       "unauthorized_client"},
      {"scope not assigned", Token(cc + "&scope=accounts:write", good), 400, "invalid_scope"},
      {"one scope of two not assigned", Token(cc + "&scope=accounts:read+admin", good), 400,
       "invalid_scope"},
      {"unknown refresh token", Token("grant_type=refresh_token&refresh_token=nope", good), 400,
       "invalid_grant"},
      {"refresh without token", Token("grant_type=refresh_token", good), 400, "invalid_request"},
  };
  for (const Case& c : cases) {
    Handled h = idp->HandleToken(c.request);
    EXPECT_EQ(h.response.status, c.status) << c.name << ": " << h.response.body;
    nlohmann::json body = nlohmann::json::parse(h.response.body, nullptr, false);
    EXPECT_EQ(body.value("error", ""), c.error) << c.name;
    EXPECT_TRUE(body.contains("error_description")) << c.name;
    EXPECT_FALSE(body.contains("access_token")) << c.name;
    EXPECT_EQ(h.response.headers.Get("Cache-Control").value_or(""), "no-store") << c.name;
    EXPECT_EQ(h.response.headers.Get("Pragma").value_or(""), "no-cache") << c.name;
    // RFC 6749 §5.2 + RFC 9110 §15.5.2: every 401 challenges; nothing else does.
    std::optional<std::string> challenge = h.response.headers.Get("WWW-Authenticate");
    if (c.status == 401) {
      EXPECT_EQ(challenge.value_or(""), std::string("Basic realm=\"") + kUrl + "\"") << c.name;
    } else {
      EXPECT_FALSE(challenge.has_value()) << c.name;
    }
    EXPECT_THAT(h.note, HasSubstr(c.error)) << c.name;
  }
  EXPECT_EQ(idp->HandleToken(get).response.headers.Get("Allow").value_or(""), "POST");
}

TEST_F(IssuerTest, UnknownClientAndWrongSecretLookTheSame) {
  auto idp = Make();
  const std::string cc = "grant_type=client_credentials";
  Handled unknown = idp->HandleToken(Token(cc, Basic("nobody", "x")));
  Handled wrong = idp->HandleToken(Token(cc, Basic("alpha", "x")));
  EXPECT_EQ(unknown.response.body, wrong.response.body);
  EXPECT_NE(unknown.note, wrong.note);  // the journal still says which
}

TEST_F(IssuerTest, EmptyParametersCountAsOmitted) {
  auto idp = Make();
  // RFC 6749 §3.2: "sent without a value MUST be treated as if they were omitted".
  Handled h = idp->HandleToken(
      Token("grant_type=client_credentials&scope=", Basic("alpha", "alpha-secret")));
  EXPECT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_EQ(Body(h)["scope"], "payments:write accounts:read");
}

TEST_F(IssuerTest, RequestedScopeNarrowsTheGrant) {
  auto idp = Make();
  Handled h =
      idp->HandleToken(ClientCredentials("alpha", "alpha-secret", {{"scope", "accounts:read"}}));
  ASSERT_EQ(h.response.status, 200);
  EXPECT_EQ(Body(h)["scope"], "accounts:read");
  EXPECT_EQ(Segment(Body(h)["access_token"], 1)["scope"], "accounts:read");
}

TEST_F(IssuerTest, NoRefreshTokenForAClientWithoutTheRefreshGrant) {
  auto idp = Make();
  Handled h = idp->HandleToken(ClientCredentials("delta", "delta-secret"));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_FALSE(Body(h).contains("refresh_token"));
  EXPECT_FALSE(Body(h).contains("scope"));  // the client has none
  EXPECT_EQ(Segment(Body(h)["access_token"], 1)["roles"], nlohmann::json::array());
}

TEST_F(IssuerTest, RotatedKeySignsNewTokensAndTheOldStaysPublished) {
  auto idp = Make();
  ASSERT_TRUE(idp->Control("rotate_keys", nlohmann::json::object()).ok());
  std::string at =
      Body(idp->HandleToken(ClientCredentials("alpha", "alpha-secret")))["access_token"];
  EXPECT_EQ(Segment(at, 0)["kid"], "k1-r1");
  std::vector<std::string> kids;
  for (const jose::Jwk& k : idp->PublishedKeys().keys) kids.push_back(k.kid());
  EXPECT_THAT(kids, ElementsAre("k1-r1", "k1"));
  ASSERT_TRUE(idp->Control("rotate_keys", {{"kid", "named"}}).ok());
  EXPECT_EQ(idp->SigningKey("")->kid(), "named");
}

TEST_F(IssuerTest, RemovedKeyIsUnpublishedAndUnusableAndRestoreBringsItBack) {
  auto idp = Make();
  std::string thumb = idp->SigningKey("k1")->Thumbprint();
  ASSERT_TRUE(idp->Control("add_key", {{"kid", "k2"}}).ok());
  EXPECT_EQ(idp->SigningKey("")->kid(), "k1");  // added, not active
  ASSERT_TRUE(idp->Control("remove_key", {{"kid", "k1"}}).ok());
  EXPECT_FALSE(idp->SigningKey("k1").has_value());
  EXPECT_EQ(idp->PublishedKeys().Find("k1"), nullptr);
  ASSERT_TRUE(idp->Control("remove_key", {{"kid", "k2"}}).ok());
  Handled none = idp->HandleToken(ClientCredentials("delta", "delta-secret"));
  EXPECT_EQ(none.response.status, 500);
  EXPECT_EQ(Body(none)["error"], "server_error");
  ASSERT_TRUE(idp->Control("restore", nlohmann::json::object()).ok());
  ASSERT_TRUE(idp->SigningKey("").has_value());
  EXPECT_EQ(idp->SigningKey("")->Thumbprint(), thumb);
  EXPECT_EQ(idp->PublishedKeys().keys.size(), 1u);
}

TEST_F(IssuerTest, UnknownActionNamesTheKnownOnes) {
  Status st = Make()->Control("down", nlohmann::json::object());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("rotate_keys, add_key, remove_key, restore"));
}

TEST_F(IssuerTest, IsAKeyHolder) {
  auto idp = Make();
  const KeyHolder* keys = idp->keys();
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->Issuer(), kUrl);
  EXPECT_EQ(keys->TokenTtl(), std::chrono::seconds(600));
  EXPECT_EQ(keys->TokenType(), "at+jwt");
  EXPECT_EQ(keys->SigningKey("")->kid(), "k1");
}

TEST_F(IssuerTest, ClientSecretsAreRedactedAndOfferedAsSecretSettings) {
  auto idp = Make();
  EXPECT_EQ(redactor_.Redact("x alpha-secret y"), "x *** y");
  EXPECT_EQ(redactor_.Redact(kOddSecret), "***");
  std::map<std::string, TargetSetting> settings;
  for (const TargetSetting& s : idp->TargetSettings()) settings[s.name] = s;
  EXPECT_EQ(settings["token_url"].value, std::string(kUrl) + "/token");
  EXPECT_EQ(settings["issuer"].value, kUrl);
  EXPECT_EQ(settings["audience"].value, "api://gateway");
  EXPECT_EQ(settings["client_id"].value, "alpha");
  EXPECT_EQ(settings["client_secret"].value, "alpha-secret");
  EXPECT_TRUE(settings["client_secret"].secret);
  EXPECT_EQ(settings["second_client_id"].value, "beta");
  EXPECT_TRUE(settings["second_client_secret"].secret);
  EXPECT_EQ(settings["token_ttl"].value, "600s");
}

TEST_F(IssuerTest, TheJournalKeepsNoPresentedSecretRightOrWrong) {
  auto idp = Make();
  Journal journal(10, &redactor_, &clock_);
  const std::string wrong = "wrong+Secret%/\"x";  // needs escaping in a form and in JSON
  std::vector<ServerRequest> requests = {
      // client_secret_post with a wrong secret, percent-encoded in lower case.
      Token("grant_type=client_credentials&client_id=alpha&client_secret=wrong%2bSecret%25%2f%22x"),
      // client_secret_post with the right one.
      Token(FormBody({{"grant_type", "client_credentials"},
                      {"client_id", "alpha"},
                      {"client_secret", "alpha-secret"}})),
      // client_secret_basic with a wrong password.
      ClientCredentials("alpha", wrong),
  };
  for (const ServerRequest& r : requests) {
    Handled h = idp->HandleToken(r);
    journal.Record(r, h.response, h.note);
  }
  std::vector<JournalEntry> entries = journal.Snapshot();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].status, 401);
  EXPECT_EQ(entries[0].body, "grant_type=client_credentials&client_id=alpha&client_secret=***");
  EXPECT_EQ(entries[1].status, 200);
  EXPECT_EQ(entries[1].body, "grant_type=client_credentials&client_id=alpha&client_secret=***");
  EXPECT_EQ(entries[2].status, 401);
  std::string served = journal.ToJson("idp").dump();
  for (const std::string& leak :
       {std::string("wrong%2b"), std::string("wrong+"), std::string("alpha-secret"),
        Base64Encode("alpha:" + wrong),
        Base64Encode(PercentEncode("alpha") + ":" + PercentEncode(wrong))}) {
    EXPECT_EQ(served.find(leak), std::string::npos) << leak << " in " << served;
  }
  EXPECT_THAT(served, HasSubstr(R"(["Authorization","Basic ***"])"));
}

TEST_F(IssuerTest, BadConfigIsInvalidArgumentNamingTheProblem) {
  struct Case {
    const char* name;
    const char* key;
    nlohmann::json value;
    const char* message;
  } cases[] = {
      // Grants, secrets, durations and algorithms are the schema's (the loader checks
      // them: service_schemas_test.cc); these rules it cannot say.
      {"zero ttl", "token_ttl", "0s", "must be positive"},
      {"zero refresh ttl", "refresh_ttl", "0s", "must be positive"},
      {"no keys", "keys", nlohmann::json::array(), "`keys` must be a non-empty list"},
  };
  for (const Case& c : cases) {
    ServiceDecl d = Decl();
    d.config[c.key] = c.value;
    auto s = IssuerService::Create(d, Ctx());
    ASSERT_FALSE(s.ok()) << c.name;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(s.status().message(), HasSubstr(c.message)) << c.name;
  }
}

TEST_F(IssuerTest, DefaultsAreOneRs256KeyAnHourAndAtJwt) {
  ServiceDecl d;
  d.name = "idp";
  d.kind = "issuer";
  d.config = {{"clients", {{"c", {{"secret", "sss"}}}}}};
  auto idp = Make(d);
  EXPECT_EQ(idp->SigningKey("")->kid(), "k1");
  EXPECT_EQ(idp->SigningKey("")->alg(), jose::Alg::kRS256);
  EXPECT_EQ(idp->TokenTtl(), std::chrono::seconds(3600));
  Handled h = idp->HandleToken(ClientCredentials("c", "sss"));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_FALSE(Segment(Body(h)["access_token"], 1).contains("aud"));  // no audiences configured
  EXPECT_EQ(idp->HandleJwks({}).response.headers.Get("Cache-Control").value_or(""), "max-age=300");
}

}  // namespace
}  // namespace tollgate::mocks
