// The two-host parts of kind `connectpay`, with a PKI generated into a temporary folder:
// listener policies and their faults, the token endpoint (registered certificate, scopes
// per person+app pair), the Bearer data APIs and certificate onboarding. Handlers are
// called directly; the suites exercise the same target over real mTLS.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "mocks/connectpay.h"
#include "tollgate/base/encoding.h"
#include "tollgate/base/forwarded_cert.h"
#include "tollgate/pki/pki.h"

namespace tollgate::mocks {
namespace {

namespace fs = std::filesystem;

constexpr char kPki[] = R"yaml(pki: connectpay-test
authorities:
  root: {subject: "CN=CP Test Root,O=tollgate", key: ec-p256, days: 3650}
  client-ca: {subject: "CN=CP Client CA,O=tollgate", issuer: root, key: ec-p256, days: 1825}
  server-ca: {subject: "CN=CP Server CA,O=tollgate", issuer: root, key: ec-p256, days: 1825}
identities:
  partner:
    subject: CN=partner,O=Partner Ltd
    issuer: client-ca
    usage: client
    key: ec-p256
    days: 90
    variants: [unregistered]
    bundles: [ordered, reversed, with_private_key]
  other-partner:
    subject: CN=other-partner,O=Other
    issuer: client-ca
    usage: client
    key: ec-p256
    days: 90
  server:
    subject: CN=localhost,O=tollgate
    issuer: server-ca
    usage: server
    key: ec-p256
    days: 90
    san: [DNS:localhost, IP:127.0.0.1]
)yaml";

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ConnectPayTwoHostTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "tollgate-cp2-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = new fs::path(tmpl);
    std::ofstream(*dir_ / "pki.yaml") << kPki;
    auto config = pki::LoadPkiConfig((*dir_ / "pki.yaml").string());
    ASSERT_TRUE(config.ok()) << config.status().message();
    // Generated on the same fixed clock the target judges bundles by: no wall clock.
    ManualClock generation;
    ASSERT_TRUE(pki::EnsureGenerated(*config, Out(), generation).ok());
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  static std::string Out() { return (*dir_ / "generated").string(); }

  std::unique_ptr<ConnectPay> Make(const std::vector<std::string>& faults = {}) {
    ServiceDecl d;
    d.name = "cp";
    d.kind = "connectpay";
    d.config = nlohmann::json::parse(R"({
      "server_identity": "server", "client_identity": "partner", "max_bundle_bytes": 4096,
      "clients": {
        "ConnectPay": {"secret": "EasyBanking", "registered": "partner",
                       "persons": {"alice": "accounts payments", "bob": "accounts"}},
        "OtherApp": {"secret": "Other", "registered": "other-partner",
                     "persons": {"carol": "accounts"}}},
      "data_apis": {"/v1/accounts": "accounts", "/v1/payments": "payments"},
      "bearer_paths": []})");
    ServiceContext ctx{
        &clock_, &redactor_, {}, {}, [](const std::string& id, const std::string& variant) {
          return pki::ResolveIdentity(Out(), id, variant);
        }};
    auto cp = std::make_unique<ConnectPay>(d, ctx);
    Status st = cp->SetUpHosts(d);
    EXPECT_TRUE(st.ok()) << st.message();
    for (const std::string& f : faults) cp->EnableFault(f);
    return cp;
  }
  static ServerRequest Presenting(const std::string& identity, const std::string& variant = "") {
    ServerRequest r;
    r.tls = true;
    auto files = pki::ResolveIdentity(Out(), identity, variant);
    EXPECT_TRUE(files.ok());
    PeerCertificate cert;
    cert.subject = files->subject;
    cert.sha256_fingerprint = files->sha256;
    r.client_cert = cert;
    return r;
  }
  static ServerRequest TokenRequest(const std::string& identity, const std::string& form,
                                    const std::string& key = "ConnectPay",
                                    const std::string& secret = "EasyBanking") {
    ServerRequest r = Presenting(identity);
    r.method = "POST";
    r.path = "/v1/oauth/token";
    r.headers.Add("Authorization", "Basic " + Base64Encode(key + ":" + secret));
    r.body = form;
    return r;
  }
  static ServerRequest DataRequest(const std::string& identity, const std::string& token) {
    ServerRequest r = Presenting(identity);
    r.method = "GET";
    r.headers.Add("Authorization", "Bearer " + token);
    return r;
  }
  static std::string TokenOf(const Handled& h) {
    return nlohmann::json::parse(h.response.body).value("access_token", "");
  }

  ManualClock clock_;
  Redactor redactor_;
  static fs::path* dir_;
};
fs::path* ConnectPayTwoHostTest::dir_ = nullptr;

