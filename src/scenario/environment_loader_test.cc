// The environment loader against a small schema table of its own: the real kinds belong to
// the mocks module (src/mocks/service_schemas_test.cc checks them through this loader).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/service_schema.h"

namespace tollgate {
namespace {

using ::testing::ElementsAre;
using T = FieldType;

// Three kinds shaped like the real ones: an answering sink, a key holder and a service
// that must name a key holder declared above it.
void RegisterTestKinds() {
  ClearServiceKinds();
  RegisterServiceKind({"echo",
                       {Key("status", T::kStatusCode, "s"), Key("body", T::kString, "b"),
                        Key("headers", T::kStringMap, "h"),
                        Key("verify", T::kObject, "v")
                            .Of({Key("scheme", T::kString, "s").Required().OneOf({"alpha", "beta"}),
                                 Key("secret", T::kString, "s").Required(),
                                 Key("tolerance", T::kDuration, "t")})}});
  RegisterServiceKind({"keys",
                       {Key("keys", T::kObjectList, "k")
                            .Of({Key("kid", T::kString, "k").Required(),
                                 Key("alg", T::kString, "a")
                                     .Required()
                                     .OneOf({"RS256", "ES256"})
                                     .Refusing({{"none", "unsigned is never acceptable"}})})
                            .Unique("kid"),
                        Key("clients", T::kObjectMap, "c")
                            .Of({Key("secret", T::kString, "s").Required(),
                                 Key("grants", T::kStringList, "g").OneOf({"one", "two"})}),
                        Key("ttl", T::kDuration, "t")}});
  RegisterServiceKind({"relay",
                       {Key("trust", T::kObject, "t")
                            .Required()
                            .Of({Key("issuer", T::kServiceRef, "i").Required().OneOf({"keys"}),
                                 Key("audience", T::kString, "a").Required()}),
                        Key("code", T::kInt, "c").OneOf({"401", "403"}),
                        Key("enabled", T::kBool, "e"), Key("limit", T::kPositiveInt, "l")}});
}

class EnvironmentLoader : public ::testing::Test {
 protected:
  void SetUp() override { RegisterTestKinds(); }
  void TearDown() override { ClearServiceKinds(); }

