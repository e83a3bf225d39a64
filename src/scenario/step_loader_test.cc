// Token, mock and clock steps and the token expectation: a valid suite using every key
// (fields and locations), then one test per kind of mistake, asserting the exact diagnostic.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {
namespace {

using ::testing::ElementsAre;

// Line numbers in comments: the tests below check locations against them.
const char kTokenSuite[] = R"yaml(suite: gateway/tokens
requires: [sage_id, keys_host]
scenarios:
  - id: TK-001
    name: a minted token ${mutation}
    requirements: [GW-1]
    matrix:
      mutation: [alg_none, expired]
    steps:
      - clock: 25m
      - token:
          mint:
            issuer: sage_id
            audience: ${target.audience}
            scope: WebhooksLambda
            subject: user-1
            client_id: banking-service
            kid: k2
            lifetime: -5m
            not_before: +90s
            issued_at: "-1h"
            claims: {roles: [admin], n: 5, ref: "${target.url}"}
            header: {typ: at+jwt}
            mutate: ${mutation}
        save: t
        expect:
          token: {claims: [iss, exp], max_lifetime: 1h, algs: [RS256, HS256], kid_in: keys_host}
      - request: {url: "${target.url}/x", auth: {bearer: "${t.token}"}}
        expect: {status: 401}
      - mock: {service: keys_host, action: slow, delay: 2s, times: 3, with: {to: "${t.token}"}}
      - clock: {offset: -30s}
      - mock: {service: sage_id, action: rotate_keys}
  - id: TK-002
    name: a fetched token
    requirements: [GW-2]
    steps:
      - token:
          fetch:
            url: ${services.sage_id.url}/token
            client_id: banking-service
            client_secret: ${secret.client_secret}
            auth: client_secret_post
            grant_type: client_credentials
            scope: ProviderAPI
        save: f
        expect:
          status: 200
          json: {/token_type: Bearer}
          duration: < 2s
          token: {claims: [scope]}
      - token:
          fetch:
            url: ${services.sage_id.url}/token
            client_id: ${f.claims.client_id}
            grant_type: refresh_token
            refresh_token: ${f.refresh_token}
        expect:
          one_of:
            - {status: 400}
            - {token: {max_lifetime: 5m}}
      - request: {url: "${target.url}/y", auth: {bearer: "${f.access_token}"}}
)yaml";

template <typename T>
const T& Body(const Step& s) {
  return std::get<T>(s.body);
}

