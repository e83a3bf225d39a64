// `expect: {tls: ...}` and the request `tls:` options added for weak material: a suite
// using every key, then one test per kind of mistake with the exact diagnostic.

#include "tls_expect_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {
namespace {

std::string WithSteps(const std::string& steps) {
  return "suite: s\n"
         "scenarios:\n"
         "  - id: A\n"
         "    name: n\n"
         "    requirements: [R]\n"
         "    steps:\n" +
         steps;
}

std::string Errors(const std::string& text) {
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  if (suite) return diags.empty() ? "loaded" : "loaded with diagnostics";
  return diags.RenderWithText(text);
}

TEST(TlsExpectLoader, ReadsOutcomesFactsAndWeakOptions) {
  Diagnostics diags;
  auto suite = ParseSuite(
      WithSteps(
          "      - request:\n"
          "          url: https://x/\n"
          "          tls: {max_version: \"1.2\", ciphers: \"eNULL:aNULL\", security_level: 0,\n"
          "                tls13_ciphers: TLS_AES_128_GCM_SHA256}\n"
          "        expect: {tls: rejected}\n"
          "      - request: {url: https://x/}\n"
          "        expect: {tls: certificate_required}\n"
          "      - request: {url: https://x/}\n"
          "        expect:\n"
          "          tls:\n"
          "            protocol: \">= 1.2\"\n"
          "            server_cert: {days_left: \">= 30\", chain: trusted, host: match}\n"),
      "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText("");
  const auto& steps = suite->scenarios[0].steps;
  const auto& req = std::get<RequestStep>(steps[0].body);
  EXPECT_EQ(req.tls.ciphers, "eNULL:aNULL");
  EXPECT_EQ(req.tls.tls13_ciphers, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(req.tls.security_level, 0);
  EXPECT_EQ(steps[0].expect->tls->outcome, "rejected");
  EXPECT_EQ(steps[1].expect->tls->outcome, "certificate_required");
  const TlsExpect& facts = *steps[2].expect->tls;
  EXPECT_EQ(facts.outcome, "");
  ASSERT_TRUE(facts.protocol && facts.days_left);
  EXPECT_EQ(facts.protocol->op, ">=");
  EXPECT_DOUBLE_EQ(facts.protocol->value, 1.2);
  EXPECT_EQ(facts.protocol->loc.line, 17);
  EXPECT_EQ(facts.days_left->op, ">=");
  EXPECT_DOUBLE_EQ(facts.days_left->value, 30);
  EXPECT_EQ(facts.chain_trusted, true);
  EXPECT_EQ(facts.host_match, true);
}

TEST(TlsExpectLoader, UnknownAlertName) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: https://x/}\n"
                             "        expect: {tls: certificate_expird}\n")),
            "error: invalid value for `tls`\n"
            "  --> x.yaml:8:23\n"
            "   |\n"
            " 8 |         expect: {tls: certificate_expird}\n"
            "   |                       ^^^^^^^^^^^^^^^^^^ found `certificate_expird`, expected "
            "`accepted`, `rejected`, `handshake_refused` or a TLS alert name (e.g. "
            "handshake_failure, unknown_ca)\n"
            "   = help: did you mean `certificate_expired`?\n\n");
}

