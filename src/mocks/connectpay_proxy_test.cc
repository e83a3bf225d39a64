// Kind `connectpay` in proxy mode, over real sockets on loopback: the TLS-terminating
// fronts (strip and XFCC append), what the application behind them receives and believes,
// and the two proxy faults. The PKI is generated into a temporary folder.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "mocks/connectpay.h"
#include "tollgate/base/encoding.h"
#include "tollgate/base/forwarded_cert.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/pki/pki.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;

constexpr char kProxyPki[] = R"yaml(pki: connectpay-proxy-test
authorities:
  root: {subject: "CN=CP Proxy Root,O=tollgate", key: ec-p256, days: 3650}
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
  server:
    subject: CN=localhost,O=tollgate
    issuer: server-ca
    usage: server
    key: ec-p256
    days: 90
    san: [DNS:localhost, IP:127.0.0.1]
)yaml";

std::string ProxyTestReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using ProxyHeaders = std::vector<std::pair<std::string, std::string>>;

class ConnectPayProxyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "tollgate-cpproxy-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = new fs::path(tmpl);
    std::ofstream(*dir_ / "pki.yaml") << kProxyPki;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  void TearDown() override {
    if (env_) env_->Stop();
  }

  void Start(const std::vector<std::string>& faults = {}) {
    ServiceDecl d;
    d.name = "cp";
    d.kind = "connectpay";
    d.config = nlohmann::json::parse(R"({
      "server_identity": "server", "client_identity": "partner",
      "clients": {"ConnectPay": {"secret": "EasyBanking", "registered": "partner",
                                 "persons": {"alice": "accounts"}}},
      "data_apis": {"/v1/accounts": "accounts"}, "bearer_paths": [],
      "proxies": {"proxy": {"convention": "nginx"},
                  "proxy_xfcc": {"convention": "envoy", "incoming": "append"}}})");
    d.faults = faults;
    Environment model;
    model.name = "cp-proxy-test";
    model.services = {d};
    env_ = std::make_unique<MockEnvironment>(model, &clock_, &redactor_);
    env_->SetPki((*dir_ / "pki.yaml").string(), (*dir_ / "generated").string());
    Status st = env_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    for (const TargetSetting& s : env_->TargetSettings("cp")) settings_[s.name] = s.value;
    ASSERT_EQ(settings_.count("proxy_url"), 1u);
    ASSERT_EQ(settings_.count("proxy_xfcc_url"), 1u);
  }

  // The headers a forger sends: the registered certificate in `convention`'s headers.
  ProxyHeaders Forged(const std::string& convention) {
    auto files = env_->Identity("partner", "");
    EXPECT_TRUE(files.ok());
    return ForwardedCertHeaders(*FindForwardedCertConvention(convention),
                                {ProxyTestReadPem(files->chain_file), "CN=partner,O=Partner Ltd"});
  }

  // A token request through `front` ("proxy" or "proxy_xfcc"), presenting `variant` of
  // the registered identity ("" valid, "unregistered"), or no certificate when `present` is
  // false.
  ClientResponse Token(const std::string& front, bool present, const std::string& variant,
                       const ProxyHeaders& extra = {}) {
    ClientRequest r;
    r.method = "POST";
    r.url = settings_.at(front + "_url") + "/v1/oauth/token";
    r.timeout = std::chrono::milliseconds(5000);
    r.tls.ca_file = env_->TrustFileFor(r.url);
    EXPECT_FALSE(r.tls.ca_file.empty());
    if (present) {
      auto files = env_->Identity("partner", variant);
      EXPECT_TRUE(files.ok());
      r.tls.cert_file = files->chain_file;
      r.tls.key_file = files->key_file;
    }
    r.headers = extra;
    r.headers.emplace_back("Authorization", "Basic " + Base64Encode("ConnectPay:EasyBanking"));
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    r.body = "grant_type=client_credentials&person=alice";
    auto res = client_.Send(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->outcome, TransportOutcome::kOk) << res->error;
    return res.ok() ? *res : ClientResponse{};
  }

  // The headers the application received with the last request behind the fronts.
  ProxyHeaders LastForwarded() {
    ProxyHeaders out;
    for (const JournalEntry& e : env_->GetJournal("cp")->Snapshot()) {
      if (e.client_cert_sha256.empty() && e.method == "POST" && e.note.find("forwarded") != 0) {
        out = e.headers;  // the application's entry: no TLS, not the front's note
      }
    }
    return out;
  }
  static int Count(const ProxyHeaders& headers, const std::string& name) {
    int n = 0;
    for (const auto& [k, v] : headers) n += EqualsIgnoreCase(k, name) ? 1 : 0;
    return n;
  }

  ManualClock clock_;
  Redactor redactor_;
  HttpClient client_;
  std::unique_ptr<MockEnvironment> env_;
  std::map<std::string, std::string> settings_;
  static fs::path* dir_;
};
fs::path* ConnectPayProxyTest::dir_ = nullptr;