TEST(ParseSuiteSteps, ReadsTokenMockAndClockSteps) {
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(kTokenSuite, "suites/tk.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(kTokenSuite);
  ASSERT_EQ(suite->scenarios.size(), 2u);

  const Scenario& a = suite->scenarios[0];
  ASSERT_EQ(a.steps.size(), 6u);
  EXPECT_EQ(a.steps[0].kind, Step::Kind::kClock);
  EXPECT_EQ(Body<ClockStep>(a.steps[0]).offset, Duration(25 * 60 * 1000));
  EXPECT_EQ(a.steps[0].loc.ToString(), "suites/tk.yaml:10:9");

  // A mint with every key.
  const Step& mint_step = a.steps[1];
  EXPECT_EQ(mint_step.kind, Step::Kind::kToken);
  EXPECT_EQ(mint_step.loc.ToString(), "suites/tk.yaml:11:9");
  EXPECT_EQ(mint_step.save, "t");
  const TokenStep& mint = Body<TokenStep>(mint_step);
  EXPECT_EQ(mint.kind, TokenStep::Kind::kMint);
  EXPECT_EQ(mint.issuer, "sage_id");
  EXPECT_EQ(mint.audience->raw(), "${target.audience}");
  EXPECT_EQ(mint.audience->loc().ToString(), "suites/tk.yaml:14:23");
  EXPECT_EQ(mint.scope->raw(), "WebhooksLambda");
  EXPECT_EQ(mint.subject->raw(), "user-1");
  EXPECT_EQ(mint.client_id->raw(), "banking-service");
  EXPECT_EQ(mint.kid->raw(), "k2");
  EXPECT_EQ(mint.lifetime, Duration(-5 * 60 * 1000));
  EXPECT_EQ(mint.not_before, Duration(90 * 1000));
  EXPECT_EQ(mint.issued_at, Duration(-60 * 60 * 1000));
  ASSERT_TRUE(mint.claims.has_value());
  EXPECT_EQ(mint.claims->value,
            nlohmann::json::parse(R"({"roles": ["admin"], "n": 5, "ref": "${target.url}"})"));
  EXPECT_EQ(mint.claims->loc.ToString(), "suites/tk.yaml:22:21");
  EXPECT_EQ(mint.header->value, nlohmann::json::parse(R"({"typ": "at+jwt"})"));
  EXPECT_EQ(mint.mutate->raw(), "${mutation}");
  EXPECT_FALSE(mint.url.has_value());
  EXPECT_FALSE(mint.fetch_client_id.has_value());

  ASSERT_TRUE(mint_step.expect.has_value());
  ASSERT_TRUE(mint_step.expect->token.has_value());
  const TokenExpect& te = *mint_step.expect->token;
  EXPECT_THAT(te.claims, ElementsAre("iss", "exp"));
  EXPECT_EQ(te.max_lifetime, Duration(60 * 60 * 1000));
  EXPECT_THAT(te.algs, ElementsAre("RS256", "HS256"));
  EXPECT_EQ(te.kid_in, "keys_host");
  EXPECT_EQ(te.loc.ToString(), "suites/tk.yaml:27:18");
  EXPECT_FALSE(mint_step.expect->status.has_value());

  // A saved token is a template root for later steps.
  EXPECT_EQ(Body<RequestStep>(a.steps[2]).auth->token.raw(), "${t.token}");

  // Mock steps: the remaining keys are the action's arguments, kept as data.
  const Step& slow = a.steps[3];
  EXPECT_EQ(slow.kind, Step::Kind::kMock);
  const MockStep& m = Body<MockStep>(slow);
  EXPECT_EQ(m.service, "keys_host");
  EXPECT_EQ(m.action, "slow");
  EXPECT_EQ(m.args,
            nlohmann::json::parse(R"({"delay": "2s", "times": 3, "with": {"to": "${t.token}"}})"));
  EXPECT_EQ(m.loc.ToString(), "suites/tk.yaml:30:15");
  EXPECT_FALSE(slow.save.has_value());
  EXPECT_FALSE(slow.expect.has_value());

  EXPECT_EQ(Body<ClockStep>(a.steps[4]).offset, Duration(-30 * 1000));
  const MockStep& rotate = Body<MockStep>(a.steps[5]);
  EXPECT_EQ(rotate.service, "sage_id");
  EXPECT_EQ(rotate.action, "rotate_keys");
  EXPECT_EQ(rotate.args, nlohmann::json::object());

  // Fetch: the token endpoint's response takes HTTP expectations too.
  const Scenario& b = suite->scenarios[1];
  ASSERT_EQ(b.steps.size(), 3u);
  const Step& fetch_step = b.steps[0];
  const TokenStep& fetch = Body<TokenStep>(fetch_step);
  EXPECT_EQ(fetch.kind, TokenStep::Kind::kFetch);
  EXPECT_EQ(fetch.url->raw(), "${services.sage_id.url}/token");
  EXPECT_EQ(fetch.url->loc().ToString(), "suites/tk.yaml:39:18");
  EXPECT_EQ(fetch.fetch_client_id->raw(), "banking-service");
  EXPECT_EQ(fetch.client_secret->raw(), "${secret.client_secret}");
  EXPECT_EQ(fetch.auth_method, "client_secret_post");
  EXPECT_EQ(fetch.grant_type->raw(), "client_credentials");
  EXPECT_EQ(fetch.fetch_scope->raw(), "ProviderAPI");
  EXPECT_FALSE(fetch.refresh_token.has_value());
  EXPECT_FALSE(fetch.scope.has_value());  // the mint field stays empty
  EXPECT_TRUE(fetch.issuer.empty());
  EXPECT_EQ(fetch_step.save, "f");
  const Expect& fe = *fetch_step.expect;
  EXPECT_EQ(fe.status->any_of[0].code, 200);
  EXPECT_EQ(fe.json[0].first, "/token_type");
  EXPECT_EQ(fe.duration->max, Duration(2000));
  EXPECT_THAT(fe.token->claims, ElementsAre("scope"));
  EXPECT_FALSE(fe.token->max_lifetime.has_value());
  EXPECT_TRUE(fe.token->algs.empty());
  EXPECT_FALSE(fe.token->kid_in.has_value());

  const TokenStep& refresh = Body<TokenStep>(b.steps[1]);
  EXPECT_EQ(refresh.auth_method, "client_secret_basic");  // the default
  EXPECT_FALSE(refresh.client_secret.has_value());
  EXPECT_EQ(refresh.fetch_client_id->raw(), "${f.claims.client_id}");
  EXPECT_EQ(refresh.grant_type->raw(), "refresh_token");
  EXPECT_EQ(refresh.refresh_token->raw(), "${f.refresh_token}");
  ASSERT_EQ(b.steps[1].expect->one_of.size(), 2u);
  EXPECT_EQ(b.steps[1].expect->one_of[1].token->max_lifetime, Duration(5 * 60 * 1000));
  EXPECT_EQ(Body<RequestStep>(b.steps[2]).auth->token.raw(), "${f.access_token}");
}

// A suite requiring `sage_id` and `sink`, with one scenario around the given steps
// (indented by six spaces); steps start on line 7.
std::string WithSteps(const std::string& steps) {
  return "suite: s\n"
         "requires: [sage_id, sink]\n"
         "scenarios:\n"
         "  - id: A\n"
         "    name: n\n"
         "    requirements: [R]\n"
         "    steps:\n" +
         steps;
}

// The rendered diagnostics of loading `text` as x.yaml, or "loaded" when it loads.
std::string Errors(const std::string& text) {
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  if (suite) return diags.empty() ? "loaded" : "loaded with diagnostics";
  return diags.RenderWithText(text);
}

TEST(ParseSuiteSteps, TokenWithBothMintAndFetch) {
  EXPECT_EQ(Errors(WithSteps("      - token:\n"
                             "          mint: {issuer: sage_id}\n"
                             "          fetch: {url: /token, client_id: c}\n")),
            "error: more than one kind of `token`\n"
            "   --> x.yaml:10:11\n"
            "    |\n"
            " 10 |           fetch: {url: /token, client_id: c}\n"
            "    |           ^^^^^ found `fetch`, expected either `mint` or `fetch` (this step "
            "already has `mint`)\n\n");
}

TEST(ParseSuiteSteps, TokenWithNeitherMintNorFetch) {
  EXPECT_EQ(Errors(WithSteps("      - token: {}\n"
                             "      - token: {mnt: {issuer: sage_id}}\n")),
            "error: missing kind of `token`\n"
            "  --> x.yaml:8:16\n"
            "   |\n"
            " 8 |       - token: {}\n"
            "   |                ^ expected `mint` or `fetch` in this mapping\n"
            "\n"
            "error: unknown key `mnt`\n"
            "  --> x.yaml:9:17\n"
            "   |\n"
            " 9 |       - token: {mnt: {issuer: sage_id}}\n"
            "   |                 ^^^ found `mnt`, expected one of: mint, fetch\n"
            "   = help: did you mean `mint`?\n\n");
}

TEST(ParseSuiteSteps, MintIssuerMustBeRequiredBySuite) {
  EXPECT_EQ(Errors(WithSteps("      - token: {mint: {issuer: sage-id}}\n"
                             "      - token: {mint: {audience: a}}\n")),
            "error: service `sage-id` is not in the suite's `requires`\n"
            "  --> x.yaml:8:32\n"
            "   |\n"
            " 8 |       - token: {mint: {issuer: sage-id}}\n"
            "   |                                ^^^^^^^ found `sage-id`, expected one of: "
            "sage_id, sink\n"
            "   = help: did you mean `sage_id`?\n"
            "\n"
            "error: missing required key `issuer`\n"
            "  --> x.yaml:9:23\n"
            "   |\n"
            " 9 |       - token: {mint: {audience: a}}\n"
            "   |                       ^ expected `issuer` in this mapping\n\n");
}

TEST(ParseSuiteSteps, BadSignedDurations) {
  EXPECT_EQ(Errors(WithSteps("      - token: {mint: {issuer: sage_id, lifetime: 5 min}}\n"
                             "      - token: {mint: {issuer: sage_id, not_before: \"--5m\"}}\n"
                             "      - clock: 1.5h\n"
                             "      - clock: {offset: -}\n")),
            "error: invalid value for `lifetime`\n"
            "  --> x.yaml:8:51\n"
            "   |\n"
            " 8 |       - token: {mint: {issuer: sage_id, lifetime: 5 min}}\n"
            "   |                                                   ^^^^^ found `5 min`, "
            "expected a duration with an optional sign, such as -5m, 90s or +2h\n"
            "\n"
            "error: invalid value for `not_before`\n"
            "  --> x.yaml:9:53\n"
            "   |\n"
            " 9 |       - token: {mint: {issuer: sage_id, not_before: \"--5m\"}}\n"
            "   |                                                     ^^^^^^ found `--5m`, "
            "expected a duration with an optional sign, such as -5m, 90s or +2h\n"
            "\n"
            "error: invalid value for `clock`\n"
            "   --> x.yaml:10:16\n"
            "    |\n"
            " 10 |       - clock: 1.5h\n"
            "    |                ^^^^ found `1.5h`, expected a duration with an optional "
            "sign, such as -5m, 90s or +2h\n"
            "\n"
            "error: invalid value for `offset`\n"
            "   --> x.yaml:11:25\n"
            "    |\n"
            " 11 |       - clock: {offset: -}\n"
            "    |                         ^ found `-`, expected a duration with an optional "
            "sign, such as -5m, 90s or +2h\n\n");
}

TEST(ParseSuiteSteps, MintClaimsMustBeAMappingAndTemplatesAreChecked) {
  EXPECT_EQ(Errors(WithSteps("      - token:\n"
                             "          mint: {issuer: sage_id, claims: [aud], mutate: "
                             "\"${mutaton}\"}\n")),
            "error: unknown name `mutaton` in template\n"
            "  --> x.yaml:9:61\n"
            "   |\n"
            " 9 |           mint: {issuer: sage_id, claims: [aud], mutate: \"${mutaton}\"}\n"
            "   |                                                             ^^^^^^^ found "
            "`mutaton`, expected one of: target, services, env, secret, pki, dpop\n"
            "\n"
            "error: invalid value for `claims`\n"
            "  --> x.yaml:9:43\n"
            "   |\n"
            " 9 |           mint: {issuer: sage_id, claims: [aud], mutate: \"${mutaton}\"}\n"
            "   |                                           ^ found a list, expected a mapping "
            "of member names to values\n\n");
}

TEST(ParseSuiteSteps, FetchNeedsUrlAndClientIdAndAKnownAuthMethod) {
  EXPECT_EQ(Errors(WithSteps("      - token: {fetch: {auth: client_secret_jwt}}\n")),
            "error: missing required key `url`\n"
            "  --> x.yaml:8:24\n"
            "   |\n"
            " 8 |       - token: {fetch: {auth: client_secret_jwt}}\n"
            "   |                        ^ expected `url` in this mapping\n"
            "\n"
            "error: missing required key `client_id`\n"
            "  --> x.yaml:8:24\n"
            "   |\n"
            " 8 |       - token: {fetch: {auth: client_secret_jwt}}\n"
            "   |                        ^ expected `client_id` in this mapping\n"
            "\n"
            "error: invalid value for `auth`\n"
            "  --> x.yaml:8:31\n"
            "   |\n"
            " 8 |       - token: {fetch: {auth: client_secret_jwt}}\n"
            "   |                               ^^^^^^^^^^^^^^^^^ found `client_secret_jwt`, "
            "expected one of: client_secret_basic, client_secret_post\n"
            "   = help: did you mean `client_secret_post`?\n\n");
}

TEST(ParseSuiteSteps, TokenExpectationOnARequestStep) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /x}\n"
                             "        expect: {status: 200, token: {claims: [exp]}}\n")),
            "error: a `request` step cannot expect `token`\n"
            "  --> x.yaml:9:31\n"
            "   |\n"
            " 9 |         expect: {status: 200, token: {claims: [exp]}}\n"
            "   |                               ^^^^^ found `token`, expected one of: status, "
            "headers, json, body, rejected, tls, one_of, duration\n"
            "   = help: `token` applies to `token` steps\n\n");
}

