// `tls: {audit: ...}` checked against audit results: each part holds on the answer it
// asks for and fails, saying expected and actual, on each other answer.

#include "runner/tls_audit_expect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tollgate::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// A two-way host done right: client auth required, 1.2 and 1.3 only, one recommended
// suite, one CA name, certificate_required at 1.3, renegotiation refused, resumed.
http::TlsAuditResult GoodHost() {
  http::TlsAuditResult r;
  r.versions = {{"1.0", false, "protocol_version"},
                {"1.1", false, "protocol_version"},
                {"1.2", true, ""},
                {"1.3", true, ""}};
  r.tls12_suites_probed = 20;
  r.tls12_suites = {{"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                     "recommended", "RFC 9325"}};
  r.client_auth = http::ClientAuthMode::kRequired;
  r.ca_names = {"CN=Partner Issuing CA"};
  r.missing_cert = {{"1.3", "certificate_required", 116, 0, false},
                    {"1.2", "handshake_failure", 40, 0, false}};
  r.renegotiation_refused = true;
  r.resumed = true;
  r.handshakes = 31;
  return r;
}

NumberBound Bound(std::string op, double v) {
  NumberBound b;
  b.op = op;
  b.value = v;
  b.text = op + " " + std::to_string(static_cast<int>(v));
  return b;
}

TlsAuditExpect Everything() {
  TlsAuditExpect e;
  e.client_auth = "required";
  e.protocols = {{"1.0", false}, {"1.1", false}, {"1.3", true}};
  e.tls12_suites = "acceptable";
  e.ca_names = Bound("<=", 5);
  e.missing_certificate = {{"1.3", "certificate_required"}, {"", "refused"}};
  e.renegotiation_refused = true;
  e.resumed = true;
  e.must_findings = Bound("==", 0);
  e.absent_findings = {"client_auth.optional"};
  return e;
}

TEST(TlsAuditExpect, EveryPartHoldsOnAGoodHost) {
  EXPECT_THAT(CheckTlsAudit(Everything(), GoodHost()), IsEmpty());
}

TEST(TlsAuditExpect, EachDefectFailsExactlyItsPart) {
  struct Defect {
    const char* name;
    void (*apply)(http::TlsAuditResult&);
    const char* message;    // of the first failure
    std::size_t count = 1;  // optional client auth also fails every refusal it should make
  };
  const Defect defects[] = {
      {"optional client auth",
       [](http::TlsAuditResult& r) {
         r.client_auth = http::ClientAuthMode::kOptional;
         r.missing_cert = {{"1.3", "", -1, 200, true}, {"1.2", "", -1, 200, true}};
       },
       "expected client auth required, got optional", 4},
      {"TLS 1.0 offered", [](http::TlsAuditResult& r) { r.versions[0].offered = true; },
       "expected TLS 1.0 refused, got offered"},
      {"no TLS 1.3",
       [](http::TlsAuditResult& r) {
         r.versions[3] = {"1.3", false, "protocol_version"};
         r.missing_cert.erase(r.missing_cert.begin());
       },
       "expected TLS 1.3 offered, got refused (protocol_version)", 2},
      {"a NULL suite",
       [](http::TlsAuditResult& r) {
         r.tls12_suites.push_back({"NULL-SHA256", "TLS_RSA_WITH_NULL_SHA256", "weak", "no"});
       },
       "expected every TLS 1.2 suite accepted at least acceptable, got NULL-SHA256 (weak)"},
      {"a broad CA list", [](http::TlsAuditResult& r) { r.ca_names.resize(40, "CN=x"); },
       "expected CA names in the CertificateRequest <= 5, got 40"},
      {"generic alert at 1.3",
       [](http::TlsAuditResult& r) {
         r.missing_cert[0].alert = "handshake_failure";
         r.missing_cert[0].alert_code = 40;
       },
       "expected without a certificate at TLS 1.3 certificate_required, got handshake_failure"},
      {"renegotiation accepted",
       [](http::TlsAuditResult& r) {
         r.renegotiation_refused = false;
         r.renegotiation_detail = "renegotiated";
       },
       "expected client-initiated renegotiation refused, got accepted: renegotiated"},
      {"no resumption",
       [](http::TlsAuditResult& r) {
         r.resumed = false;
         r.resumption_detail = "the server issued no resumable session";
       },
       "expected session resumption resumed, got the server issued no resumable session"},
      {"a must finding",
       [](http::TlsAuditResult& r) {
         r.findings.push_back({http::TlsSeverity::kMust, "certificate.expired", "expired"});
       },
       "expected must findings == 0, got 1 (certificate.expired)"},
  };
  for (const Defect& d : defects) {
    http::TlsAuditResult r = GoodHost();
    d.apply(r);
    std::vector<CheckFailure> f = CheckTlsAudit(Everything(), r);
    std::string all;
    for (const CheckFailure& one : f) all += one.message + "\n";
    ASSERT_THAT(f, SizeIs(d.count)) << d.name << ":\n" << all;
    EXPECT_EQ(f[0].type, "assert.tls_audit");
    EXPECT_THAT(f[0].message, HasSubstr(d.message)) << d.name;
  }
}

TEST(TlsAuditExpect, OptionalAuthIsCaughtByTheAnswerWithoutACertificateToo) {
  http::TlsAuditResult r = GoodHost();
  r.client_auth = http::ClientAuthMode::kOptional;
  r.missing_cert = {{"1.3", "", -1, 200, true}};
  r.findings.push_back({http::TlsSeverity::kShould, "client_auth.optional", "optional"});
  TlsAuditExpect e;
  e.missing_certificate = {{"", "refused"}};
  e.absent_findings = {"client_auth.optional"};
  std::vector<CheckFailure> f = CheckTlsAudit(e, r);
  ASSERT_THAT(f, SizeIs(2));
  EXPECT_THAT(f[0].message, HasSubstr("got accepted (HTTP 200)"));
  EXPECT_THAT(f[1].message, HasSubstr("client_auth.optional absent"));
}

TEST(TlsAuditExpect, NoCertificateRequestIsNoRefusal) {
  http::TlsAuditResult r = GoodHost();
  r.client_auth = http::ClientAuthMode::kNone;
  r.missing_cert.clear();
  r.ca_names.clear();
  TlsAuditExpect refused;
  refused.missing_certificate = {{"1.3", "certificate_required"}};
  std::vector<CheckFailure> f = CheckTlsAudit(refused, r);
  ASSERT_THAT(f, SizeIs(1));
  EXPECT_THAT(f[0].message, HasSubstr("no CertificateRequest at TLS 1.3 (client auth none)"));
  TlsAuditExpect accepted;
  accepted.missing_certificate = {{"", "accepted"}};
  EXPECT_THAT(CheckTlsAudit(accepted, r), IsEmpty());
}

TEST(TlsAuditExpect, OptionsComeFromTheRequestAndBadUrlsAreRefused) {
  ClientRequest q;
  q.url = "https://127.0.0.1:8443/accounts?x=1";
  q.tls.ca_file = "ca.pem";
  q.tls.cert_file = "chain.pem";
  q.tls.key_file = "key.pem";
  auto o = AuditOptionsFor(q, std::chrono::milliseconds(700), nullptr);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 8443);
  EXPECT_EQ(o->ca_file, "ca.pem");
  EXPECT_EQ(o->cert_file, "chain.pem");
  EXPECT_EQ(o->key_file, "key.pem");
  EXPECT_EQ(o->timeout, std::chrono::milliseconds(700));
  q.url = "http://127.0.0.1:8080/";
  auto bad = AuditOptionsFor(q, std::chrono::milliseconds(700), nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("the audit speaks TLS only"));
}

TEST(TlsAuditExpect, TheSummaryNamesEveryAnswer) {
  http::TlsAuditResult r = GoodHost();
  r.findings.push_back({http::TlsSeverity::kInfo, "client_auth.generic_alert", "x"});
  EXPECT_EQ(TlsAuditSummary(r),
            "client auth required; TLS 1.0 refused, 1.1 refused, 1.2 offered, 1.3 offered; "
            "1 of 20 TLS 1.2 suites accepted (worst: recommended); 1 CA name; without a "
            "certificate: 1.3 certificate_required, 1.2 handshake_failure; renegotiation "
            "refused; session resumed; findings: 0 must, 0 should, 1 info "
            "(client_auth.generic_alert); 31 handshakes");
}

}  // namespace
}  // namespace tollgate::runner