TEST(TlsExpectLoader, HandshakeRefusedIsAnOutcomeWithItsOwnDidYouMean) {
  Diagnostics diags;
  auto suite = ParseSuite(WithSteps("      - request: {url: https://x/}\n"
                                    "        expect: {tls: handshake_refused}\n"
                                    "      - request: {url: https://x/}\n"
                                    "        expect: {tls: {outcome: handshake_refused}}\n"),
                          "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText("");
  EXPECT_EQ(suite->scenarios[0].steps[0].expect->tls->outcome, "handshake_refused");
  EXPECT_EQ(suite->scenarios[0].steps[1].expect->tls->outcome, "handshake_refused");
  EXPECT_EQ(Errors(WithSteps("      - request: {url: https://x/}\n"
                             "        expect: {tls: handshake_refuse}\n")),
            "error: invalid value for `tls`\n"
            "  --> x.yaml:8:23\n"
            "   |\n"
            " 8 |         expect: {tls: handshake_refuse}\n"
            "   |                       ^^^^^^^^^^^^^^^^ found `handshake_refuse`, expected "
            "`accepted`, `rejected`, `handshake_refused` or a TLS alert name (e.g. "
            "handshake_failure, unknown_ca)\n"
            "   = help: did you mean `handshake_refused`?\n\n");
}

TEST(TlsExpectLoader, BadVersionAndBadComparison) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: https://x/}\n"
                             "        expect:\n"
                             "          tls: {protocol: \">= 1.4\", server_cert: {days_left: "
                             "\"about 30\", chain: ok, host: yes}}\n")),
            "error: invalid value for `protocol`\n"
            "  --> x.yaml:9:27\n"
            "   |\n"
            " 9 |           tls: {protocol: \">= 1.4\", server_cert: {days_left: \"about 30\", "
            "chain: ok, host: yes}}\n"
            "   |                           ^^^^^^^^ found `>= 1.4`, expected a TLS version 1.0, "
            "1.1, 1.2 or 1.3 with an optional comparison (e.g. \">= 1.2\")\n"
            "\n"
            "error: invalid value for `days_left`\n"
            "  --> x.yaml:9:62\n"
            "   |\n"
            " 9 |           tls: {protocol: \">= 1.4\", server_cert: {days_left: \"about 30\", "
            "chain: ok, host: yes}}\n"
            "   |                                                              ^^^^^^^^^^ found "
            "`about 30`, expected a comparison such as \">= 30\" (>=, >, <=, <, == or a number)\n"
            "\n"
            "error: invalid value for `chain`\n"
            "  --> x.yaml:9:81\n"
            "   |\n"
            " 9 |           tls: {protocol: \">= 1.4\", server_cert: {days_left: \"about 30\", "
            "chain: ok, host: yes}}\n"
            "   |                                                                                 "
            "^^ found `ok`, expected one of: trusted, untrusted\n"
            "\n"
            "error: invalid value for `host`\n"
            "  --> x.yaml:9:91\n"
            "   |\n"
            " 9 |           tls: {protocol: \">= 1.4\", server_cert: {days_left: \"about 30\", "
            "chain: ok, host: yes}}\n"
            "   |                                                                             "
            "              ^^^ found `yes`, expected one of: match, mismatch\n\n");
}

TEST(TlsExpectLoader, EmptyMappingAndUnknownKey) {
  EXPECT_EQ(Errors(WithSteps("      - request: {url: https://x/}\n"
                             "        expect: {tls: {protocl: \"1.3\"}}\n")),
            "error: unknown key `protocl`\n"
            "  --> x.yaml:8:24\n"
            "   |\n"
            " 8 |         expect: {tls: {protocl: \"1.3\"}}\n"
            "   |                        ^^^^^^^ found `protocl`, expected one of: outcome, "
            "protocol, server_cert, audit, resumed\n"
            "   = help: did you mean `protocol`?\n\n");
}

TEST(TlsExpectLoader, BadRequestTlsOptions) {
  EXPECT_EQ(Errors(WithSteps("      - request:\n"
                             "          url: https://x/\n"
                             "          tls: {max_version: \"1.4\", ciphers: \"a b\", "
                             "security_level: 9}\n")),
            "error: invalid value for `max_version`\n"
            "  --> x.yaml:9:30\n"
            "   |\n"
            " 9 |           tls: {max_version: \"1.4\", ciphers: \"a b\", security_level: 9}\n"
            "   |                              ^^^^^ found `1.4`, expected one of: 1.0, 1.1, "
            "1.2, 1.3\n"
            "\n"
            "error: invalid value for `ciphers`\n"
            "  --> x.yaml:9:46\n"
            "   |\n"
            " 9 |           tls: {max_version: \"1.4\", ciphers: \"a b\", security_level: 9}\n"
            "   |                                              ^^^^^ found `a b`, expected an "
            "OpenSSL cipher list, e.g. \"eNULL\" or \"ECDHE-RSA-AES128-GCM-SHA256\"\n"
            "\n"
            "error: invalid value for `security_level`\n"
            "  --> x.yaml:9:69\n"
            "   |\n"
            " 9 |           tls: {max_version: \"1.4\", ciphers: \"a b\", security_level: 9}\n"
            "   |                                                                     ^ found "
            "`9`, expected an integer from 0 to 5\n\n");
}

