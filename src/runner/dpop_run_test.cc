// The `dpop:` option end to end: a suite run over loopback against the reference resource
// server (mock kind resource_server) and an issuer mock that mints its cnf.jkt-bound
// tokens. An honest proof and every positive control are served; every hostile proof, each
// request-level attack and a replayed jti are refused; the nonce a 401 hands out is carried
// into the next proof; a token fetched from the issuer with a proof is served with that
// key's proofs and refused with another's; a certificate-bound token (cnf.x5t#S256 from
// ${pki.IDENTITY.x5t_s256}) is served to its certificate only. The verdicts come from the
// server's own checks over HTTPS, not from a scripted transport; and a server with one of
// its faults switched on fails the case that probes it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "tollgate/crypto/dpop.h"
#include "tollgate/http/client.h"
#include "tollgate/runner/runner.h"
#include "tollgate/runner/vocabulary.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

// A token of the issuer bound to the run's DPoP key `client`, saved as `t`.
constexpr char kDpopRunMint[] =
    "      - token:\n"
    "          mint:\n"
    "            issuer: idp\n"
    "            audience: ${target.audience}\n"
    "            claims: {cnf: {jkt: \"${dpop.client.jkt}\"}}\n"
    "        save: t\n";

constexpr char kDpopRunPki[] = R"yaml(pki: dpop-run-test
authorities:
  root: {subject: "CN=DPoP Test Root,O=tollgate", key: ec-p256, days: 3650}
  client-ca: {subject: "CN=DPoP Test Client CA,O=tollgate", issuer: root, key: ec-p256, days: 1825}
  server-ca: {subject: "CN=DPoP Test Server CA,O=tollgate", issuer: root, key: ec-p256, days: 1825}
identities:
  partner: {subject: "CN=partner,O=tollgate", issuer: client-ca, usage: client, key: ec-p256, days: 90}
  other-partner: {subject: "CN=other,O=tollgate", issuer: client-ca, usage: client, key: ec-p256,
                  days: 90}
  server: {subject: "CN=localhost,O=tollgate", issuer: server-ca, usage: server, key: ec-p256,
           days: 90, san: ["DNS:localhost", "IP:127.0.0.1"]}
)yaml";

// A token bound to `${pki.partner.THUMBPRINT}`, presented over TLS by each identity.
std::string DpopRunCertScenario(const std::string& id, const std::string& thumbprint) {
  return "  - id: " + id + "\n    name: " + id + " presented by ${presented}\n" +
         "    requirements: [R]\n"
         "    matrix:\n      presented: [partner, other-partner]\n    steps:\n"
         "      - token:\n"
         "          mint:\n"
         "            issuer: idp\n"
         "            audience: ${target.audience}\n"
         "            claims: {cnf: {\"x5t#S256\": \"${pki.partner." +
         thumbprint +
         "}\"}}\n"
         "        save: t\n"
         "      - request:\n"
         "          url: ${target.url}${target.accounts_path}\n"
         "          auth: {bearer: \"${t.token}\"}\n"
         "          tls: {identity: \"${presented}\"}\n";
}

