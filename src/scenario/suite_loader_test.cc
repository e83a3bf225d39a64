// Suite loading: a full valid suite (fields and locations), then one test per kind of
// mistake, asserting the exact diagnostic.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// Line numbers in comments: the tests below check locations against them.
const char kValidSuite[] = R"yaml(suite: gateway/auth
title: The gateway checks tokens
requires: [sink, issuer_a]
tags: [jwt, gateway]
vars:
  base: ${target.url}/api
  auth_url: "${base}/auth"
scenarios:
  - id: GW-001
    name: a valid request is accepted
    requirements: [GW-1, GW-2]
    tags: [smoke, jwt]
    steps:
      - request:
          method: POST
          url: ${auth_url}?x=${env.FOO:-bar}
          headers:
            Content-Type: application/json
            X-Count: 5
          json: {id: "${uuid()}", n: 5, ok: true, list: [1, "a"], none: null, f: 1.5}
          auth: {basic: {user: "${secret.user}", password: pw}}
          timeout: 500ms
          tls: {ca: certs/ca.pem, min_version: "1.2", max_version: 1.3, insecure: false}
          source_address: 127.0.0.2
        save: login
        expect:
          status: [200, 2xx]
          headers:
            content-type: {matches: "^application/json"}
            x-debug: {not: {exists: true}}
          json:
            /token: {exists: true}
            /n: 5
            "": {contains: token}
          body: [{contains: "${login.request.id}"}, {not: {equals: error}}]
          duration: < 2s
      - wait: 2s
      - replay: {of: login, concurrent: 8}
        expect:
          exactly_one: 2xx
          one_of:
            - {status: 409}
            - {rejected: true}
      - replay: previous
        expect: {rejected: true, tls: handshake_failure, duration: {min: 10ms, max: 1m}}
      - received: {service: sink, method: POST, path: /notify}
        expect: {count: {min: 1, max: 3}, headers: {x-sig: {matches: "[a-f0-9]+"}}}
  - id: GW-002
    name: hostile token ${mutation} on ${where}
    requirements: [GW-3]
    matrix:
      mutation: [alg_none, expired]
      where: [header, 12]
    steps:
      - request:
          url: ${base}/x
          form: {a: "${mutation}", b: c}
          auth: {bearer: "${where}"}
          sign: {profile: v3, secret: "${secret.k}"}
        expect: {status: 401, body: plain}
      - wait: {duration: 100ms}
      - request: {url: "${previous.response.json.id}", body: "raw $${x} ${mutation}"}
        save: again
        expect: {status: 4xx, json: {/id: {equals: {a: [1]}}}}
      - received: {service: issuer_a}
        expect: {count: 0}
)yaml";

template <typename T>
const T& Body(const Step& s) {
  return std::get<T>(s.body);
}

