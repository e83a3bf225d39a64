// Sender-constrained tokens at the issuer's token endpoint, handlers called directly on a
// ManualClock: DPoP proofs (RFC 9449 §5, §8), DPoP-bound refresh tokens of public clients,
// certificate binding from the presented client certificate (RFC 8705 §3.1), the metadata
// that advertises both, the config checks and each fault.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "mocks/issuer.h"
#include "mocks/issuer_fixture.h"
#include "tollgate/base/digest.h"
#include "tollgate/crypto/dpop.h"

namespace tollgate::mocks {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kIssuerTokenUrl = std::string(kUrl) + "/token";

class IssuerDpopTest : public IssuerTest {
 protected:
  // The fixture's issuer plus a public client, a client that must use DPoP and one whose
  // tokens must be certificate-bound.
  ServiceDecl DpopDecl() {
    ServiceDecl d = Decl();
    d.config["clients"]["pub"] = {{"public", true}, {"scopes", {"accounts:read"}}};
    d.config["clients"]["dpop-only"] = {{"secret", "dpop-secret"},
                                        {"dpop_bound_access_tokens", true}};
    d.config["clients"]["cert-only"] = {{"secret", "cert-secret"},
                                        {"tls_client_certificate_bound_access_tokens", true}};
    return d;
  }
  std::unique_ptr<IssuerService> MakeDpop(std::vector<std::string> faults = {},
                                          nlohmann::json dpop = nullptr) {
    ServiceDecl d = DpopDecl();
    if (!dpop.is_null()) d.config["dpop"] = dpop;
    auto idp = Make(d);
    for (const std::string& f : faults) idp->EnableFault(f);
    return idp;
  }

  std::string Proof(const jose::Jwk& key, const std::string& nonce = "",
                    const std::string& mutation = "", const std::string& htu = kIssuerTokenUrl) {
    jose::DpopProofRequest r;
    r.key = &key;
    r.htm = "POST";
    r.htu = htu;
    r.nonce = nonce;
    r.mutation = mutation;
    r.other_key = &other_key_;
    StatusOr<std::string> proof = jose::BuildDpopProof(r, clock_);
    EXPECT_TRUE(proof.ok()) << proof.status().ToString();
    return proof.ok() ? *proof : "";
  }
  static ServerRequest With(ServerRequest r, const std::string& proof) {
    r.headers.Add("DPoP", proof);
    return r;
  }
  static ServerRequest Public(std::vector<std::pair<std::string, std::string>> form) {
    form.emplace_back("client_id", "pub");
    return Token(FormBody(form));
  }
  static ServerRequest PublicRefresh(const std::string& rt) {
    return Public({{"grant_type", "refresh_token"}, {"refresh_token", rt}});
  }
  static nlohmann::json Claims(const Handled& h) {
    return Segment(Body(h).value("access_token", ""), 1);
  }
  static std::string Error(const Handled& h) { return Body(h).value("error", ""); }

  jose::Jwk key_ = *jose::Jwk::Generate(jose::Alg::kES256, "");
  jose::Jwk other_key_ = *jose::Jwk::Generate(jose::Alg::kES256, "");
};

TEST_F(IssuerDpopTest, AProofGetsADpopBoundTokenWithTheKeysThumbprint) {
  auto idp = MakeDpop();
  Handled h = idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), Proof(key_)));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_EQ(Body(h)["token_type"], "DPoP");
  EXPECT_EQ(Claims(h)["cnf"], nlohmann::json({{"jkt", key_.Thumbprint()}}));
  EXPECT_EQ(h.response.headers.Get("Cache-Control").value_or(""), "no-store");
  EXPECT_FALSE(h.response.headers.Has("DPoP-Nonce"));  // no nonce configured
  EXPECT_THAT(h.note, HasSubstr("DPoP-bound"));
  // Without a proof the same client still gets a Bearer token, with no cnf.
  Handled bearer = idp->HandleToken(ClientCredentials("alpha", "alpha-secret"));
  ASSERT_EQ(bearer.response.status, 200);
  EXPECT_EQ(Body(bearer)["token_type"], "Bearer");
  EXPECT_FALSE(Claims(bearer).contains("cnf"));
}