std::string DpopRunSuite() {
  std::string hostile, controls;
  for (const jose::MutationInfo& m : jose::DpopMutationTerms()) {
    // The replay and the nonce mutations need an earlier exchange: scenarios of their own.
    if (m.name == "reused_jti" || m.name == "missing_nonce" || m.name == "wrong_nonce") continue;
    std::string& list = m.accepted_by_correct_target ? controls : hostile;
    list += (list.empty() ? "" : ", ") + m.name;
  }
  const std::string request =
      "      - request:\n"
      "          url: ${target.url}${target.accounts_path}\n"
      "          auth: {dpop: \"${t.token}\"}\n";
  const std::string skew = "skew: \"${target.dpop_iat_skew}s\"";
  return std::string("suite: dpop/e2e\n") +
         "requires: [idp]\n"
         "scenarios:\n"
         "  - id: HONEST\n    name: an honest proof\n    requirements: [R]\n    steps:\n" +
         kDpopRunMint + request + "          dpop: {key: client, " + skew +
         "}\n"
         "        expect: {status: 200}\n"
         "  - id: CONTROL\n    name: control ${m}\n    requirements: [R]\n"
         "    matrix:\n      m: [" +
         controls + "]\n    steps:\n" + kDpopRunMint + request +
         "          dpop: {key: client, mutation: \"${m}\", " + skew +
         "}\n"
         "        expect: {status: 200}\n"
         "  - id: HOSTILE\n    name: hostile ${m}\n    requirements: [R]\n"
         "    matrix:\n      m: [" +
         hostile + ", missing_header, bearer_scheme]\n    steps:\n" + kDpopRunMint + request +
         "          dpop: {key: client, mutation: \"${m}\", " + skew +
         "}\n"
         "        expect: {status: 401}\n"
         "  - id: TWO\n    name: two DPoP headers\n    requirements: [R]\n    steps:\n" +
         kDpopRunMint + request +
         "          dpop: {key: client, mutation: two_headers}\n"
         "        expect: {status: 400}\n"
         "  - id: REPLAY\n    name: a replayed jti\n    requirements: [R]\n    steps:\n" +
         kDpopRunMint + request +
         "          dpop: {key: client}\n"
         "        expect: {status: 200}\n" +
         request +
         "          dpop: {key: client, mutation: reused_jti}\n"
         "        expect: {status: 401}\n"
         // POST /payments is a nonce path: the first proof gets use_dpop_nonce and a nonce.
         "  - id: NONCE\n    name: the server's nonce ${m}\n    requirements: [R]\n"
         "    matrix:\n      m: [none, missing_nonce, wrong_nonce]\n    steps:\n" +
         kDpopRunMint +
         "      - request:\n"
         "          method: POST\n"
         "          url: ${target.url}${target.payments_path}\n"
         "          auth: {dpop: \"${t.token}\"}\n"
         "          json: {amount: 1}\n"
         "          dpop: {key: client}\n"
         "        save: first\n"
         "        expect:\n"
         "          status: 401\n"
         "          headers: {WWW-Authenticate: {contains: use_dpop_nonce}}\n"
         "      - request:\n"
         "          method: POST\n"
         "          url: ${target.url}${target.payments_path}\n"
         "          auth: {dpop: \"${t.token}\"}\n"
         "          json: {amount: 1}\n"
         "          dpop: {key: client, nonce: \"${first.response.headers.dpop-nonce}\",\n"
         "                 mutation: \"${m}\"}\n"
         "        save: second\n" +
         // A token fetched with a proof is bound to that proof's key, and to no other.
         "  - id: FETCH\n    name: a token fetched with a proof\n    requirements: [R]\n"
         "    steps:\n"
         "      - token:\n"
         "          fetch:\n"
         "            url: ${services.idp.url}/token\n"
         "            client_id: alpha\n"
         "            client_secret: alpha-secret\n"
         "            dpop: {key: client}\n"
         "        save: f\n"
         "        expect:\n"
         "          status: 200\n"
         "          json: {/token_type: DPoP, /access_token: {matches: \"^eyJ\"}}\n"
         "      - request:\n"
         "          url: ${target.url}${target.accounts_path}\n"
         "          auth: {dpop: \"${f.access_token}\"}\n"
         "          dpop: {key: client}\n"
         "        expect: {status: 200}\n"
         "      - request:\n"
         "          url: ${target.url}${target.accounts_path}\n"
         "          auth: {dpop: \"${f.access_token}\"}\n"
         "          dpop: {key: stranger}\n"
         "        expect:\n"
         "          status: 401\n"
         "          headers: {WWW-Authenticate: {contains: invalid_token}}\n" +
         // Certificate binding: the token names the partner's leaf, or its issuing CA.
         DpopRunCertScenario("CERT", "x5t_s256") +
         DpopRunCertScenario("CERT_CA", "issuer_x5t_s256");
}

// What a run shows of each case: its verdict and its last response's status.
struct DpopRunCase {
  Verdict verdict = Verdict::kError;
  int last_status = 0;
  std::string why;  // the error and failures, for assertion messages
};

class DpopAgainstResourceServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tollgate-dpop-run-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = new std::filesystem::path(tmpl);
    std::ofstream(*dir_ / "pki.yaml") << kDpopRunPki;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(*dir_, ec);
    delete dir_;
  }

  // Runs the suite against the resource server with `faults` switched on; by scenario id
  // and matrix values ("NONCE wrong_nonce").
  std::map<std::string, DpopRunCase> Run(const std::vector<std::string>& faults = {}) {
    RegisterVocabularies();
    Environment env;
    env.name = "dpop-e2e";
    ServiceDecl idp;
    idp.name = "idp";
    idp.kind = "issuer";
    idp.config = {{"audiences", {"api://rs"}},
                  {"clients", {{"alpha", {{"secret", "alpha-secret"}}}}}};
    ServiceDecl rs;
    rs.name = "rs";
    rs.kind = "resource_server";
    rs.config = {{"trust", {{"issuer", "idp"}, {"audience", "api://rs"}}},
                 {"dpop", {{"nonce_paths", {"/payments"}}, {"iat_skew", "30s"}}}};
    env.services = {idp, rs};
    env.default_target = "rs";

    const std::string text = DpopRunSuite();
    Diagnostics diags;
    std::optional<Suite> suite = ParseSuite(text, "dpop-e2e.yaml", diags);
    EXPECT_TRUE(suite.has_value()) << diags.RenderWithText(text);
    if (!suite) return {};

    RunOptions options;
    options.pki_config = (*dir_ / "pki.yaml").string();
    options.pki_dir = (*dir_ / "generated").string();
    for (const std::string& f : faults) options.faults.emplace_back("rs", f);
    OffsetClock clock;
    Redactor redactor;
    HttpClient client;
    Runner runner(options, &clock, &redactor, &client);
    StatusOr<RunResult> result = runner.Run({*suite}, &env);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok() || result->suites.size() != 1) return {};
    std::map<std::string, DpopRunCase> out;
    for (const CaseResult& c : result->suites[0].cases) {
      std::string key = c.scenario_id;
      for (const auto& [k, v] : c.matrix_values) key += " " + v;
      DpopRunCase& r = out[key];
      r.verdict = c.verdict;
      r.why = c.error;
      for (const CheckFailure& f : c.failures) r.why += f.message + "\n";
      for (const TranscriptEntry& e : c.transcript) {
        if (const auto* x = std::get_if<TranscriptExchange>(&e)) {
          r.last_status = x->exchange.response.status;
        }
      }
    }
    return out;
  }

  static std::filesystem::path* dir_;
};

std::filesystem::path* DpopAgainstResourceServer::dir_ = nullptr;

TEST_F(DpopAgainstResourceServer,
       TheReferenceResourceServerServesHonestProofsAndRefusesHostileOnes) {
  std::map<std::string, DpopRunCase> cases = Run();
  std::map<std::string, int> per_scenario;
  for (const auto& [name, c] : cases) {
    ++per_scenario[name.substr(0, name.find(' '))];
    EXPECT_EQ(c.verdict, Verdict::kPass) << name << ": " << c.why;
  }
  const int proof_mutations = static_cast<int>(jose::DpopMutationTerms().size());
  EXPECT_EQ(per_scenario, (std::map<std::string, int>{{"HONEST", 1},
                                                      {"CONTROL", 6},
                                                      {"HOSTILE", proof_mutations - 9 + 2},
                                                      {"TWO", 1},
                                                      {"REPLAY", 1},
                                                      {"NONCE", 3},
                                                      {"FETCH", 1},
                                                      {"CERT", 2},
                                                      {"CERT_CA", 2}}));
  // The nonce: with it the payment is made; left out or changed, refused again.
  EXPECT_EQ(cases["NONCE none"].last_status, 200);
  EXPECT_EQ(cases["NONCE missing_nonce"].last_status, 401);
  EXPECT_EQ(cases["NONCE wrong_nonce"].last_status, 401);
  // The certificate-bound token: served to its own certificate only.
  EXPECT_EQ(cases["CERT partner"].last_status, 200);
  EXPECT_EQ(cases["CERT other-partner"].last_status, 401);
  EXPECT_EQ(cases["CERT_CA partner"].last_status, 401);
  EXPECT_EQ(cases["CERT_CA other-partner"].last_status, 401);
}

TEST_F(DpopAgainstResourceServer, AServerWithAFaultFailsTheCaseThatProbesIt) {
  struct Probe {
    std::string fault;
    std::string case_name;  // fails with the fault on
    int status;             // what the faulty server answers
  };
  const std::vector<Probe> probes = {
      {"dpop_no_replay_check", "REPLAY", 200},
      {"dpop_ignore_htu", "HOSTILE htu_other_path", 200},
      {"dpop_first_header_wins", "TWO", 200},
      {"accept_bearer_downgrade", "HOSTILE bearer_scheme", 200},
      {"dpop_no_nonce_check", "NONCE wrong_nonce", 200},
  };
  std::vector<std::string> faults;
  for (const Probe& p : probes) faults.push_back(p.fault);
  std::map<std::string, DpopRunCase> cases = Run(faults);
  for (const Probe& p : probes) {
    SCOPED_TRACE(p.fault);
    EXPECT_EQ(cases[p.case_name].last_status, p.status) << cases[p.case_name].why;
    if (p.case_name.rfind("NONCE ", 0) != 0) {  // its last step has no expect
      EXPECT_EQ(cases[p.case_name].verdict, Verdict::kFail);
    }
  }
  // The faults break nothing else: the honest proof is still served.
  EXPECT_EQ(cases["HONEST"].verdict, Verdict::kPass) << cases["HONEST"].why;
}

}  // namespace
}  // namespace tollgate