TEST(ParseSuite, ReadsAFullSuite) {
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(kValidSuite, "suites/gw.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(kValidSuite);
  EXPECT_TRUE(diags.empty());

  EXPECT_EQ(suite->id, "gateway/auth");
  EXPECT_EQ(suite->title, "The gateway checks tokens");
  EXPECT_EQ(suite->file, "suites/gw.yaml");
  EXPECT_EQ(suite->sha256.size(), 64u);
  EXPECT_EQ(suite->loc.ToString(), "suites/gw.yaml:1:1");
  EXPECT_THAT(suite->requires_services, ElementsAre("sink", "issuer_a"));
  EXPECT_THAT(suite->tags, ElementsAre("jwt", "gateway"));
  ASSERT_EQ(suite->vars.size(), 2u);
  EXPECT_EQ(suite->vars[0].first, "base");
  EXPECT_EQ(suite->vars[0].second.raw(), "${target.url}/api");
  EXPECT_EQ(suite->vars[0].second.loc().ToString(), "suites/gw.yaml:6:9");
  EXPECT_EQ(suite->vars[1].first, "auth_url");
  EXPECT_EQ(suite->vars[1].second.raw(), "${base}/auth");
  EXPECT_EQ(suite->vars[1].second.loc().ToString(), "suites/gw.yaml:7:14");  // inside quotes

  ASSERT_EQ(suite->scenarios.size(), 2u);
  const Scenario& a = suite->scenarios[0];
  EXPECT_EQ(a.id, "GW-001");
  EXPECT_EQ(a.name.raw(), "a valid request is accepted");
  EXPECT_THAT(a.requirements, ElementsAre("GW-1", "GW-2"));
  EXPECT_THAT(a.tags, ElementsAre("smoke", "jwt"));
  EXPECT_TRUE(a.matrix.empty());
  EXPECT_EQ(a.loc.ToString(), "suites/gw.yaml:9:5");
  ASSERT_EQ(a.steps.size(), 5u);

  // Step 1: a request with everything.
  const Step& s1 = a.steps[0];
  EXPECT_EQ(s1.kind, Step::Kind::kRequest);
  EXPECT_EQ(s1.loc.ToString(), "suites/gw.yaml:14:9");
  EXPECT_EQ(s1.save, "login");
  const RequestStep& r = Body<RequestStep>(s1);
  EXPECT_EQ(r.method.raw(), "POST");
  EXPECT_EQ(r.url.raw(), "${auth_url}?x=${env.FOO:-bar}");
  EXPECT_EQ(r.url.loc().ToString(), "suites/gw.yaml:16:16");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].first, "Content-Type");
  EXPECT_EQ(r.headers[0].second.raw(), "application/json");
  EXPECT_EQ(r.headers[1].first, "X-Count");
  EXPECT_EQ(r.headers[1].second.raw(), "5");
  EXPECT_EQ(r.body.kind, BodySpec::Kind::kJson);
  EXPECT_EQ(r.body.json.value,
            nlohmann::json::parse(
                R"({"id": "${uuid()}", "n": 5, "ok": true, "list": [1, "a"], "none": null,
                    "f": 1.5})"));
  EXPECT_TRUE(r.body.json.value["n"].is_number_integer());
  EXPECT_EQ(r.body.json.loc.ToString(), "suites/gw.yaml:20:17");
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->kind, AuthSpec::Kind::kBasic);
  EXPECT_EQ(r.auth->user.raw(), "${secret.user}");
  EXPECT_EQ(r.auth->password.raw(), "pw");
  EXPECT_EQ(r.auth->loc.ToString(), "suites/gw.yaml:21:17");
  EXPECT_EQ(r.timeout, Duration(500));
  EXPECT_TRUE(r.has_tls);
  ASSERT_TRUE(r.tls.ca.has_value());
  EXPECT_EQ(r.tls.ca->raw(), "certs/ca.pem");
  EXPECT_FALSE(r.tls.cert.has_value());
  EXPECT_EQ(r.tls.min_version, "1.2");
  EXPECT_EQ(r.tls.max_version, "1.3");
  EXPECT_FALSE(r.tls.insecure);
  EXPECT_EQ(r.tls.loc.ToString(), "suites/gw.yaml:23:16");
  ASSERT_TRUE(r.source_address.has_value());
  EXPECT_EQ(r.source_address->raw(), "127.0.0.2");
  EXPECT_FALSE(r.sign.has_value());

  ASSERT_TRUE(s1.expect.has_value());
  const Expect& e1 = *s1.expect;
  EXPECT_EQ(e1.loc.ToString(), "suites/gw.yaml:27:11");
  ASSERT_TRUE(e1.status.has_value());
  ASSERT_EQ(e1.status->any_of.size(), 2u);
  EXPECT_EQ(e1.status->any_of[0].ToString(), "200");
  EXPECT_EQ(e1.status->any_of[1].ToString(), "2xx");
  EXPECT_EQ(e1.status->loc.ToString(), "suites/gw.yaml:27:19");
  ASSERT_EQ(e1.headers.size(), 2u);
  EXPECT_EQ(e1.headers[0].first, "content-type");
  EXPECT_EQ(e1.headers[0].second.kind, Matcher::Kind::kMatches);
  EXPECT_FALSE(e1.headers[0].second.negated);
  EXPECT_EQ(e1.headers[0].second.operand.value, "^application/json");
  EXPECT_EQ(e1.headers[0].second.loc.ToString(), "suites/gw.yaml:29:27");
  EXPECT_EQ(e1.headers[1].first, "x-debug");
  EXPECT_EQ(e1.headers[1].second.kind, Matcher::Kind::kExists);
  EXPECT_TRUE(e1.headers[1].second.negated);
  EXPECT_EQ(e1.headers[1].second.operand.value, true);
  ASSERT_EQ(e1.json.size(), 3u);
  EXPECT_EQ(e1.json[0].first, "/token");
  EXPECT_EQ(e1.json[0].second.kind, Matcher::Kind::kExists);
  EXPECT_EQ(e1.json[1].first, "/n");
  EXPECT_EQ(e1.json[1].second.kind, Matcher::Kind::kEquals);
  EXPECT_EQ(e1.json[1].second.operand.value, 5);
  EXPECT_EQ(e1.json[1].second.loc.ToString(), "suites/gw.yaml:33:17");
  EXPECT_EQ(e1.json[2].first, "");
  EXPECT_EQ(e1.json[2].second.kind, Matcher::Kind::kContains);
  EXPECT_EQ(e1.json[2].second.operand.value, "token");
  ASSERT_EQ(e1.body.size(), 2u);
  EXPECT_EQ(e1.body[0].kind, Matcher::Kind::kContains);
  EXPECT_EQ(e1.body[0].operand.value, "${login.request.id}");
  EXPECT_EQ(e1.body[1].kind, Matcher::Kind::kEquals);
  EXPECT_TRUE(e1.body[1].negated);
  EXPECT_EQ(e1.body[1].operand.value, "error");
  ASSERT_TRUE(e1.duration.has_value());
  EXPECT_FALSE(e1.duration->min.has_value());
  EXPECT_EQ(e1.duration->max, Duration(2000));
  EXPECT_FALSE(e1.rejected.has_value());

  // Step 2: wait.
  EXPECT_EQ(a.steps[1].kind, Step::Kind::kWait);
  EXPECT_EQ(Body<WaitStep>(a.steps[1]).duration, Duration(2000));
  EXPECT_FALSE(a.steps[1].expect.has_value());

  // Step 3: concurrent replay of a saved request.
  const Step& s3 = a.steps[2];
  EXPECT_EQ(s3.kind, Step::Kind::kReplay);
  EXPECT_EQ(Body<ReplayStep>(s3).what, "login");
  EXPECT_EQ(Body<ReplayStep>(s3).concurrent, 8);
  ASSERT_TRUE(s3.expect->exactly_one.has_value());
  EXPECT_EQ(s3.expect->exactly_one->any_of[0].class_digit, 2);
  ASSERT_EQ(s3.expect->one_of.size(), 2u);
  EXPECT_EQ(s3.expect->one_of_loc.ToString(), "suites/gw.yaml:42:13");
  EXPECT_EQ(s3.expect->one_of[0].status->any_of[0].code, 409);
  EXPECT_EQ(s3.expect->one_of[1].rejected, true);

  // Step 4: replay of the previous request.
  const Step& s4 = a.steps[3];
  EXPECT_EQ(Body<ReplayStep>(s4).what, "previous");
  EXPECT_EQ(Body<ReplayStep>(s4).concurrent, 1);
  EXPECT_EQ(s4.expect->rejected, true);
  EXPECT_EQ(s4.expect->rejected_loc.ToString(), "suites/gw.yaml:45:28");
  ASSERT_TRUE(s4.expect->tls.has_value());
  EXPECT_EQ(s4.expect->tls->outcome, "handshake_failure");
  EXPECT_EQ(s4.expect->duration->min, Duration(10));
  EXPECT_EQ(s4.expect->duration->max, Duration(60000));

  // Step 5: received.
  const Step& s5 = a.steps[4];
  EXPECT_EQ(s5.kind, Step::Kind::kReceived);
  EXPECT_EQ(Body<ReceivedStep>(s5).service, "sink");
  EXPECT_EQ(Body<ReceivedStep>(s5).method->raw(), "POST");
  EXPECT_EQ(Body<ReceivedStep>(s5).path->raw(), "/notify");
  ASSERT_TRUE(s5.expect->count.has_value());
  EXPECT_FALSE(s5.expect->count->exactly.has_value());
  EXPECT_EQ(s5.expect->count->min, 1);
  EXPECT_EQ(s5.expect->count->max, 3);
  EXPECT_EQ(s5.expect->headers[0].first, "x-sig");

  // Scenario 2: a matrix.
  const Scenario& b = suite->scenarios[1];
  EXPECT_EQ(b.id, "GW-002");
  EXPECT_EQ(b.name.raw(), "hostile token ${mutation} on ${where}");
  EXPECT_EQ(b.name.loc().ToString(), "suites/gw.yaml:49:11");
  EXPECT_THAT(b.matrix, ElementsAre(Pair("mutation", ElementsAre("alg_none", "expired")),
                                    Pair("where", ElementsAre("header", "12"))));
  ASSERT_EQ(b.steps.size(), 4u);
  const RequestStep& r2 = Body<RequestStep>(b.steps[0]);
  EXPECT_EQ(r2.method.raw(), "GET");  // the default
  EXPECT_EQ(r2.body.kind, BodySpec::Kind::kForm);
  ASSERT_EQ(r2.body.form.size(), 2u);
  EXPECT_EQ(r2.body.form[0].first, "a");
  EXPECT_EQ(r2.body.form[0].second.raw(), "${mutation}");
  EXPECT_EQ(r2.body.form[1].second.raw(), "c");
  EXPECT_EQ(r2.auth->kind, AuthSpec::Kind::kBearer);
  EXPECT_EQ(r2.auth->token.raw(), "${where}");
  ASSERT_TRUE(r2.sign.has_value());
  EXPECT_EQ(r2.sign->value, nlohmann::json::parse(R"({"profile": "v3", "secret": "${secret.k}"})"));
  EXPECT_FALSE(r2.has_tls);
  EXPECT_EQ(b.steps[0].expect->body[0].operand.value, "plain");
  EXPECT_EQ(Body<WaitStep>(b.steps[1]).duration, Duration(100));
  const RequestStep& r3 = Body<RequestStep>(b.steps[2]);
  EXPECT_EQ(r3.body.kind, BodySpec::Kind::kRaw);
  EXPECT_EQ(r3.body.raw.raw(), "raw $${x} ${mutation}");
  EXPECT_EQ(b.steps[2].expect->json[0].second.operand.value,
            nlohmann::json::parse(R"({"a": [1]})"));
  EXPECT_EQ(b.steps[3].expect->count->exactly, 0);
}

