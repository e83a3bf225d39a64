// Each kind's config schema (its Vocabulary().keys), as the environment loader applies it
// once RegisterMockKinds() has run: what a file may say, and the exact diagnostics when it
// says something else. The loader's own mechanics: src/scenario/environment_loader_test.cc.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tollgate/mocks/service.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

using ::testing::ElementsAre;

std::optional<Environment> Parse(const std::string& text, const std::string& path,
                                 Diagnostics& diags) {
  RegisterMockKinds();
  return ParseEnvironment(text, path, diags);
}

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
    tls: {identity: server, min_version: "1.2"}
    public_url: https://sink.example/${env.TG_TEST_HDR}
  bank-api:
    kind: connectpay
    realm: bank
    clients:
      app1: {secret: "${env.TG_TEST_UNSET_VAR:-dev-only}"}
      app2: {secret: plain}
    basic_paths: [/generic]
    bearer_paths: [/data, /accounts]
    faults: [no_scope_check, accept_any_secret]
default_target: bank-api
)yaml";

TEST(ServiceSchemas, ReadsServicesWithTheirKindsConfigAndFaults) {
  ::setenv("TG_TEST_HDR", "from-env", 1);
  ::unsetenv("TG_TEST_UNSET_VAR");
  Diagnostics diags;
  std::optional<Environment> env = Parse(kEnvironment, "mocks/dev.yaml", diags);
  ASSERT_TRUE(env.has_value()) << diags.RenderWithText(kEnvironment);
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
      "journal_limit": 100, "tls": {"identity": "server", "min_version": "1.2"},
      "public_url": "https://sink.example/from-env"})"));

  const ServiceDecl& bank = env->services[1];
  EXPECT_EQ(bank.name, "bank-api");
  EXPECT_EQ(bank.kind, "connectpay");
  EXPECT_THAT(bank.faults, ElementsAre("no_scope_check", "accept_any_secret"));
  EXPECT_EQ(bank.config, nlohmann::json::parse(R"({
      "realm": "bank",
      "clients": {"app1": {"secret": "dev-only"}, "app2": {"secret": "plain"}},
      "basic_paths": ["/generic"], "bearer_paths": ["/data", "/accounts"]})"));
}

std::string Errors(const std::string& text) {
  Diagnostics diags;
  std::optional<Environment> env = Parse(text, "env.yaml", diags);
  if (env) return diags.empty() ? "loaded" : "loaded with diagnostics";
  return diags.RenderWithText(text);
}

// Line numbers in comments: the tests below check locations against them.
const char kTokenEnvironment[] = R"yaml(environment: tokens
services:
  sage_id:
    kind: issuer
    keys: [{kid: k1, alg: RS256}, {kid: k2, alg: EdDSA}]
    issuer: https://id.example
    audiences: [sfdsbanking/sfdsBankingProvider-Pre]
    clients:
      banking-service:
        secret: "${env.TG_TEST_UNSET_VAR:-dev-only}"
        scopes: [WebhooksLambda, ProviderAPI]
        roles: [reader]
        audience: api
        grants: [client_credentials, refresh_token]
    token_ttl: 1h
    refresh_ttl: 24h
    typ: at+jwt
    jwks_max_age: 5m
  keys_host:
    kind: jwks
    keys: []
    max_age: 10m
    port: 0
  gw:
    kind: gateway
    trust: {issuer: sage_id, audience: api}
    path: /payments
    message_types:
      pacs.008: {required: [amount, creditor]}
    unassigned_status: 403
    algorithms: [RS256, ES256]
    leeway: 30s
    typ: at+jwt
    scoped_paths: {/payments: payments.write}
    refetch_cooldown: 1m
    realm: bank
    faults: [ignore_audience]
default_target: gw
)yaml";

