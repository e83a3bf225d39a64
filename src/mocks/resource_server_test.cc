#include "mocks/resource_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/dpop.h"
#include "tollgate/mocks/environment.h"

namespace tollgate::mocks {
namespace {

constexpr char kHost[] = "rs.test:8443";
constexpr char kAudience[] = "api://rs";
// The client certificate's DER (as far as the server's thumbprint goes), and its issuer's.
constexpr char kLeafDer[] = "leaf certificate DER";
constexpr char kIntermediateDer[] = "intermediate certificate DER";

std::string X5t(const std::string& der) { return Base64UrlEncode(Sha256(der)); }

class ResourceServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Environment model;
    model.name = "rs-test";
    ServiceDecl idp;
    idp.name = "idp";
    idp.kind = "issuer";
    idp.config = {{"audiences", {kAudience}},
                  {"clients", {{"alpha", {{"secret", "alpha-secret"}}}}}};
    model.services = {idp};
    env_ = std::make_unique<MockEnvironment>(model, &clock_, &redactor_);
    Status st = env_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    idp_ = env_->Service("idp")->keys();
    dir_ =
        std::filesystem::temp_directory_path() /
        ("tollgate-rs-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "int.pem")
        << "-----BEGIN CERTIFICATE-----\n"
        << Base64Encode(kIntermediateDer) << "\n-----END CERTIFICATE-----\n";
  }
  void TearDown() override {
    env_->Stop();
    std::filesystem::remove_all(dir_);
  }

  ServiceContext Ctx() {
    ServiceContext c{&clock_, &redactor_, [this](const std::string& n) { return env_->Url(n); },
                     [this](const std::string& n) { return env_->Service(n); }};
    // A stand-in PKI: the client identity's issuing CA is the intermediate above.
    c.identity = [this](const std::string& name,
                        const std::string&) -> StatusOr<pki::IdentityFiles> {
      pki::IdentityFiles f;
      f.chain_file = (dir_ / (name + ".chain.pem")).string();
      f.key_file = (dir_ / (name + ".key.pem")).string();
      f.ca_file = (dir_ / "root.pem").string();
      if (name == "partner") f.authorities = {{"client-ca", (dir_ / "int.pem").string(), "", ""}};
      return f;
    };
    return c;
  }
  std::unique_ptr<ResourceServer> Make(const std::vector<std::string>& faults = {},
                                       nlohmann::json dpop = nlohmann::json::object()) {
    ServiceDecl d;
    d.name = "rs";
    d.kind = "resource_server";
    d.config = {{"trust", {{"issuer", "idp"}, {"audience", kAudience}}}};
    if (!dpop.empty()) d.config["dpop"] = dpop;
    auto s = ResourceServer::Create(d, Ctx());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return nullptr;
    for (const std::string& f : faults) (*s)->EnableFault(f);
    return std::move(s).value();
  }

  // An access token of the issuer bound by `cnf` (null: unbound).
  std::string Token(const nlohmann::json& cnf, const nlohmann::json& changes = {}) {
    long long now = clock_.NowSeconds();
    nlohmann::json claims = {{"iss", idp_->Issuer()},
                             {"sub", "alpha"},
                             {"client_id", "alpha"},
                             {"aud", kAudience},
                             {"iat", now},
                             {"exp", now + 600},
                             {"jti", "t-" + std::to_string(++tokens_)}};
    if (!cnf.is_null()) claims["cnf"] = cnf;
    if (changes.is_object()) {
      for (const auto& [k, v] : changes.items()) claims[k] = v;
    }
    auto t = jose::Sign(*idp_->SigningKey(""), {{"typ", "at+jwt"}}, claims.dump());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : "";
  }
  std::string DpopToken() { return Token({{"jkt", key_.Thumbprint()}}); }
  std::string CertToken(const std::string& der = kLeafDer) {
    return Token({{"x5t#S256", X5t(der)}});
  }