// A suite of one scenario around the given steps (indented by six spaces); steps start on
// line 7.
std::string WithSteps(const std::string& steps) {
  return "suite: s\n"
         "requires: [sink]\n"
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

TEST(ParseSuite, MisspeltTopLevelKeyGetsOneErrorWithDidYouMean) {
  std::string text = "suite: s\nscenarois: []\n";
  EXPECT_EQ(Errors(text),
            "error: unknown key `scenarois`\n"
            "  --> x.yaml:2:1\n"
            "   |\n"
            " 2 | scenarois: []\n"
            "   | ^^^^^^^^^ found `scenarois`, expected one of: suite, title, requires, tags, "
            "vars, scenarios\n"
            "   = help: did you mean `scenarios`?\n\n");
}

TEST(ParseSuite, DocumentThatIsNotAMapping) {
  EXPECT_EQ(Errors("- a\n- b\n"),
            "error: invalid document\n"
            "  --> x.yaml:1:1\n"
            "   |\n"
            " 1 | - a\n"
            "   | ^ found a list, expected a mapping with `suite:` and `scenarios:`\n\n");
}

TEST(ParseSuite, EmptyScenarioListIsAnError) {
  EXPECT_EQ(Errors("suite: s\nscenarios: []\n"),
            "error: invalid value for `scenarios`\n"
            "  --> x.yaml:2:12\n"
            "   |\n"
            " 2 | scenarios: []\n"
            "   |            ^ found an empty list, expected a list of at least one scenario\n\n");
}

TEST(ParseSuite, TwoStepKindsInOneStep) {
  EXPECT_EQ(Errors(WithSteps("      - wait: 1s\n        replay: previous\n")),
            "error: more than one step kind\n"
            "  --> x.yaml:9:9\n"
            "   |\n"
            " 9 |         replay: previous\n"
            "   |         ^^^^^^ found `replay`, expected one kind per step (this step is "
            "already a `wait`)\n\n");
}

TEST(ParseSuite, NotifyStepReadsTokenHeaderAndId) {
  Diagnostics diags;
  std::string text = WithSteps(
      "      - notify:\n"
      "          url: ${target.url}/notification\n"
      "          token: {issuer: sink, audience: aud, scope: WebhooksLambda, mutate: expired}\n"
      "          header: {name: X-Key, value: \"${secret.key}\"}\n"
      "          id: auth-${uuid()}\n"
      "          additional_data: {bankId: b1}\n"
      "        save: n\n"
      "        expect: {status: 2xx}\n"
      "      - replay: n\n");
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite) << diags.RenderWithText(text);
  const Step& step = suite->scenarios[0].steps[0];
  EXPECT_EQ(step.kind, Step::Kind::kNotify);
  const NotifyStep& n = Body<NotifyStep>(step);
  EXPECT_EQ(n.url.raw(), "${target.url}/notification");
  ASSERT_TRUE(n.token);
  EXPECT_EQ(n.token->issuer, "sink");
  EXPECT_EQ(n.token->mutate->raw(), "expired");
  EXPECT_EQ(n.header_name->raw(), "X-Key");
  EXPECT_EQ(n.header_value->raw(), "${secret.key}");
  EXPECT_EQ(n.id->raw(), "auth-${uuid()}");
  EXPECT_EQ(n.additional_data->value, nlohmann::json({{"bankId", "b1"}}));
  EXPECT_EQ(step.save, "n");
}