TEST(ServiceSchemas, ReadsIssuerJwksAndGatewayServices) {
  ::unsetenv("TG_TEST_UNSET_VAR");
  Diagnostics diags;
  std::optional<Environment> env = Parse(kTokenEnvironment, "mocks/t.yaml", diags);
  ASSERT_TRUE(env.has_value()) << diags.RenderWithText(kTokenEnvironment);
  ASSERT_EQ(env->services.size(), 3u);

  const ServiceDecl& issuer = env->services[0];
  EXPECT_EQ(issuer.kind, "issuer");
  EXPECT_EQ(issuer.loc.ToString(), "mocks/t.yaml:3:3");
  EXPECT_EQ(issuer.config, nlohmann::json::parse(R"({
      "keys": [{"kid": "k1", "alg": "RS256"}, {"kid": "k2", "alg": "EdDSA"}],
      "issuer": "https://id.example",
      "audiences": ["sfdsbanking/sfdsBankingProvider-Pre"],
      "clients": {"banking-service": {
          "secret": "dev-only", "scopes": ["WebhooksLambda", "ProviderAPI"],
          "roles": ["reader"], "audience": "api",
          "grants": ["client_credentials", "refresh_token"]}},
      "token_ttl": "1h", "refresh_ttl": "24h", "typ": "at+jwt", "jwks_max_age": "5m"})"));

  const ServiceDecl& jwks = env->services[1];
  EXPECT_EQ(jwks.kind, "jwks");
  EXPECT_EQ(jwks.config, nlohmann::json::parse(R"({"keys": [], "max_age": "10m", "port": 0})"));

  const ServiceDecl& gw = env->services[2];
  EXPECT_EQ(gw.kind, "gateway");
  EXPECT_EQ(gw.loc.ToString(), "mocks/t.yaml:24:3");
  EXPECT_THAT(gw.faults, ElementsAre("ignore_audience"));
  EXPECT_EQ(gw.config, nlohmann::json::parse(R"({
      "trust": {"issuer": "sage_id", "audience": "api"},
      "path": "/payments",
      "message_types": {"pacs.008": {"required": ["amount", "creditor"]}},
      "unassigned_status": 403,
      "algorithms": ["RS256", "ES256"],
      "leeway": "30s", "typ": "at+jwt",
      "scoped_paths": {"/payments": "payments.write"},
      "refetch_cooldown": "1m", "realm": "bank"})"));
  EXPECT_EQ(env->default_target, "gw");
}

TEST(ServiceSchemas, UnknownAlgInAnIssuerKey) {
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  id:\n"
                   "    kind: issuer\n"
                   "    keys: [{kid: k1, alg: RS265}, {kid: k2, alg: HS256}, {alg: ES256}]\n"),
            "error: invalid value for `alg`\n"
            "  --> env.yaml:5:27\n"
            "   |\n"
            " 5 |     keys: [{kid: k1, alg: RS265}, {kid: k2, alg: HS256}, {alg: ES256}]\n"
            "   |                           ^^^^^ found `RS265`, expected one of: RS256, RS384, "
            "RS512, PS256, ES256, ES384, EdDSA\n"
            "\n"
            "error: invalid value for `alg`\n"
            "  --> env.yaml:5:50\n"
            "   |\n"
            " 5 |     keys: [{kid: k1, alg: RS265}, {kid: k2, alg: HS256}, {alg: ES256}]\n"
            "   |                                                  ^^^^^ found `HS256`, expected "
            "one of: RS256, RS384, RS512, PS256, ES256, ES384, EdDSA\n"
            "   = help: `HS256` needs a shared secret; keys here are public keys served in a "
            "JWKS\n"
            "\n"
            "error: missing required key `kid`\n"
            "  --> env.yaml:5:58\n"
            "   |\n"
            " 5 |     keys: [{kid: k1, alg: RS265}, {kid: k2, alg: HS256}, {alg: ES256}]\n"
            "   |                                                          ^ expected `kid` in "
            "this mapping\n\n");
}

TEST(ServiceSchemas, DuplicateKidsAndBadDurations) {
  EXPECT_EQ(
      Errors(
          "environment: e\n"
          "services:\n"
          "  keys:\n"
          "    kind: jwks\n"
          "    keys:\n"
          "      - {kid: k1, alg: ES256}\n"
          "      - {kid: k1, alg: RS256}\n"
          "    max_age: 10 minutes\n"
          "  id: {kind: issuer, token_ttl: -1h, jwks_max_age: \"${env.TG_TEST_UNSET_VAR:-5}\"}\n"),
      "error: duplicate kid `k1` in `keys`\n"
      "  --> env.yaml:7:15\n"
      "   |\n"
      " 7 |       - {kid: k1, alg: RS256}\n"
      "   |               ^^ found `k1` again, expected a kid unique in `keys`\n"
      "   = help: the first `k1` is on line 6\n"
      "\n"
      "error: invalid value for `max_age`\n"
      "  --> env.yaml:8:14\n"
      "   |\n"
      " 8 |     max_age: 10 minutes\n"
      "   |              ^^^^^^^^^^ found `10 minutes`, expected a duration such as 500ms, "
      "2s, 1m or 1h\n"
      "\n"
      "error: invalid value for `token_ttl`\n"
      "  --> env.yaml:9:33\n"
      "   |\n"
      " 9 |   id: {kind: issuer, token_ttl: -1h, jwks_max_age: "
      "\"${env.TG_TEST_UNSET_VAR:-5}\"}\n"
      "   |                                 ^^^ found `-1h`, expected a duration such as "
      "500ms, 2s, 1m or 1h\n"
      "\n"
      "error: invalid value for `jwks_max_age`\n"
      "  --> env.yaml:9:52\n"
      "   |\n"
      " 9 |   id: {kind: issuer, token_ttl: -1h, jwks_max_age: "
      "\"${env.TG_TEST_UNSET_VAR:-5}\"}\n"
      "   |                                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ "
      "found `${env.TG_TEST_UNSET_VAR:-5}`, expected a duration such as 500ms, 2s, 1m or "
      "1h\n\n");
}