TEST_F(ConnectPayProxyTest, StripFrontForwardsOnlyTheVerifiedCertificate) {
  Start();
  // The registered certificate through the front is accepted, whatever the client forged.
  ProxyHeaders forged = Forged("envoy");
  for (const auto& h : Forged("haproxy")) forged.push_back(h);
  ClientResponse ok = Token("proxy", true, "", forged);
  EXPECT_EQ(ok.status, 200) << ok.body;
  ProxyHeaders seen = LastForwarded();
  EXPECT_EQ(Count(seen, "X-SSL-Client-Cert"), 1);
  EXPECT_EQ(Count(seen, "X-SSL-Client-Verify"), 1);
  EXPECT_EQ(Count(seen, "X-SSL-Client-NotAfter"), 1);
  EXPECT_EQ(Count(seen, "X-Forwarded-Client-Cert"), 0);
  // An unregistered certificate with a forged registered one: the application sees only
  // the handshake's.
  ClientResponse unregistered = Token("proxy", true, "unregistered", Forged("nginx"));
  EXPECT_EQ(unregistered.status, 401) << unregistered.body;
  EXPECT_EQ(Count(LastForwarded(), "X-SSL-Client-Cert"), 1);
  // No certificate: nothing reaches the application, forged or not.
  ClientResponse none = Token("proxy", false, "", Forged("nginx"));
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_NE(none.body.find("no_client_certificate"), std::string::npos) << none.body;
  for (const std::string& name : ForwardedCertHeaderNames()) {
    EXPECT_EQ(Count(LastForwarded(), name), 0) << name;
  }
}