TEST(ParseSuite, NotifyHeaderNeedsAValue) {
  EXPECT_EQ(Errors(WithSteps("      - notify: {url: /x, header: {name: X-Key}}\n")),
            "error: missing required key `value`\n"
            "  --> x.yaml:8:35\n"
            "   |\n"
            " 8 |       - notify: {url: /x, header: {name: X-Key}}\n"
            "   |                                   ^ expected `value` in this mapping\n\n");
}

TEST(ParseSuite, NotifyWebhookReadsSchemeSecretsVariantAndId) {
  Diagnostics diags;
  std::string text = WithSteps(
      "      - notify:\n"
      "          url: /hooks\n"
      "          webhook: {scheme: stripe, secrets: [old, \"${secret.key}\"], variant: "
      "stale_timestamp, id: m-1}\n"
      "      - notify: {url: /hooks, webhook: {scheme: github, secret: s, variant: none}}\n");
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite) << diags.RenderWithText(text);
  const NotifyStep& n = Body<NotifyStep>(suite->scenarios[0].steps[0]);
  ASSERT_TRUE(n.webhook);
  EXPECT_FALSE(n.token);
  EXPECT_EQ(n.webhook->scheme, "stripe");
  ASSERT_EQ(n.webhook->secrets.size(), 2u);
  EXPECT_EQ(n.webhook->secrets[1].raw(), "${secret.key}");
  EXPECT_EQ(n.webhook->variant, "stale_timestamp");
  EXPECT_EQ(n.webhook->id->raw(), "m-1");
  const NotifyStep& g = Body<NotifyStep>(suite->scenarios[0].steps[1]);
  EXPECT_EQ(g.webhook->variant, "");  // `none` is a correct delivery
}