TEST(ServiceSchemas, IssuerClientGrantsAndGatewayValuesAreChecked) {
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  id:\n"
                   "    kind: issuer\n"
                   "    clients: {app: {secret: s, grants: [password]}}\n"
                   "  gw:\n"
                   "    kind: gateway\n"
                   "    trust: {issuer: id, audience: a}\n"
                   "    unassigned_status: 404\n"
                   "    algorithms: [none, HS256]\n"),
            "error: invalid value for `grants`\n"
            "  --> env.yaml:5:41\n"
            "   |\n"
            " 5 |     clients: {app: {secret: s, grants: [password]}}\n"
            "   |                                         ^^^^^^^^ found `password`, expected "
            "one of: client_credentials, refresh_token\n"
            "\n"
            "error: invalid value for `unassigned_status`\n"
            "  --> env.yaml:9:24\n"
            "   |\n"
            " 9 |     unassigned_status: 404\n"
            "   |                        ^^^ found `404`, expected one of: 401, 403\n"
            "\n"
            "error: invalid value for `algorithms`\n"
            "   --> env.yaml:10:18\n"
            "    |\n"
            " 10 |     algorithms: [none, HS256]\n"
            "    |                  ^^^^ found `none`, expected one of: RS256, RS384, RS512, "
            "PS256, ES256, ES384, EdDSA\n"
            "    = help: an unsigned token (`none`) is never acceptable\n"
            "\n"
            "error: invalid value for `algorithms`\n"
            "   --> env.yaml:10:24\n"
            "    |\n"
            " 10 |     algorithms: [none, HS256]\n"
            "    |                        ^^^^^ found `HS256`, expected one of: RS256, RS384, "
            "RS512, PS256, ES256, ES384, EdDSA\n"
            "    = help: `HS256` needs a shared secret; keys here are public keys served in a "
            "JWKS\n\n");
}

TEST(ServiceSchemas, GatewayTrustMustNameAnEarlierIssuer) {
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  sink: {kind: receiver}\n"
                   "  id: {kind: issuer}\n"
                   "  a: {kind: gateway, trust: {issuer: sink, audience: x}}\n"
                   "  b: {kind: gateway, trust: {issuer: later, audience: x}}\n"
                   "  c: {kind: gateway, trust: {issuer: ib, audience: x}}\n"
                   "  d: {kind: gateway, trust: {audience: x}}\n"
                   "  e: {kind: gateway}\n"
                   "  later: {kind: issuer}\n"),
            "error: service `sink` is not of kind `issuer`\n"
            "  --> env.yaml:5:38\n"
            "   |\n"
            " 5 |   a: {kind: gateway, trust: {issuer: sink, audience: x}}\n"
            "   |                                      ^^^^ found `sink` (kind `receiver`), "
            "expected one of: id (services of kind `issuer` declared above `a`)\n"
            "\n"
            "error: service `later` is declared after `b`\n"
            "  --> env.yaml:6:38\n"
            "   |\n"
            " 6 |   b: {kind: gateway, trust: {issuer: later, audience: x}}\n"
            "   |                                      ^^^^^ found `later`, expected one of: id "
            "(services of kind `issuer` declared above `b`)\n"
            "   = help: services start in file order: move `later` above `b`\n"
            "\n"
            "error: unknown service `ib` in `issuer`\n"
            "  --> env.yaml:7:38\n"
            "   |\n"
            " 7 |   c: {kind: gateway, trust: {issuer: ib, audience: x}}\n"
            "   |                                      ^^ found `ib`, expected one of: id "
            "(services of kind `issuer` declared above `c`)\n"
            "   = help: did you mean `id`?\n"
            "\n"
            "error: missing required key `issuer`\n"
            "  --> env.yaml:8:29\n"
            "   |\n"
            " 8 |   d: {kind: gateway, trust: {audience: x}}\n"
            "   |                             ^ expected `issuer` in this mapping\n"
            "\n"
            "error: missing required key `trust`\n"
            "  --> env.yaml:9:6\n"
            "   |\n"
            " 9 |   e: {kind: gateway}\n"
            "   |      ^ expected `trust` in this mapping\n\n");
}