TEST(ParseSuiteSteps, AMintedTokenHasNoHttpResponseToExpect) {
  EXPECT_EQ(Errors(WithSteps("      - token: {mint: {issuer: sage_id}}\n"
                             "        expect: {status: 200}\n")),
            "error: a `token: mint` step cannot expect `status`\n"
            "  --> x.yaml:9:18\n"
            "   |\n"
            " 9 |         expect: {status: 200}\n"
            "   |                  ^^^^^^ found `status`, expected one of: token\n"
            "   = help: `status` applies to `request`, `replay`, `race`, `token: fetch` and "
            "`notify` steps\n\n");
}

TEST(ParseSuiteSteps, FetchTakesNoRejectedOrTls) {
  EXPECT_EQ(Errors(WithSteps("      - token: {fetch: {url: /t, client_id: c}}\n"
                             "        expect: {rejected: true}\n")),
            "error: a `token: fetch` step cannot expect `rejected`\n"
            "  --> x.yaml:9:18\n"
            "   |\n"
            " 9 |         expect: {rejected: true}\n"
            "   |                  ^^^^^^^^ found `rejected`, expected one of: status, headers, "
            "json, body, one_of, duration, token\n"
            "   = help: `rejected` applies to `request`, `replay`, `race` and `notify` steps\n\n");
}