TEST(ParseSuite, NotifyWebhookRejectsUnknownSchemeAndVariantWithTheirLines) {
  // The owners' tables (crypto, runner) are registered by the program; here, stand-ins.
  RegisterTerms(vocabulary::kWebhookScheme,
                {{"standard-webhooks", "s"}, {"stripe", "s"}, {"github", "s"}});
  RegisterTerms(vocabulary::kWebhookVariant,
                {{"none", "v"}, {"stale_timestamp", "v"}, {"duplicate_id", "v"}});
  std::string errors = Errors(WithSteps(
      "      - notify: {url: /x, webhook: {scheme: svix, secret: s}}\n"
      "      - notify: {url: /x, webhook: {scheme: stripe, secret: s, variant: late}}\n"));
  EXPECT_NE(errors.find("error: unknown webhook scheme `svix`\n  --> x.yaml:8:"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("standard-webhooks, stripe"), std::string::npos) << errors;
  EXPECT_NE(errors.find("error: unknown webhook variant `late`\n  --> x.yaml:9:"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("duplicate_id"), std::string::npos) << errors;
}

TEST(ParseSuite, NotifyWebhookRefusesVariantsThatAreNoDefectForTheScheme) {
  std::string errors = Errors(WithSteps(
      "      - notify: {url: /x, webhook: {scheme: github, secret: s, variant: stale_timestamp}}\n"
      "      - notify: {url: /x, webhook: {scheme: github, secrets: [a, b]}}\n"
      "      - notify: {url: /x, webhook: {scheme: stripe, secret: a, secrets: [b]}}\n"
      "      - notify: {url: /x, webhook: {scheme: stripe}}\n"));
  EXPECT_NE(errors.find("variant `stale_timestamp` does not apply to `github`\n  --> x.yaml:8:"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("several `secrets` for `github`\n  --> x.yaml:9:"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("both `secret` and `secrets`\n   --> x.yaml:10:"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("missing `secret` in `webhook`\n   --> x.yaml:11:"), std::string::npos)
      << errors;
}

TEST(ParseSuite, MisspeltExpectInAStepIsAnUnknownKey) {
  EXPECT_EQ(Errors(WithSteps("      - wait: 1s\n        exepct: {}\n")),
            "error: unknown key `exepct`\n"
            "  --> x.yaml:9:9\n"
            "   |\n"
            " 9 |         exepct: {}\n"
            "   |         ^^^^^^ found `exepct`, expected one of: save, expect\n"
            "   = help: did you mean `expect`?\n\n");
}

TEST(ParseSuite, StepWithoutAKind) {
  EXPECT_EQ(
      Errors(WithSteps("      - save: x\n")),
      "error: missing step kind\n"
      "  --> x.yaml:8:9\n"
      "   |\n"
      " 8 |       - save: x\n"
      "   |         ^ expected one of: request, replay, race, wait, received, token, notify, mock, "
      "clock in this step\n\n");
}

TEST(ParseSuite, AtMostOneRequestBody) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /x, json: {}, form: {a: b}}\n")),
            "error: more than one request body\n"
            "  --> x.yaml:8:38\n"
            "   |\n"
            " 8 |       - request: {url: /x, json: {}, form: {a: b}}\n"
            "   |                                      ^^^^ found `form`, expected at most one of "
            "`json`, `form`, `body` (this request already has `json`)\n\n");
}

TEST(ParseSuite, MissingUrlPointsAtTheRequestMapping) {
  EXPECT_EQ(Errors(WithSteps("      - request:\n          method: GET\n")),
            "error: missing required key `url`\n"
            "  --> x.yaml:9:11\n"
            "   |\n"
            " 9 |           method: GET\n"
            "   |           ^ expected `url` in this mapping\n\n");
}

TEST(ParseSuite, LowerCaseMethodIsRejected) {
  EXPECT_EQ(Errors(WithSteps("      - request: {method: get, url: /x}\n")),
            "error: invalid value for `method`\n"
            "  --> x.yaml:8:27\n"
            "   |\n"
            " 8 |       - request: {method: get, url: /x}\n"
            "   |                           ^^^ found `get`, expected an HTTP method in "
            "capitals, such as GET or POST\n\n");
}

TEST(ParseSuite, MatcherWithTwoOperators) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /x}\n"
                             "        expect: {body: {contains: a, equals: b}}\n")),
            "error: invalid matcher\n"
            "  --> x.yaml:9:24\n"
            "   |\n"
            " 9 |         expect: {body: {contains: a, equals: b}}\n"
            "   |                        ^ found several keys, expected exactly one of: equals, "
            "matches, contains, exists, not\n\n");
}