TEST_F(IssuerDpopTest, TheProofMayNameTheEndpointAsTheRequestReachedIt) {
  auto idp = MakeDpop();
  ServerRequest r = ClientCredentials("alpha", "alpha-secret");
  r.headers.Add("Host", "idp.public.example");
  Handled h = idp->HandleToken(With(r, Proof(key_, "", "", "http://idp.public.example/token")));
  EXPECT_EQ(h.response.status, 200) << h.response.body;
  // A proof for another host is still refused.
  Handled other = idp->HandleToken(With(r, Proof(key_, "", "", "http://elsewhere.example/token")));
  EXPECT_EQ(other.response.status, 400);
  EXPECT_EQ(Error(other), "invalid_dpop_proof");
}

TEST_F(IssuerDpopTest, TwoDpopHeadersAreAnInvalidProof) {
  auto idp = MakeDpop();
  ServerRequest r = With(ClientCredentials("alpha", "alpha-secret"), Proof(key_));
  r.headers.Add("DPoP", Proof(key_));
  Handled h = idp->HandleToken(r);
  EXPECT_EQ(h.response.status, 400);
  EXPECT_EQ(Error(h), "invalid_dpop_proof");
  EXPECT_THAT(Body(h)["error_description"].get<std::string>(), HasSubstr("more than one"));
}

TEST_F(IssuerDpopTest, BadProofsAreRefusedAndControlsAccepted) {
  auto idp = MakeDpop();
  for (const char* mutation :
       {"wrong_htm", "htu_other_path", "htu_other_host", "iat_stale", "iat_future", "wrong_typ",
        "alg_none", "hs256_public_key", "private_key_in_jwk", "signed_by_other_key"}) {
    Handled h = idp->HandleToken(
        With(ClientCredentials("alpha", "alpha-secret"), Proof(key_, "", mutation)));
    EXPECT_EQ(h.response.status, 400) << mutation;
    EXPECT_EQ(Error(h), "invalid_dpop_proof") << mutation;
    EXPECT_EQ(h.response.headers.Get("Cache-Control").value_or(""), "no-store") << mutation;
  }
  for (const char* control : {"htu_with_query", "htu_host_case", "iat_stale_within"}) {
    Handled h = idp->HandleToken(
        With(ClientCredentials("alpha", "alpha-secret"), Proof(key_, "", control)));
    EXPECT_EQ(h.response.status, 200) << control << ": " << h.response.body;
  }
  Handled garbage = idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), "x.y.z"));
  EXPECT_EQ(Error(garbage), "invalid_dpop_proof");
}

TEST_F(IssuerDpopTest, AProofIsAcceptedOnce) {
  auto idp = MakeDpop();
  std::string proof = Proof(key_);
  EXPECT_EQ(
      idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), proof)).response.status,
      200);
  Handled again = idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), proof));
  EXPECT_EQ(again.response.status, 400);
  EXPECT_EQ(Error(again), "invalid_dpop_proof");
  EXPECT_THAT(again.note, HasSubstr("replayed_jti"));
}

TEST_F(IssuerDpopTest, OnlyTheConfiguredAlgorithmsAreAcceptedAndAdvertised) {
  auto idp = MakeDpop({}, {{"algorithms", {"EdDSA"}}});
  nlohmann::json doc = Body(idp->HandleDiscovery({}));
  EXPECT_EQ(doc["dpop_signing_alg_values_supported"], nlohmann::json({"EdDSA"}));
  Handled es = idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), Proof(key_)));
  EXPECT_EQ(Error(es), "invalid_dpop_proof");
  EXPECT_THAT(es.note, HasSubstr("alg_not_allowed"));
  jose::Jwk ed = *jose::Jwk::Generate(jose::Alg::kEdDSA, "");
  EXPECT_EQ(
      idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), Proof(ed))).response.status,
      200);
}