TEST(ParseNumberBound, OperatorsAndBareNumbers) {
  using scenario::ParseNumberBound;
  EXPECT_EQ(ParseNumberBound(">= 30")->op, ">=");
  EXPECT_EQ(ParseNumberBound("<1.2")->op, "<");
  EXPECT_EQ(ParseNumberBound("30")->op, "==");
  EXPECT_DOUBLE_EQ(ParseNumberBound("== 1.3")->value, 1.3);
  EXPECT_FALSE(ParseNumberBound(">="));
  EXPECT_FALSE(ParseNumberBound("=> 3"));
  EXPECT_FALSE(ParseNumberBound("30 days"));
  EXPECT_FALSE(ParseNumberBound(""));
}

}  // namespace
TEST(TlsExpectLoader, ReadsEveryAuditKey) {
  RegisterTerms(vocabulary::kTlsAuditFinding,
                {{"client_auth.optional", "s"}, {"protocol.tls10", "s"}});
  Diagnostics diags;
  auto suite = ParseSuite(
      WithSteps("      - request: {url: https://x/}\n"
                "        expect:\n"
                "          tls:\n"
                "            audit:\n"
                "              client_auth: required\n"
                "              protocols: {\"1.0\": refused, \"1.1\": refused, \"1.3\": offered}\n"
                "              tls12_suites: acceptable\n"
                "              ca_names: \"<= 5\"\n"
                "              missing_certificate: {\"1.3\": certificate_required, \"1.2\": "
                "refused}\n"
                "              renegotiation: refused\n"
                "              resumption: resumed\n"
                "              findings: {must: 0, absent: [client_auth.optional]}\n"
                "      - request: {url: https://x/}\n"
                "        expect: {tls: {audit: {missing_certificate: handshake_failure}}}\n"),
      "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText("");
  const TlsAuditExpect& a = *suite->scenarios[0].steps[0].expect->tls->audit;
  EXPECT_EQ(a.client_auth, "required");
  using Version = std::pair<std::string, bool>;
  EXPECT_THAT(a.protocols, ::testing::ElementsAre(Version{"1.0", false}, Version{"1.1", false},
                                                  Version{"1.3", true}));
  EXPECT_EQ(a.tls12_suites, "acceptable");
  ASSERT_TRUE(a.ca_names);
  EXPECT_EQ(a.ca_names->op, "<=");
  EXPECT_DOUBLE_EQ(a.ca_names->value, 5);
  using Answer = std::pair<std::string, std::string>;
  EXPECT_THAT(a.missing_certificate, ::testing::ElementsAre(Answer{"1.2", "refused"},
                                                            Answer{"1.3", "certificate_required"}));
  EXPECT_EQ(a.renegotiation_refused, true);
  EXPECT_EQ(a.resumed, true);
  ASSERT_TRUE(a.must_findings);
  EXPECT_DOUBLE_EQ(a.must_findings->value, 0);
  EXPECT_FALSE(a.should_findings);
  EXPECT_THAT(a.absent_findings, ::testing::ElementsAre("client_auth.optional"));
  const TlsAuditExpect& every = *suite->scenarios[0].steps[1].expect->tls->audit;
  EXPECT_THAT(every.missing_certificate, ::testing::ElementsAre(Answer{"", "handshake_failure"}));
  EXPECT_TRUE(every.client_auth.empty());
}

TEST(TlsExpectLoader, AuditMistakesAreEachNamed) {
  RegisterTerms(vocabulary::kTlsAuditFinding,
                {{"client_auth.optional", "s"}, {"protocol.tls10", "s"}});
  std::string out =
      Errors(WithSteps("      - request: {url: https://x/}\n"
                       "        expect:\n"
                       "          tls:\n"
                       "            audit:\n"
                       "              client_auth: requird\n"
                       "              protocols: {\"1.4\": refused, \"1.0\": maybe}\n"
                       "              tls12_suites: strong\n"
                       "              missing_certificate: {\"1.3\": certificate_requird}\n"
                       "              findings: {absent: [client_auth.optionl]}\n"));
  EXPECT_THAT(out, ::testing::HasSubstr("found `requird`, expected one of: none, optional, "
                                        "required"));
  EXPECT_THAT(out, ::testing::HasSubstr("did you mean `required`?"));
  EXPECT_THAT(out, ::testing::HasSubstr("`1.4`"));
  EXPECT_THAT(out, ::testing::HasSubstr("found `maybe`, expected one of: offered, refused"));
  EXPECT_THAT(out, ::testing::HasSubstr("found `strong`, expected one of: recommended, "
                                        "acceptable, legacy"));
  EXPECT_THAT(out, ::testing::HasSubstr("did you mean `certificate_required`?"));
  EXPECT_THAT(out, ::testing::HasSubstr("unknown TLS audit finding `client_auth.optionl`"));
  EXPECT_THAT(out, ::testing::HasSubstr("did you mean `client_auth.optional`?"));
  EXPECT_THAT(Errors(WithSteps("      - request: {url: https://x/}\n"
                               "        expect: {tls: {audit: {}}}\n")),
              ::testing::HasSubstr("empty `audit` expectation"));
}

}  // namespace tollgate