TEST(ParseSuite, ExpectationNotTakenByTheStepKind) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /x}\n"
                             "        expect: {count: 1}\n")),
            "error: a `request` step cannot expect `count`\n"
            "  --> x.yaml:9:18\n"
            "   |\n"
            " 9 |         expect: {count: 1}\n"
            "   |                  ^^^^^ found `count`, expected one of: status, headers, json, "
            "body, rejected, tls, one_of, duration\n"
            "   = help: `count` applies to `received` steps\n\n");
}

TEST(ParseSuite, WaitTakesNoExpect) {
  EXPECT_EQ(Errors(WithSteps("      - wait: 1s\n        expect: {status: 200}\n")),
            "error: a `wait` step takes no `expect`\n"
            "  --> x.yaml:9:9\n"
            "   |\n"
            " 9 |         expect: {status: 200}\n"
            "   |         ^^^^^^\n\n");
}

TEST(ParseSuite, BadDurationsAndCounts) {
  EXPECT_EQ(Errors(WithSteps("      - wait: 2 s\n"
                             "      - request: {url: /x, timeout: 5}\n"
                             "      - replay: {concurrent: 65}\n"
                             "        expect: {duration: 2s}\n")),
            "error: invalid value for `wait`\n"
            "  --> x.yaml:8:15\n"
            "   |\n"
            " 8 |       - wait: 2 s\n"
            "   |               ^^^ found `2 s`, expected a duration such as 500ms, 2s, 1m or 1h\n"
            "\n"
            "error: invalid value for `timeout`\n"
            "  --> x.yaml:9:37\n"
            "   |\n"
            " 9 |       - request: {url: /x, timeout: 5}\n"
            "   |                                     ^ found `5`, expected a duration such "
            "as 500ms, 2s, 1m or 1h\n"
            "\n"
            "error: invalid value for `concurrent`\n"
            "   --> x.yaml:10:30\n"
            "    |\n"
            " 10 |       - replay: {concurrent: 65}\n"
            "    |                              ^^ found `65`, expected an integer from 1 to 64\n"
            "\n"
            "error: invalid value for `duration`\n"
            "   --> x.yaml:11:28\n"
            "    |\n"
            " 11 |         expect: {duration: 2s}\n"
            "    |                            ^^ found `2s`, expected `< 500ms`, `> 1s` or a "
            "mapping with `min` and/or `max`\n"
            "\n");
}

TEST(ParseSuite, StatusOutOfRangeAndMapping) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /x}\n"
                             "        expect: {status: 600, exactly_one: {a: 1}}\n")),
            "error: a `request` step cannot expect `exactly_one`\n"
            "  --> x.yaml:9:31\n"
            "   |\n"
            " 9 |         expect: {status: 600, exactly_one: {a: 1}}\n"
            "   |                               ^^^^^^^^^^^ found `exactly_one`, expected one of: "
            "status, headers, json, body, rejected, tls, one_of, duration\n"
            "   = help: `exactly_one` applies to `replay` and `race` steps\n"
            "\n"
            "error: invalid value for `status`\n"
            "  --> x.yaml:9:26\n"
            "   |\n"
            " 9 |         expect: {status: 600, exactly_one: {a: 1}}\n"
            "   |                          ^^^ found `600`, expected a status code (e.g. 200) or "
            "class (e.g. 4xx)\n"
            "\n");
}

TEST(ParseSuite, ReplayOfPreviousNeedsAnEarlierRequest) {
  EXPECT_EQ(Errors(WithSteps("      - replay: previous\n")),
            "error: nothing to replay\n"
            "  --> x.yaml:8:17\n"
            "   |\n"
            " 8 |       - replay: previous\n"
            "   |                 ^^^^^^^^ found `previous`, expected an earlier `request` step "
            "in this scenario\n\n");
}

TEST(ParseSuite, ReplayWithoutOfDefaultsToPrevious) {
  EXPECT_EQ(Errors(WithSteps("      - wait: 1s\n      - replay: {concurrent: 3}\n")),
            "error: nothing to replay\n"
            "  --> x.yaml:9:17\n"
            "   |\n"
            " 9 |       - replay: {concurrent: 3}\n"
            "   |                 ^ expected an earlier `request` step in this scenario (`of` "
            "defaults to `previous`)\n\n");
}