TEST(ParseSuiteSteps, TokenExpectationValues) {
  // The algorithm names are crypto's, registered by the program; here, a stand-in.
  Terms algs;
  for (const char* a : {"RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA", "HS256"}) {
    algs.push_back({a, "a"});
  }
  RegisterTerms(vocabulary::kJwsAlgorithm, std::move(algs));
  EXPECT_EQ(Errors(WithSteps("      - token: {mint: {issuer: sage_id}}\n"
                             "        expect:\n"
                             "          token: {algs: [RS256, none, ES257], kid_in: jwks, "
                             "max_lifetime: -1h}\n"
                             "      - token: {mint: {issuer: sage_id}}\n"
                             "        expect: {token: {}}\n")),
            "error: invalid value for `max_lifetime`\n"
            "   --> x.yaml:10:75\n"
            "    |\n"
            " 10 |           token: {algs: [RS256, none, ES257], kid_in: jwks, max_lifetime: "
            "-1h}\n"
            "    |                                                                           "
            "^^^ found `-1h`, expected a duration such as 500ms, 2s, 1m or 1h\n"
            "\n"
            "error: invalid value for `algs`\n"
            "   --> x.yaml:10:33\n"
            "    |\n"
            " 10 |           token: {algs: [RS256, none, ES257], kid_in: jwks, max_lifetime: "
            "-1h}\n"
            "    |                                 ^^^^ found `none`, expected one of: RS256, "
            "RS384, RS512, PS256, ES256, ES384, EdDSA, HS256\n"
            "    = help: an unsigned token (`none`) is never acceptable\n"
            "\n"
            "error: invalid value for `algs`\n"
            "   --> x.yaml:10:39\n"
            "    |\n"
            " 10 |           token: {algs: [RS256, none, ES257], kid_in: jwks, max_lifetime: "
            "-1h}\n"
            "    |                                       ^^^^^ found `ES257`, expected one of: "
            "RS256, RS384, RS512, PS256, ES256, ES384, EdDSA, HS256\n"
            "    = help: did you mean `ES256`?\n"
            "\n"
            "error: service `jwks` is not in the suite's `requires`\n"
            "   --> x.yaml:10:55\n"
            "    |\n"
            " 10 |           token: {algs: [RS256, none, ES257], kid_in: jwks, max_lifetime: "
            "-1h}\n"
            "    |                                                       ^^^^ found `jwks`, "
            "expected one of: sage_id, sink\n"
            "    = help: add `jwks` to the suite's `requires:`\n"
            "\n"
            "error: invalid value for `token`\n"
            "   --> x.yaml:12:25\n"
            "    |\n"
            " 12 |         expect: {token: {}}\n"
            "    |                         ^ found an empty mapping, expected at least one of: "
            "claims, max_lifetime, algs, kid_in\n\n");
}