  struct ProofSpec {
    std::string mutation;
    std::string method = "GET";
    std::string path = "/accounts";
    std::string nonce;
    std::string jti;
    const jose::Jwk* key = nullptr;
  };
  std::string Proof(const std::string& token, const ProofSpec& spec) {
    jose::DpopProofRequest r;
    r.key = spec.key ? spec.key : &key_;
    r.htm = spec.method;
    r.htu = std::string("http://") + kHost + spec.path;
    r.access_token = token;
    r.nonce = spec.nonce;
    r.jti = spec.jti;
    r.mutation = spec.mutation;
    r.skew_seconds = 60;
    r.other_key = &other_;
    auto p = jose::BuildDpopProof(r, clock_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : "";
  }
  static ServerRequest Request(const std::string& method, const std::string& path,
                               const std::string& authorization,
                               const std::vector<std::string>& proofs = {},
                               bool with_cert = false) {
    ServerRequest r;
    r.method = method;
    r.path = path;
    r.target = path;
    r.headers.Add("Host", kHost);
    if (!authorization.empty()) r.headers.Add("Authorization", authorization);
    for (const std::string& p : proofs) r.headers.Add("DPoP", p);
    if (with_cert) {
      r.tls = false;  // the htu stays http: the server reads the scheme from the listener
      r.client_cert =
          PeerCertificate{"CN=partner", "CN=client-ca", HexEncode(Sha256(kLeafDer)), ""};
    }
    return r;
  }
  // A DPoP request with a correct proof, or the named mutation's.
  ServerRequest DpopGet(const std::string& mutation = "", const std::string& scheme = "DPoP") {
    std::string token = DpopToken();
    return Request("GET", "/accounts", scheme + " " + token,
                   {Proof(token, {.mutation = mutation})});
  }
  static std::string Challenge(const Handled& h) {
    return h.response.headers.Get("WWW-Authenticate").value_or("<none>");
  }

  ManualClock clock_;
  Redactor redactor_;
  std::unique_ptr<MockEnvironment> env_;
  const KeyHolder* idp_ = nullptr;
  jose::Jwk key_ = *jose::Jwk::Generate(jose::Alg::kES256, "");
  jose::Jwk other_ = *jose::Jwk::Generate(jose::Alg::kES256, "");
  std::filesystem::path dir_;
  int tokens_ = 0;
};

TEST_F(ResourceServerTest, ServesADpopBoundTokenWithItsProof) {
  auto rs = Make();
  Handled h = rs->Handle(DpopGet());
  EXPECT_EQ(h.response.status, 200) << h.response.body << " " << h.note;
  EXPECT_NE(h.response.body.find("acc-1"), std::string::npos);
  std::string token = DpopToken();
  Handled post = rs->Handle(Request("POST", "/payments", "DPoP " + token,
                                    {Proof(token, {.method = "POST", .path = "/payments"})}));
  EXPECT_EQ(post.response.status, 200) << post.note;
  EXPECT_FALSE(post.response.headers.Has("DPoP-Nonce"));  // no nonce paths configured
}

TEST_F(ResourceServerTest, SchemeIsCaseInsensitive) {
  auto rs = Make();
  EXPECT_EQ(rs->Handle(DpopGet("", "dpop")).response.status, 200);
  EXPECT_EQ(rs->Handle(DpopGet("", "DPOP")).response.status, 200);
}

TEST_F(ResourceServerTest, BadProofsGetADpopChallengeWithAlgs) {
  auto rs = Make();
  Handled h = rs->Handle(DpopGet("wrong_htm"));
  EXPECT_EQ(h.response.status, 401);
  EXPECT_EQ(Challenge(h).rfind("DPoP error=\"invalid_dpop_proof\"", 0), 0u) << Challenge(h);
  EXPECT_NE(Challenge(h).find("algs=\"ES256 PS256 EdDSA RS256\""), std::string::npos);
  // The proof's key is not the token's: the token is the problem (RFC 9449 §7.1).
  Handled other = rs->Handle(DpopGet("jwk_not_bound"));
  EXPECT_EQ(other.response.status, 401);
  EXPECT_NE(Challenge(other).find("error=\"invalid_token\""), std::string::npos);
  EXPECT_EQ(Challenge(other).rfind("DPoP ", 0), 0u);
}

TEST_F(ResourceServerTest, EveryHostileProofIsRefusedAndEveryControlServed) {
  auto rs = Make();
  for (const jose::MutationInfo& m : jose::DpopMutationTerms()) {
    if (m.name == "reused_jti" || m.name == "missing_nonce" || m.name == "wrong_nonce") continue;
    Handled h = rs->Handle(DpopGet(m.name));
    EXPECT_EQ(h.response.status, m.accepted_by_correct_target ? 200 : 401)
        << m.name << ": " << h.note;
  }
}

TEST_F(ResourceServerTest, ARepeatedProofIsRefused) {
  auto rs = Make();
  std::string token = DpopToken();
  std::string proof = Proof(token, {});
  EXPECT_EQ(rs->Handle(Request("GET", "/accounts", "DPoP " + token, {proof})).response.status, 200);
  Handled again = rs->Handle(Request("GET", "/accounts", "DPoP " + token, {proof}));
  EXPECT_EQ(again.response.status, 401);
  EXPECT_EQ(again.note, "dpop proof refused: replayed_jti");
}

TEST_F(ResourceServerTest, MissingAndDuplicateProofs) {
  auto rs = Make();
  std::string token = DpopToken();
  Handled none = rs->Handle(Request("GET", "/accounts", "DPoP " + token));
  EXPECT_EQ(none.response.status, 401);
  EXPECT_NE(Challenge(none).find("invalid_dpop_proof"), std::string::npos);
  Handled two = rs->Handle(
      Request("GET", "/accounts", "DPoP " + token, {Proof(token, {}), Proof(token, {})}));
  EXPECT_EQ(two.response.status, 400);
  EXPECT_NE(Challenge(two).find("invalid_request"), std::string::npos);
}

TEST_F(ResourceServerTest, BearerDowngradeOfADpopTokenIsRefused) {
  auto rs = Make();
  std::string token = DpopToken();
  Handled h = rs->Handle(Request("GET", "/accounts", "Bearer " + token));
  EXPECT_EQ(h.response.status, 401);
  EXPECT_EQ(Challenge(h).rfind("DPoP error=\"invalid_token\"", 0), 0u) << Challenge(h);
}

TEST_F(ResourceServerTest, NoCredentialsGetBothChallengesWithoutError) {
  auto rs = Make();
  Handled h = rs->Handle(Request("GET", "/accounts", ""));
  EXPECT_EQ(h.response.status, 401);
  std::vector<std::string> challenges = h.response.headers.GetAll("WWW-Authenticate");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0], "DPoP algs=\"ES256 PS256 EdDSA RS256\"");
  EXPECT_EQ(challenges[1], "Bearer realm=\"resource-server\"");
}