  static std::string Errors(const std::string& text) {
    Diagnostics diags;
    std::optional<Environment> env = ParseEnvironment(text, "env.yaml", diags);
    if (env) return diags.empty() ? "loaded" : "loaded with diagnostics";
    return diags.RenderWithText(text);
  }
};

const char kEnvironment[] = R"yaml(environment: dev
services:
  sink:
    kind: echo
    port: 0
    bind: 127.0.0.5
    status: 202
    body: ok
    headers: {X-A: "${env.TG_TEST_HDR}", X-B: "${env.TG_TEST_UNSET_VAR:-fallback}"}
    journal_limit: 100
    tls: {identity: server, min_version: "1.2"}
    public_url: https://sink.example/${env.TG_TEST_HDR}
  idp:
    kind: keys
    keys: [{kid: k1, alg: RS256}, {kid: k2, alg: ES256}]
    clients:
      app1: {secret: "${env.TG_TEST_UNSET_VAR:-dev-only}", grants: [one]}
    ttl: 1h
  front:
    kind: relay
    trust: {issuer: idp, audience: api}
    code: 401
    enabled: true
    faults: [some_fault, another]
default_target: front
)yaml";

TEST_F(EnvironmentLoader, ReadsServicesWithTheirKindsConfigAndFaults) {
  ::setenv("TG_TEST_HDR", "from-env", 1);
  ::unsetenv("TG_TEST_UNSET_VAR");
  Diagnostics diags;
  std::optional<Environment> env = ParseEnvironment(kEnvironment, "mocks/dev.yaml", diags);
  ASSERT_TRUE(env.has_value()) << diags.RenderWithText(kEnvironment);
  EXPECT_EQ(env->name, "dev");
  EXPECT_EQ(env->file, "mocks/dev.yaml");
  EXPECT_EQ(env->default_target, "front");
  ASSERT_EQ(env->services.size(), 3u);

  const ServiceDecl& sink = env->services[0];
  EXPECT_EQ(sink.name, "sink");
  EXPECT_EQ(sink.kind, "echo");
  EXPECT_EQ(sink.loc.ToString(), "mocks/dev.yaml:3:3");
  EXPECT_TRUE(sink.faults.empty());
  EXPECT_EQ(sink.config, nlohmann::json::parse(R"({
      "port": 0, "bind": "127.0.0.5", "status": 202, "body": "ok",
      "headers": {"X-A": "from-env", "X-B": "fallback"},
      "journal_limit": 100, "tls": {"identity": "server", "min_version": "1.2"},
      "public_url": "https://sink.example/from-env"})"));

  EXPECT_EQ(env->services[1].config, nlohmann::json::parse(R"({
      "keys": [{"kid": "k1", "alg": "RS256"}, {"kid": "k2", "alg": "ES256"}],
      "clients": {"app1": {"secret": "dev-only", "grants": ["one"]}}, "ttl": "1h"})"));

  const ServiceDecl& front = env->services[2];
  EXPECT_EQ(front.kind, "relay");
  EXPECT_EQ(front.loc.ToString(), "mocks/dev.yaml:19:3");
  // Fault names are the mocks' vocabulary, unchecked while nobody registered it.
  EXPECT_THAT(front.faults, ElementsAre("some_fault", "another"));
  EXPECT_EQ(front.config, nlohmann::json::parse(R"({
      "trust": {"issuer": "idp", "audience": "api"}, "code": 401, "enabled": true})"));
}

// Without a registered kind nothing is accepted: a program that forgot to register must
// not run services whose config nobody checked.
TEST_F(EnvironmentLoader, WithNoKindRegisteredEveryServiceIsRefused) {
  ClearServiceKinds();
  EXPECT_EQ(Errors("environment: e\nservices:\n  s: {kind: echo}\n"),
            "error: unknown service kind `echo`\n"
            "  --> env.yaml:3:13\n"
            "   |\n"
            " 3 |   s: {kind: echo}\n"
            "   |             ^^^^ found `echo`, expected a registered mock kind\n"
            "   = help: no mock kind is registered: this program must call "
            "RegisterVocabularies() before it loads an environment\n\n");
}

TEST_F(EnvironmentLoader, UnknownKindWithDidYouMeanListsTheRegisteredKinds) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  s: {kind: ecko}\n"),
            "error: unknown service kind `ecko`\n"
            "  --> env.yaml:3:13\n"
            "   |\n"
            " 3 |   s: {kind: ecko}\n"
            "   |             ^^^^ found `ecko`, expected one of: echo, keys, relay\n"
            "   = help: did you mean `echo`?\n\n");
}

TEST_F(EnvironmentLoader, KeysAreCheckedAgainstTheKindAndTheCommonKeys) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  s:\n    kind: echo\n    code: 401\n"),
            "error: unknown key `code` for a `echo` service\n"
            "  --> env.yaml:5:5\n"
            "   |\n"
            " 5 |     code: 401\n"
            "   |     ^^^^ found `code`, expected one of: kind, faults, port, bind, public_url, "
            "journal_limit, tls, limits, status, body, headers, verify\n\n");
}