TEST(ParseSuiteSteps, UnknownMockActionWithDidYouMean) {
  // The mocks' table is registered by the program; here, a stand-in.
  RegisterTerms(vocabulary::kMockAction,
                {{"rotate_keys", "a"}, {"add_key", "a"}, {"down", "a"}, {"restore", "a"}});
  EXPECT_EQ(Errors(WithSteps("      - mock: {service: sage_id, action: rotate_key}\n")),
            "error: unknown mock action `rotate_key`\n"
            "  --> x.yaml:8:42\n"
            "   |\n"
            " 8 |       - mock: {service: sage_id, action: rotate_key}\n"
            "   |                                          ^^^^^^^^^^ found `rotate_key`, "
            "expected one of: rotate_keys, add_key, down, restore\n"
            "   = help: did you mean `rotate_keys`?\n\n");
}

TEST(ParseSuiteSteps, MockNeedsARequiredServiceAnActionAndTemplateArguments) {
  EXPECT_EQ(Errors(WithSteps("      - mock: {service: jwks, kid: \"${nope}\"}\n")),
            "error: service `jwks` is not in the suite's `requires`\n"
            "  --> x.yaml:8:25\n"
            "   |\n"
            " 8 |       - mock: {service: jwks, kid: \"${nope}\"}\n"
            "   |                         ^^^^ found `jwks`, expected one of: sage_id, sink\n"
            "   = help: add `jwks` to the suite's `requires:`\n"
            "\n"
            "error: missing required key `action`\n"
            "  --> x.yaml:8:15\n"
            "   |\n"
            " 8 |       - mock: {service: jwks, kid: \"${nope}\"}\n"
            "   |               ^ expected `action` in this mapping\n"
            "\n"
            "error: unknown name `nope` in template\n"
            "  --> x.yaml:8:39\n"
            "   |\n"
            " 8 |       - mock: {service: jwks, kid: \"${nope}\"}\n"
            "   |                                       ^^^^ found `nope`, expected one of: "
            "target, services, env, secret, pki, dpop\n\n");
}

