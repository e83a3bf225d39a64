#pragma once
// Hand-built RunResults shared by the report tests (test-only; header so the library glob
// leaves it out). Inputs are fixed, so the golden files need no masking.

#include <cmath>
#include <string>
#include <utility>

#include "tollgate/results.h"

namespace tollgate::testing {

inline CheckFailure Failure(std::string type, std::string message, std::string expected,
                            std::string actual, SourceLoc where) {
  return CheckFailure{std::move(type), std::move(message), std::move(expected), std::move(actual),
                      std::move(where)};
}

/// Two suites covering every verdict, matrix names, requirements and transcripts.
inline RunResult GoldenRun() {
  RunResult run;
  run.target = "mock:connectpay";
  run.environment = "connectpay";
  run.version = "0.1.0";
  run.timestamp = "2024-05-01T10:00:00Z";
  run.hostname = "ci-runner-7";
  run.seconds = 1.234;

  SuiteResult basic;
  basic.id = "connectpay/basic-auth";
  basic.title = "ConnectPay: basic authentication";
  basic.file = "suites/connectpay/basic-auth.yaml";
  basic.sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  basic.profile = "connectpay";
  basic.timestamp = "2024-05-01T10:00:00Z";
  basic.seconds = 0.75;
  {
    CaseResult c;
    c.suite_id = basic.id;
    c.scenario_id = "CP-BA-001";
    c.case_id = "CP-BA-001";
    c.name = "CP-BA-001 accepts valid credentials";
    c.requirements = {"CP-AUTH-1"};
    c.tags = {"auth"};
    c.verdict = Verdict::kPass;
    c.seconds = 0.012;
    c.loc = {"suites/connectpay/basic-auth.yaml", 4, 3};
    basic.cases.push_back(c);
  }
  {
    CaseResult c;
    c.suite_id = basic.id;
    c.scenario_id = "CP-BA-002";
    c.case_id = "CP-BA-002[scheme=Bearer]";
    c.name = "CP-BA-002 rejects a wrong scheme [scheme=Bearer]";
    c.matrix_values = {{"scheme", "Bearer"}};
    c.requirements = {"CP-AUTH-2", "CP-AUTH-3"};
    c.tags = {"auth", "negative"};
    c.verdict = Verdict::kFail;
    c.failures.push_back(Failure("assert.status", "expected status 401, got 200", "401", "200",
                                 {"suites/connectpay/basic-auth.yaml", 21, 9}));
    c.failures.push_back(Failure("assert.header", "expected header WWW-Authenticate, absent",
                                 "WWW-Authenticate: Basic", "(absent)",
                                 {"suites/connectpay/basic-auth.yaml", 23, 9}));
    c.transcript = {
        TranscriptText{"> GET /accounts HTTP/1.1\n> Authorization: ***\n< HTTP/1.1 200 OK\n"}};
    c.seconds = 0.0304;
    c.loc = {"suites/connectpay/basic-auth.yaml", 15, 3};
    basic.cases.push_back(c);
  }
  {
    CaseResult c;
    c.suite_id = basic.id;
    c.scenario_id = "CP-BA-002";
    c.case_id = "CP-BA-002[scheme=Digest]";
    c.name = "CP-BA-002 rejects a wrong scheme [scheme=Digest]";
    c.matrix_values = {{"scheme", "Digest"}};
    c.requirements = {"CP-AUTH-2", "CP-AUTH-3"};
    c.tags = {"auth", "negative"};
    c.verdict = Verdict::kPass;
    c.seconds = 0.0216;
    c.loc = {"suites/connectpay/basic-auth.yaml", 15, 3};
    basic.cases.push_back(c);
  }
  {
    CaseResult c;
    c.suite_id = basic.id;
    c.scenario_id = "CP-BA-003";
    c.case_id = "CP-BA-003";
    c.name = "CP-BA-003 token expires after 20 minutes";
    c.tags = {"slow"};
    c.verdict = Verdict::kSkipped;
    c.skip_reason = "excluded by --tags 'not slow'";
    c.loc = {"suites/connectpay/basic-auth.yaml", 30, 3};
    basic.cases.push_back(c);
  }
  run.suites.push_back(basic);

  SuiteResult notify;
  notify.id = "sage-connector/notification-token";
  notify.title = "Sage connector: notification token";
  notify.file = "suites/sage-connector/notification-token.yaml";
  notify.sha256 = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
  notify.profile = "sage-connector";
  notify.timestamp = "2024-05-01T10:00:01Z";
  notify.seconds = 0.48;
  {
    CaseResult c;
    c.suite_id = notify.id;
    c.scenario_id = "SC-NT-001";
    c.case_id = "SC-NT-001";
    c.name = "SC-NT-001 notification carries a fresh token";
    c.requirements = {"SC-NOTIFY-1"};
    c.verdict = Verdict::kError;
    c.error = "mock receiver did not start\nbind 127.0.0.1:0: address in use";
    c.transcript = {TranscriptText{"(no traffic)\n"}};
    c.seconds = 0.25;
    c.loc = {"suites/sage-connector/notification-token.yaml", 6, 3};
    notify.cases.push_back(c);
  }
  {
    CaseResult c;
    c.suite_id = notify.id;
    c.scenario_id = "SC-NT-002";
    c.case_id = "SC-NT-002";
    c.name = "SC-NT-002 token refused by other scopes";
    c.verdict = Verdict::kPass;
    c.transcript = {TranscriptText{"> POST /token HTTP/1.1\n< HTTP/1.1 400 Bad Request\n"}};
    c.seconds = 0.2;
    c.loc = {"suites/sage-connector/notification-token.yaml", 18, 3};
    notify.cases.push_back(c);
  }
  run.suites.push_back(notify);
  return run;
}

/// Text a hostile or broken target could put in results: markup characters, C0 controls
/// (NUL, ESC, BEL), a bare CR, invalid UTF-8, a non-character, and valid non-ASCII text.
inline constexpr char kHostileMarkup[] = "<tag attr=\"v\" x='y'> & ]]> &amp;";
inline constexpr char kHostileUtf8[] =
    "Zahlungsempf\xC3\xA4nger \xE2\x80\x94 \xE2\x82\xAC 5 \xE6\x97\xA5\xE6\x9C\xAC";

inline RunResult HostileRun() {
  RunResult run;
  run.target = "https://api.example/?a=1&b=<2>";
  run.environment = "env \"quoted\"";
  run.version = "0.1.0";
  run.timestamp = "2024-05-01T10:00:00Z";
  run.hostname = "host\x01name";
  run.seconds = -3;  // a broken timer

  SuiteResult s;
  s.id = "hostile/<suite>&\"";
  s.title = kHostileUtf8;
  s.file = "suites/hostile.yaml";
  s.profile = "hostile";
  s.seconds = std::nan("");
  {
    CaseResult c;
    c.suite_id = s.id;
    c.case_id = "H-001";
    c.name = std::string("H-001 ") + kHostileMarkup + " [k=\xE2\x82\xAC]";
    c.matrix_values = {{"k", "\xE2\x82\xAC"}};
    c.requirements = {"R<1>", "R&2"};
    c.verdict = Verdict::kFail;
    c.failures.push_back(
        Failure("assert.body", std::string("body had \x1B[31mred\x1B[0m and NUL ") + '\0' + " end",
                kHostileMarkup, std::string("bad utf8 \xFF\xFE and \xEF\xBF\xBE nonchar"),
                {"suites/hostile.yaml", 3, 5}));
    c.transcript = {
        TranscriptText{std::string("< HTTP/1.1 200 OK\r\n< X-Bell: \a\r\n\r\n") + kHostileUtf8}};
    c.seconds = 0.001;
    s.cases.push_back(c);
  }
  {
    CaseResult c;
    c.suite_id = s.id;
    c.case_id = "H-002";
    c.name = "H-002 error with \x02 control";
    c.verdict = Verdict::kError;
    c.error = std::string("connect failed: <refused> & \"gone\"\x0B\nsecond line ") + kHostileUtf8;
    s.cases.push_back(c);
  }
  {
    CaseResult c;
    c.suite_id = s.id;
    c.case_id = "H-003";
    c.name = "H-003 skipped";
    c.verdict = Verdict::kSkipped;
    c.skip_reason = "not applicable: <capability> & \x7F";
    s.cases.push_back(c);
  }
  run.suites.push_back(s);
  return run;
}

}  // namespace tollgate::testing
