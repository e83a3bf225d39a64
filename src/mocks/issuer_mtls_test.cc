// Kind `issuer` with `mtls:`, over real sockets on loopback: its token endpoint asks for a
// client certificate without requiring one, binds the token to the presented leaf
// (cnf.x5t#S256, RFC 8705 §3.1) and, with a DPoP proof for its https URL, to the proof's key
// too. The PKI is generated into a temporary folder.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tollgate/base/encoding.h"
#include "tollgate/crypto/dpop.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;

constexpr char kIssuerMtlsPki[] = R"yaml(pki: issuer-mtls-test
authorities:
  root: {subject: "CN=Issuer mTLS Root,O=tollgate", key: ec-p256, days: 3650}
  client-ca: {subject: "CN=Issuer mTLS Client CA,O=tollgate", issuer: root, key: ec-p256, days: 1825}
  server-ca: {subject: "CN=Issuer mTLS Server CA,O=tollgate", issuer: root, key: ec-p256, days: 1825}
identities:
  partner:
    subject: CN=partner,O=Partner Ltd
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

nlohmann::json JwtClaims(const std::string& jwt) {
  std::size_t a = jwt.find('.'), b = jwt.find('.', a + 1);
  auto decoded = Base64UrlDecode(jwt.substr(a + 1, b - a - 1));
  return decoded ? nlohmann::json::parse(*decoded, nullptr, false) : nlohmann::json();
}

std::string HexBytes(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

class IssuerMtlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "tollgate-issuermtls-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = new fs::path(tmpl);
    std::ofstream(*dir_ / "pki.yaml") << kIssuerMtlsPki;
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
    d.name = "idp";
    d.kind = "issuer";
    d.config = nlohmann::json::parse(R"({
      "keys": [{"kid": "k1", "alg": "ES256"}],
      "clients": {
        "partner": {"secret": "partner-secret", "scopes": ["accounts:read"],
                    "tls_client_certificate_bound_access_tokens": true}},
      "mtls": {"identity": "server", "client_identity": "partner"}})");
    d.faults = faults;
    Environment model;
    model.name = "issuer-mtls-test";
    model.services = {d};
    env_ = std::make_unique<MockEnvironment>(model, &clock_, &redactor_);
    env_->SetPki((*dir_ / "pki.yaml").string(), (*dir_ / "generated").string());
    Status st = env_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  ClientResponse Send(const std::string& method, const std::string& path, bool present_cert,
                      const std::string& proof = "") {
    ClientRequest r;
    r.method = method;
    r.url = env_->Url("idp") + path;
    r.timeout = std::chrono::milliseconds(5000);
    r.tls.ca_file = env_->TrustFileFor(r.url);
    EXPECT_FALSE(r.tls.ca_file.empty());
    if (present_cert) {
      auto files = env_->Identity("partner", "");
      EXPECT_TRUE(files.ok());
      r.tls.cert_file = files->chain_file;
      r.tls.key_file = files->key_file;
    }
    if (method == "POST") {
      r.headers.emplace_back("Authorization", "Basic " + Base64Encode("partner:partner-secret"));
      r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      r.body = "grant_type=client_credentials";
    }
    if (!proof.empty()) r.headers.emplace_back("DPoP", proof);
    auto res = client_.Send(r);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->outcome, TransportOutcome::kOk) << res->error << " " << res->tls_error;
    return res.ok() ? *res : ClientResponse{};
  }

  static fs::path* dir_;
  OffsetClock clock_;
  Redactor redactor_;
  HttpClient client_;
  std::unique_ptr<MockEnvironment> env_;
};

fs::path* IssuerMtlsTest::dir_ = nullptr;

TEST_F(IssuerMtlsTest, ThePresentedLeafBindsTheTokenAndTheMetadataSaysSo) {
  Start();
  ASSERT_EQ(env_->Url("idp").rfind("https://127.0.0.1:", 0), 0u) << env_->Url("idp");

  ClientResponse meta = Send("GET", "/.well-known/openid-configuration", false);
  ASSERT_EQ(meta.status, 200) << meta.body;
  nlohmann::json doc = nlohmann::json::parse(meta.body);
  EXPECT_EQ(doc["tls_client_certificate_bound_access_tokens"], true);
  EXPECT_EQ(doc["mtls_endpoint_aliases"]["token_endpoint"], env_->Url("idp") + "/token");

  ClientResponse bound = Send("POST", "/token", true);
  ASSERT_EQ(bound.status, 200) << bound.body;
  EXPECT_TRUE(bound.tls.certificate_requested);
  ASSERT_FALSE(bound.tls.client_cert_sha256.empty());
  nlohmann::json body = nlohmann::json::parse(bound.body);
  EXPECT_EQ(body["token_type"], "Bearer");
  nlohmann::json claims = JwtClaims(body["access_token"]);
  EXPECT_EQ(
      claims["cnf"],
      nlohmann::json({{"x5t#S256", Base64UrlEncode(HexBytes(bound.tls.client_cert_sha256))}}));

  // The same listener serves a client without a certificate; this client must present one.
  ClientResponse none = Send("POST", "/token", false);
  EXPECT_EQ(none.status, 400) << none.body;
  EXPECT_EQ(nlohmann::json::parse(none.body)["error"], "invalid_request");
}

TEST_F(IssuerMtlsTest, AProofForTheHttpsTokenEndpointAddsTheKey) {
  Start();
  jose::Jwk key = *jose::Jwk::Generate(jose::Alg::kES256, "");
  jose::DpopProofRequest p;
  p.key = &key;
  p.htm = "POST";
  p.htu = env_->Url("idp") + "/token";
  ClientResponse both = Send("POST", "/token", true, *jose::BuildDpopProof(p, clock_));
  ASSERT_EQ(both.status, 200) << both.body;
  nlohmann::json body = nlohmann::json::parse(both.body);
  EXPECT_EQ(body["token_type"], "DPoP");
  nlohmann::json cnf = JwtClaims(body["access_token"])["cnf"];
  EXPECT_EQ(cnf["jkt"], key.Thumbprint());
  EXPECT_EQ(cnf["x5t#S256"], Base64UrlEncode(HexBytes(both.tls.client_cert_sha256)));
}

TEST_F(IssuerMtlsTest, FaultCertBindingNotRequiredIssuesUnboundTokens) {
  Start({"cert_binding_not_required"});
  ClientResponse none = Send("POST", "/token", false);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_FALSE(JwtClaims(nlohmann::json::parse(none.body)["access_token"]).contains("cnf"));
}

}  // namespace
}  // namespace tollgate