TEST_F(IssuerDpopTest, ARequiredNonceIsChallengedThenAccepted) {
  auto idp = MakeDpop({}, {{"nonce", "required"}, {"nonce_lifetime", "1m"}});
  Handled challenge =
      idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), Proof(key_)));
  ASSERT_EQ(challenge.response.status, 400);
  EXPECT_EQ(Error(challenge), "use_dpop_nonce");
  std::string nonce = challenge.response.headers.Get("DPoP-Nonce").value_or("");
  ASSERT_FALSE(nonce.empty());
  EXPECT_EQ(challenge.response.headers.Get("Cache-Control").value_or(""), "no-store");

  Handled wrong = idp->HandleToken(
      With(ClientCredentials("alpha", "alpha-secret"), Proof(key_, "not-the-nonce")));
  EXPECT_EQ(Error(wrong), "use_dpop_nonce");
  EXPECT_EQ(wrong.response.headers.Get("DPoP-Nonce").value_or(""), nonce);

  Handled ok =
      idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), Proof(key_, nonce)));
  ASSERT_EQ(ok.response.status, 200) << ok.response.body;
  EXPECT_EQ(Body(ok)["token_type"], "DPoP");
  EXPECT_EQ(ok.response.headers.Get("DPoP-Nonce").value_or(""), nonce);

  // Past its lifetime the nonce rotates; the previous one is good one period more.
  clock_.Advance(std::chrono::seconds(61));
  Handled previous =
      idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), Proof(key_, nonce)));
  EXPECT_EQ(previous.response.status, 200) << previous.response.body;
  std::string next = previous.response.headers.Get("DPoP-Nonce").value_or("");
  EXPECT_NE(next, nonce);
  clock_.Advance(std::chrono::seconds(61));
  Handled stale =
      idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), Proof(key_, nonce)));
  EXPECT_EQ(Error(stale), "use_dpop_nonce");
}

TEST_F(IssuerDpopTest, ADpopBoundClientMustSendAProof) {
  auto idp = MakeDpop();
  Handled none = idp->HandleToken(ClientCredentials("dpop-only", "dpop-secret"));
  EXPECT_EQ(none.response.status, 400);
  EXPECT_EQ(Error(none), "invalid_dpop_proof");
  Handled with = idp->HandleToken(With(ClientCredentials("dpop-only", "dpop-secret"), Proof(key_)));
  EXPECT_EQ(with.response.status, 200) << with.response.body;
  EXPECT_EQ(Body(with)["token_type"], "DPoP");
}

TEST_F(IssuerDpopTest, APublicClientSendsItsIdOnly) {
  auto idp = MakeDpop();
  Handled ok = idp->HandleToken(Public({{"grant_type", "client_credentials"}}));
  ASSERT_EQ(ok.response.status, 200) << ok.response.body;
  EXPECT_EQ(Claims(ok)["client_id"], "pub");
  Handled secret =
      idp->HandleToken(Public({{"grant_type", "client_credentials"}, {"client_secret", "x"}}));
  EXPECT_EQ(secret.response.status, 401);
  EXPECT_EQ(Error(secret), "invalid_client");
  Handled basic = idp->HandleToken(ClientCredentials("pub", ""));
  EXPECT_EQ(basic.response.status, 401);
  // It is offered to suites by id, with no secret beside it.
  std::map<std::string, TargetSetting> settings;
  for (const TargetSetting& t : idp->TargetSettings()) settings[t.name] = t;
  ASSERT_EQ(settings.count("public_client_id"), 1u);
  EXPECT_EQ(settings["public_client_id"].value, "pub");
  EXPECT_FALSE(settings["public_client_id"].secret);
  // A confidential client without its secret is still refused.
  Handled bare = idp->HandleToken(Token("grant_type=client_credentials&client_id=alpha"));
  EXPECT_EQ(bare.response.status, 401);
  EXPECT_EQ(Error(bare), "invalid_client");
}

TEST_F(IssuerDpopTest, APublicClientsRefreshTokenIsBoundToItsKey) {
  auto idp = MakeDpop();
  Handled first =
      idp->HandleToken(With(Public({{"grant_type", "client_credentials"}}), Proof(key_)));
  ASSERT_EQ(first.response.status, 200) << first.response.body;
  EXPECT_THAT(first.note, HasSubstr("DPoP-bound refresh token"));
  std::string rt = Body(first)["refresh_token"];

  Handled without = idp->HandleToken(PublicRefresh(rt));
  EXPECT_EQ(without.response.status, 400);
  EXPECT_EQ(Error(without), "invalid_dpop_proof");
  Handled other = idp->HandleToken(With(PublicRefresh(rt), Proof(other_key_)));
  EXPECT_EQ(other.response.status, 400);
  EXPECT_EQ(Error(other), "invalid_grant");
  EXPECT_THAT(other.note, HasSubstr("another key"));

  // Neither attempt used the token nor revoked its family.
  Handled right = idp->HandleToken(With(PublicRefresh(rt), Proof(key_)));
  ASSERT_EQ(right.response.status, 200) << right.response.body;
  EXPECT_EQ(Body(right)["token_type"], "DPoP");
  EXPECT_EQ(Claims(right)["cnf"]["jkt"], key_.Thumbprint());
  // The successor is bound to the same key.
  std::string rt2 = Body(right)["refresh_token"];
  EXPECT_EQ(Error(idp->HandleToken(With(PublicRefresh(rt2), Proof(other_key_)))), "invalid_grant");
  EXPECT_EQ(idp->HandleToken(With(PublicRefresh(rt2), Proof(key_))).response.status, 200);
}

