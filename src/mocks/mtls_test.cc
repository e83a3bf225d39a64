// Kind `mtls` over real sockets: the two-way listener's policy (trust anchors, CRL, EKU,
// registered fingerprints), the one-way listener that never asks for a certificate, and
// the journal of presented certificates and refused handshakes.

#include "mocks/mtls.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/test_pki.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"

namespace tollgate {
namespace {

using testing::CertSpec;
using ::testing::HasSubstr;
using testing::TestCert;

class MtlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = pki_.Make("root", CertSpec::Root("root"));
    server_ = pki_.Make("server", CertSpec::Leaf("mtls-host", "root").Eku("serverAuth"));
    partner_ = pki_.Make("partner", CertSpec::Leaf("partner", "root").Eku("clientAuth"));
    other_ = pki_.Make("other", CertSpec::Leaf("other", "root").Eku("clientAuth"));
    revoked_ = pki_.Make("revoked", CertSpec::Leaf("revoked", "root").Eku("clientAuth"));
    expired_ = pki_.Make(
        "expired",
        CertSpec::Leaf("expired", "root").Eku("clientAuth").Validity(-10 * 86400, -86400));
    server_auth_ = pki_.Make("srv-only", CertSpec::Leaf("srv-only", "root").Eku("serverAuth"));
    no_eku_ = pki_.Make("no-eku", CertSpec::Leaf("no-eku", "root"));
    pki_.Make("stranger-root", CertSpec::Root("stranger-root"));
    stranger_ =
        pki_.Make("stranger", CertSpec::Leaf("stranger", "stranger-root").Eku("clientAuth"));
    crl_ = pki_.Crl("root", {"revoked"}, "root.crl");
  }
  void TearDown() override {
    if (env_) env_->Stop();
  }

  void Start(nlohmann::json extra = nlohmann::json::object(),
             const std::vector<std::string>& faults = {}) {
    ServiceDecl d;
    d.name = "bank";
    d.kind = "mtls";
    d.config = {{"server_cert", server_.cert_file},
                {"server_key", server_.key_file},
                {"client_ca", root_.cert_file},
                {"crl", crl_}};
    for (auto& [k, v] : extra.items()) d.config[k] = v;
    d.faults = faults;
    Environment model;
    model.name = "mtls-test";
    model.services = {d};
    env_ = std::make_unique<MockEnvironment>(model, &clock_, &redactor_);
    Status st = env_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  ClientResponse Get(const std::string& url, const TestCert* as) {
    ClientRequest r;
    r.url = url + "/";
    r.timeout = std::chrono::milliseconds(3000);
    r.tls.ca_file = root_.cert_file;
    if (as != nullptr) {
      r.tls.cert_file = as->chain_file;
      r.tls.key_file = as->key_file;
    }
    auto res = client_.Send(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : ClientResponse{};
  }
  std::string Alert(const ClientResponse& r) {
    return r.tls.alert_received ? r.tls.alert_received->name : "none";
  }

  testing::TestPki pki_;
  TestCert root_, server_, partner_, other_, revoked_, expired_, server_auth_, no_eku_, stranger_;
  std::string crl_;
  ManualClock clock_;
  Redactor redactor_;
  HttpClient client_;
  std::unique_ptr<MockEnvironment> env_;
};

TEST_F(MtlsTest, TwoWayPolicyAcceptsAndRefusesAtTheHandshake) {
  Start();
  const std::string url = env_->Url("bank");
  ClientResponse ok = Get(url, &partner_);
  ASSERT_EQ(ok.outcome, TransportOutcome::kOk) << ok.error;
  EXPECT_EQ(ok.status, 200);
  EXPECT_THAT(ok.body, HasSubstr(partner_.sha256));
  struct Case {
    const char* name;
    const TestCert* cert;
    const char* alert;
  } cases[] = {
      {"no certificate", nullptr, "certificate_required"},
      {"untrusted", &stranger_, "unknown_ca"},
      {"expired", &expired_, "certificate_expired"},
      {"revoked", &revoked_, "certificate_revoked"},
      {"serverAuth only", &server_auth_, "unsupported_certificate"},
  };
  for (const Case& c : cases) {
    ClientResponse r = Get(url, c.cert);
    EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << c.name << ": " << r.error;
    EXPECT_EQ(Alert(r), c.alert) << c.name;
  }
  // A leaf without EKU passes OpenSSL's default purpose check.
  EXPECT_EQ(Get(url, &no_eku_).outcome, TransportOutcome::kOk);
}

TEST_F(MtlsTest, StrictEkuRefusesALeafWithoutClientAuth) {
  Start({{"eku", "strict"}});
  ClientResponse r = Get(env_->Url("bank"), &no_eku_);
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected) << r.error;
  EXPECT_EQ(Alert(r), "unsupported_certificate");
  EXPECT_EQ(Get(env_->Url("bank"), &partner_).outcome, TransportOutcome::kOk);
}

TEST_F(MtlsTest, AnUnregisteredCertificateGets401) {
  Start({{"registered", {partner_.sha256}}});
  EXPECT_EQ(Get(env_->Url("bank"), &partner_).status, 200);
  ClientResponse r = Get(env_->Url("bank"), &other_);
  ASSERT_EQ(r.outcome, TransportOutcome::kOk) << r.error;  // the handshake succeeds
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("unregistered_certificate"));
}