TEST_F(ConnectPayTwoHostTest, TwoWayHostRequiresAVerifiedCertificateWithStrictEkuAndCrl) {
  auto cp = Make();
  ASSERT_TRUE(cp->two_host());
  auto two_way = cp->ListenerTls();
  ASSERT_TRUE(two_way.has_value());
  EXPECT_TRUE(two_way->require_client_cert);
  EXPECT_TRUE(two_way->verify_client_cert);
  EXPECT_TRUE(two_way->check_client_cert_time);
  EXPECT_EQ(two_way->eku, ClientEkuPolicy::kStrict);
  EXPECT_FALSE(two_way->crl_file.empty());
  EXPECT_FALSE(two_way->more_crl_files.empty());  // the root's CRL too
  EXPECT_TRUE(two_way->strict_client_paths);
  EXPECT_FALSE(two_way->empty_initial_policy_set);
  EXPECT_EQ(two_way->client_verify_depth, pki::kMaxIntermediates);
  EXPECT_EQ(two_way->security_level, 2);
  auto one_way = cp->OneWayTls();
  ASSERT_TRUE(one_way.has_value());
  EXPECT_FALSE(one_way->request_client_cert);
  EXPECT_FALSE(cp->TrustFile().empty());
}

TEST_F(ConnectPayTwoHostTest, EachListenerFaultWeakensOnlyItsProperty) {
  EXPECT_TRUE(Make({"skip_revocation"})->ListenerTls()->crl_file.empty());
  EXPECT_FALSE(Make({"accept_any_client_cert"})->ListenerTls()->verify_client_cert);
  EXPECT_TRUE(Make({"accept_any_client_cert"})->ListenerTls()->require_client_cert);
  EXPECT_FALSE(Make({"accept_expired_certs"})->ListenerTls()->check_client_cert_time);
  EXPECT_EQ(Make({"lenient_eku"})->ListenerTls()->eku, ClientEkuPolicy::kOpenSslDefault);
  EXPECT_FALSE(Make({"lenient_eku"})->ListenerTls()->crl_file.empty());
  EXPECT_TRUE(Make({"lenient_eku"})->ListenerTls()->strict_client_paths);
  auto lax = Make({"lax_path_validation"})->ListenerTls();
  EXPECT_FALSE(lax->strict_client_paths);
  EXPECT_EQ(lax->client_verify_depth, -1);
  EXPECT_TRUE(lax->verify_client_cert);
  EXPECT_EQ(lax->eku, ClientEkuPolicy::kStrict);
  auto empty_policy = Make({"empty_initial_policy_set"})->ListenerTls();
  EXPECT_TRUE(empty_policy->strict_client_paths);
  EXPECT_TRUE(empty_policy->empty_initial_policy_set);
}

TEST_F(ConnectPayTwoHostTest, WithoutAPkiTheTargetStaysPlainHttp) {
  ServiceDecl d;
  d.name = "cp";
  d.kind = "connectpay";
  d.config = {{"server_identity", "server"}};
  ConnectPay cp(d, ServiceContext{&clock_, &redactor_, {}, {}, {}});
  EXPECT_TRUE(cp.SetUpHosts(d).ok());
  EXPECT_FALSE(cp.two_host());
  EXPECT_FALSE(cp.ListenerTls().has_value());
}