TEST(ParseSuiteSteps, MockAndClockStepsTakeNoSaveOrExpect) {
  EXPECT_EQ(Errors(WithSteps("      - mock: {service: sink, action: down}\n"
                             "        save: m\n"
                             "      - clock: {offest: 5m}\n"
                             "        expect: {status: 200}\n")),
            "error: a `mock` step cannot `save`\n"
            "  --> x.yaml:9:9\n"
            "   |\n"
            " 9 |         save: m\n"
            "   |         ^^^^\n"
            "\n"
            "error: unknown key `offest`\n"
            "   --> x.yaml:10:17\n"
            "    |\n"
            " 10 |       - clock: {offest: 5m}\n"
            "    |                 ^^^^^^ found `offest`, expected one of: offset\n"
            "    = help: did you mean `offset`?\n"
            "\n"
            "error: a `clock` step takes no `expect`\n"
            "   --> x.yaml:11:9\n"
            "    |\n"
            " 11 |         expect: {status: 200}\n"
            "    |         ^^^^^^\n\n");
}

TEST(ParseSuiteSteps, RaceTakesCopiesAndAnInlineRequestOrAnEarlierOne) {
  Diagnostics diags;
  std::string text = WithSteps(
      "      - request: {url: /pay, send: false}\n"
      "        save: pay\n"
      "      - race: {copies: 64, of: pay}\n"
      "        expect: {exactly_one: 201, status: 409}\n"
      "      - race:\n"
      "          copies: 2\n"
      "          request: {method: POST, url: /refresh}\n");
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite) << diags.RenderWithText(text);
  const std::vector<Step>& steps = suite->scenarios[0].steps;
  ASSERT_EQ(steps.size(), 3u);
  const RaceStep& named = Body<RaceStep>(steps[1]);
  EXPECT_EQ(named.copies, 64);
  EXPECT_EQ(named.of, "pay");
  EXPECT_FALSE(named.request);
  ASSERT_TRUE(steps[1].expect && steps[1].expect->exactly_one);
  const RaceStep& inline_race = Body<RaceStep>(steps[2]);
  EXPECT_EQ(inline_race.copies, 2);
  ASSERT_TRUE(inline_race.request);
  EXPECT_EQ(inline_race.request->method.raw(), "POST");
}

