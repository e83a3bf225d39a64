#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "test_render.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

using ::testing::ElementsAre;

const char kEnvironment[] = R"yaml(environment: dev
services:
  sink:
    kind: receiver
    port: 0
    bind: 127.0.0.5
    status: 202
    body: ok
    headers: {X-A: "${env.TG_TEST_HDR}", X-B: "${env.TG_TEST_UNSET_VAR:-fallback}"}
    journal_limit: 100
    tls: true
    public_url: https://sink.example/${env.TG_TEST_HDR}
  bank-api:
    kind: connectpay
    realm: bank
    clients:
      app1: {secret: "${env.TG_TEST_UNSET_VAR:-dev-only}"}
      app2: {secret: plain}
    basic_paths: [/generic]
    bearer_paths: [/data, /accounts]
    faults: [skip_scope_check, accept_any_client]
default_target: bank-api
)yaml";

TEST(ParseEnvironment, ReadsServicesWithTheirKindsConfigAndFaults) {
  ::setenv("TG_TEST_HDR", "from-env", 1);
  ::unsetenv("TG_TEST_UNSET_VAR");
  Diagnostics diags;
  std::optional<Environment> env = ParseEnvironment(kEnvironment, "mocks/dev.yaml", diags);
  ASSERT_TRUE(env.has_value()) << RenderWithText(diags, kEnvironment);
  EXPECT_EQ(env->name, "dev");
  EXPECT_EQ(env->file, "mocks/dev.yaml");
  EXPECT_EQ(env->default_target, "bank-api");
  ASSERT_EQ(env->services.size(), 2u);

  const ServiceDecl& sink = env->services[0];
  EXPECT_EQ(sink.name, "sink");
  EXPECT_EQ(sink.kind, "receiver");
  EXPECT_EQ(sink.loc.ToString(), "mocks/dev.yaml:3:3");
  EXPECT_TRUE(sink.faults.empty());
  EXPECT_EQ(sink.config, nlohmann::json::parse(R"({
      "port": 0, "bind": "127.0.0.5", "status": 202, "body": "ok",
      "headers": {"X-A": "from-env", "X-B": "fallback"},
      "journal_limit": 100, "tls": true,
      "public_url": "https://sink.example/from-env"})"));

  const ServiceDecl& bank = env->services[1];
  EXPECT_EQ(bank.name, "bank-api");
  EXPECT_EQ(bank.kind, "connectpay");
  EXPECT_THAT(bank.faults, ElementsAre("skip_scope_check", "accept_any_client"));
  EXPECT_EQ(bank.config, nlohmann::json::parse(R"({
      "realm": "bank",
      "clients": {"app1": {"secret": "dev-only"}, "app2": {"secret": "plain"}},
      "basic_paths": ["/generic"], "bearer_paths": ["/data", "/accounts"]})"));
}

std::string Errors(const std::string& text) {
  Diagnostics diags;
  std::optional<Environment> env = ParseEnvironment(text, "env.yaml", diags);
  if (env) return diags.empty() ? "loaded" : "loaded with diagnostics";
  return RenderWithText(diags, text);
}

TEST(ParseEnvironment, UnknownKindWithDidYouMean) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  s: {kind: reciever}\n"),
            "error: unknown service kind `reciever`\n"
            "  --> env.yaml:3:13\n"
            "   |\n"
            " 3 |   s: {kind: reciever}\n"
            "   |             ^^^^^^^^ found `reciever`, expected one of: receiver, connectpay, "
            "issuer, jwks, mtls, gateway, signed-api, sage-connector\n"
            "   = help: did you mean `receiver`?\n\n");
}

TEST(ParseEnvironment, RecognisedKindNotSupportedYet) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  id:\n    kind: issuer\n    keys: []\n"),
            "error: service kind `issuer` is not supported yet\n"
            "  --> env.yaml:4:11\n"
            "   |\n"
            " 4 |     kind: issuer\n"
            "   |           ^^^^^^\n"
            "   = help: supported kinds: receiver, connectpay\n\n");
}

