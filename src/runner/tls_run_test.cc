// A suite with TLS expectations run end to end against a `mtls` mock: outcomes and alert
// names from real handshakes, server facts, the one-way listener, and a server-fact
// check that must fail (a certificate with fewer days left than required).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/test_pki.h"
#include "tollgate/runner/runner.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

using testing::CertSpec;
using ::testing::HasSubstr;

const char kSuite[] = R"yaml(suite: tls/e2e
requires: [bank]
vars: {ca: "", cert: "", key: "", stranger_cert: "", stranger_key: ""}
scenarios:
  - id: T-1
    name: the policy holds and the server facts are checked
    requirements: [R]
    steps:
      - request:
          url: ${services.bank.url}/
          tls: {ca: "${ca}", cert: "${cert}", key: "${key}"}
        expect:
          status: 200
          tls:
            outcome: accepted
            protocol: ">= 1.2"
            server_cert: {days_left: ">= 5", chain: trusted, host: match}
      - request:
          url: ${services.bank.url}/
          tls: {ca: "${ca}", cert: "${stranger_cert}", key: "${stranger_key}"}
        expect: {tls: unknown_ca, rejected: true}
      - request:
          url: ${services.bank.url}/
          tls: {ca: "${ca}", min_version: "1.0", max_version: "1.1"}
        expect: {tls: protocol_version}
      - request:
          url: ${services.bank.url}/
          tls: {ca: "${ca}", max_version: "1.2", ciphers: "eNULL", security_level: 0}
        expect: {tls: rejected}
      - request: {url: "${services.bank.one_way_url}/", tls: {ca: "${ca}"}}
        expect: {status: 200, json: {/client_cert: none}}
  - id: T-2
    name: a certificate expiring soon fails days_left
    requirements: [R]
    steps:
      - request: {url: "${services.bank.one_way_url}/", tls: {ca: "${ca}"}}
        expect:
          tls: {server_cert: {days_left: ">= 30"}}
)yaml";

TEST(TlsRun, SuiteAgainstTheMtlsMock) {
  testing::TestPki pki;
  auto root = pki.Make("root", CertSpec::Root("root"));
  auto server = pki.Make("server", CertSpec::Leaf("bank", "root").Eku("serverAuth"));
  auto partner = pki.Make("partner", CertSpec::Leaf("partner", "root").Eku("clientAuth"));
  pki.Make("other-root", CertSpec::Root("other-root"));
  auto stranger = pki.Make("stranger", CertSpec::Leaf("stranger", "other-root").Eku("clientAuth"));

  Environment env;
  env.name = "tls-e2e";
  ServiceDecl bank;
  bank.name = "bank";
  bank.kind = "mtls";
  bank.config = {{"server_cert", server.cert_file},
                 {"server_key", server.key_file},
                 {"client_ca", root.cert_file}};
  env.services = {bank};
  env.default_target = "bank";

  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(kSuite, "tls.yaml", diags);
  ASSERT_TRUE(suite.has_value());

  RunOptions options;
  options.vars = {{"ca", root.cert_file},
                  {"cert", partner.chain_file},
                  {"key", partner.key_file},
                  {"stranger_cert", stranger.chain_file},
                  {"stranger_key", stranger.key_file}};
  OffsetClock clock;
  Redactor redactor;
  HttpClient client;
  Runner runner(options, &clock, &redactor, &client);
  auto result = runner.Run({*suite}, &env);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->suites.size(), 1u);
  const auto& cases = result->suites[0].cases;
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].verdict, Verdict::kPass)
      << cases[0].error << (cases[0].failures.empty() ? "" : cases[0].failures[0].message);
  // The exchange recorded the handshake's facts, as the transcript's TLS line shows them.
  ASSERT_FALSE(cases[0].transcript.empty());
  const auto* sent = std::get_if<TranscriptExchange>(&cases[0].transcript[0]);
  ASSERT_NE(sent, nullptr);
  ASSERT_TRUE(sent->exchange.tls.has_value());
  EXPECT_EQ(sent->exchange.tls->protocol, "TLSv1.3");
  ASSERT_FALSE(sent->exchange.tls->server_chain.empty());
  EXPECT_FALSE(sent->exchange.tls->client_cert_sha256.empty());
  ASSERT_EQ(cases[1].verdict, Verdict::kFail) << cases[1].error;
  ASSERT_EQ(cases[1].failures.size(), 1u);
  EXPECT_THAT(cases[1].failures[0].message,
              HasSubstr("expected server certificate days left >= 30, got 10 days left"));
  EXPECT_EQ(cases[1].failures[0].where.line, 38);
}

}  // namespace
}  // namespace tollgate
