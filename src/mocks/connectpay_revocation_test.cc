// Kind `connectpay`, application-level revocation: a target and its `ocsp` responder in one
// environment over loopback, the two-way host's check called directly with the request a
// handshake would give it. Each responder action and each revocation fault.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "mocks/connectpay.h"
#include "tollgate/base/file.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::mocks {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kRevocationTestPki[] = R"yaml(pki: cp-revocation-test
authorities:
  root: {subject: "CN=CPR Root", key: ec-p256, days: 3650}
  client-ca: {subject: "CN=CPR Client CA", issuer: root, key: ec-p256, days: 1825}
  server-ca: {subject: "CN=CPR Server CA", issuer: root, key: ec-p256, days: 1825}
identities:
  partner: {subject: "CN=partner", issuer: client-ca, usage: client, key: ec-p256, days: 90,
            variants: [self_signed]}
  server: {subject: "CN=localhost", issuer: server-ca, usage: server, key: ec-p256, days: 90,
           san: ["DNS:localhost", "IP:127.0.0.1"]}
)yaml";

class ConnectPayRevocationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "tollgate-cprev-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = new fs::path(tmpl);
    std::ofstream(*dir_ / "pki.yaml") << kRevocationTestPki;
    auto cfg = pki::LoadPkiConfig((*dir_ / "pki.yaml").string());
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    ManualClock clock(Clock::TimePoint(std::chrono::seconds(1'800'000'000)));
    ASSERT_TRUE(pki::EnsureGenerated(*cfg, Out(), clock).ok());
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  static std::string Out() { return (*dir_ / "generated").string(); }

  // An environment of a responder and a target with `faults` and `unavailable`.
  void Start(const std::string& faults, const std::string& unavailable = "fail_closed") {
    RegisterMockKinds();
    Diagnostics diags;
    auto model = ParseEnvironment(
        "environment: cp-rev\nservices:\n"
        "  revocation: {kind: ocsp, identity: partner}\n"
        "  cp:\n    kind: connectpay\n    server_identity: server\n"
        "    clients: {ConnectPay: {secret: s, registered: partner}}\n"
        "    revocation: {responder: revocation, timeout: 300ms, unavailable: " +
            unavailable + "}\n    faults: [" + faults + "]\n",
        "mocks/cp-rev.yaml", diags);
    ASSERT_TRUE(model.has_value()) << diags.Render();
    env_ = std::make_unique<MockEnvironment>(*model, &clock_, &redactor_);
    env_->SetPki((*dir_ / "pki.yaml").string(), Out());
    ASSERT_TRUE(env_->Start().ok());
    responder_ = env_->Service("revocation");
    target_ = dynamic_cast<ConnectPay*>(env_->Service("cp"));
    ASSERT_NE(responder_, nullptr);
    ASSERT_NE(target_, nullptr);
  }
  void TearDown() override {
    if (env_) env_->Stop();
  }

  // The request the two-way host sees after a handshake with partner's `variant`.
  static ServerRequest From(const std::string& variant = "", bool resumed = false) {
    auto files = pki::ResolveIdentity(Out(), "partner", variant);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    ServerRequest r;
    r.method = "POST";
    r.path = "/v1/oauth/token";
    r.tls = true;
    r.client_cert = PeerCertificate{};
    r.client_cert->pem = files.ok() ? *ReadFile(files->cert_file) : "";
    r.client_cert->sha256_fingerprint = files.ok() ? files->sha256 : "";
    r.tls_session_resumed = resumed;
    return r;
  }
  // The status the check answers with (200 when it lets the request through).
  int Answer(const ServerRequest& r, std::string* note = nullptr) {
    std::optional<Handled> refused = target_->RefuseRevoked(r);
    if (note) *note = refused ? refused->note : "";
    return refused ? refused->response.status : 200;
  }
  void Act(const std::string& action, nlohmann::json args = nlohmann::json::object()) {
    ASSERT_TRUE(responder_->Control(action, args).ok()) << action;
  }

  static fs::path* dir_;
  ManualClock clock_{Clock::TimePoint(std::chrono::seconds(1'800'000'100))};
  Redactor redactor_;
  std::unique_ptr<MockEnvironment> env_;
  MockService* responder_ = nullptr;
  ConnectPay* target_ = nullptr;
};
fs::path* ConnectPayRevocationTest::dir_ = nullptr;

TEST_F(ConnectPayRevocationTest, RefusesWhatTheResponderSaysByOcspAndByCrl) {
  Start("");
  for (const char* method : {"ocsp", "crl"}) {
    SCOPED_TRACE(method);
    ASSERT_TRUE(target_->Control("revocation_method", {{"method", method}}).ok());
    std::string note;
    EXPECT_EQ(Answer(From(), &note), 200);
    Act("revoke", {{"variant", ""}});
    EXPECT_EQ(Answer(From(), &note), 401);
    EXPECT_THAT(note, HasSubstr(std::string(method) + ": CN=partner revoked at "));
    // A session made before the revocation and resumed after it is refused too.
    EXPECT_EQ(Answer(From("", true), &note), 401);
    EXPECT_THAT(note, HasSubstr("resumed session"));
    responder_->Restore();
    Act("revoke", {{"authority", "client-ca"}});  // a revoked intermediate
    EXPECT_EQ(Answer(From(), &note), 401);
    EXPECT_THAT(note, HasSubstr("CN=CPR Client CA revoked"));
    responder_->Restore();
    for (const char* down :
         {"responder_down", method == std::string("ocsp") ? "wrong_responder" : "crl_bad_signature",
          method == std::string("ocsp") ? "stale_produced_at" : "crl_stale"}) {
      SCOPED_TRACE(down);
      Act(down);
      EXPECT_EQ(Answer(From()), 503);
      responder_->Restore();
    }
  }
  target_->Restore();
  for (const char* unusable : {"try_later", "unauthorized"}) {
    Act(unusable);
    EXPECT_EQ(Answer(From()), 503) << unusable;
    responder_->Restore();
  }
  Act("unknown_status");
  EXPECT_EQ(Answer(From()), 401);
  responder_->Restore();
  // A certificate of another CA has no responder here: the handshake judged it alone.
  Act("responder_down");
  EXPECT_EQ(Answer(From("self_signed")), 200);
  responder_->Restore();
  EXPECT_THAT(target_->Control("revocation_method", {{"method", "ldap"}}).message(),
              HasSubstr("expected one of ocsp, crl"));
  EXPECT_THAT(target_->Control("rotate", {}).message(), HasSubstr("revocation_method"));
}

TEST_F(ConnectPayRevocationTest, AHungResponderCostsTheTimeoutOnly) {
  Start("");
  Act("responder_slow", {{"ms", 5000}});
  auto started = std::chrono::steady_clock::now();
  std::string note;
  EXPECT_EQ(Answer(From(), &note), 503);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000));
  EXPECT_THAT(note, HasSubstr("timeout"));
  responder_->Restore();
}

TEST_F(ConnectPayRevocationTest, FailOpenServesWhatCannotBeChecked) {
  Start("", "fail_open");
  Act("responder_down");
  EXPECT_EQ(Answer(From()), 200);
  responder_->Restore();
  Act("revoke", {{"variant", ""}});
  EXPECT_EQ(Answer(From()), 401);  // a revocation the responder states is still refused
}

TEST_F(ConnectPayRevocationTest, EachFaultBreaksItsOwnRule) {
  struct Row {
    std::string fault, action;
    bool resumed;
  };
  for (const Row& row : std::vector<Row>{{"revocation_not_checked", "revoke", false},
                                         {"revocation_fail_open", "responder_down", false},
                                         {"revocation_checked_at_handshake_only", "revoke", true},
                                         {"accepts_unknown_status", "unknown_status", false},
                                         {"accepts_unverified_response", "wrong_responder", false},
                                         {"accepts_stale_response", "stale_produced_at", false}}) {
    SCOPED_TRACE(row.fault);
    Start(row.fault);
    Act(row.action,
        row.action == "revoke" ? nlohmann::json{{"variant", ""}} : nlohmann::json::object());
    EXPECT_EQ(Answer(From("", row.resumed)), 200);
    if (row.fault == "revocation_checked_at_handshake_only") {
      EXPECT_EQ(Answer(From("", false)), 401);  // a full handshake is still checked
    }
    env_->Stop();
    env_.reset();
  }
}

// What the schema cannot say is checked when the target starts: the timeout's bounds.
TEST_F(ConnectPayRevocationTest, ATimeoutOutOfBoundsStopsTheStart) {
  RegisterMockKinds();
  for (const char* timeout : {"0s", "1h"}) {
    Diagnostics diags;
    auto model =
        ParseEnvironment(std::string("environment: cp-rev\nservices:\n"
                                     "  revocation: {kind: ocsp, identity: partner}\n"
                                     "  cp:\n    kind: connectpay\n    server_identity: server\n"
                                     "    revocation: {responder: revocation, timeout: ") +
                             timeout + "}\n",
                         "mocks/cp-rev.yaml", diags);
    ASSERT_TRUE(model.has_value()) << diags.Render();
    MockEnvironment env(*model, &clock_, &redactor_);
    env.SetPki((*dir_ / "pki.yaml").string(), Out());
    Status started = env.Start();
    EXPECT_FALSE(started.ok()) << timeout;
    EXPECT_THAT(started.message(), HasSubstr("service `cp`: revocation.timeout"));
    EXPECT_THAT(started.message(), HasSubstr("at most 10s"));
    env.Stop();
  }
}

TEST(ConnectPayRevocationConfig, IsCheckedAtLoadWithFileAndLine) {
  RegisterMockKinds();
  Diagnostics diags;
  auto model = ParseEnvironment(
      "environment: e\nservices:\n  r: {kind: ocsp, identity: partner}\n"
      "  cp: {kind: connectpay, revocation: {responder: r, method: ldap}}\n",
      "mocks/e.yaml", diags);
  EXPECT_FALSE(model.has_value());
  EXPECT_THAT(diags.Render(), HasSubstr("mocks/e.yaml:4"));
  EXPECT_THAT(diags.Render(), HasSubstr("crl"));
  Diagnostics late;
  auto wrong = ParseEnvironment(
      "environment: e\nservices:\n  cp: {kind: connectpay, revocation: {responder: r}}\n"
      "  r: {kind: ocsp, identity: partner}\n",
      "mocks/e.yaml", late);
  EXPECT_FALSE(wrong.has_value());
  EXPECT_THAT(late.Render(), HasSubstr("mocks/e.yaml:3"));
}

}  // namespace
}  // namespace tollgate::mocks
