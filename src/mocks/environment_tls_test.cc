// Services with `tls:` serve HTTPS with a certificate of the PKI profile; the TLS faults
// every such service knows each weaken exactly one property of its TLS configuration.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/mocks/service.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;

constexpr char kPki[] = R"yaml(pki: env-tls-test
authorities:
  root: {subject: "CN=Env Test Root,O=tollgate", key: ec-p256, days: 3650}
  server-ca: {subject: "CN=Env Test Server CA,O=tollgate", issuer: root, key: ec-p256, days: 1825}
identities:
  server:
    subject: CN=localhost,O=tollgate
    issuer: server-ca
    usage: server
    key: ec-p256
    days: 90
    san: [DNS:localhost, IP:127.0.0.1]
    variants: [expired, wrong_host]
    wrong_host_san: [DNS:wrong-host.invalid]
)yaml";

constexpr char kEnv[] = R"yaml(environment: tls-test
services:
  api:
    kind: receiver
    tls: {identity: server}
  plain:
    kind: receiver
)yaml";

class EnvironmentTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "tollgate-envtls-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = new fs::path(tmpl);
    std::ofstream(*dir_ / "pki.yaml") << kPki;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }

  // Starts the environment with `faults` on service `api`; returns its status.
  Status Start(const std::vector<std::string>& faults = {}, bool with_pki = true) {
    RegisterMockKinds();  // the kinds' schemas, for the loader
    Diagnostics diags;
    auto model = ParseEnvironment(kEnv, "mocks/tls-test.yaml", diags);
    EXPECT_TRUE(model.has_value());
    env_ = std::make_unique<MockEnvironment>(*model, &clock_, &redactor_);
    if (with_pki) env_->SetPki((*dir_ / "pki.yaml").string(), (*dir_ / "generated").string());
    for (const std::string& f : faults) {
      if (Status st = env_->AddFault("api", f); !st.ok()) return st;
    }
    return env_->Start();
  }

  ClientResponse Get(ClientTlsOptions tls) {
    ClientRequest r;
    r.url = env_->Url("api") + "/hello";
    r.timeout = std::chrono::milliseconds(3000);
    r.tls = std::move(tls);
    auto res = client_.Send(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : ClientResponse{};
  }

  ClientTlsOptions Trusting() const {
    ClientTlsOptions tls;
    tls.ca_file = env_->TrustFileFor(env_->Url("api") + "/hello");
    return tls;
  }

  static fs::path* dir_;
  OffsetClock clock_;
  Redactor redactor_;
  HttpClient client_;
  std::unique_ptr<MockEnvironment> env_;
};

fs::path* EnvironmentTlsTest::dir_ = nullptr;

TEST_F(EnvironmentTlsTest, TlsServiceServesHttpsWithItsPkiIdentity) {
  ASSERT_TRUE(Start().ok());
  EXPECT_EQ(env_->Url("api").rfind("https://127.0.0.1:", 0), 0u) << env_->Url("api");
  EXPECT_EQ(env_->Url("plain").rfind("http://127.0.0.1:", 0), 0u);
  // Only the TLS service's origin has a trust file, and only that exact origin.
  EXPECT_FALSE(env_->TrustFileFor(env_->Url("api")).empty());
  EXPECT_EQ(env_->TrustFileFor(env_->Url("plain") + "/x"), "");
  EXPECT_EQ(env_->TrustFileFor(env_->Url("api") + "0/x"), "");
  ClientResponse r = Get(Trusting());
  EXPECT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.tls.host_matched, std::optional<bool>(true));
  ASSERT_FALSE(r.tls.server_chain.empty());
  EXPECT_NE(r.tls.server_chain[0].subject.find("CN=localhost"), std::string::npos);
  EXPECT_GT(r.tls.server_chain[0].days_left, 30);
  EXPECT_FALSE(r.tls.certificate_requested);  // a one-way listener
  EXPECT_EQ(env_->ReadyJson()["services"]["api"]["ca_file"], env_->TrustFileFor(env_->Url("api")));
}

