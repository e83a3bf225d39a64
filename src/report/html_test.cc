// The HTML report as a reader triages from it: the failed and errored cases first, dates
// beside token times, and a curl command per recorded request that never holds a secret.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "report/html_parts.h"
#include "report/test_runs.h"
#include "tollgate/base/redact.h"
#include "tollgate/report/report.h"

namespace tollgate {
namespace {

using report::CurlFor;
using report::NumericDateNote;
using report::ShellQuote;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using Json = nlohmann::json;

// The text between the first `from` and the next `to` after it.
std::string Between(const std::string& text, const std::string& from, const std::string& to) {
  const std::size_t a = text.find(from);
  if (a == std::string::npos) return "<no " + from + ">";
  return text.substr(a, text.find(to, a) - a);
}

std::string Triage(const std::string& html) {
  return Between(html, "<section class=\"triage\">", "</section>");
}

TEST(HtmlTriage, ListsEveryFailedAndErroredCaseRightAfterTheVerdict) {
  const std::string html = RenderHtml(testing::GoldenRun());
  const std::size_t verdict = html.find("<div class=\"verdict fail\">FAIL</div>");
  const std::size_t triage = html.find("<h2>Failed and errored cases (2)</h2>");
  ASSERT_NE(verdict, std::string::npos);
  ASSERT_NE(triage, std::string::npos);
  EXPECT_LT(verdict, triage);
  // Nothing but the counts between the verdict and the list.
  for (const char* later : {"<table class=\"summary\">", "<h2>Requirements", "<h2>Results",
                            "<h2>Evidence", "<tr><th>Target</th>"}) {
    const std::size_t at = html.find(later);
    if (at != std::string::npos) {
      EXPECT_GT(at, triage) << later;
    }
  }
  const std::string list = Triage(html);
  EXPECT_THAT(
      list,
      HasSubstr("<tr><td><span class=\"chip fail\">fail</span></td><td>CP-AUTH-2, CP-AUTH-3</td>"
                "<td>must</td><td><a href=\"#case-1\">CP-BA-002 rejects a wrong scheme "
                "[scheme=Bearer]</a>"
                "</td><td class=\"reason\">expected status 401, got 200 (+1 more)</td></tr>"));
  // An error's reason is the first line of the harness error; no requirement says so.
  EXPECT_THAT(
      list,
      HasSubstr(
          "<tr><td><span class=\"chip error\">error</span></td><td>SC-NOTIFY-1</td><td>must</td>"
          "<td><a href=\"#case-2\">SC-NT-001 notification carries a fresh token</a></td>"
          "<td class=\"reason\">mock receiver did not start</td></tr>"));
  EXPECT_THAT(list, Not(HasSubstr("address in use")));
  EXPECT_THAT(list, Not(HasSubstr("CP-BA-001")));  // passed
  EXPECT_THAT(list, Not(HasSubstr("CP-BA-003")));  // skipped
  // Each link lands on that case's evidence.
  EXPECT_THAT(Between(html, "id=\"case-1\"", "</h3>"),
              HasSubstr("CP-BA-002 rejects a wrong scheme [scheme=Bearer]"));
  EXPECT_THAT(Between(html, "id=\"case-2\"", "</h3>"), HasSubstr("SC-NT-001"));
}

TEST(HtmlTriage, FailuresComeBeforeErrorsAndWarningsWhateverTheFileOrder) {
  RunResult run = testing::GoldenRun();
  std::swap(run.suites[0], run.suites[1]);  // the error's suite first
  CaseResult warning = run.suites[0].cases[1];
  warning.case_id = warning.name = "SC-NT-009 a should case";
  warning.verdict = Verdict::kFail;
  warning.severity = Severity::kShould;
  warning.failures = {testing::Failure("assert.header", "no Cache-Control", "no-store", "(absent)",
                                       {"s.yaml", 1, 1})};
  run.suites[0].cases.insert(run.suites[0].cases.begin(), warning);
  const std::string list = Triage(RenderHtml(run));
  EXPECT_THAT(list, HasSubstr("Failed and errored cases (3)"));
  const std::size_t fail = list.find("chip fail");
  const std::size_t error = list.find("chip error");
  const std::size_t warn = list.find("chip warning");
  ASSERT_NE(warn, std::string::npos);
  EXPECT_LT(fail, error);
  EXPECT_LT(error, warn);
  EXPECT_THAT(list,
              HasSubstr("<td>should</td><td><a href=\"#case-1\">SC-NT-009 a should case</a>"));
}

TEST(HtmlTriage, AReasonIsOneShortLine) {
  RunResult run = testing::GoldenRun();
  run.suites[1].cases[0].error = std::string(300, 'x') + "\nsecond line";
  const std::string list = Triage(RenderHtml(run));
  EXPECT_THAT(list,
              HasSubstr("<td class=\"reason\">" + std::string(200, 'x') + "\xE2\x80\xA6</td>"));
  EXPECT_THAT(list, Not(HasSubstr("second line")));
}

TEST(HtmlTriage, APassingRunHasNoList) {
  RunResult run = testing::GoldenRun();
  for (SuiteResult& s : run.suites) {
    for (CaseResult& c : s.cases) {
      if (c.verdict != Verdict::kSkipped) c.verdict = Verdict::kPass;
    }
  }
  const std::string html = RenderHtml(run);
  EXPECT_THAT(html, HasSubstr("<div class=\"verdict pass\">PASS</div>"));
  EXPECT_THAT(html, Not(HasSubstr("Failed and errored cases")));
}

TEST(HtmlLayout, LongValuesWrapInEvidenceAndPreBlocks) {
  const std::string html = RenderHtml(testing::GoldenRun());
  EXPECT_THAT(Between(html, "\npre{", "}"), HasSubstr("overflow-wrap:anywhere"));
  EXPECT_THAT(
      html,
      HasSubstr(".case td,.case td code,.line code,.triage td.reason{overflow-wrap:anywhere"));
}

TEST(NumericDates, ShowTheUtcDateOfTimesInTheCalendar) {
  EXPECT_EQ(NumericDateNote(1765036800), " (2025-12-06 16:00:00 UTC)");
  EXPECT_EQ(NumericDateNote(1765036800.9), " (2025-12-06 16:00:00 UTC)");
  EXPECT_EQ(NumericDateNote(0), " (1970-01-01 00:00:00 UTC)");
  EXPECT_EQ(NumericDateNote(-1), " (1969-12-31 23:59:59 UTC)");
  EXPECT_EQ(NumericDateNote(253402300799LL), " (9999-12-31 23:59:59 UTC)");
  // What no date can say stays a bare value.
  EXPECT_EQ(NumericDateNote(253402300800LL), "");
  EXPECT_EQ(NumericDateNote(1e300), "");
  EXPECT_EQ(NumericDateNote(Json("1765036800")), "");
  EXPECT_EQ(NumericDateNote(Json(true)), "");
  EXPECT_EQ(NumericDateNote(Json(nullptr)), "");
}

// A failed case whose one evidence item is `e`, redacted by the caller.
RunResult RunWithEvidence(StepEvidence e) {
  RunResult run = testing::GoldenRun();
  e.label = "request";
  e.where = {"suites/x.yaml", 9, 5};
  run.suites[0].cases[1].evidence = {std::move(e)};
  return run;
}

// Evidence of the request `q` (the response is an empty 200).
StepEvidence Sent(RecordedRequest q, std::optional<RecordedTls> tls = std::nullopt) {
  StepEvidence e;
  e.exchange = RecordedExchange{std::move(q), RecordedResponse{}, std::move(tls)};
  return e;
}

TEST(NumericDates, TokenTimeClaimsCarryTheirDateAndOtherNumbersDoNot) {
  StepEvidence e;
  e.tokens.push_back({"request Authorization: Bearer", Json{{"alg", "RS256"}}.dump(),
                      Json{{"exp", 1765036800},
                           {"iat", 1765036500},
                           {"nbf", "soon"},
                           {"amount", 1765036800},
                           {"cnf", {{"jkt", "abc"}}}}
                          .dump()});
  const std::string html = RenderHtml(RunWithEvidence(e));
  EXPECT_THAT(html, HasSubstr("  &quot;exp&quot;: 1765036800<span class=\"date\"> (2025-12-06 "
                              "16:00:00 UTC)</span>,\n"));
  EXPECT_THAT(html, HasSubstr("  &quot;iat&quot;: 1765036500<span class=\"date\"> (2025-12-06 "
                              "15:55:00 UTC)</span>,\n"));
  EXPECT_THAT(html, HasSubstr("  &quot;nbf&quot;: &quot;soon&quot;\n}</pre>"));
  EXPECT_THAT(html, HasSubstr("  &quot;amount&quot;: 1765036800,\n"));
  EXPECT_THAT(html,
              HasSubstr("  &quot;cnf&quot;: {\n    &quot;jkt&quot;: &quot;abc&quot;\n  },\n"));
}

TEST(CurlCommand, ReproducesTheRequestWithSecretsAsVariables) {
  auto curl =
      CurlFor(Sent({"POST",
                    "https://api.example.test/token?a=1&b=2",
                    {{"Authorization", "Bearer ***"}, {"Content-Length", "57"}, {"X-Note", "it's"}},
                    "grant_type=client_credentials&client_secret=***"}));
  ASSERT_TRUE(curl.has_value());
  EXPECT_EQ(curl->command,
            "curl -sS -i -X POST 'https://api.example.test/token?a=1&b=2' \\\n"
            "  -H 'Authorization: Bearer '\"$TOLLGATE_BEARER\" \\\n"
            "  -H 'X-Note: it'\\''s' \\\n"
            "  --data-raw 'grant_type=client_credentials&client_secret='\"$CLIENT_SECRET\"");
  EXPECT_THAT(curl->variables,
              ElementsAre(Pair("TOLLGATE_BEARER", "the bearer token that was sent"),
                          Pair("CLIENT_SECRET", "the value of `client_secret`")));
  EXPECT_THAT(curl->notes, ElementsAre(HasSubstr("add --cacert")));
}

TEST(CurlCommand, NamesMasksAfterTheirFieldAndKeepsClearOfShellVariables) {
  auto curl = CurlFor(Sent({"PUT",
                            "http://h.test/p?api_key=***",
                            {{"Cookie", "***"}, {"X-Empty", ""}, {"X-Signature", "v1,***"}},
                            R"({"password": "***", "path":"***", "n": 1, "x": "a***"})"}));
  ASSERT_TRUE(curl.has_value());
  EXPECT_EQ(curl->command,
            "curl -sS -i -X PUT 'http://h.test/p?api_key='\"$API_KEY\" \\\n"
            "  -H 'Cookie: '\"$TOLLGATE_COOKIE\" \\\n"
            "  -H 'X-Empty;' \\\n"
            "  -H 'X-Signature: v1,'\"$X_SIGNATURE\" \\\n"
            "  --data-raw '{\"password\": \"'\"$PASSWORD\"'\", \"path\":\"'\"$TOLLGATE_PATH\"'\", "
            "\"n\": 1, \"x\": \"a'\"$TOLLGATE_SECRET\"'\"}'");
  EXPECT_TRUE(curl->notes.empty());  // plain http: no CA to mention
  EXPECT_EQ(curl->variables.size(), 6u);
}

TEST(CurlCommand, GetHeadClientCertificatesAndCutBodies) {
  auto get = CurlFor(Sent({"GET", "http://h.test/a b", {}, ""}));
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->command, "curl -sS -i 'http://h.test/a b'");
  auto head = CurlFor(Sent({"HEAD", "ftp://h.test/", {}, ""}));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->command, "curl -sS -I --url 'ftp://h.test/'");
  RecordedTls tls;
  tls.client_cert_subject = "CN=partner";
  tls.client_cert_sha256 = "ab12";
  auto mtls = CurlFor(Sent({"POST", "https://h.test/", {}, "abc", /*body_cut=*/true}, tls));
  ASSERT_TRUE(mtls.has_value());
  EXPECT_EQ(mtls->command,
            "curl -sS -i -X POST 'https://h.test/' \\\n  --data-raw 'abc' \\\n"
            "  --cert \"$TLS_CLIENT_CERT\" --key \"$TLS_CLIENT_KEY\"");
  EXPECT_THAT(mtls->notes,
              ElementsAre(HasSubstr("the recorded body was cut"), HasSubstr("--cacert")));
  // Without a certificate presented, no --cert; without a request, no command.
  auto one_way = CurlFor(Sent({"GET", "https://h.test/", {}, ""}, RecordedTls{}));
  ASSERT_TRUE(one_way.has_value());
  EXPECT_THAT(one_way->command, Not(HasSubstr("--cert")));
  StepEvidence minted;
  minted.tokens.push_back({"minted by issuer", "{}", "{}"});
  EXPECT_FALSE(CurlFor(minted).has_value());
  EXPECT_FALSE(CurlFor(Sent({"GET", "", {}, ""})).has_value());
}

