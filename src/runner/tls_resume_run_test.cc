// `tls: {resume: NAME}` on requests and `expect: {tls: {resumed: ...}}`, end to end against a
// `mtls` mock: the second request of a name resumes the session the first one made, on a
// new connection; a request without the name does a full handshake; another case with the
// same name never gets this case's session.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/test_pki.h"
#include "tollgate/runner/runner.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

using testing::CertSpec;
using ::testing::HasSubstr;

const char kResumeSuite[] = R"yaml(suite: tls/resume
requires: [bank]
vars: {ca: "", cert: "", key: ""}
scenarios:
  - id: R-1
    name: a named session is resumed on the next request of the case
    requirements: [R]
    steps:
      - request:
          url: ${services.bank.url}/
          tls: {ca: "${ca}", cert: "${cert}", key: "${key}", resume: s}
        expect: {status: 200, tls: {outcome: accepted, resumed: false}}
      - request:
          url: ${services.bank.url}/
          tls: {ca: "${ca}", cert: "${cert}", key: "${key}", resume: s}
        expect: {status: 200, tls: {resumed: true}}
      - request:
          url: ${services.bank.url}/
          tls: {ca: "${ca}", cert: "${cert}", key: "${key}"}
        expect: {status: 200, tls: {resumed: false}}
  - id: R-2
    name: another case's session of the same name is not offered
    requirements: [R]
    steps:
      - request:
          url: ${services.bank.url}/
          tls: {ca: "${ca}", cert: "${cert}", key: "${key}", resume: s}
        expect: {tls: {resumed: true}}
)yaml";

TEST(TlsResumeRun, ANamedSessionIsResumedWithinItsCaseOnly) {
  testing::TestPki pki;
  auto root = pki.Make("root", CertSpec::Root("root"));
  auto server = pki.Make("server", CertSpec::Leaf("bank", "root").Eku("serverAuth"));
  auto partner = pki.Make("partner", CertSpec::Leaf("partner", "root").Eku("clientAuth"));

  Environment env;
  env.name = "tls-resume";
  ServiceDecl bank;
  bank.name = "bank";
  bank.kind = "mtls";
  bank.config = {{"server_cert", server.cert_file},
                 {"server_key", server.key_file},
                 {"client_ca", root.cert_file}};
  env.services = {bank};
  env.default_target = "bank";

  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(kResumeSuite, "resume.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.Render();
  RunOptions options;
  options.vars = {{"ca", root.cert_file}, {"cert", partner.chain_file}, {"key", partner.key_file}};
  options.jobs = 1;  // R-1 first: its session is in the client's cache when R-2 runs
  OffsetClock clock;
  Redactor redactor;
  HttpClient client;
  Runner runner(options, &clock, &redactor, &client);
  auto result = runner.Run({*suite}, &env);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& cases = result->suites.at(0).cases;
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].verdict, Verdict::kPass)
      << cases[0].error << (cases[0].failures.empty() ? "" : cases[0].failures[0].message);
  ASSERT_EQ(cases[1].verdict, Verdict::kFail) << cases[1].error;
  ASSERT_EQ(cases[1].failures.size(), 1u);
  EXPECT_THAT(cases[1].failures[0].message,
              HasSubstr("expected a resumed TLS session, got a full handshake"));
  EXPECT_EQ(cases[1].failures[0].where.line, 28);
  // The recorded exchanges say which handshakes resumed: R-1's second (its named session),
  // not its third (no name), never R-2's.
  std::vector<bool> resumed;
  for (const TranscriptEntry& e : cases[0].transcript) {
    if (const auto* x = std::get_if<TranscriptExchange>(&e); x && x->exchange.tls) {
      resumed.push_back(x->exchange.tls->session_resumed);
    }
  }
  EXPECT_EQ(resumed, (std::vector<bool>{false, true, false}));
  for (const TranscriptEntry& e : cases[1].transcript) {
    if (const auto* x = std::get_if<TranscriptExchange>(&e); x && x->exchange.tls) {
      EXPECT_FALSE(x->exchange.tls->session_resumed);
    }
  }
}

}  // namespace
}  // namespace tollgate