TEST(ParseSuite, ReplayOfAReceivedStepIsRefused) {
  EXPECT_EQ(Errors(WithSteps("      - received: {service: sink}\n        save: r\n"
                             "      - replay: r\n")),
            "error: `r` cannot be replayed\n"
            "   --> x.yaml:10:17\n"
            "    |\n"
            " 10 |       - replay: r\n"
            "    |                 ^ found `r`, expected a name saved by a request or replay "
            "step; `r` was saved by a `received` step\n\n");
}

TEST(ParseSuite, TemplateInAQuotedScalarPointsInsideTheQuotes) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: \"https://h/${target.url\"}\n")),
            "error: invalid template\n"
            "  --> x.yaml:8:35\n"
            "   |\n"
            " 8 |       - request: {url: \"https://h/${target.url\"}\n"
            "   |                                   ^^^^^^^^^^^^ found end of text, expected "
            "`}` to close the `${` at byte 10\n\n");
}

TEST(ParseSuite, ATemplateMayOnlyUseNamesSavedEarlier) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: \"${login.token}\"}\n"
                             "      - request: {url: /login}\n"
                             "        save: login\n")),
            "error: unknown name `login` in template\n"
            "  --> x.yaml:8:27\n"
            "   |\n"
            " 8 |       - request: {url: \"${login.token}\"}\n"
            "   |                           ^^^^^ found `login`, expected one of: target, "
            "services, env, secret, pki, dpop\n\n");
}

TEST(ParseSuite, SaveMayNotHideAnotherName) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /x}\n        save: target\n")),
            "error: saved name `target` is already in use\n"
            "  --> x.yaml:9:15\n"
            "   |\n"
            " 9 |         save: target\n"
            "   |               ^^^^^^ found `target`, expected a name other than: target, "
            "services, env, secret, pki, dpop, previous\n\n");
}

TEST(ParseSuite, DuplicateKeysAndScenarioIds) {
  std::string text =
      "suite: s\n"
      "suite: t\n"
      "scenarios:\n"
      "  - {id: A, name: n, requirements: [R], steps: [{wait: 1s}]}\n"
      "  - {id: A, name: n, requirements: [R], steps: [{wait: 1s}]}\n";
  EXPECT_EQ(Errors(text),
            "error: duplicate key `suite`\n"
            "  --> x.yaml:2:1\n"
            "   |\n"
            " 2 | suite: t\n"
            "   | ^^^^^ found a second `suite`, expected each key at most once\n"
            "   = help: the first `suite` is on line 1\n"
            "\n"
            "error: duplicate scenario id `A`\n"
            "  --> x.yaml:5:10\n"
            "   |\n"
            " 5 |   - {id: A, name: n, requirements: [R], steps: [{wait: 1s}]}\n"
            "   |          ^ found `A` again, expected an id unique in this suite\n"
            "   = help: the first `A` is on line 4\n"
            "\n");
}

TEST(ParseSuite, TlsVersionsAndJsonPointers) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /x, tls: {min_version: TLSv1.2}}\n"
                             "        expect: {json: {id: 1}}\n")),
            "error: invalid value for `min_version`\n"
            "  --> x.yaml:8:47\n"
            "   |\n"
            " 8 |       - request: {url: /x, tls: {min_version: TLSv1.2}}\n"
            "   |                                               ^^^^^^^ found `TLSv1.2`, expected "
            "one of: 1.0, 1.1, 1.2, 1.3\n"
            "\n"
            "error: invalid JSON pointer `id`\n"
            "  --> x.yaml:9:25\n"
            "   |\n"
            " 9 |         expect: {json: {id: 1}}\n"
            "   |                         ^^ found `id`, expected a JSON pointer such as /id or "
            "/items/0/name (\"\" for the whole body)\n"
            "\n");
}

TEST(ParseSuite, MatrixKeysAreTemplateNamesAndValuesMustBeScalars) {
  std::string text =
      "suite: s\n"
      "scenarios:\n"
      "  - id: A\n"
      "    name: ${mutaton}\n"
      "    requirements: [R]\n"
      "    matrix:\n"
      "      mutation: [a, b]\n"
      "      bad: [{x: 1}]\n"
      "    steps: [{wait: 1s}]\n";
  EXPECT_EQ(Errors(text),
            "error: invalid value for `bad`\n"
            "  --> x.yaml:8:13\n"
            "   |\n"
            " 8 |       bad: [{x: 1}]\n"
            "   |             ^ found a mapping, expected a scalar value\n"
            "\n"
            "error: unknown name `mutaton` in template\n"
            "  --> x.yaml:4:13\n"
            "   |\n"
            " 4 |     name: ${mutaton}\n"
            "   |             ^^^^^^^ found `mutaton`, expected one of: target, services, env, "
            "secret, pki, dpop, mutation\n"
            "   = help: did you mean `mutation`?\n"
            "\n");
}