TEST_F(EnvironmentTlsTest, ExpiredCertificateFaultServesAnExpiredLeaf) {
  ASSERT_TRUE(Start({"expired_certificate"}).ok());
  ClientResponse r = Get(Trusting());
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected);
  EXPECT_EQ(r.tls.refusal, TlsRefusal::kWeRefusedServer);
  EXPECT_NE(r.tls.verify_error_text.find("expired"), std::string::npos) << r.tls.verify_error_text;
}

TEST_F(EnvironmentTlsTest, WrongHostFaultServesACertificateForAnotherName) {
  ASSERT_TRUE(Start({"wrong_host_certificate"}).ok());
  ClientResponse r = Get(Trusting());
  EXPECT_EQ(r.outcome, TransportOutcome::kTlsRejected);
  EXPECT_EQ(r.tls.refusal, TlsRefusal::kWeRefusedServer);
  EXPECT_EQ(r.tls.host_matched, std::optional<bool>(false));
}

TEST_F(EnvironmentTlsTest, Tls10IsRefusedUnlessTheFaultEnablesIt) {
  ClientTlsOptions old;
  old.min_version = "1.0";
  old.max_version = "1.0";
  ASSERT_TRUE(Start().ok());
  old.ca_file = Trusting().ca_file;
  EXPECT_EQ(Get(old).outcome, TransportOutcome::kTlsRejected);
  ASSERT_TRUE(Start({"tls10_enabled"}).ok());
  old.ca_file = Trusting().ca_file;
  ClientResponse r = Get(old);
  EXPECT_EQ(r.outcome, TransportOutcome::kOk) << r.error;
  EXPECT_EQ(r.tls.protocol, "TLSv1");
}

TEST_F(EnvironmentTlsTest, NullCiphersAreRefusedUnlessTheFaultEnablesThem) {
  ClientTlsOptions weak;
  weak.max_version = "1.2";
  weak.ciphers = "eNULL";
  weak.security_level = 0;
  ASSERT_TRUE(Start().ok());
  weak.ca_file = Trusting().ca_file;
  EXPECT_EQ(Get(weak).outcome, TransportOutcome::kTlsRejected);
  ASSERT_TRUE(Start({"weak_ciphers"}).ok());
  weak.ca_file = Trusting().ca_file;
  ClientResponse r = Get(weak);
  EXPECT_EQ(r.outcome, TransportOutcome::kOk)
      << r.error << " / " << r.tls_error << " / "
      << (r.tls.alert_received ? r.tls.alert_received->name : "-")
      << (r.tls.alert_sent ? r.tls.alert_sent->name : "-");
  EXPECT_NE(r.tls.cipher.find("NULL"), std::string::npos) << r.tls.cipher;
}

TEST_F(EnvironmentTlsTest, TlsFaultsBelongToTlsServicesOnly) {
  ASSERT_TRUE(Start().ok());
  RegisterMockKinds();  // the kinds' schemas, for the loader
  Diagnostics diags;
  auto model = ParseEnvironment(kEnv, "mocks/tls-test.yaml", diags);
  MockEnvironment env(*model, &clock_, &redactor_);
  env.SetPki((*dir_ / "pki.yaml").string(), (*dir_ / "generated").string());
  // Refused as soon as it is named, before anything starts.
  Status st = env.AddFault("plain", "expired_certificate");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("has no fault `expired_certificate`"), std::string::npos)
      << st.ToString();
  EXPECT_TRUE(env.AddFault("api", "expired_certificate").ok());
}

TEST_F(EnvironmentTlsTest, TlsWithoutAPkiProfileIsAClearError) {
  Status st = Start({}, /*with_pki=*/false);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("certs/pki.yaml"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("service `api`"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace tollgate