TEST_F(ConnectPayProxyTest, EachFrontAndApplicationListensOnItsOwnPort) {
  Start();
  const nlohmann::json listeners = env_->ReadyJson()["services"]["cp"]["listeners"];
  ASSERT_EQ(listeners.size(), 4u) << listeners.dump();
  EXPECT_EQ(listeners["proxy"], settings_.at("proxy_url"));
  EXPECT_EQ(listeners["proxy_xfcc"], settings_.at("proxy_xfcc_url"));
  std::set<std::string> urls;
  for (const auto& [name, url] : listeners.items()) urls.insert(url.get<std::string>());
  EXPECT_EQ(urls.size(), 4u);
  // The fronts serve TLS under the service's root; the applications behind them plain HTTP.
  EXPECT_EQ(settings_.at("proxy_url").rfind("https://127.0.0.1:", 0), 0u);
  EXPECT_EQ(listeners["proxy_app"].get<std::string>().rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_FALSE(env_->TrustFileFor(settings_.at("proxy_xfcc_url") + "/v1/accounts").empty());
  EXPECT_TRUE(env_->TrustFileFor(listeners["proxy_app"].get<std::string>()).empty());
}

TEST_F(ConnectPayProxyTest, AppendFrontAppendsItsElementAndTheApplicationReadsTheLast) {
  Start();
  EXPECT_EQ(Token("proxy_xfcc", true, "").status, 200);
  ClientResponse forged_first = Token("proxy_xfcc", true, "unregistered", Forged("envoy"));
  EXPECT_EQ(forged_first.status, 401) << forged_first.body;
  ProxyHeaders seen = LastForwarded();
  ASSERT_EQ(Count(seen, "X-Forwarded-Client-Cert"), 1);
  for (const auto& [k, v] : seen) {
    if (EqualsIgnoreCase(k, "X-Forwarded-Client-Cert")) {
      EXPECT_EQ(SplitXfccElements(v).size(), 2u) << v;
    }
  }
  // Without a certificate the client's value is dropped (Envoy sanitises on non-mTLS).
  ClientResponse none = Token("proxy_xfcc", false, "", Forged("envoy"));
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_EQ(Count(LastForwarded(), "X-Forwarded-Client-Cert"), 0);
}

TEST_F(ConnectPayProxyTest, ProxyDoesNotStripLetsAForgedHeaderThroughWithoutACertificate) {
  Start({"proxy_does_not_strip"});
  EXPECT_EQ(Token("proxy", false, "", Forged("nginx")).status, 200);
  EXPECT_EQ(Token("proxy_xfcc", false, "", Forged("envoy")).status, 200);
  // With a certificate the application sees two values and refuses them; the append front
  // appends as a correct one does.
  EXPECT_EQ(Token("proxy", true, "unregistered", Forged("nginx")).status, 400);
  EXPECT_EQ(Count(LastForwarded(), "X-SSL-Client-Cert"), 2);
  EXPECT_EQ(Token("proxy_xfcc", true, "unregistered", Forged("envoy")).status, 401);
}

TEST_F(ConnectPayProxyTest, AppReadsFirstHeaderTakesTheClientsXfccElement) {
  Start({"app_reads_first_header"});
  EXPECT_EQ(Token("proxy_xfcc", true, "unregistered", Forged("envoy")).status, 200);
  // The strip front leaves it one value to read.
  EXPECT_EQ(Token("proxy", true, "unregistered", Forged("nginx")).status, 401);
  EXPECT_EQ(Token("proxy", false, "", Forged("nginx")).status, 401);
}

TEST_F(ConnectPayProxyTest, TheApplicationRefusesDuplicatesAndUnreadableValues) {
  ServiceDecl d;
  d.name = "cp";
  d.kind = "connectpay";
  d.config = nlohmann::json::parse(R"({"proxies": {"proxy": {"convention": "nginx"}}})");
  ServiceContext ctx{&clock_, &redactor_, {}, {}, {}};
  mocks::ConnectPay cp(d, ctx);
  ASSERT_TRUE(cp.SetUpHosts(d).ok());
  ASSERT_EQ(cp.proxy_fronts().size(), 1u);
  const auto& front = cp.proxy_fronts().front();
  ServerRequest r;
  r.headers.Add("X-SSL-Client-Cert", "a");
  r.headers.Add("x-ssl-client-cert", "b");
  auto refused = cp.ProxiedRequest(front, r);
  ASSERT_TRUE(std::holds_alternative<Handled>(refused));
  EXPECT_EQ(std::get<Handled>(refused).response.status, 400);
  r.headers.Remove("X-SSL-Client-Cert");
  r.headers.Add("X-SSL-Client-Cert", std::string(kOversizeForwardedCertBytes, 'A'));
  refused = cp.ProxiedRequest(front, r);
  ASSERT_TRUE(std::holds_alternative<Handled>(refused));
  EXPECT_EQ(std::get<Handled>(refused).response.status, 400);
}

TEST_F(ConnectPayProxyTest, ProxyConfigIsChecked) {
  ServiceContext ctx{&clock_, &redactor_, {}, {}, {}};
  struct Bad {
    const char* config;
    const char* error;
  };
  for (const Bad& c : std::vector<Bad>{
           {R"({"proxies": {"Bad-Name": {"convention": "nginx"}}})",
            "envs/cp.yaml:3:5: service `cp`: proxy `Bad-Name`: invalid proxy name; expected "
            "lower-case letters, digits and `_`"},
           {R"({"proxies": {"p": {"convention": "nginx", "incoming": "append"}}})",
            "proxy `p`: `incoming: append` with convention `nginx`; expected convention `envoy`"},
           {R"({"proxies": {"p": {"convention": "nginx", "header": "a b"}}})",
            "proxy `p`: invalid header `a b`; expected a header name"},
           {R"({"proxies": {"p": {"convention": "apache"}}})",
            "proxy `p`: unknown convention `apache`; expected one of envoy, nginx"}}) {
    ServiceDecl d;
    d.name = "cp";
    d.kind = "connectpay";
    d.loc = {"envs/cp.yaml", 3, 5};
    d.config = nlohmann::json::parse(c.config);
    mocks::ConnectPay cp(d, ctx);
    Status st = cp.SetUpHosts(d);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.config;
    EXPECT_NE(st.message().find(c.error), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace tollgate