TEST(ParseSuite, VarsMayOnlyUseEarlierVars) {
  std::string text =
      "suite: s\n"
      "vars:\n"
      "  a: ${b}\n"
      "  b: x\n"
      "scenarios: [{id: A, name: n, requirements: [R], steps: [{wait: 1s}]}]\n";
  EXPECT_EQ(Errors(text),
            "error: unknown name `b` in template\n"
            "  --> x.yaml:3:8\n"
            "   |\n"
            " 3 |   a: ${b}\n"
            "   |        ^ found `b`, expected one of: target, services, env, secret, pki, dpop\n"
            "\n");
}

TEST(ParseSuite, AStepWithAMistakeStillDeclaresItsSavedName) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /a, timeout: soon}\n"
                             "        save: login\n"
                             "      - request: {url: \"${login.response.json.next}\"}\n"
                             "      - replay: login\n")),
            "error: invalid value for `timeout`\n"
            "  --> x.yaml:8:37\n"
            "   |\n"
            " 8 |       - request: {url: /a, timeout: soon}\n"
            "   |                                     ^^^^ found `soon`, expected a duration "
            "such as 500ms, 2s, 1m or 1h\n\n");
}

TEST(ParseSuite, ExpectationsMayUseTheirOwnStepsSaveAndPrevious) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: /a}\n"
                             "        save: first\n"
                             "        expect: {headers: {x-id: \"${first.request.id}\"}}\n"
                             "      - request: {url: \"${previous.response.json.next}\"}\n"
                             "      - replay: {concurrent: 2}\n")),
            "loaded");
}

// A "billion laughs" document: nine levels of ten aliases each would expand to 10^9 nodes
// in a json: body. The loader stops at its node budget with a diagnostic, at once.
TEST(ParseSuite, AnAliasBombInAJsonBodyIsADiagnosticNotAnExplosion) {
  std::string text =
      "suite: s\n"
      "scenarios:\n"
      "  - id: A\n"
      "    name: a\n"
      "    requirements: [R]\n"
      "    steps:\n"
      "      - request:\n"
      "          url: http://x\n"
      "          json:\n"
      "            l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    text += "            l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
    text += "]\n";
  }
  Diagnostics diags;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(ParseSuite(text, "bomb.yaml", diags));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  std::string rendered = diags.RenderWithText(text);
  EXPECT_THAT(rendered, ::testing::HasSubstr("error: value too large"));
  EXPECT_THAT(rendered, ::testing::HasSubstr("more than 100000 nodes once aliases are expanded"));
  EXPECT_EQ(diags.items().size(), 1u) << rendered;
}

// Found by fuzz_suite: an alias inside its own anchor's node is a cycle in yaml-cpp's
// graph; walking it overflowed the stack before the node budget ran out.
TEST(ParseSuite, AnAliasInsideItsOwnAnchorIsADiagnosticNotAStackOverflow) {
  std::string text =
      "suite: s\n"
      "scenarios:\n"
      "  - id: A\n"
      "    name: a\n"
      "    requirements: [R]\n"
      "    steps:\n"
      "      - request:\n"
      "          url: http://x\n"
      "          json: {a: &a [*a, x]}\n";
  Diagnostics diags;
  EXPECT_FALSE(ParseSuite(text, "cycle.yaml", diags));
  std::string rendered = diags.RenderWithText(text);
  EXPECT_THAT(rendered, ::testing::HasSubstr("error: value nested too deeply"));
  EXPECT_THAT(rendered, ::testing::HasSubstr("more than 64 levels of nesting"));
  EXPECT_EQ(diags.items().size(), 1u) << rendered;
}

// Honest deep nesting gets the same diagnostic (and 64 levels still load).
TEST(ParseSuite, DeeplyNestedJsonBodyIsADiagnostic) {
  auto suite = [](int depth) {
    return "suite: s\n"
           "scenarios:\n"
           "  - id: A\n"
           "    name: a\n"
           "    requirements: [R]\n"
           "    steps:\n"
           "      - request:\n"
           "          url: http://x\n"
           "          json: " +
           std::string(depth, '[') + std::string(depth, ']') + "\n";
  };
  Diagnostics deep;
  EXPECT_FALSE(ParseSuite(suite(200), "deep.yaml", deep));
  EXPECT_THAT(deep.RenderWithText(suite(200)),
              ::testing::HasSubstr("error: value nested too deeply"));
  Diagnostics ok;
  EXPECT_TRUE(ParseSuite(suite(64), "ok.yaml", ok)) << ok.RenderWithText(suite(64));
}

}  // namespace
}  // namespace tollgate