TEST(ParseSuiteSteps, RaceMistakes) {
  EXPECT_EQ(Errors(WithSteps("      - race: {copies: 1, request: {url: /x}}\n")),
            "error: invalid value for `copies`\n"
            "  --> x.yaml:8:24\n"
            "   |\n"
            " 8 |       - race: {copies: 1, request: {url: /x}}\n"
            "   |                        ^ found `1`, expected an integer from 2 to 64\n\n");
  EXPECT_EQ(Errors(WithSteps("      - race: {copies: 3}\n")),
            "error: nothing to race\n"
            "  --> x.yaml:8:15\n"
            "   |\n"
            " 8 |       - race: {copies: 3}\n"
            "   |               ^ expected one of: an inline `request:`, `token: {fetch: ...}`, "
            "`notify:`, or `of:` an earlier request (a saved name or `previous`)\n\n");
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /x, send: false}\n"
                             "        save: pay\n"
                             "      - race: {copies: 3, of: pya}\n")),
            "error: unknown saved name `pya` in `race`\n"
            "   --> x.yaml:10:31\n"
            "    |\n"
            " 10 |       - race: {copies: 3, of: pya}\n"
            "    |                               ^^^ found `pya`, expected `previous` or a request "
            "saved by an earlier step: pay\n\n");
  EXPECT_EQ(
      Errors(WithSteps("      - race: {copies: 3, request: {url: /x, send: false}}\n")),
      "error: a raced request is always sent\n"
      "  --> x.yaml:8:36\n"
      "   |\n"
      " 8 |       - race: {copies: 3, request: {url: /x, send: false}}\n"
      "   |                                    ^ found `send: false`, expected no `send` here "
      "(prepare a request with `send: false` in an earlier step and race it with `of:`)\n\n");
}

TEST(ParseSuiteSteps, RaceTakesATokenFetchOrANotification) {
  Diagnostics diags;
  std::string text = WithSteps(
      "      - race:\n"
      "          copies: 8\n"
      "          token:\n"
      "            fetch: {url: /token, client_id: c, client_secret: s,\n"
      "                    grant_type: refresh_token, refresh_token: rt-1}\n"
      "        expect: {exactly_one: 200, status: 400}\n"
      "      - race:\n"
      "          copies: 4\n"
      "          notify: {url: /notify, id: auth-1}\n");
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite) << diags.RenderWithText(text);
  const std::vector<Step>& steps = suite->scenarios[0].steps;
  ASSERT_EQ(steps.size(), 2u);
  const RaceStep& token = Body<RaceStep>(steps[0]);
  EXPECT_EQ(token.copies, 8);
  ASSERT_TRUE(token.token);
  EXPECT_EQ(token.token->kind, TokenStep::Kind::kFetch);
  EXPECT_FALSE(token.request || token.notify);
  const RaceStep& notify = Body<RaceStep>(steps[1]);
  EXPECT_EQ(notify.copies, 4);
  ASSERT_TRUE(notify.notify);
  EXPECT_FALSE(notify.request || notify.token);
}

TEST(ParseSuiteSteps, RaceTakesOneStepAndATokenRaceIsAFetch) {
  EXPECT_EQ(Errors(WithSteps("      - race: {copies: 3, request: {url: /x}, of: previous}\n")),
            "error: `race` takes one step to race, found `request` and `of`\n"
            "  --> x.yaml:8:47\n"
            "   |\n"
            " 8 |       - race: {copies: 3, request: {url: /x}, of: previous}\n"
            "   |                                               ^^ expected one of: an inline "
            "`request:`, `token: {fetch: ...}`, `notify:`, or `of:` an earlier request (a saved "
            "name or `previous`)\n\n");
  std::string mint = Errors(WithSteps("      - race: {copies: 3, token: {mint: {issuer: idp}}}\n"));
  EXPECT_NE(mint.find("error: "), std::string::npos) << mint;
}

TEST(ParseSuiteSteps, ATokenStepCannotBeReplayed) {
  EXPECT_EQ(Errors(WithSteps("      - token: {fetch: {url: /t, client_id: c}}\n"
                             "        save: f\n"
                             "      - replay: f\n")),
            "error: `f` cannot be replayed\n"
            "   --> x.yaml:10:17\n"
            "    |\n"
            " 10 |       - replay: f\n"
            "    |                 ^ found `f`, expected a name saved by a request or replay "
            "step; `f` was saved by a `token` step\n\n");
}

}  // namespace
}  // namespace tollgate