// What bash makes of `word`: the bytes of the one argument it reads.
std::string BashReads(const std::string& word) {
  const std::string cmd = "bash -c \"printf '%s' " + [&] {
    std::string escaped;  // inside the outer double quotes
    for (char c : word) {
      if (c == '"' || c == '\\' || c == '$' || c == '`') escaped += '\\';
      escaped += c;
    }
    return escaped;
  }() + "\"";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[256];
  for (std::size_t n; p != nullptr && (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  if (p != nullptr) pclose(p);
  return out;
}

TEST(ShellQuote, BashReadsBackTheExactBytes) {
  for (const std::string& text :
       {std::string("plain"), std::string("it's a \"test\" $HOME `id` \\ *"),
        std::string("line one\nline two"), std::string("esc \x1B[31m red\r\n"),
        std::string("bad utf8 \xFF\xFE end'"), std::string("\xE2\x82\xAC 5"), std::string("")}) {
    EXPECT_EQ(BashReads(ShellQuote(text)), text) << ShellQuote(text);
  }
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("a\x1B"), "$'a\\x1B'");
}

TEST(CurlCommand, TheReportShowsTheQuotedLineAndNeverTheSecret) {
  const std::string secret = "Sup3r-S3cret-Value-42";
  Redactor redactor;
  redactor.AddSecret(secret);
  HeaderList headers;
  for (const auto& [n, v] :
       {std::pair<std::string, std::string>{"Authorization", "Bearer " + secret},
        {"X-Trace", "id-" + secret}}) {
    headers.emplace_back(n, redactor.RedactHeader(n, v));
  }
  const std::string html = RenderHtml(RunWithEvidence(
      Sent({"POST", redactor.Redact("https://api.example.test/pay?k=" + secret), headers,
            redactor.Redact(R"({"client_secret":")" + secret + R"(","note":"it's"})")})));
  EXPECT_EQ(html.find(secret), std::string::npos);
  EXPECT_EQ(html.find("S3cret"), std::string::npos);
  const std::string curl = Between(html, "<pre class=\"curl\">", "</pre>");
  EXPECT_EQ(curl,
            "<pre class=\"curl\">curl -sS -i -X POST "
            "&#39;https://api.example.test/pay?k=&#39;&quot;$K&quot; \\\n"
            "  -H &#39;Authorization: Bearer &#39;&quot;$TOLLGATE_BEARER&quot; \\\n"
            "  -H &#39;X-Trace: id-&#39;&quot;$X_TRACE&quot; \\\n"
            "  --data-raw "
            "&#39;{&quot;client_secret&quot;:&quot;&#39;&quot;$CLIENT_SECRET&quot;&#39;&quot;,"
            "&quot;note&quot;:&quot;it&#39;\\&#39;&#39;s&quot;}&#39;");
  EXPECT_THAT(curl, Not(HasSubstr("***")));
  EXPECT_THAT(html,
              HasSubstr("set <code>K</code> (the value of `k`), <code>TOLLGATE_BEARER</code> "
                        "(the bearer token that was sent), <code>X_TRACE</code> (the X-Trace "
                        "header) and <code>CLIENT_SECRET</code> (the value of `client_secret`) "
                        "first."));
}

}  // namespace
}  // namespace tollgate
