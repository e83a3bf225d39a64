// End-to-end tests of the tollgate binary: exit codes, golden diagnostics and reports,
// redaction of secrets in every output, mocks up.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "cli/binary_test.h"
#include "cli/color.h"
#include "tollgate/base/encoding.h"

namespace {
namespace fs = std::filesystem;

using tollgate::testing::ExecResult;
using tollgate::testing::Slurp;

class Tollgate : public tollgate::testing::BinaryTest {
 protected:
  Tollgate() : BinaryTest("tollgate-e2e-") {}

  std::string Reports() {
    return " --junit " + (tmp_ / "junit.xml").string() + " --json " +
           (tmp_ / "results.json").string() + " --html " + (tmp_ / "report.html").string();
  }
  nlohmann::json Json() { return nlohmann::json::parse(Slurp(tmp_ / "results.json")); }
};

// Timings, ports, dates and the host differ between runs; everything else is pinned.
std::string Mask(std::string text) {
  static const std::pair<std::regex, std::string> rules[] = {
      {std::regex(R"(time="[0-9.]+")"), R"(time="0.000")"},
      {std::regex(R"(timestamp="[^"]*")"), R"(timestamp="TS")"},
      {std::regex(R"(hostname="[^"]*")"), R"(hostname="HOST")"},
      {std::regex(R"(127\.0\.0\.1:[0-9]+)"), "127.0.0.1:PORT"},
      {std::regex(R"(\([0-9.]+ ms\))"), "(T ms)"},
      {std::regex(R"(in [0-9.]+ s)"), "in T s"},
      {std::regex(R"(value="[0-9a-f]{64}")"), R"(value="SHA256")"},
      // The PKI is generated per checkout: fingerprints and days left vary.
      {std::regex(R"(sha256 [0-9a-f]+\.\.\.)"), "sha256 FP..."},
      {std::regex(R"([0-9]+ days left)"), "N days left"},
  };
  for (const auto& [re, with] : rules) text = std::regex_replace(text, re, with);
  return text;
}

void ExpectGolden(const std::string& actual, const fs::path& golden) {
  if (std::getenv("TOLLGATE_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << actual;
  }
  EXPECT_EQ(actual, Slurp(golden))
      << "golden " << golden << " (TOLLGATE_UPDATE_GOLDEN=1 rewrites it)";
}

TEST_F(Tollgate, ReferenceTargetPassesTheConnectPayProfile) {
  ExecResult r = Exec("run suites/connectpay/basic.yaml --jobs 2" + Reports());
  EXPECT_EQ(r.exit, 0) << r.out << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("13 passed, 0 failed, 0 errors, 0 skipped"));
  nlohmann::json j = Json();
  EXPECT_EQ(j["summary"]["verdict"], "pass");
  EXPECT_EQ(j["summary"]["tests"], 13);
}

TEST_F(Tollgate, FailingRunExitsFourAndPinsJunitAndConsole) {
  ExecResult r = Exec(
      "run suites/connectpay/basic.yaml --jobs 1 --fault connectpay:accept_empty_key" + Reports());
  EXPECT_EQ(r.exit, 4) << r.out << r.err;
  ExpectGolden(Mask(Slurp(tmp_ / "junit.xml")), "tests/e2e/failing-run/expected.xml");
  const fs::path xsd = fs::path(TOLLGATE_SOURCE_DIR) / "tests" / "schemas" / "junit-10.xsd";
  ASSERT_TRUE(fs::exists(xsd)) << xsd;
  std::string cmd = "xmllint --noout --schema " + xsd.string() + " " +
                    (tmp_ / "junit.xml").string() + " 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "JUnit does not validate against junit-10.xsd";
  ExpectGolden(Mask(r.out), "tests/e2e/failing-run/expected-console.txt");
}

TEST_F(Tollgate, UnreachableTargetIsAnErrorNeverAPass) {
  // Bind and close a port so nothing listens there.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);
  close(fd);
  ExecResult r = Exec(
      "run suites/connectpay/basic.yaml --jobs 2 --target-file tests/e2e/unreachable/target.yaml "
      "--target http://127.0.0.1:" +
      std::to_string(port) + Reports());
  EXPECT_EQ(r.exit, 3) << r.out << r.err;
  std::string junit = Slurp(tmp_ / "junit.xml");
  EXPECT_THAT(junit,
              ::testing::HasSubstr("<error message=\"target did not answer: connect failed"));
  EXPECT_THAT(junit, ::testing::Not(::testing::HasSubstr("<failure")));
  nlohmann::json j = Json();
  EXPECT_EQ(j["summary"]["errors"], 13);
  EXPECT_EQ(j["summary"]["passed"], 0);
}

TEST_F(Tollgate, SecretsNeverReachAnyOutput) {
  const std::string secret = "tg-Sup3r-Secret-Token-42";
  const std::string client_secret = "Client-Secret-Value-99";
  ExecResult r = Exec(
      "run tests/e2e/secrets/suite.yaml --env tests/e2e/secrets/env.yaml -v --secret api_token=" +
          secret + Reports(),
      "");
  EXPECT_EQ(r.exit, 4) << r.out << r.err;  // the body expectation fails on purpose
  ExecResult cp =
      Exec("run suites/connectpay/basic.yaml -v --fault connectpay:accept_any_secret --junit " +
               (tmp_ / "cp.xml").string() + " --json " + (tmp_ / "cp.json").string(),
           "CONNECTPAY_CLIENT_SECRET=" + client_secret);
  EXPECT_EQ(cp.exit, 4) << cp.out << cp.err;
  std::string all = r.out + r.err + Slurp(tmp_ / "junit.xml") + Slurp(tmp_ / "results.json") +
                    Slurp(tmp_ / "report.html") + cp.out + cp.err + Slurp(tmp_ / "cp.xml") +
                    Slurp(tmp_ / "cp.json");
  ASSERT_THAT(Slurp(tmp_ / "report.html"), ::testing::HasSubstr("<h2>Evidence</h2>"));
  for (const std::string& s :
       {secret, tollgate::Base64Encode(secret), tollgate::PercentEncode(secret), client_secret,
        tollgate::Base64Encode("ConnectPay:" + client_secret),
        tollgate::Base64Encode(":" + client_secret)}) {
    EXPECT_EQ(all.find(s), std::string::npos) << "leaked: " << s;
  }
  // The redaction is visible, so a reader knows something was there.
  EXPECT_THAT(Slurp(tmp_ / "junit.xml"), ::testing::HasSubstr("token=***"));
  EXPECT_THAT(Slurp(tmp_ / "junit.xml"), ::testing::HasSubstr("Authorization: Bearer ***"));
}

TEST_F(Tollgate, FetchedTokensAndClientSecretsAreRedacted) {
  const std::string secret = "Gateway-Client-Secret-77";
  ExecResult r = Exec("run suites/gateway/auth.yaml -v --fault idp:token_cacheable" + Reports(),
                      "GATEWAY_CLIENT_SECRET=" + secret);
  EXPECT_EQ(r.exit, 4) << r.out << r.err;  // the fault makes GW-AU-001 fail: transcripts print
  std::string junit = Slurp(tmp_ / "junit.xml");
  EXPECT_THAT(junit, ::testing::HasSubstr("\"access_token\":\"***\""));
  EXPECT_THAT(junit, ::testing::Not(::testing::HasSubstr("eyJ")));  // no JWT anywhere
  // The evidence keeps the fetched token opaque: it is a secret, so it is not decoded.
  const std::string html = Slurp(tmp_ / "report.html");
  ASSERT_THAT(html, ::testing::HasSubstr("GW-AU-001"));
  EXPECT_THAT(html, ::testing::Not(::testing::HasSubstr("eyJ")));
  EXPECT_THAT(html, ::testing::Not(::testing::HasSubstr("<h5>Tokens</h5>")));
  std::string all = r.out + r.err + junit + Slurp(tmp_ / "results.json") + html;
  EXPECT_EQ(all.find(secret), std::string::npos);
  EXPECT_EQ(all.find(tollgate::PercentEncode(secret)), std::string::npos);
}

TEST_F(Tollgate, ReceivedStepsAssertOnTheJournal) {
  ExecResult r = Exec(
      "run tests/e2e/receiver/suite.yaml --env tests/e2e/receiver/env.yaml --target mock:sink" +
      Reports());
  EXPECT_EQ(r.exit, 4) << r.out << r.err;
  nlohmann::json j = Json();
  auto cases = j["suites"][0]["cases"];
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0]["verdict"], "pass") << cases[0].dump(2);
  EXPECT_EQ(cases[1]["verdict"], "fail");
  EXPECT_EQ(cases[1]["failures"][0]["message"], "expected 2 matching requests, got 1");
  EXPECT_EQ(cases[1]["failures"][0]["location"], "tests/e2e/receiver/suite.yaml:26:25");
}

TEST_F(Tollgate, StepsAndExpectationsBehaveAsDocumented) {
  ExecResult r = Exec(
      "run tests/e2e/steps/suite.yaml --env tests/e2e/steps/env.yaml --max-wait 1s" + Reports());
  EXPECT_EQ(r.exit, 4) << r.out << r.err;
  std::map<std::string, nlohmann::json> by_id;
  nlohmann::json doc = Json();
  for (const auto& c : doc["suites"][0]["cases"]) by_id[c["id"].get<std::string>()] = c;
  EXPECT_EQ(by_id["ST-001"]["verdict"], "pass") << by_id["ST-001"].dump(2);
  EXPECT_EQ(by_id["ST-002"]["verdict"], "fail");
  EXPECT_EQ(by_id["ST-002"]["failures"][0]["type"], "assert.exactly_one");
  EXPECT_THAT(by_id["ST-002"]["failures"][0]["actual"].get<std::string>(),
              ::testing::StartsWith("5 (statuses: 202, 202, 202, 202, 202)"));
  EXPECT_EQ(by_id["ST-003"]["verdict"], "pass") << by_id["ST-003"].dump(2);
  EXPECT_EQ(by_id["ST-004"]["verdict"], "error");
  EXPECT_THAT(by_id["ST-004"]["error"].get<std::string>(),
              ::testing::HasSubstr("wait of 120000 ms exceeds --max-wait (1000 ms)"));
  EXPECT_EQ(by_id["ST-005"]["verdict"], "fail");
  EXPECT_EQ(
      by_id["ST-005"]["failures"][0]["message"],
      "expected one of 2 alternatives to hold, none did: expected status 404, got status 202; "
      "expected status 500, got status 202");
}

TEST_F(Tollgate, JwtMintAndVerifyRoundTripAndRefuseHostileTokens) {
  std::string jwks = (tmp_ / "jwks.json").string();
  ExecResult minted =
      Exec("jwt mint --alg ES256 --iss https://idp.test --aud api --jwks-out " + jwks);
  ASSERT_EQ(minted.exit, 0) << minted.err;
  std::string token = minted.out.substr(0, minted.out.find('\n'));
  ExecResult ok =
      Exec("jwt verify " + token + " --jwks " + jwks + " --iss https://idp.test --aud api");
  EXPECT_EQ(ok.exit, 0) << ok.out << ok.err;
  EXPECT_EQ(nlohmann::json::parse(ok.out)["claims"]["iss"], "https://idp.test");
  ExecResult wrong_aud = Exec("jwt verify " + token + " --jwks " + jwks + " --aud other");
  EXPECT_EQ(wrong_aud.exit, 4);
  EXPECT_THAT(wrong_aud.out, ::testing::StartsWith("rejected: wrong_audience: "));
  // The published JWKS carries no private member.
  nlohmann::json published = nlohmann::json::parse(Slurp(jwks));
  EXPECT_FALSE(published["keys"][0].contains("d"));
  std::string jwks2 = (tmp_ / "jwks2.json").string();
  ExecResult none = Exec("jwt mint --alg ES256 --mutate alg_none --jwks-out " + jwks2);
  ASSERT_EQ(none.exit, 0);
  std::string hostile = none.out.substr(0, none.out.find('\n'));
  ExecResult refused = Exec("jwt verify " + hostile + " --jwks " + jwks2);
  EXPECT_EQ(refused.exit, 4);
  EXPECT_THAT(refused.out, ::testing::StartsWith("rejected: alg_not_allowed"));
  EXPECT_EQ(Exec("jwt mint --mutate no_such_mutation").exit, 1);
}

// Keycloak publishes an RSA-OAEP encryption key beside its signing key; RFC 7517 §5 says
// to ignore keys that cannot be used, not to refuse the set.
TEST_F(Tollgate, JwtVerifySkipsUnusableJwksKeysAndSaysWhyUnderVerbose) {
  std::string jwks = (tmp_ / "jwks.json").string();
  ExecResult minted =
      Exec("jwt mint --alg RS256 --kid sig-1 --iss https://idp.test --jwks-out " + jwks);
  ASSERT_EQ(minted.exit, 0) << minted.err;
  std::string token = minted.out.substr(0, minted.out.find('\n'));
  nlohmann::json set = nlohmann::json::parse(Slurp(jwks));
  nlohmann::json enc = set["keys"][0];
  enc["kid"] = "enc-1";
  enc["alg"] = "RSA-OAEP";
  enc["use"] = "enc";
  nlohmann::json okp = {{"kty", "OKP"}, {"crv", "Ed448"}, {"kid", "ed448"}, {"x", "AAAA"}};
  std::string keycloak = (tmp_ / "keycloak.json").string();
  std::ofstream(keycloak) << nlohmann::json{{"keys", {enc, okp, set["keys"][0]}}}.dump();

  ExecResult ok = Exec("jwt verify " + token + " --jwks " + keycloak + " --iss https://idp.test");
  EXPECT_EQ(ok.exit, 0) << ok.out << ok.err;
  EXPECT_EQ(nlohmann::json::parse(ok.out)["header"]["kid"], "sig-1");
  EXPECT_EQ(ok.err, "");
  ExecResult verbose = Exec("jwt verify -v " + token + " --jwks " + keycloak);
  EXPECT_EQ(verbose.exit, 0) << verbose.out << verbose.err;
  EXPECT_THAT(verbose.err, ::testing::HasSubstr(
                               "note: skipped key 0: kid \"enc-1\": jwk: \"use\" must be \"sig\" "
                               "for a signing key, found \"enc\"\n"));
  EXPECT_THAT(verbose.err,
              ::testing::HasSubstr("note: skipped key 1: kid \"ed448\": jwk: unsupported OKP curve "
                                   "\"Ed448\" (Ed25519 is)\n"));

  // A set with no usable key, or no set at all, is still refused as a bad file.
  std::string unusable = (tmp_ / "unusable.json").string();
  std::ofstream(unusable) << nlohmann::json{{"keys", {enc, okp}}}.dump();
  ExecResult none = Exec("jwt verify " + token + " --jwks " + unusable);
  EXPECT_EQ(none.exit, 2);
  EXPECT_THAT(none.err, ::testing::HasSubstr("jwks: no usable signing key (key 0: kid \"enc-1\""));
  std::string garbage = (tmp_ / "garbage.json").string();
  std::ofstream(garbage) << "{\"kty\": \"RSA\"}";
  ExecResult not_a_set = Exec("jwt verify " + token + " --jwks " + garbage);
  EXPECT_EQ(not_a_set.exit, 2);
  EXPECT_THAT(not_a_set.err, ::testing::HasSubstr("no \"keys\" array"));
}

// A `jwks` host may set the `iss` of the tokens minted with its keys; a sage-connector
// trusting it by URL then expects that value: valid tokens pass and a wrong issuer fails.
TEST_F(Tollgate, JwksHostIssuerIsTheIssOfMintedTokensAndWhatTheConnectorChecks) {
  std::string env = (tmp_ / "env.yaml").string();
  std::ofstream(env) << "environment: sage-issuer\n"
                        "services:\n"
                        "  sage_id:\n"
                        "    kind: jwks\n"
                        "    keys: [{kid: sage-1, alg: RS256}]\n"
                        "    issuer: https://id.example.com\n"
                        "  connector:\n"
                        "    kind: sage-connector\n"
                        "    trust: {issuer: sage_id, audience: partner-aud}\n"
                        "    notification_header: {name: X-Partner-Key, value: dev-only-key}\n"
                        "default_target: connector\n";
  ExecResult r =
      Exec("run suites/sage-connector/notification.yaml --jobs 2 --env " + env + Reports());
  EXPECT_EQ(r.exit, 0) << r.out << r.err;
  nlohmann::json doc = Json();
  std::map<std::string, nlohmann::json> cases;
  for (const auto& c : doc["suites"][0]["cases"]) cases[c["id"].get<std::string>()] = c;
  ASSERT_TRUE(cases.count("SG-NT-001"));
  EXPECT_EQ(cases["SG-NT-001"]["verdict"], "pass");
  // The transcript shows the claims of the ID token sent.
  EXPECT_THAT(cases["SG-NT-001"]["transcript"].get<std::string>(),
              ::testing::HasSubstr(R"("iss":"https://id.example.com")"));
  ASSERT_TRUE(cases.count("SG-TK-001[mutation=wrong_issuer]"));
  EXPECT_EQ(cases["SG-TK-001[mutation=wrong_issuer]"]["verdict"], "pass");
}

TEST_F(Tollgate, UnassignedStatusIsATargetSettingTheSuiteFollows) {
  // The Gateway guide says both 403 and 401 for unassigned message types: the expectation is
  // `${target.unassigned_status}`, so either reading passes, and a mismatch fails.
  ExecResult r =
      Exec("run suites/gateway/messages.yaml --env tests/e2e/gateway-401/env.yaml" + Reports());
  EXPECT_EQ(r.exit, 0) << r.out << r.err;
  std::string transcript;
  nlohmann::json doc = Json();
  for (const auto& c : doc["suites"][0]["cases"]) {
    if (c["scenario"] == "GW-RL-001") transcript = c["transcript"].get<std::string>();
  }
  EXPECT_THAT(transcript, ::testing::HasSubstr("< HTTP/1.1 401"));
}

TEST_F(Tollgate, TagsSkipUnselectedCases) {
  ExecResult r = Exec("run suites/connectpay --tags 'not basic'" + Reports());
  EXPECT_EQ(r.exit, 0) << r.out << r.err;
  EXPECT_EQ(Json()["summary"]["skipped"], 13);
  ExecResult bad = Exec("run suites/connectpay --tags 'basic and'" + Reports());
  EXPECT_EQ(bad.exit, 1);
}

TEST_F(Tollgate, UsageErrorsExitOne) {
  EXPECT_EQ(Exec("run --no-such-option").exit, 1);
  EXPECT_EQ(Exec("frobnicate").exit, 1);
  EXPECT_EQ(Exec("run suites/connectpay/basic.yaml --var novalue").exit, 1);
  EXPECT_EQ(Exec("run suites/connectpay/basic.yaml --fault nosuchservice:x").exit, 1);
  EXPECT_EQ(Exec("run --help").exit, 0);
}

TEST_F(Tollgate, JobsBelowOneIsAUsageErrorOnEveryCommandThatTakesIt) {
  // demo and selftest take no report options: the error must be about --jobs alone.
  for (const std::string command :
       {"run suites/connectpay/basic.yaml" + Reports(), std::string("demo"),
        std::string("selftest suites/connectpay")}) {
    for (const std::string jobs : {"-j 0", "-j -1", "--jobs 0", "--jobs=-1"}) {
      ExecResult r = Exec(command + " " + jobs);
      EXPECT_EQ(r.exit, 1) << command << " " << jobs << ": " << r.out << r.err;
      EXPECT_THAT(r.err, ::testing::HasSubstr("--jobs")) << command << " " << jobs;
      EXPECT_THAT(r.err, ::testing::HasSubstr("not in range")) << command << " " << jobs;
      EXPECT_FALSE(fs::exists(tmp_ / "results.json")) << "ran with " << command << " " << jobs;
    }
  }
  EXPECT_EQ(Exec("run suites/connectpay/basic.yaml -j 1 -q" + Reports()).exit, 0);
}

// The console follows NO_COLOR, FORCE_COLOR and TERM=dumb; stdout is a file here, not a
// terminal, so colour appears only when forced.
TEST(ColorWanted, FollowsTheUsualConventions) {
  using tollgate::cli::ColorWanted;
  EXPECT_TRUE(ColorWanted(true, nullptr, nullptr, "xterm-256color"));
  EXPECT_FALSE(ColorWanted(false, nullptr, nullptr, "xterm-256color"));
  EXPECT_FALSE(ColorWanted(true, nullptr, nullptr, "dumb"));
  EXPECT_TRUE(ColorWanted(true, "", nullptr, nullptr));  // an empty NO_COLOR is not set
  EXPECT_FALSE(ColorWanted(true, "1", nullptr, nullptr));
  EXPECT_FALSE(ColorWanted(true, "1", "1", nullptr));  // NO_COLOR wins
  EXPECT_TRUE(ColorWanted(false, nullptr, "1", nullptr));
  EXPECT_TRUE(ColorWanted(false, nullptr, "", nullptr));
  EXPECT_TRUE(ColorWanted(false, nullptr, "3", "dumb"));  // forced beats a dumb terminal
  EXPECT_FALSE(ColorWanted(true, nullptr, "0", "xterm"));
}

TEST_F(Tollgate, ConsoleColourIsForcedByForceColorAndNeverByDefaultOffATerminal) {
  using ::testing::HasSubstr;
  using ::testing::Not;
  const std::string run = "run suites/connectpay/basic.yaml -j 1" + Reports();
  EXPECT_THAT(Exec(run, "env -u NO_COLOR -u FORCE_COLOR").out, Not(HasSubstr("\x1b[")));
  ExecResult forced = Exec(run, "env -u NO_COLOR FORCE_COLOR=1 TERM=dumb");
  EXPECT_EQ(forced.exit, 0) << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("\x1b[32mPASS"));
  EXPECT_THAT(Exec(run, "env NO_COLOR=1 FORCE_COLOR=1").out, Not(HasSubstr("\x1b[")));
  EXPECT_THAT(Exec(run, "env -u NO_COLOR FORCE_COLOR=0").out, Not(HasSubstr("\x1b[")));
}

TEST_F(Tollgate, UnknownFaultIsAUsageErrorNamingTheKnownOnes) {
  ExecResult r =
      Exec("run suites/connectpay/basic.yaml --fault connectpay:no_such_fault" + Reports());
  EXPECT_EQ(r.exit, 1) << r.out << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("--fault connectpay:no_such_fault: service `connectpay` "
                                          "(kind connectpay) has no fault `no_such_fault`; known "
                                          "faults: accept_any_bundle, accept_any_client_cert, "
                                          "accept_any_secret, "));
  EXPECT_EQ(r.out, "");  // nothing ran
  EXPECT_FALSE(fs::exists(tmp_ / "results.json"));
  // A TLS fault is known to a service with `tls:` only.
  ExecResult tls =
      Exec("run suites/connectpay/basic.yaml --fault connectpay:weak_ciphers" + Reports());
  EXPECT_EQ(tls.exit, 1) << tls.out << tls.err;
  ExecResult service = Exec("run suites/connectpay/basic.yaml --fault nosuch:x" + Reports());
  EXPECT_EQ(service.exit, 1);
  EXPECT_THAT(service.err, ::testing::HasSubstr("no service `nosuch` in the environments of these "
                                                "suites (services: connectpay, revocation)"));
}

TEST_F(Tollgate, SelftestOfAFaultNoMapNamesIsAUsageErrorNotAProof) {
  ExecResult r = Exec("selftest suites/connectpay --fault no_such_fault --jobs 2");
  EXPECT_EQ(r.exit, 1) << r.out << r.err;
  EXPECT_THAT(r.out, ::testing::Not(::testing::HasSubstr("every check proven")));
  EXPECT_THAT(r.err, ::testing::HasSubstr("--fault no_such_fault: no fault map of the profiles "
                                          "checked names it; known faults:\n  connectpay: "));
  EXPECT_THAT(r.err, ::testing::HasSubstr("accept_empty_key"));
  // Every profile by default: the maps of all of them are searched, and named.
  ExecResult all = Exec("selftest --fault no_such_fault");
  EXPECT_EQ(all.exit, 1) << all.out << all.err;
  EXPECT_THAT(all.err, ::testing::HasSubstr("\n  gateway: "));
  EXPECT_THAT(all.err, ::testing::HasSubstr("idp:accept_wrong_secret"));
}

TEST_F(Tollgate, ValidateAcceptsEveryShippedProfile) {
  ExecResult r = Exec("validate");
  EXPECT_EQ(r.exit, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("ok: "));
}

// Starts `tollgate mocks up ENV` with its standard output in `out` and polls that file (every
// 20 ms, at most `polls` times) for the ready line; returns the child's pid (-1 when fork
// failed) and leaves `line` empty when no ready line came.
pid_t StartMocksUp(const std::string& env, const std::string& out, int polls, std::string& line) {
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::freopen(out.c_str(), "w", stdout);
    (void)f;
    execl(TOLLGATE_BINARY, TOLLGATE_BINARY, "mocks", "up", env.c_str(), nullptr);
    _exit(127);
  }
  for (int i = 0; pid > 0 && i < polls && line.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a child's output
    std::ifstream in(out);
    std::getline(in, line);
  }
  return pid;
}

TEST_F(Tollgate, MocksUpPrintsOneReadyLineServesTheJournalAndStopsOnSigterm) {
  std::string out = (tmp_ / "ready").string();
  std::string env = (tmp_ / "up.yaml").string();
  std::ofstream(env) << "environment: up-test\nservices:\n  sink: {kind: receiver}\n";
  std::string line;
  pid_t pid = StartMocksUp(env, out, 100, line);
  ASSERT_GE(pid, 0);
  ASSERT_FALSE(line.empty()) << "no ready line";
  nlohmann::json ready = nlohmann::json::parse(line);
  EXPECT_EQ(ready["ready"], true);
  std::string url = ready["services"]["sink"]["url"];
  EXPECT_THAT(url, ::testing::MatchesRegex("http://127\\.0\\.0\\.1:[0-9]+"));
  std::string cmd = "curl -s -u ConnectPay:EasyBanking " + url +
                    "/v1/generic/status >/dev/null && curl -s " + url + "/__tollgate/journal > " +
                    (tmp_ / "journal").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  nlohmann::json journal = nlohmann::json::parse(Slurp(tmp_ / "journal"));
  ASSERT_EQ(journal["entries"].size(), 1u);
  EXPECT_EQ(journal["entries"][0]["status"], 200);
  EXPECT_EQ(journal.dump().find("EasyBanking"), std::string::npos);
  auto start = std::chrono::steady_clock::now();
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Another process reads the ready line, perhaps from another directory: the trust anchor of
// a TLS service is an absolute path to a file that exists.
TEST_F(Tollgate, MocksUpReadyLineNamesTheCaFileAbsolutely) {
  std::string out = (tmp_ / "ready").string();
  std::string env = (tmp_ / "up.yaml").string();
  std::ofstream(env) << "environment: up-tls\nservices:\n"
                        "  sink: {kind: receiver, tls: {identity: server}}\n";
  std::string line;
  // The first run may generate the PKI: up to 30 s.
  pid_t pid = StartMocksUp(env, out, 1500, line);
  ASSERT_GE(pid, 0);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_FALSE(line.empty()) << "no ready line";
  nlohmann::json ready = nlohmann::json::parse(line);
  std::string ca = ready["services"]["sink"].value("ca_file", "");
  EXPECT_TRUE(fs::path(ca).is_absolute()) << ca;
  EXPECT_EQ(fs::path(ca), fs::path(ca).lexically_normal()) << ca;
  EXPECT_TRUE(fs::is_regular_file(ca)) << ca;
  EXPECT_THAT(Slurp(ca), ::testing::HasSubstr("-----BEGIN CERTIFICATE-----"));
}

// Every bad-input case under tests/e2e/diagnostics: the exact diagnostic, exit 2.
TEST_F(Tollgate, BadFilesGetCompilerStyleDiagnosticsAndExitTwo) {
  int seen = 0;
  for (const auto& entry : fs::directory_iterator("tests/e2e/diagnostics")) {
    fs::path dir = fs::relative(entry.path(), TOLLGATE_SOURCE_DIR);
    fs::path input = dir / "input.yaml";
    std::string head = Slurp(input).substr(0, 40);
    // Environment cases start with `environment:`; they are checked by `mocks up`.
    bool is_env = head.rfind("environment:", 0) == 0;
    ExecResult r = Exec(is_env ? "mocks up " + input.string() : "validate " + input.string());
    EXPECT_EQ(r.exit, 2) << dir;
    EXPECT_EQ(r.err, Slurp(dir / "expected.txt")) << dir;
    ++seen;
  }
  EXPECT_GE(seen, 10);
}

}  // namespace