TEST_F(MtlsTest, OneWayListenerNeverAsksForACertificate) {
  Start();
  const std::string url = env_->OneWayUrl("bank");
  ASSERT_FALSE(url.empty());
  EXPECT_NE(url, env_->Url("bank"));
  ClientResponse with = Get(url, &partner_);
  ASSERT_EQ(with.outcome, TransportOutcome::kOk) << with.error;
  EXPECT_FALSE(with.tls.certificate_requested);
  EXPECT_THAT(with.body, HasSubstr(R"("client_cert":"none")"));
  ClientResponse without = Get(url, nullptr);
  EXPECT_EQ(without.status, 200);
  EXPECT_EQ(without.body, with.body);  // a certificate changes nothing there
  EXPECT_TRUE(Get(env_->Url("bank"), &partner_).tls.certificate_requested);
  EXPECT_EQ(env_->ReadyJson()["services"]["bank"]["one_way_url"], url);
}

TEST_F(MtlsTest, JournalRecordsPresentedCertificatesAndRefusedHandshakes) {
  Start();
  Get(env_->Url("bank"), &partner_);
  Get(env_->Url("bank"), &stranger_);
  const Journal* journal = env_->GetJournal("bank");
  ASSERT_NE(journal, nullptr);
  // The refusal is journaled by a server thread after the client saw the alert.
  std::vector<JournalEntry> entries;
  for (int i = 0; i < 200 && entries.size() < 2; ++i) {
    entries = journal->Snapshot();
    if (entries.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].method, "GET");
  EXPECT_EQ(entries[0].client_cert_sha256, partner_.sha256);
  EXPECT_EQ(entries[0].client_cert_subject, partner_.subject);
  EXPECT_EQ(entries[1].method, "TLS");
  EXPECT_THAT(entries[1].note, HasSubstr("TLS handshake from 127.0.0.1:"));
}

// Each fault breaks exactly the rule its check is about.
TEST_F(MtlsTest, FaultAcceptUnregisteredServesAnyTrustedCertificate) {
  Start({{"registered", {partner_.sha256}}}, {"accept_unregistered"});
  EXPECT_EQ(Get(env_->Url("bank"), &other_).status, 200);
  EXPECT_EQ(Get(env_->Url("bank"), &stranger_).outcome, TransportOutcome::kTlsRejected);
}

TEST_F(MtlsTest, FaultOptionalClientCertLetsAClientWithoutOneIn) {
  Start({}, {"optional_client_cert"});
  ClientResponse r = Get(env_->Url("bank"), nullptr);
  EXPECT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_TRUE(r.tls.certificate_requested);
  EXPECT_EQ(Get(env_->Url("bank"), &expired_).outcome, TransportOutcome::kTlsRejected);
}

TEST_F(MtlsTest, FaultAllowTls11AcceptsTheOldProtocol) {
  auto tls11 = [this](const std::string& url) {
    ClientRequest r;
    r.url = url + "/";
    r.tls.ca_file = root_.cert_file;
    r.tls.min_version = "1.1";
    r.tls.max_version = "1.1";
    auto res = client_.Send(r);
    return res.ok() ? *res : ClientResponse{};
  };
  Start();
  EXPECT_EQ(Alert(tls11(env_->OneWayUrl("bank"))), "protocol_version");
  env_->Stop();
  Start({}, {"allow_tls11"});
  ClientResponse r = tls11(env_->OneWayUrl("bank"));
  EXPECT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.tls.protocol, "TLSv1.1");
}

}  // namespace
}  // namespace tollgate