TEST(ParseEnvironment, KeysAreCheckedAgainstTheKind) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  s:\n    kind: receiver\n    realm: x\n"),
            "error: unknown key `realm` for a `receiver` service\n"
            "  --> env.yaml:5:5\n"
            "   |\n"
            " 5 |     realm: x\n"
            "   |     ^^^^^ found `realm`, expected one of: kind, faults, port, bind, public_url, "
            "journal_limit, tls, status, body, headers\n\n");
}

TEST(ParseEnvironment, MissingKindAndBadPort) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  a: {port: 1}\n  b: {kind: receiver, port: "
                   "70000}\n"),
            "error: missing required key `kind`\n"
            "  --> env.yaml:3:6\n"
            "   |\n"
            " 3 |   a: {port: 1}\n"
            "   |      ^ expected `kind` in this mapping\n"
            "\n"
            "error: invalid value for `port`\n"
            "  --> env.yaml:4:29\n"
            "   |\n"
            " 4 |   b: {kind: receiver, port: 70000}\n"
            "   |                             ^^^^^ found `70000`, expected an integer from 0 to "
            "65535\n"
            "\n");
}

TEST(ParseEnvironment, DefaultTargetMustNameAService) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  sink: {kind: receiver}\ndefault_target: snk\n"),
            "error: unknown service `snk` in `default_target`\n"
            "  --> env.yaml:4:17\n"
            "   |\n"
            " 4 | default_target: snk\n"
            "   |                 ^^^ found `snk`, expected one of: sink\n"
            "   = help: did you mean `sink`?\n\n");
}

TEST(ParseEnvironment, TemplatesMayOnlyUseEnvAndMustResolve) {
  ::unsetenv("TG_TEST_UNSET_VAR");
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  s:\n"
                   "    kind: receiver\n"
                   "    body: ${env.TG_TEST_UNSET_VAR}\n"
                   "    bind: ${target.host}\n"
                   "    public_url: x/${uuid()}\n"),
            "error: environment variable `TG_TEST_UNSET_VAR` is not set\n"
            "  --> env.yaml:5:11\n"
            "   |\n"
            " 5 |     body: ${env.TG_TEST_UNSET_VAR}\n"
            "   |           ^^^^^^^^^^^^^^^^^^^^^^^^ found `${env.TG_TEST_UNSET_VAR}`\n"
            "   = help: set it, or give a default: ${env.NAME:-value}\n"
            "\n"
            "error: unknown name `target` in template\n"
            "  --> env.yaml:6:13\n"
            "   |\n"
            " 6 |     bind: ${target.host}\n"
            "   |             ^^^^^^ found `target`, expected `env.NAME` (an environment file can "
            "only use environment variables)\n"
            "\n"
            "error: function `uuid()` is not allowed here\n"
            "  --> env.yaml:7:21\n"
            "   |\n"
            " 7 |     public_url: x/${uuid()}\n"
            "   |                     ^^^^ found `uuid()`, expected values known when the file "
            "loads: `env.NAME` or `base64(...)`\n"
            "\n");
}

TEST(ParseEnvironment, ClientEntriesNeedASecret) {
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  b:\n"
                   "    kind: connectpay\n"
                   "    clients:\n"
                   "      app: {scret: x}\n"),
            "error: unknown key `scret`\n"
            "  --> env.yaml:6:13\n"
            "   |\n"
            " 6 |       app: {scret: x}\n"
            "   |             ^^^^^ found `scret`, expected one of: secret\n"
            "   = help: did you mean `secret`?\n"
            "\n");
}

TEST(ParseEnvironment, TopLevelKeysAreRequired) {
  EXPECT_EQ(Errors("environment: e\n"),
            "error: missing required key `services`\n"
            "  --> env.yaml:1:1\n"
            "   |\n"
            " 1 | environment: e\n"
            "   | ^ expected `services` in this mapping\n\n");
}

}  // namespace
}  // namespace tollgate