TEST_F(IssuerDpopTest, APublicClientsUnboundRefreshTokenBindsItsSuccessor) {
  auto idp = MakeDpop();
  std::string rt =
      Body(idp->HandleToken(Public({{"grant_type", "client_credentials"}})))["refresh_token"];
  Handled h = idp->HandleToken(With(PublicRefresh(rt), Proof(key_)));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  std::string rt2 = Body(h)["refresh_token"];
  EXPECT_EQ(Error(idp->HandleToken(PublicRefresh(rt2))), "invalid_dpop_proof");
}

TEST_F(IssuerDpopTest, AConfidentialClientsRefreshTokenIsNotBound) {
  auto idp = MakeDpop();
  Handled first = idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), Proof(key_)));
  std::string rt = Body(first)["refresh_token"];
  EXPECT_THAT(first.note, Not(HasSubstr("DPoP-bound refresh")));
  // Its client authentication protects it: another key (or none) may refresh it.
  Handled h =
      idp->HandleToken(With(RefreshRequest("alpha", "alpha-secret", rt), Proof(other_key_)));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_EQ(Claims(h)["cnf"]["jkt"], other_key_.Thumbprint());
}

TEST_F(IssuerDpopTest, APresentedCertificateBindsTheToken) {
  auto idp = MakeDpop();
  // SHA-256 fingerprints are 32 bytes; these are 0x00..0x1f.
  std::string hex, bytes;
  for (int i = 0; i < 32; ++i) {
    bytes.push_back(static_cast<char>(i));
    hex += "0123456789abcdef"[i / 16];
    hex += "0123456789abcdef"[i % 16];
  }
  ServerRequest r = ClientCredentials("cert-only", "cert-secret");
  r.tls = true;
  r.client_cert = PeerCertificate{"CN=partner", "CN=ca", hex, ""};
  Handled h = idp->HandleToken(r);
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_EQ(Body(h)["token_type"], "Bearer");  // RFC 8705: still a Bearer token
  EXPECT_EQ(Claims(h)["cnf"], nlohmann::json({{"x5t#S256", Base64UrlEncode(bytes)}}));
  EXPECT_EQ(Base64UrlEncode(bytes), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
  // Both bindings at once.
  Handled both = idp->HandleToken(With(r, Proof(key_)));
  ASSERT_EQ(both.response.status, 200) << both.response.body;
  EXPECT_EQ(Claims(both)["cnf"]["jkt"], key_.Thumbprint());
  EXPECT_EQ(Claims(both)["cnf"]["x5t#S256"], Base64UrlEncode(bytes));

  Handled none = idp->HandleToken(ClientCredentials("cert-only", "cert-secret"));
  EXPECT_EQ(none.response.status, 400);
  EXPECT_EQ(Error(none), "invalid_request");
  EXPECT_THAT(none.note, HasSubstr("no client certificate"));
}

TEST_F(IssuerDpopTest, MetadataAdvertisesDpopAndWithMtlsCertificateBinding) {
  auto plain = MakeDpop();
  nlohmann::json doc = Body(plain->HandleDiscovery({}));
  EXPECT_EQ(doc["dpop_signing_alg_values_supported"],
            nlohmann::json({"ES256", "ES384", "EdDSA", "RS256", "PS256"}));
  EXPECT_EQ(doc["token_endpoint_auth_methods_supported"],
            nlohmann::json({"client_secret_basic", "client_secret_post", "none"}));
  EXPECT_FALSE(doc.contains("tls_client_certificate_bound_access_tokens"));
  EXPECT_FALSE(doc.contains("mtls_endpoint_aliases"));

  ServiceDecl d = DpopDecl();
  d.config["mtls"] = {{"client_identity", "partner"}};
  auto mtls = Make(d);  // no PKI in this context: the metadata only
  doc = Body(mtls->HandleDiscovery({}));
  EXPECT_EQ(doc["tls_client_certificate_bound_access_tokens"], true);
  EXPECT_EQ(doc["mtls_endpoint_aliases"], nlohmann::json({{"token_endpoint", kIssuerTokenUrl}}));
  EXPECT_FALSE(mtls->ListenerTls().has_value());
}

TEST_F(IssuerDpopTest, ConfigRulesTheSchemaCannotSay) {
  auto refused = [&](nlohmann::json patch) {
    ServiceDecl d = DpopDecl();
    d.config.merge_patch(patch);
    auto s = IssuerService::Create(d, Ctx());
    return s.ok() ? std::string() : s.status().message();
  };
  EXPECT_THAT(refused({{"clients", {{"pub", {{"secret", "s"}}}}}}),
              HasSubstr("client `pub` is public"));
  EXPECT_THAT(refused({{"clients", {{"nosecret", {{"scopes", {"a"}}}}}}}),
              HasSubstr("client `nosecret` needs a secret"));
  EXPECT_THAT(refused({{"dpop", {{"algorithms", {"HS256"}}}}}), HasSubstr("HS256"));
  EXPECT_THAT(refused({{"dpop", {{"algorithms", nlohmann::json::array()}}}}),
              HasSubstr("must name an algorithm"));
  EXPECT_THAT(refused({{"dpop", {{"iat_skew", "0s"}}}}), HasSubstr("positive"));
  EXPECT_THAT(refused({{"mtls", nlohmann::json::object()}, {"tls", {{"identity", "server"}}}}),
              HasSubstr("drop `tls:`"));
  EXPECT_EQ(refused({{"dpop", {{"algorithms", {"ES256", "RS256"}}}, {"nonce", "required"}}}), "");
}

// Faults: each lets one thing through that a correct token endpoint refuses.

TEST_F(IssuerDpopTest, FaultDpopProofNotVerified) {
  auto idp = MakeDpop({"dpop_proof_not_verified"});
  std::string forged = Proof(key_, "", "signed_by_other_key");
  Handled h = idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), forged));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_EQ(Claims(h)["cnf"]["jkt"], key_.Thumbprint());  // the header's key, never proven
  // Only the signature goes unchecked: the rest of the proof is still checked, its jti
  // included.
  Handled again = idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), forged));
  EXPECT_EQ(Error(again), "invalid_dpop_proof");
  EXPECT_THAT(again.note, HasSubstr("replayed_jti"));
  jose::DpopProofRequest r;
  r.key = &key_;
  r.htm = "POST";
  r.htu = "http://elsewhere.example/token";
  r.mutation = "signed_by_other_key";
  r.other_key = &other_key_;
  Handled elsewhere = idp->HandleToken(
      With(ClientCredentials("alpha", "alpha-secret"), *jose::BuildDpopProof(r, clock_)));
  EXPECT_EQ(Error(elsewhere), "invalid_dpop_proof");
  EXPECT_THAT(elsewhere.note, HasSubstr("wrong_htu"));
  std::string old = Proof(key_, "", "signed_by_other_key");
  clock_.Advance(std::chrono::seconds(120));
  Handled stale = idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), old));
  EXPECT_EQ(Error(stale), "invalid_dpop_proof");
  EXPECT_THAT(stale.note, HasSubstr("stale_iat"));
  Handled wrong_method = idp->HandleToken(
      With(ClientCredentials("alpha", "alpha-secret"), Proof(key_, "", "wrong_htm")));
  EXPECT_EQ(Error(wrong_method), "invalid_dpop_proof");
}

