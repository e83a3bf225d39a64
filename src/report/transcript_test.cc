// The transcript is rendered from typed entries: the exact text every report shows, and the
// JSON report carrying the entries so that a merge renders the same text again.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "report/test_runs.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

using ::testing::HasSubstr;

// One entry of each kind, as a runner records them (already redacted).
std::vector<TranscriptEntry> EveryKind() {
  std::vector<TranscriptEntry> t;
  t.push_back(SignedNote{"signed hmac-sha256 key k1, nonce 7f3c"});
  t.push_back(PreparedNote{"POST", "https://api.test/pay"});
  t.push_back(NotifyTokenNote{"alg_none", R"({"sub":"p"})"});
  t.push_back(WebhookNote{"standard", "msg_1", "valid"});
  RecordedExchange x;
  x.request = {"POST",
               "https://api.test/pay",
               {{"Content-Type", "application/json"}, {"Authorization", "Bearer ***"}},
               R"({"a":1})"};
  x.tls = RecordedTls{};
  x.tls->protocol = "TLSv1.3";
  x.tls->cipher = "TLS_AES_256_GCM_SHA384";
  x.tls->server_chain.push_back(
      {"CN=localhost", "CN=root", "0123456789abcdef0123", "", "", 29, {"DNS:localhost"}});
  x.tls->client_cert_subject = "CN=partner";
  x.tls->client_cert_sha256 = "fedcba9876543210ff";
  x.response.status = 401;
  x.response.total_ms = 12.345;
  x.response.headers = {
      {"WWW-Authenticate", "Bearer"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
  x.response.body = "denied";
  x.response.body_cut = true;
  t.push_back(TranscriptExchange{"", x});
  t.push_back(RefusedNote{"HTTP 401"});
  RecordedExchange refused;
  refused.request = {"GET", "https://api.test/x", {}, ""};
  refused.tls = RecordedTls{};
  refused.tls->alert_received = RecordedAlert{48, "unknown_ca"};
  refused.response.outcome = ExchangeOutcome::kTlsRejected;
  refused.response.error = "tlsv1 alert unknown ca";
  t.push_back(TranscriptExchange{"replay copy 2/5", refused});
  RecordedExchange slow;
  slow.request = {"POST", "http://issuer.test/token", {}, "grant_type=client_credentials"};
  slow.response.outcome = ExchangeOutcome::kTimeout;
  slow.response.error = "no answer in 10000 ms";
  t.push_back(TranscriptExchange{"token", slow});
  RecordedExchange h2;
  h2.request = {"GET", "http://api.test/", {}, ""};
  h2.response.http_version = "2";
  h2.response.status = 200;
  h2.response.total_ms = 0.04;
  t.push_back(TranscriptExchange{"replay", h2});
  t.push_back(WaitNote{1500, "${target.window}", 500});
  t.push_back(WaitNote{200, "", 0});
  t.push_back(ReceivedNote{"receiver", 2});
  t.push_back(MintedNote{"issuer", "", R"({"aud":"api"})"});
  t.push_back(MockNote{"jwks", "rotate", "{}"});
  t.push_back(ClockNote{-300000});
  t.push_back(RaceNote{5, 180});
  RecordedExchange resumed;
  resumed.request = {"GET", "https://api.test/r", {}, ""};
  resumed.tls = RecordedTls{};
  resumed.tls->protocol = "TLSv1.3";
  resumed.tls->cipher = "TLS_AES_128_GCM_SHA256";
  resumed.tls->session_resumed = true;
  resumed.response.status = 200;
  resumed.response.total_ms = 1.5;
  t.push_back(TranscriptExchange{"", resumed});
  t.push_back(TlsAuditNote{"client auth required; TLS 1.0 refused; findings: 0 must"});
  t.push_back(TranscriptText{"(older report)\n"});
  return t;
}

constexpr char kEveryKind[] =
    "= signed hmac-sha256 key k1, nonce 7f3c\n"
    "= prepared POST https://api.test/pay (not sent)\n"
    "= notify: ID token (mutation alg_none): {\"sub\":\"p\"}\n"
    "= notify: webhook standard id msg_1 (variant valid)\n"
    "> POST https://api.test/pay\n"
    "> Content-Type: application/json\n"
    "> Authorization: Bearer ***\n"
    "> \n"
    "> {\"a\":1}\n"
    "< TLS TLSv1.3 TLS_AES_256_GCM_SHA384, server CN=localhost sha256 0123456789abcdef..., 29 "
    "days left, presented CN=partner sha256 fedcba9876543210...\n"
    "< HTTP/1.1 401 (12.3 ms)\n"
    "< WWW-Authenticate: Bearer\n"
    "< Set-Cookie: a=1\n"
    "< Set-Cookie: b=2\n"
    "< \n"
    "< denied [truncated]\n"
    "= refused: HTTP 401\n"
    "> GET https://api.test/x  [replay copy 2/5]\n"
    "< TLS (no handshake), alert received unknown_ca\n"
    "< TLS handshake rejected (tlsv1 alert unknown ca)\n"
    "> POST http://issuer.test/token  [token]\n"
    "> \n"
    "> grant_type=client_credentials\n"
    "< timeout (no answer in 10000 ms)\n"
    "> GET http://api.test/  [replay]\n"
    "< HTTP/2 200 (0.0 ms)\n"
    "= wait 1500 ms (${target.window} plus 500 ms)\n"
    "= wait 200 ms\n"
    "= received by receiver: 2 matching request(s)\n"
    "= minted by issuer: {\"aud\":\"api\"}\n"
    "= mock jwks rotate {}\n"
    "= clock offset -300000 ms\n"
    "= race: 5 copies released within 180 us\n"
    "> GET https://api.test/r\n"
    "< TLS TLSv1.3 TLS_AES_128_GCM_SHA256 (resumed session)\n"
    "< HTTP/1.1 200 (1.5 ms)\n"
    "= tls audit: client auth required; TLS 1.0 refused; findings: 0 must\n"
    "(older report)\n";

TEST(Transcript, RendersEveryKindOfEntryToTheExactText) {
  EXPECT_EQ(RenderTranscript(EveryKind()), kEveryKind);
  EXPECT_EQ(RenderTranscript({}), "");
}

// A run whose failed case holds the typed transcript and evidence.
RunResult TypedRun() {
  RunResult run = testing::GoldenRun();
  CaseResult& c = run.suites[0].cases[1];
  c.transcript = EveryKind();
  StepEvidence e;
  e.label = "request";
  e.where = {"suites/connectpay/basic-auth.yaml", 17, 9};
  e.exchange = std::get<TranscriptExchange>(c.transcript[4]).exchange;
  e.exchange->request.headers.emplace_back("Authorization", "Basic ***");  // a name twice
  e.exchange->response.json = R"({"error":"invalid_token","n":[1,2.5,null]})";
  e.exchange->tls->verify_error = 10;
  e.exchange->tls->verify_error_text = "certificate has expired";
  e.exchange->tls->host_matched = false;
  e.tokens.push_back(
      {"request Authorization: Bearer", R"({"alg":"none"})", R"({"exp":1765036800,"sub":"m"})"});
  c.evidence.push_back(e);
  StepEvidence minted;
  minted.label = "token minted";
  minted.where = {"suites/connectpay/basic-auth.yaml", 12, 9};
  minted.tokens.push_back({"minted by issuer", R"({"alg":"RS256"})", R"("not json claims")"});
  c.evidence.push_back(minted);
  return run;
}

TEST(Transcript, EveryReportShowsTheRenderedText) {
  const RunResult run = TypedRun();
  const nlohmann::json json = nlohmann::json::parse(RenderJson(run));
  EXPECT_EQ(json["suites"][0]["cases"][1]["transcript"], kEveryKind);
  EXPECT_THAT(RenderJunit(run), HasSubstr("&lt; TLS handshake rejected (tlsv1 alert unknown ca)\n"
                                          "&gt; POST http://issuer.test/token  [token]\n"));
  EXPECT_THAT(
      ConsoleSummary(run, ConsoleOptions{false, true}),
      HasSubstr("    = refused: HTTP 401\n    > GET https://api.test/x  [replay copy 2/5]\n"));
  EXPECT_THAT(RenderHtml(run),
              HasSubstr("&lt; TLS TLSv1.3 TLS_AES_128_GCM_SHA256 (resumed session)\n"
                        "&lt; HTTP/1.1 200 (1.5 ms)\n= tls audit: client auth required; TLS 1.0 "
                        "refused; findings: 0 must\n(older report)\n</pre>"));
}

TEST(Transcript, TheJsonReportCarriesTheEntriesAndAMergeWritesTheSameFile) {
  const RunResult run = TypedRun();
  const std::string first = RenderJson(run);
  const nlohmann::json doc = nlohmann::json::parse(first);
  const nlohmann::json& c = doc["suites"][0]["cases"][1];
  ASSERT_EQ(c["transcript_entries"].size(), EveryKind().size());
  EXPECT_EQ(c["transcript_entries"][4]["kind"], "exchange");
  EXPECT_EQ(c["transcript_entries"][4]["response"]["headers"][2],
            nlohmann::json::array({"Set-Cookie", "b=2"}));
  EXPECT_EQ(c["transcript_entries"][2]["claims"]["sub"], "p");  // free-form JSON as a value
  // The evidence record keeps its documented shape: headers as an object.
  const nlohmann::json& record = c["evidence"][0]["record"];
  EXPECT_EQ(record["request"]["headers"]["Authorization"], "Bearer ***, Basic ***");
  EXPECT_EQ(record["response"]["body"], "denied [truncated]");
  EXPECT_EQ(record["response"]["body_cut"], true);
  EXPECT_EQ(record["response"]["json"]["error"], "invalid_token");
  EXPECT_EQ(record["tls"]["verify_error"]["code"], 10);
  EXPECT_EQ(record["tokens"][0]["claims"]["exp"], 1765036800);
  EXPECT_FALSE(c["evidence"][1]["record"].contains("request"));

  auto back = ParseJsonResults(first, "r.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(RenderJson(*back), first);
  const CaseResult& read = back->suites[0].cases[1];
  EXPECT_EQ(RenderTranscript(read.transcript), kEveryKind);
  ASSERT_EQ(read.evidence.size(), 2u);
  ASSERT_TRUE(read.evidence[0].exchange.has_value());
  EXPECT_EQ(read.evidence[0].exchange->response.body, "denied");
  EXPECT_TRUE(read.evidence[0].exchange->response.body_cut);
  EXPECT_EQ(read.evidence[0].exchange->tls->host_matched, std::optional<bool>(false));
  EXPECT_EQ(read.evidence[1].tokens[0].claims, R"("not json claims")");
  EXPECT_FALSE(read.evidence[1].exchange.has_value());
  // The HTML of the merged results is the HTML of the run, but for the header named twice,
  // which the evidence record joins.
  EXPECT_THAT(RenderHtml(*back), HasSubstr("<th>Authorization</th><td>Bearer ***, Basic ***</td>"));
}

TEST(Transcript, AReportWithoutEntriesKeepsItsTextAndItsCutBodies) {
  const std::string old = R"({"schema": "tollgate.results/1", "suites": [{"id": "s", "cases": [
      {"id": "C-1", "verdict": "fail", "transcript": "> GET /x\n< HTTP/1.1 500 (1.0 ms)\n",
       "evidence": [{"label": "request", "location": "s.yaml:3:5", "record": {
         "request": {"method": "GET", "url": "http://t/x", "headers": {}, "body": ""},
         "response": {"status": 500, "headers": {"A": "b"}, "body": "xyz [truncated]",
                      "outcome": "ok", "duration_ms": 1.0}}}]}]}]})";
  auto run = ParseJsonResults(old, "old.json");
  ASSERT_TRUE(run.ok()) << run.status().message();
  const CaseResult& c = run->suites[0].cases[0];
  EXPECT_EQ(RenderTranscript(c.transcript), "> GET /x\n< HTTP/1.1 500 (1.0 ms)\n");
  ASSERT_TRUE(c.evidence[0].exchange.has_value());
  EXPECT_EQ(c.evidence[0].exchange->response.body, "xyz");
  EXPECT_TRUE(c.evidence[0].exchange->response.body_cut);
  EXPECT_EQ(c.evidence[0].exchange->response.status, 500);
  EXPECT_EQ(c.evidence[0].exchange->response.headers, (HeaderList{{"A", "b"}}));
}

}  // namespace
}  // namespace tollgate