TEST_F(ConnectPayTwoHostTest, TokensCarryThePairsScopesAndNeedTheRegisteredCertificate) {
  auto cp = Make();
  Handled alice =
      cp->HandleToken(TokenRequest("partner", "grant_type=client_credentials&person=alice"));
  ASSERT_EQ(alice.response.status, 200) << alice.note;
  EXPECT_EQ(nlohmann::json::parse(alice.response.body)["scope"], "accounts payments");
  EXPECT_EQ(alice.response.headers.Get("Cache-Control").value_or(""), "no-store");

  Handled bob = cp->HandleToken(
      TokenRequest("partner", "grant_type=client_credentials&person=bob&scope=payments"));
  EXPECT_EQ(bob.response.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bob.response.body)["error"], "invalid_scope");
  EXPECT_EQ(cp->HandleToken(TokenRequest("partner", "grant_type=client_credentials&person=carol"))
                .response.status,
            400);
  EXPECT_EQ(
      cp->HandleToken(TokenRequest("partner", "grant_type=password&person=alice")).response.status,
      400);
  // Another client's registered certificate, or a wrong secret: invalid_client.
  Handled other =
      cp->HandleToken(TokenRequest("other-partner", "grant_type=client_credentials&person=alice"));
  EXPECT_EQ(other.response.status, 401);
  EXPECT_EQ(nlohmann::json::parse(other.response.body)["error"], "invalid_client");
  EXPECT_EQ(cp->HandleToken(TokenRequest("partner", "grant_type=client_credentials&person=alice",
                                         "ConnectPay", "wrong"))
                .response.status,
            401);
}

TEST_F(ConnectPayTwoHostTest, ScopeFaultsIssueOrHonourTooMuch) {
  auto merged = Make({"person_scopes_merged"});
  EXPECT_EQ(merged
                ->HandleToken(TokenRequest(
                    "partner", "grant_type=client_credentials&person=bob&scope=payments"))
                .response.status,
            200);
  auto unchecked = Make({"no_scope_check"});
  std::string token = TokenOf(
      unchecked->HandleToken(TokenRequest("partner", "grant_type=client_credentials&person=bob")));
  EXPECT_EQ(unchecked->HandleData(DataRequest("partner", token), "payments", true).response.status,
            200);
}

TEST_F(ConnectPayTwoHostTest, DataApisCheckTokenScopeAndCertificateBinding) {
  auto cp = Make();
  std::string token =
      TokenOf(cp->HandleToken(TokenRequest("partner", "grant_type=client_credentials&person=bob")));
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(cp->HandleData(DataRequest("partner", token), "accounts", true).response.status, 200);
  Handled no_scope = cp->HandleData(DataRequest("partner", token), "payments", true);
  EXPECT_EQ(no_scope.response.status, 403);
  EXPECT_NE(no_scope.response.headers.Get("WWW-Authenticate")
                .value_or("")
                .find("error=\"insufficient_scope\", scope=\"payments\""),
            std::string::npos);
  EXPECT_EQ(cp->HandleData(DataRequest("other-partner", token), "accounts", true).response.status,
            401);
  EXPECT_EQ(cp->HandleData(DataRequest("partner", "not-a-token"), "accounts", true).response.status,
            401);
  // Expired: the controllable clock moves past the lifetime.
  clock_.Advance(std::chrono::seconds(601));
  EXPECT_EQ(cp->HandleData(DataRequest("partner", token), "accounts", true).response.status, 401);
  auto unbound = Make({"token_without_certificate_binding"});
  std::string t2 = TokenOf(
      unbound->HandleToken(TokenRequest("partner", "grant_type=client_credentials&person=bob")));
  EXPECT_EQ(unbound->HandleData(DataRequest("other-partner", t2), "accounts", true).response.status,
            200);
}

TEST_F(ConnectPayTwoHostTest, OnlyRegisteredCertificatesPassTheTwoWayHost) {
  auto cp = Make();
  EXPECT_FALSE(cp->RefuseUnregistered(Presenting("partner")).has_value());
  EXPECT_FALSE(cp->RefuseUnregistered(Presenting("other-partner")).has_value());
  auto refused = cp->RefuseUnregistered(Presenting("partner", "unregistered"));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->response.status, 401);
  EXPECT_FALSE(
      Make({"skip_registered_check"})->RefuseUnregistered(Presenting("partner", "unregistered")));
}