TEST_F(ResourceServerTest, UnboundAndBadTokensAreInvalidTokens) {
  auto rs = Make();
  Handled unbound = rs->Handle(Request("GET", "/accounts", "Bearer " + Token(nullptr)));
  EXPECT_EQ(unbound.response.status, 401);
  EXPECT_EQ(
      Challenge(unbound).rfind("Bearer realm=\"resource-server\", error=\"invalid_token\"", 0), 0u);
  std::string expired = Token({{"jkt", key_.Thumbprint()}}, {{"exp", clock_.NowSeconds() - 120},
                                                             {"iat", clock_.NowSeconds() - 700}});
  Handled h = rs->Handle(Request("GET", "/accounts", "DPoP " + expired, {Proof(expired, {})}));
  EXPECT_EQ(h.response.status, 401);
  EXPECT_EQ(Challenge(h).rfind("DPoP error=\"invalid_token\"", 0), 0u);
  std::string other_aud = Token({{"jkt", key_.Thumbprint()}}, {{"aud", "api://other"}});
  EXPECT_EQ(rs->Handle(Request("GET", "/accounts", "DPoP " + other_aud, {Proof(other_aud, {})}))
                .response.status,
            401);
}

TEST_F(ResourceServerTest, CertificateBinding) {
  auto rs = Make();
  EXPECT_EQ(
      rs->Handle(Request("GET", "/accounts", "Bearer " + CertToken(), {}, true)).response.status,
      200);
  Handled other =
      rs->Handle(Request("GET", "/accounts", "Bearer " + CertToken("another leaf DER"), {}, true));
  EXPECT_EQ(other.response.status, 401);
  EXPECT_EQ(Challenge(other).rfind("Bearer realm=\"resource-server\", error=\"invalid_token\"", 0),
            0u);
  EXPECT_EQ(rs->Handle(Request("GET", "/accounts", "Bearer " + CertToken())).response.status, 401);
  EXPECT_EQ(
      rs->Handle(Request("GET", "/accounts", "Bearer " + CertToken(kIntermediateDer), {}, true))
          .response.status,
      401);
}