TEST_F(IssuerDpopTest, FaultDpopReplayAllowed) {
  auto idp = MakeDpop({"dpop_replay_allowed"});
  std::string proof = Proof(key_);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(
        idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), proof)).response.status,
        200);
  }
}

TEST_F(IssuerDpopTest, FaultDpopNonceNotChecked) {
  auto idp = MakeDpop({"dpop_nonce_not_checked"}, {{"nonce", "required"}});
  Handled h = idp->HandleToken(With(ClientCredentials("alpha", "alpha-secret"), Proof(key_)));
  EXPECT_EQ(h.response.status, 200) << h.response.body;
}

TEST_F(IssuerDpopTest, FaultDpopNotRequired) {
  auto idp = MakeDpop({"dpop_not_required"});
  Handled h = idp->HandleToken(ClientCredentials("dpop-only", "dpop-secret"));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_EQ(Body(h)["token_type"], "Bearer");
}

TEST_F(IssuerDpopTest, FaultDpopRefreshUnbound) {
  auto idp = MakeDpop({"dpop_refresh_unbound"});
  std::string rt = Body(idp->HandleToken(
      With(Public({{"grant_type", "client_credentials"}}), Proof(key_))))["refresh_token"];
  Handled other = idp->HandleToken(With(PublicRefresh(rt), Proof(other_key_)));
  ASSERT_EQ(other.response.status, 200) << other.response.body;
  std::string rt2 = Body(other)["refresh_token"];
  EXPECT_EQ(idp->HandleToken(PublicRefresh(rt2)).response.status, 200);
}