TEST(ServiceSchemas, UnknownKindWithDidYouMean) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  s: {kind: reciever}\n"),
            "error: unknown service kind `reciever`\n"
            "  --> env.yaml:3:13\n"
            "   |\n"
            " 3 |   s: {kind: reciever}\n"
            "   |             ^^^^^^^^ found `reciever`, expected one of: receiver, connectpay, "
            "issuer, jwks, mtls, gateway, signed-api, sage-connector, ocsp, resource_server\n"
            "   = help: did you mean `receiver`?\n\n");
}

TEST(ServiceSchemas, MtlsNeedsItsFilesAndAKnownEku) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  bank:\n    kind: mtls\n    eku: loose\n"),
            "error: invalid value for `eku`\n"
            "  --> env.yaml:5:10\n"
            "   |\n"
            " 5 |     eku: loose\n"
            "   |          ^^^^^ found `loose`, expected one of: strict, openssl-default\n"
            "\n"
            "error: missing required key `server_cert`\n"
            "  --> env.yaml:4:5\n"
            "   |\n"
            " 4 |     kind: mtls\n"
            "   |     ^ expected `server_cert` in this mapping\n"
            "\n"
            "error: missing required key `server_key`\n"
            "  --> env.yaml:4:5\n"
            "   |\n"
            " 4 |     kind: mtls\n"
            "   |     ^ expected `server_key` in this mapping\n"
            "\n"
            "error: missing required key `client_ca`\n"
            "  --> env.yaml:4:5\n"
            "   |\n"
            " 4 |     kind: mtls\n"
            "   |     ^ expected `client_ca` in this mapping\n\n");
}

TEST(ServiceSchemas, KeysAreCheckedAgainstTheKind) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  s:\n    kind: receiver\n    realm: x\n"),
            "error: unknown key `realm` for a `receiver` service\n"
            "  --> env.yaml:5:5\n"
            "   |\n"
            " 5 |     realm: x\n"
            "   |     ^^^^^ found `realm`, expected one of: kind, faults, port, bind, public_url, "
            "journal_limit, tls, limits, status, body, headers, verify\n\n");
}

TEST(ServiceSchemas, ClientEntriesNeedASecret) {
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
            "   |             ^^^^^ found `scret`, expected one of: secret, registered, persons\n"
            "   = help: did you mean `secret`?\n"
            "\n");
}

std::vector<std::string> YamlBlocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  std::istringstream in(markdown);
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

// The complete environment examples of docs/formats.md load with the kinds' schemas (the
// scenario module's docs test loads its other examples).
TEST(ServiceSchemas, EveryEnvironmentExampleInFormatsMdLoads) {
  std::ifstream in(std::string(TOLLGATE_SOURCE_DIR) + "/docs/formats.md");
  ASSERT_TRUE(in) << "docs/formats.md is missing";
  std::ostringstream text;
  text << in.rdbuf();
  int environments = 0;
  for (const std::string& block : YamlBlocks(text.str())) {
    if (block.rfind("environment:", 0) != 0) continue;
    ++environments;
    Diagnostics diags;
    EXPECT_TRUE(Parse(block, "example.yaml", diags).has_value()) << block << "\n"
                                                                 << diags.RenderWithText(block);
  }
  EXPECT_EQ(environments, 3);  // the general example, token services and mtls
}

// What RegisterMockKinds() hands the loader is each kind's own table, and every key says
// what it means (docs/mock-kinds.md prints them).
TEST(ServiceSchemas, EachKindRegistersTheKeysOfItsOwnTable) {
  RegisterMockKinds();
  std::vector<std::string> kinds;
  for (const KindTerms& kind : AllKindTerms()) {
    kinds.push_back(kind.kind);
    std::shared_ptr<const ServiceKindSpec> spec = FindServiceKind(kind.kind);
    ASSERT_TRUE(spec) << kind.kind;
    ASSERT_EQ(spec->fields.size(), kind.keys.size()) << kind.kind;
    std::vector<const FieldSpec*> todo;
    for (const FieldSpec& f : kind.keys) todo.push_back(&f);
    while (!todo.empty()) {
      const FieldSpec* f = todo.back();
      todo.pop_back();
      EXPECT_FALSE(f->summary.empty()) << kind.kind << ": " << f->name;
      for (const FieldSpec& sub : f->fields) todo.push_back(&sub);
    }
  }
  EXPECT_EQ(ServiceKindNames(), kinds);
}

}  // namespace
}  // namespace tollgate