TEST_F(ResourceServerTest, NonceFlow) {
  auto rs = Make({}, {{"nonce_paths", {"/payments"}}});
  std::string token = DpopToken();
  ProofSpec spec{.method = "POST", .path = "/payments"};
  Handled first = rs->Handle(Request("POST", "/payments", "DPoP " + token, {Proof(token, spec)}));
  EXPECT_EQ(first.response.status, 401);
  EXPECT_EQ(Challenge(first).rfind("DPoP error=\"use_dpop_nonce\"", 0), 0u) << Challenge(first);
  std::optional<std::string> nonce = first.response.headers.Get("DPoP-Nonce");
  ASSERT_TRUE(nonce.has_value());
  spec.nonce = *nonce;
  Handled second = rs->Handle(Request("POST", "/payments", "DPoP " + token, {Proof(token, spec)}));
  EXPECT_EQ(second.response.status, 200) << second.note;
  EXPECT_TRUE(second.response.headers.Has("DPoP-Nonce"));
  spec.mutation = "wrong_nonce";
  Handled wrong = rs->Handle(Request("POST", "/payments", "DPoP " + token, {Proof(token, spec)}));
  EXPECT_EQ(wrong.response.status, 401);
  EXPECT_NE(Challenge(wrong).find("use_dpop_nonce"), std::string::npos);
  // A nonce outlives one rotation, not two.
  spec.mutation = "";
  clock_.Advance(std::chrono::minutes(11));
  Handled stale = rs->Handle(Request("POST", "/payments", "DPoP " + token, {Proof(token, spec)}));
  EXPECT_EQ(stale.response.status, 401);
  // GET /accounts needs no nonce.
  EXPECT_EQ(rs->Handle(DpopGet()).response.status, 200);
}

TEST_F(ResourceServerTest, UnknownNoncePathIsRefusedAtCreate) {
  ServiceDecl d;
  d.name = "rs";
  d.kind = "resource_server";
  d.config = {{"trust", {{"issuer", "idp"}, {"audience", kAudience}}},
              {"dpop", {{"nonce_paths", {"/elsewhere"}}}}};
  auto s = ResourceServer::Create(d, Ctx());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/elsewhere"), std::string::npos);
}

TEST_F(ResourceServerTest, TargetSettings) {
  auto rs = Make({}, {{"nonce_paths", {"/payments"}}, {"iat_skew", "30s"}});
  std::map<std::string, std::string> settings;
  for (const TargetSetting& s : rs->TargetSettings()) settings[s.name] = s.value;
  EXPECT_EQ(settings["dpop_algs"], "ES256 PS256 EdDSA RS256");
  EXPECT_EQ(settings["dpop_iat_skew"], "30");
  EXPECT_EQ(settings["dpop_nonce_paths"], "/payments");
  EXPECT_EQ(settings["audience"], kAudience);
  EXPECT_EQ(settings["token_url"], env_->Url("idp") + "/token");
}

// ---- Faults --------------------------------------------------------------------------
// Each fault lets its probe through and leaves the correct request served.

struct FaultProbe {
  std::string fault;
  std::function<ServerRequest(ResourceServerTest&)> probe;
};

