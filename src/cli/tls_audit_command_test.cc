// `tollgate tls audit`: every option checked with its exact message and exit code through
// the binary, and the table and JSON renderings of a result.

#include "cli/tls_audit_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/binary_test.h"

namespace tollgate {
namespace {

using ::testing::HasSubstr;

class TlsAuditCli : public testing::BinaryTest {
 protected:
  TlsAuditCli() : BinaryTest("tollgate-tls-audit-") {}
};

TEST_F(TlsAuditCli, EveryBadOptionIsAUsageErrorWithItsReason) {
  struct Case {
    std::string args, message;
    int exit;
  } cases[] = {
      {"http://127.0.0.1:1",
       "error: URL `http://127.0.0.1:1`: expected https://HOST[:PORT] (the audit speaks TLS "
       "only)\n",
       1},
      {"https://127.0.0.1:99999",
       "error: URL `https://127.0.0.1:99999`: port `99999` is not a number from 1 to 65535\n", 1},
      {"https://:443",
       "error: URL `https://:443`: expected a host name or address after https://\n", 1},
      {"https://[::1", "error: URL `https://[::1`: unclosed `[` in the host\n", 1},
      {"https://127.0.0.1:1 --timeout 0s",
       "error: --timeout `0s`: expected a duration from 1ms to 1m, such as 500ms or 5s\n", 1},
      {"https://127.0.0.1:1 --timeout soon",
       "error: --timeout `soon`: expected a duration from 1ms to 1m, such as 500ms or 5s\n", 1},
      {"https://127.0.0.1:1 --max-ca-names 0",
       "error: --max-ca-names 0: expected a number of at least 1\n", 1},
      {"https://127.0.0.1:1 --min-days -1", "error: --min-days -1: expected 0 or more days\n", 1},
      {"https://127.0.0.1:1 --identity partner --cert x.pem",
       "error: --identity and --cert both name a client certificate: give one\n", 1},
      {"https://127.0.0.1:1 --key k.pem", "error: --key needs --cert\n", 1},
      {"https://127.0.0.1:1 --ca /nonexistent/ca.pem",
       "error: --ca /nonexistent/ca.pem: cannot be read\n", 2},
  };
  for (const Case& c : cases) {
    testing::ExecResult r = Exec("tls audit " + c.args);
    EXPECT_EQ(r.exit, c.exit) << c.args << "\n" << r.err;
    EXPECT_EQ(r.err, c.message) << c.args;
    EXPECT_EQ(r.out, "") << c.args;
  }
}

TEST_F(TlsAuditCli, UnknownIdentityListsTheKnownOnes) {
  testing::ExecResult r = Exec("tls audit https://127.0.0.1:1 --identity nobody");
  EXPECT_EQ(r.exit, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("error: --identity: unknown identity `nobody`; known: "));
  EXPECT_THAT(r.err, HasSubstr("partner"));
}

TEST_F(TlsAuditCli, HostThatRefusesConnectionsIsExitThree) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // bound, never listened: nothing answers on this port
  std::string url = "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  testing::ExecResult r = Exec("tls audit " + url);
  EXPECT_EQ(r.exit, 3) << r.err;
  EXPECT_EQ(r.err, "error: tls audit of " + url + ": TLS 1.3: connect: Connection refused\n");
}

http::TlsAuditResult Sample() {
  http::TlsAuditResult r;
  r.host = "127.0.0.1";
  r.port = 8443;
  r.identity = "partner";
  r.handshakes = 104;
  r.elapsed = std::chrono::milliseconds(330);
  r.versions = {
      {"1.0", true, ""}, {"1.1", false, "protocol_version"}, {"1.2", true, ""}, {"1.3", true, ""}};
  r.tls12_suites_probed = 89;
  r.tls12_suites = {{"ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                     "recommended", "RFC 9325 §4.2 (BCP 195)"}};
  r.tls13_suites = {"TLS_AES_128_GCM_SHA256"};
  r.client_auth = http::ClientAuthMode::kRequired;
  r.ca_names = {"CN=tollgate Test Root CA,O=tollgate"};
  r.missing_cert = {{"1.3", "certificate_required", 116, 0, false}, {"1.2", "", -1, 400, false}};
  r.renegotiation_refused = true;
  r.renegotiation_detail = "refused: server sent no_renegotiation (100)";
  r.chain = {{"CN=localhost,O=tollgate", "CN=tollgate Server Issuing CA,O=tollgate", "ab",
              "2027-03-07T04:00:00Z", 89}};
  r.chain_trusted = true;
  r.host_matched = true;
  r.findings = {{http::TlsSeverity::kMust, "protocol.tls10",
                 "TLS 1.0 is offered; it must be refused (RFC 8996)"}};
  return r;
}

TEST(TlsAuditRender, TableShowsEachAnswerAndTheFindings) {
  std::string t = cli::RenderTlsAuditTable(Sample());
  EXPECT_THAT(t, HasSubstr("TLS audit of 127.0.0.1:8443 (identity partner), 104 handshakes in "
                           "0.33 s\n"));
  EXPECT_THAT(t, HasSubstr("  TLS 1.0                offered\n"));
  EXPECT_THAT(t, HasSubstr("  TLS 1.1                refused (protocol_version)\n"));
  EXPECT_THAT(t, HasSubstr("  TLS 1.2 suites         1 of 89 accepted\n"));
  EXPECT_THAT(t, HasSubstr("  client auth            required\n"));
  EXPECT_THAT(t, HasSubstr("  acceptable CAs (1)     CN=tollgate Test Root CA,O=tollgate\n"));
  EXPECT_THAT(t, HasSubstr("  no certificate, 1.3    refused: alert certificate_required (116)\n"));
  EXPECT_THAT(t, HasSubstr("  no certificate, 1.2    refused over HTTP: 400\n"));
  EXPECT_THAT(t, HasSubstr("  MUST    protocol.tls10                 TLS 1.0 is offered"));
  EXPECT_THAT(t, HasSubstr("\n1 must, 0 should, 0 info\n"));
}

TEST(TlsAuditRender, JsonHasTheDocumentedShape) {
  nlohmann::json j = nlohmann::json::parse(cli::RenderTlsAuditJson(Sample()));
  EXPECT_EQ(j["host"], "127.0.0.1");
  EXPECT_EQ(j["port"], 8443);
  EXPECT_EQ(j["identity"], "partner");
  EXPECT_EQ(j["protocols"]["1.0"]["offered"], true);
  EXPECT_EQ(j["protocols"]["1.1"]["detail"], "protocol_version");
  EXPECT_EQ(j["tls12_suites"][0]["verdict"], "recommended");
  EXPECT_EQ(j["tls12_suites"][0]["iana"], "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(j["client_auth"]["mode"], "required");
  EXPECT_EQ(j["client_auth"]["ca_names"][0], "CN=tollgate Test Root CA,O=tollgate");
  EXPECT_EQ(j["client_auth"]["without_certificate"][0]["alert_code"], 116);
  EXPECT_TRUE(j["client_auth"]["without_certificate"][0]["http_status"].is_null());
  EXPECT_EQ(j["client_auth"]["without_certificate"][1]["http_status"], 400);
  EXPECT_EQ(j["renegotiation"]["refused"], true);
  EXPECT_TRUE(j["resumption"]["resumed"].is_null());
  EXPECT_EQ(j["certificate"]["chain"][0]["days_left"], 89);
  EXPECT_EQ(j["certificate"]["host_matched"], true);
  EXPECT_EQ(j["findings"][0]["severity"], "must");
  EXPECT_EQ(j["findings"][0]["id"], "protocol.tls10");
}

}  // namespace
}  // namespace tollgate