TEST_F(ConnectPayTwoHostTest, OnboardingChecksTheOrderedBundle) {
  auto cp = Make();
  auto post = [&](ConnectPay& target, const std::string& body) {
    ServerRequest r = Presenting("partner");
    r.method = "POST";
    r.body = body;
    return target.HandleCertificates(r);
  };
  std::string ordered = Read(*pki::ResolveBundle(Out(), "partner", "ordered"));
  std::string reversed = Read(*pki::ResolveBundle(Out(), "partner", "reversed"));
  std::string with_key = Read(*pki::ResolveBundle(Out(), "partner", "with_private_key"));
  EXPECT_EQ(post(*cp, ordered).response.status, 201);
  Handled bad = post(*cp, reversed);
  EXPECT_EQ(bad.response.status, 400);
  auto findings = nlohmann::json::parse(bad.response.body)["findings"];
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0]["index"], 1);
  EXPECT_NE(findings[0]["reason"].get<std::string>().find("is not the issuer of cert[0]"),
            std::string::npos);
  EXPECT_EQ(post(*cp, ordered + ordered + ordered).response.status, 413);
  // The order fault lets a reordered bundle through, but nothing else.
  auto lenient = Make({"accept_unordered_bundle"});
  EXPECT_EQ(post(*lenient, reversed).response.status, 201);
  EXPECT_EQ(post(*lenient, with_key).response.status, 400);
  EXPECT_EQ(post(*Make({"no_bundle_size_limit"}), ordered + ordered + ordered).response.status,
            400);
}

}  // namespace
}  // namespace tollgate::mocks

namespace tollgate::mocks {
namespace {

// The routes of both hosts, by "METHOD path", to call a handler as the listener would.
struct Routes : ServiceRouter {
  std::map<std::string, ServiceHandler> handlers;
  void Add(std::string method, std::string path, ServiceHandler handler) override {
    handlers[method + " " + path] = std::move(handler);
  }
  void AddPrefix(std::string method, std::string prefix, ServiceHandler handler) override {
    Add(std::move(method), std::move(prefix), std::move(handler));
  }
};

TEST_F(ConnectPayTwoHostTest, AForwardedCertificateHeaderCountsOnlyUnderItsFault) {
  std::string chain = Read(pki::ResolveIdentity(Out(), "partner", "")->chain_file);
  ForwardedCertSource registered{chain, "CN=partner,O=Partner Ltd"};
  auto forged = [&](ServerRequest r, const std::string& value) {
    r.headers.Add("X-SSL-Client-Cert", value);
    return r;
  };
  const std::string form = "grant_type=client_credentials&person=alice";
  const std::string pem = EncodeForwardedCert(CertEncoding::kUrlPem, registered);
  for (bool fault : {false, true}) {
    auto cp = Make(fault ? std::vector<std::string>{"trust_forwarded_cert_header"}
                         : std::vector<std::string>{});
    Routes two_way, one_way;
    cp->AddRoutes(two_way);
    cp->AddOneWayRoutes(one_way);
    ServerRequest unregistered = TokenRequest("partner", form);
    unregistered.client_cert = Presenting("partner", "unregistered").client_cert;
    ServerRequest none = TokenRequest("partner", form);
    none.client_cert.reset();
    Handled two = two_way.handlers.at("POST /v1/oauth/token")(forged(unregistered, pem));
    Handled one = one_way.handlers.at("POST /v1/oauth/token")(forged(none, pem));
    EXPECT_EQ(two.response.status, fault ? 200 : 401) << fault;
    EXPECT_EQ(one.response.status, fault ? 200 : 404) << fault;
    // Without the fault the header is never read: a value that is no certificate is harmless.
    if (!fault) {
      EXPECT_EQ(two_way.handlers.at("POST /v1/oauth/token")(forged(unregistered, "garbage"))
                    .response.status,
                401);
    } else {
      EXPECT_THROW(two_way.handlers.at("POST /v1/oauth/token")(forged(unregistered, "garbage")),
                   std::runtime_error);
    }
  }
}

}  // namespace
}  // namespace tollgate::mocks