class ResourceServerFaultTest : public ResourceServerTest {
 protected:
  std::vector<FaultProbe> Probes() {
    auto mutated = [](const std::string& m) {
      return [m](ResourceServerTest& t) {
        return static_cast<ResourceServerFaultTest&>(t).DpopGet(m);
      };
    };
    using Self = ResourceServerFaultTest;
    return {
        {"dpop_ignore_htu", mutated("htu_other_path")},
        {"dpop_ignore_htm", mutated("wrong_htm")},
        {"dpop_no_ath_check", mutated("other_token_ath")},
        {"dpop_no_jkt_check", mutated("jwk_not_bound")},
        {"dpop_iat_unbounded", mutated("iat_stale")},
        {"dpop_accept_symmetric", mutated("alg_none")},
        {"dpop_accept_private_jwk", mutated("private_key_in_jwk")},
        {"dpop_alg_key_unchecked",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           static const jose::Jwk p384 = *jose::Jwk::Generate(jose::Alg::kES384, "");
           std::string token = t.Token({{"jkt", p384.Thumbprint()}});
           return Request("GET", "/accounts", "DPoP " + token,
                          {t.Proof(token, {.mutation = "alg_key_mismatch", .key = &p384})});
         }},
        {"dpop_scheme_case_sensitive", nullptr},  // a control fails instead: below
        {"dpop_no_replay_check",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           std::string token = t.DpopToken();
           std::string proof = t.Proof(token, {.jti = "fixed-jti"});
           EXPECT_EQ(t.probe_server_->Handle(Request("GET", "/accounts", "DPoP " + token, {proof}))
                         .response.status,
                     200);
           return Request("GET", "/accounts", "DPoP " + token, {proof});
         }},
        {"dpop_no_nonce_check",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           std::string token = t.DpopToken();
           return Request("POST", "/payments", "DPoP " + token,
                          {t.Proof(token, {.method = "POST", .path = "/payments"})});
         }},
        {"dpop_algs_not_enforced",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           static const jose::Jwk es384 = *jose::Jwk::Generate(jose::Alg::kES384, "");
           std::string token = t.Token({{"jkt", es384.Thumbprint()}});
           return Request("GET", "/accounts", "DPoP " + token, {t.Proof(token, {.key = &es384})});
         }},
        {"dpop_first_header_wins",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           std::string token = t.DpopToken();
           return Request("GET", "/accounts", "DPoP " + token,
                          {t.Proof(token, {}), t.Proof(token, {})});
         }},
        {"dpop_proof_optional",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           return Request("GET", "/accounts", "DPoP " + t.DpopToken());
         }},
        {"accept_bearer_downgrade",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           return Request("GET", "/accounts", "Bearer " + t.DpopToken());
         }},
        {"accept_unbound_token",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           return Request("GET", "/accounts", "Bearer " + t.Token(nullptr));
         }},
        {"ignore_cert_binding",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           return Request("GET", "/accounts", "Bearer " + t.CertToken("another leaf DER"), {},
                          true);
         }},
        {"cert_binding_optional",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           return Request("GET", "/accounts", "Bearer " + t.CertToken());
         }},
        {"accept_issuer_thumbprint",
         [](ResourceServerTest& base) {
           auto& t = static_cast<Self&>(base);
           return Request("GET", "/accounts", "Bearer " + t.CertToken(kIntermediateDer), {}, true);
         }},
    };
  }
  std::unique_ptr<ResourceServer> probe_server_;
};

TEST_F(ResourceServerFaultTest, EachFaultAcceptsItsProbeAndStillServesTheControl) {
  nlohmann::json dpop = {{"nonce_paths", {"/payments"}}};
  for (const FaultProbe& p : Probes()) {
    if (!p.probe) continue;
    SCOPED_TRACE(p.fault);
    // The correct server refuses the probe.
    probe_server_ = Make({}, dpop);
    EXPECT_NE(probe_server_->Handle(p.probe(*this)).response.status, 200);
    // The faulty one serves it, and still serves a correct request.
    probe_server_ = Make({p.fault}, dpop);
    Handled h = probe_server_->Handle(p.probe(*this));
    EXPECT_EQ(h.response.status, 200) << h.note;
    EXPECT_EQ(probe_server_->Handle(DpopGet()).response.status, 200);
  }
}

TEST_F(ResourceServerFaultTest, EveryFaultHasAProbe) {
  std::set<std::string> probed;
  for (const FaultProbe& p : Probes()) probed.insert(p.fault);
  probed.insert("bearer_challenge_for_dpop");  // challenge shapes: below
  probed.insert("no_www_authenticate");
  for (const Term& f : ResourceServer::Vocabulary().faults) {
    EXPECT_TRUE(probed.count(f.name)) << f.name;
  }
}

TEST_F(ResourceServerFaultTest, CaseSensitiveSchemeRefusesTheLowerCaseControl) {
  auto rs = Make({"dpop_scheme_case_sensitive"});
  EXPECT_EQ(rs->Handle(DpopGet()).response.status, 200);
  EXPECT_EQ(rs->Handle(DpopGet("", "dpop")).response.status, 401);
}

TEST_F(ResourceServerFaultTest, ChallengeShapeFaults) {
  auto bearer = Make({"bearer_challenge_for_dpop"});
  Handled h = bearer->Handle(DpopGet("wrong_htm"));
  EXPECT_EQ(h.response.status, 401);
  EXPECT_EQ(Challenge(h).rfind("Bearer ", 0), 0u);
  auto none = Make({"no_www_authenticate"});
  Handled n = none->Handle(DpopGet("wrong_htm"));
  EXPECT_EQ(n.response.status, 401);
  EXPECT_FALSE(n.response.headers.Has("WWW-Authenticate"));
  EXPECT_EQ(none->Handle(DpopGet()).response.status, 200);
}

}  // namespace
}  // namespace tollgate::mocks