TEST_F(IssuerDpopTest, FaultCertBindingNotRequired) {
  auto idp = MakeDpop({"cert_binding_not_required"});
  Handled h = idp->HandleToken(ClientCredentials("cert-only", "cert-secret"));
  ASSERT_EQ(h.response.status, 200) << h.response.body;
  EXPECT_FALSE(Claims(h).contains("cnf"));
}

TEST_F(IssuerDpopTest, EveryNewFaultIsInTheVocabulary) {
  std::set<std::string> known = MakeDpop()->KnownFaults();
  for (const char* f : {"dpop_proof_not_verified", "dpop_replay_allowed", "dpop_nonce_not_checked",
                        "dpop_not_required", "dpop_refresh_unbound", "cert_binding_not_required"}) {
    EXPECT_TRUE(known.count(f)) << f;
  }
}

// Each fault against every probe: a probe is a request only its own fault lets through, so
// a correct issuer refuses all of them and each faulty one accepts exactly one. All the
// issuers require a nonce, so that dpop_nonce_not_checked has something to skip.
TEST_F(IssuerDpopTest, EachFaultLetsThroughExactlyItsOwnProbe) {
  struct Probe {
    const char* fault;
    std::function<Handled(IssuerService&)> send;
  };
  auto ok = [](const Handled& h) {
    EXPECT_EQ(h.response.status, 200) << "setup: " << h.response.body;
    return h;
  };
  const std::vector<Probe> probes = {
      {"dpop_proof_not_verified",
       [&](IssuerService& idp) {
         return idp.HandleToken(With(ClientCredentials("alpha", "alpha-secret"),
                                     Proof(key_, idp.DpopNonce(), "signed_by_other_key")));
       }},
      {"dpop_replay_allowed",
       [&](IssuerService& idp) {
         std::string proof = Proof(key_, idp.DpopNonce());
         ok(idp.HandleToken(With(ClientCredentials("alpha", "alpha-secret"), proof)));
         return idp.HandleToken(With(ClientCredentials("alpha", "alpha-secret"), proof));
       }},
      {"dpop_nonce_not_checked",
       [&](IssuerService& idp) {
         return idp.HandleToken(
             With(ClientCredentials("alpha", "alpha-secret"), Proof(key_, "not-the-nonce")));
       }},
      {"dpop_not_required",
       [&](IssuerService& idp) {
         return idp.HandleToken(ClientCredentials("dpop-only", "dpop-secret"));
       }},
      {"dpop_refresh_unbound",
       [&](IssuerService& idp) {
         Handled first = ok(idp.HandleToken(
             With(Public({{"grant_type", "client_credentials"}}), Proof(key_, idp.DpopNonce()))));
         std::string rt = Body(first).value("refresh_token", "");
         return idp.HandleToken(With(PublicRefresh(rt), Proof(other_key_, idp.DpopNonce())));
       }},
      {"cert_binding_not_required",
       [&](IssuerService& idp) {
         return idp.HandleToken(ClientCredentials("cert-only", "cert-secret"));
       }},
  };
  std::vector<std::string> variants = {""};
  for (const Probe& p : probes) variants.push_back(p.fault);
  for (const std::string& variant : variants) {
    std::vector<std::string> faults;
    if (!variant.empty()) faults.push_back(variant);
    auto idp = MakeDpop(faults, {{"nonce", "required"}});
    for (const Probe& p : probes) {
      Handled h = p.send(*idp);
      EXPECT_EQ(h.response.status, variant == p.fault ? 200 : 400)
          << "issuer with fault `" << (variant.empty() ? "none" : variant) << "`, probe of `"
          << p.fault << "`: " << h.response.body;
    }
    // A correct request passes whatever the fault.
    Handled good = idp->HandleToken(
        With(ClientCredentials("alpha", "alpha-secret"), Proof(key_, idp->DpopNonce())));
    EXPECT_EQ(good.response.status, 200) << variant << ": " << good.response.body;
  }
}

}  // namespace
}  // namespace tollgate::mocks