TEST_F(EnvironmentLoader, ChoicesRefusalsUniqueFieldsAndNestedRequiredKeys) {
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  id:\n"
                   "    kind: keys\n"
                   "    keys: [{kid: k1, alg: RS265}, {kid: k1, alg: none}, {alg: ES256}]\n"
                   "    clients: {app: {secret: s, grants: [three]}, b: {scret: x}}\n"),
            "error: invalid value for `alg`\n"
            "  --> env.yaml:5:27\n"
            "   |\n"
            " 5 |     keys: [{kid: k1, alg: RS265}, {kid: k1, alg: none}, {alg: ES256}]\n"
            "   |                           ^^^^^ found `RS265`, expected one of: RS256, ES256\n"
            "\n"
            "error: invalid value for `alg`\n"
            "  --> env.yaml:5:50\n"
            "   |\n"
            " 5 |     keys: [{kid: k1, alg: RS265}, {kid: k1, alg: none}, {alg: ES256}]\n"
            "   |                                                  ^^^^ found `none`, expected "
            "one of: RS256, ES256\n"
            "   = help: unsigned is never acceptable\n"
            "\n"
            "error: missing required key `kid`\n"
            "  --> env.yaml:5:57\n"
            "   |\n"
            " 5 |     keys: [{kid: k1, alg: RS265}, {kid: k1, alg: none}, {alg: ES256}]\n"
            "   |                                                         ^ expected `kid` in "
            "this mapping\n"
            "\n"
            "error: invalid value for `grants`\n"
            "  --> env.yaml:6:41\n"
            "   |\n"
            " 6 |     clients: {app: {secret: s, grants: [three]}, b: {scret: x}}\n"
            "   |                                         ^^^^^ found `three`, expected one of: "
            "one, two\n"
            "\n"
            "error: unknown key `scret`\n"
            "  --> env.yaml:6:54\n"
            "   |\n"
            " 6 |     clients: {app: {secret: s, grants: [three]}, b: {scret: x}}\n"
            "   |                                                      ^^^^^ found `scret`, "
            "expected one of: secret, grants\n"
            "   = help: did you mean `secret`?\n\n");
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  id:\n"
                   "    kind: keys\n"
                   "    keys:\n"
                   "      - {kid: k1, alg: ES256}\n"
                   "      - {kid: k1, alg: RS256}\n"),
            "error: duplicate kid `k1` in `keys`\n"
            "  --> env.yaml:7:15\n"
            "   |\n"
            " 7 |       - {kid: k1, alg: RS256}\n"
            "   |               ^^ found `k1` again, expected a kid unique in `keys`\n"
            "   = help: the first `k1` is on line 6\n\n");
}

TEST_F(EnvironmentLoader, ScalarTypesAreChecked) {
  ::unsetenv("TG_TEST_UNSET_VAR");
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  id: {kind: keys, ttl: 10 minutes}\n"
                   "  r: {kind: relay, trust: {issuer: id, audience: a}, code: 404, enabled: "
                   "maybe, limit: 0}\n"
                   "  s: {kind: echo, status: 99, port: 70000}\n"),
            "error: invalid value for `ttl`\n"
            "  --> env.yaml:3:25\n"
            "   |\n"
            " 3 |   id: {kind: keys, ttl: 10 minutes}\n"
            "   |                         ^^^^^^^^^^ found `10 minutes`, expected a duration "
            "such as 500ms, 2s, 1m or 1h\n"
            "\n"
            "error: invalid value for `code`\n"
            "  --> env.yaml:4:60\n"
            "   |\n"
            " 4 |   r: {kind: relay, trust: {issuer: id, audience: a}, code: 404, enabled: "
            "maybe, limit: 0}\n"
            "   |                                                            ^^^ found `404`, "
            "expected one of: 401, 403\n"
            "\n"
            "error: invalid value for `enabled`\n"
            "  --> env.yaml:4:74\n"
            "   |\n"
            " 4 |   r: {kind: relay, trust: {issuer: id, audience: a}, code: 404, enabled: "
            "maybe, limit: 0}\n"
            "   |                                                                          "
            "^^^^^ found `maybe`, expected `true` or `false`\n"
            "\n"
            "error: invalid value for `limit`\n"
            "  --> env.yaml:4:88\n"
            "   |\n"
            " 4 |   r: {kind: relay, trust: {issuer: id, audience: a}, code: 404, enabled: "
            "maybe, limit: 0}\n"
            "   |                                                                           "
            "             ^ found `0`, expected an integer from 1 to 2147483647\n"
            "\n"
            "error: invalid value for `status`\n"
            "  --> env.yaml:5:27\n"
            "   |\n"
            " 5 |   s: {kind: echo, status: 99, port: 70000}\n"
            "   |                           ^^ found `99`, expected an integer from 100 to "
            "599\n"
            "\n"
            "error: invalid value for `port`\n"
            "  --> env.yaml:5:37\n"
            "   |\n"
            " 5 |   s: {kind: echo, status: 99, port: 70000}\n"
            "   |                                     ^^^^^ found `70000`, expected an integer "
            "from 0 to 65535\n\n");
}

TEST_F(EnvironmentLoader, ServiceReferencesMustNameAnEarlierServiceOfTheirKind) {
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  sink: {kind: echo}\n"
                   "  id: {kind: keys}\n"
                   "  a: {kind: relay, trust: {issuer: sink, audience: x}}\n"
                   "  b: {kind: relay, trust: {issuer: later, audience: x}}\n"
                   "  c: {kind: relay, trust: {issuer: ib, audience: x}}\n"
                   "  d: {kind: relay, trust: {audience: x}}\n"
                   "  e: {kind: relay}\n"
                   "  later: {kind: keys}\n"),
            "error: service `sink` is not of kind `keys`\n"
            "  --> env.yaml:5:36\n"
            "   |\n"
            " 5 |   a: {kind: relay, trust: {issuer: sink, audience: x}}\n"
            "   |                                    ^^^^ found `sink` (kind `echo`), "
            "expected one of: id (services of kind `keys` declared above `a`)\n"
            "\n"
            "error: service `later` is declared after `b`\n"
            "  --> env.yaml:6:36\n"
            "   |\n"
            " 6 |   b: {kind: relay, trust: {issuer: later, audience: x}}\n"
            "   |                                    ^^^^^ found `later`, expected one of: id "
            "(services of kind `keys` declared above `b`)\n"
            "   = help: services start in file order: move `later` above `b`\n"
            "\n"
            "error: unknown service `ib` in `issuer`\n"
            "  --> env.yaml:7:36\n"
            "   |\n"
            " 7 |   c: {kind: relay, trust: {issuer: ib, audience: x}}\n"
            "   |                                    ^^ found `ib`, expected one of: id "
            "(services of kind `keys` declared above `c`)\n"
            "   = help: did you mean `id`?\n"
            "\n"
            "error: missing required key `issuer`\n"
            "  --> env.yaml:8:27\n"
            "   |\n"
            " 8 |   d: {kind: relay, trust: {audience: x}}\n"
            "   |                           ^ expected `issuer` in this mapping\n"
            "\n"
            "error: missing required key `trust`\n"
            "  --> env.yaml:9:6\n"
            "   |\n"
            " 9 |   e: {kind: relay}\n"
            "   |      ^ expected `trust` in this mapping\n\n");
}

TEST_F(EnvironmentLoader, MissingKindAndDefaultTargetMustNameAService) {
  EXPECT_EQ(Errors("environment: e\nservices:\n  a: {port: 1}\n  sink: {kind: echo}\n"
                   "default_target: snk\n"),
            "error: missing required key `kind`\n"
            "  --> env.yaml:3:6\n"
            "   |\n"
            " 3 |   a: {port: 1}\n"
            "   |      ^ expected `kind` in this mapping\n"
            "\n"
            "error: unknown service `snk` in `default_target`\n"
            "  --> env.yaml:5:17\n"
            "   |\n"
            " 5 | default_target: snk\n"
            "   |                 ^^^ found `snk`, expected one of: a, sink\n"
            "   = help: did you mean `sink`?\n\n");
}

TEST_F(EnvironmentLoader, TemplatesMayOnlyUseEnvAndMustResolve) {
  ::unsetenv("TG_TEST_UNSET_VAR");
  EXPECT_EQ(Errors("environment: e\n"
                   "services:\n"
                   "  s:\n"
                   "    kind: echo\n"
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

TEST_F(EnvironmentLoader, TopLevelKeysAreRequired) {
  EXPECT_EQ(Errors("environment: e\n"),
            "error: missing required key `services`\n"
            "  --> env.yaml:1:1\n"
            "   |\n"
            " 1 | environment: e\n"
            "   | ^ expected `services` in this mapping\n\n");
}

TEST(ServiceSchema, FieldTypesReadAsTheDocsSayThem) {
  EXPECT_EQ(FieldTypeName(FieldType::kDuration), "duration");
  EXPECT_EQ(FieldTypeName(FieldType::kStatusCode), "integer 100-599");
  EXPECT_EQ(FieldTypeName(FieldType::kStringList), "list of strings");
  for (const FieldSpec& f : CommonServiceFields()) EXPECT_FALSE(f.summary.empty()) << f.name;
}

}  // namespace
}  // namespace tollgate
