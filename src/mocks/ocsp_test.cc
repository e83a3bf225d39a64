// Kind `ocsp`: every answer checked with OpenSSL's own verification (OCSP_basic_verify
// against the root, OCSP_resp_find_status, the times against the shared clock), every
// action and its restore, the request bounds; then one request over a loopback listener.

#include "mocks/ocsp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "tollgate/base/encoding.h"
#include "tollgate/base/file.h"
#include "tollgate/http/client.h"
#include "tollgate/http/revocation.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::mocks {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using X509Ptr = OsslPtr<X509, X509_free>;
using StorePtr = OsslPtr<X509_STORE, X509_STORE_free>;
using ReqPtr = OsslPtr<OCSP_REQUEST, OCSP_REQUEST_free>;
using RespPtr = OsslPtr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using BasicPtr = OsslPtr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using CrlPtr = OsslPtr<X509_CRL, X509_CRL_free>;

constexpr char kPki[] = R"yaml(pki: ocsp-test
authorities:
  root: {subject: "CN=OCSP Test Root", key: ec-p256, days: 3650}
  client-ca: {subject: "CN=OCSP Test Client CA", issuer: root, key: ec-p256, days: 1825}
  server-ca: {subject: "CN=OCSP Test Server CA", issuer: root, key: ec-p256, days: 1825}
identities:
  partner: {subject: "CN=partner", issuer: client-ca, usage: client, key: ec-p256, days: 90,
            variants: [revoked, expired]}
  server: {subject: "CN=localhost", issuer: server-ca, usage: server, key: ec-p256, days: 90}
)yaml";

const Clock::TimePoint kNow = Clock::TimePoint(std::chrono::seconds(1'800'000'000));
const std::time_t kNowSeconds = 1'800'000'000;

X509Ptr ReadCert(const std::string& path) {
  StatusOr<std::string> text = ReadFile(path);
  std::string pem = text.ok() ? *text : "";
  BioPtr b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr));
}

// Seconds from the shared clock's now to `t` (negative: in the past).
long long FromNow(const ASN1_GENERALIZEDTIME* t) {
  OsslPtr<ASN1_TIME, ASN1_TIME_free> now(ASN1_TIME_set(nullptr, kNowSeconds));
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, now.get(), t);
  return days * 86400LL + secs;
}

class OcspTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "tollgate-ocsp-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = new fs::path(tmpl);
    std::ofstream(*dir_ / "pki.yaml") << kPki;
    auto cfg = pki::LoadPkiConfig((*dir_ / "pki.yaml").string());
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    ManualClock clock(kNow);
    ASSERT_TRUE(pki::EnsureGenerated(*cfg, out(), clock).ok());
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }
  static std::string out() { return (*dir_ / "generated").string(); }
  static pki::IdentityFiles Files(const std::string& id, const std::string& variant) {
    auto f = pki::ResolveIdentity(out(), id, variant);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? *f : pki::IdentityFiles{};
  }

  void SetUp() override {
    ServiceContext ctx;
    ctx.clock = &clock_;
    ctx.identity = [](const std::string& id, const std::string& variant) {
      return pki::ResolveIdentity(out(), id, variant);
    };
    ServiceDecl decl;
    decl.name = "revocation";
    decl.kind = "ocsp";
    decl.config = {{"identity", "partner"}};
    auto made = OcspResponder::Create(decl, ctx);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    ocsp_ = std::move(*made);
  }

  // An OCSP request (SHA-1 CertIDs, as OpenSSL's client sends) for the certificates of
  // `variants` of partner, with a nonce.
  static std::string Request(const std::vector<std::string>& variants,
                             const std::string& identity = "partner") {
    ReqPtr req(OCSP_REQUEST_new());
    for (const std::string& v : variants) {
      pki::IdentityFiles f = Files(identity, v);
      X509Ptr cert = ReadCert(f.cert_file);
      X509Ptr issuer = ReadCert(f.issuer_cert_file);
      OCSP_request_add0_id(req.get(), OCSP_cert_to_id(nullptr, cert.get(), issuer.get()));
    }
    OCSP_request_add1_nonce(req.get(), nullptr, -1);
    unsigned char* buf = nullptr;
    int n = i2d_OCSP_REQUEST(req.get(), &buf);
    std::string der(reinterpret_cast<char*>(buf), n);
    OPENSSL_free(buf);
    return der;
  }

  Handled Post(const std::string& der) {
    ServerRequest r;
    r.method = "POST";
    r.path = r.target = "/ocsp";
    r.headers.Add("Content-Type", "application/ocsp-request");
    r.body = der;
    return ocsp_->HandleOcsp(r);
  }

  static RespPtr Parse(const Handled& h) {
    EXPECT_EQ(h.response.status, 200) << h.note;
    EXPECT_EQ(h.response.headers.Get("Content-Type"), "application/ocsp-response");
    const unsigned char* p = reinterpret_cast<const unsigned char*>(h.response.body.data());
    RespPtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(h.response.body.size())));
    EXPECT_TRUE(resp) << h.note;
    return resp;
  }

  // 1 when OpenSSL accepts the response's signature and signer for partner's issuer,
  // with the store's time set to the shared clock.
  static int Verify(OCSP_BASICRESP* basic) {
    StorePtr store(X509_STORE_new());
    X509_STORE_load_file(store.get(), Files("partner", "").ca_file.c_str());
    X509_VERIFY_PARAM* param = X509_VERIFY_PARAM_new();
    X509_VERIFY_PARAM_set_time(param, kNowSeconds);
    X509_STORE_set1_param(store.get(), param);
    X509_VERIFY_PARAM_free(param);
    STACK_OF(X509)* certs = sk_X509_new_null();
    X509Ptr issuer = ReadCert(Files("partner", "").issuer_cert_file);
    sk_X509_push(certs, issuer.get());
    int ok = OCSP_basic_verify(basic, certs, store.get(), 0);
    sk_X509_free(certs);
    return ok;
  }

  // The status OpenSSL finds for `variant` of partner in a successful, verified answer.
  int StatusOf(const Handled& h, const std::string& variant, long long* next_update = nullptr) {
    RespPtr resp = Parse(h);
    if (!resp) return -100;
    EXPECT_EQ(OCSP_response_status(resp.get()), OCSP_RESPONSE_STATUS_SUCCESSFUL);
    BasicPtr basic(OCSP_response_get1_basic(resp.get()));
    EXPECT_EQ(Verify(basic.get()), 1) << h.note;
    pki::IdentityFiles f = Files("partner", variant);
    X509Ptr cert = ReadCert(f.cert_file);
    X509Ptr issuer = ReadCert(f.issuer_cert_file);
    OCSP_CERTID* id = OCSP_cert_to_id(nullptr, cert.get(), issuer.get());
    int status = -1, reason = -1;
    ASN1_GENERALIZEDTIME *rev = nullptr, *thisupd = nullptr, *nextupd = nullptr;
    int found = OCSP_resp_find_status(basic.get(), id, &status, &reason, &rev, &thisupd, &nextupd);
    OCSP_CERTID_free(id);
    EXPECT_EQ(found, 1) << variant;
    if (found == 1) {
      EXPECT_EQ(FromNow(thisupd), 0);
      EXPECT_EQ(FromNow(OCSP_resp_get0_produced_at(basic.get())), 0);
      if (next_update) *next_update = FromNow(nextupd);
    }
    return status;
  }

  static fs::path* dir_;
  ManualClock clock_{kNow};
  std::unique_ptr<OcspResponder> ocsp_;
};

fs::path* OcspTest::dir_ = nullptr;

TEST_F(OcspTest, AnswersGoodAndRevokedSignedByTheIssuingCa) {
  std::string req = Request({"", "revoked"});
  Handled h = Post(req);
  long long next = 0;
  EXPECT_EQ(StatusOf(h, "", &next), V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(next, 3600);
  EXPECT_EQ(StatusOf(h, "revoked"), V_OCSP_CERTSTATUS_REVOKED);
  // The nonce is echoed.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(req.data());
  ReqPtr parsed(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(req.size())));
  RespPtr resp = Parse(h);
  BasicPtr basic(OCSP_response_get1_basic(resp.get()));
  EXPECT_EQ(OCSP_check_nonce(parsed.get(), basic.get()), 1);
}

TEST_F(OcspTest, ThisUpdateFollowsTheSharedClock) {
  clock_.Advance(std::chrono::hours(5));
  Handled h = Post(Request({""}));
  RespPtr resp = Parse(h);
  BasicPtr basic(OCSP_response_get1_basic(resp.get()));
  OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), 0);
  ASN1_GENERALIZEDTIME *thisupd = nullptr, *nextupd = nullptr;
  OCSP_single_get0_status(single, nullptr, nullptr, &thisupd, &nextupd);
  EXPECT_EQ(FromNow(thisupd), 5 * 3600);
  EXPECT_EQ(FromNow(nextupd), 6 * 3600);
}

TEST_F(OcspTest, AnswersTheGetFormWithPercentEncodedBase64) {
  std::string b64 = Base64Encode(Request({"revoked"}));
  std::string encoded;
  for (char c : b64) {
    encoded += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
  }
  ServerRequest r;
  r.method = "GET";
  r.path = r.target = "/ocsp/" + encoded;
  EXPECT_EQ(StatusOf(ocsp_->HandleOcsp(r), "revoked"), V_OCSP_CERTSTATUS_REVOKED);
}

TEST_F(OcspTest, UnknownForAnotherCasCertificateAndUnderUnknownStatus) {
  Handled other = Post(Request({""}, "server"));
  RespPtr resp = Parse(other);
  BasicPtr basic(OCSP_response_get1_basic(resp.get()));
  int status =
      OCSP_single_get0_status(OCSP_resp_get0(basic.get(), 0), nullptr, nullptr, nullptr, nullptr);
  EXPECT_EQ(status, V_OCSP_CERTSTATUS_UNKNOWN);

  ASSERT_TRUE(ocsp_->Control("unknown_status", {}).ok());
  EXPECT_EQ(StatusOf(Post(Request({""})), ""), V_OCSP_CERTSTATUS_UNKNOWN);
  ocsp_->Restore();
  EXPECT_EQ(StatusOf(Post(Request({""})), ""), V_OCSP_CERTSTATUS_GOOD);
}

TEST_F(OcspTest, RevokeAtRunTimeBySerialOrVariantUntilRestore) {
  ASSERT_TRUE(ocsp_->Control("revoke", {{"variant", ""}}).ok());
  EXPECT_EQ(StatusOf(Post(Request({""})), ""), V_OCSP_CERTSTATUS_REVOKED);
  ocsp_->Restore();
  EXPECT_EQ(StatusOf(Post(Request({""})), ""), V_OCSP_CERTSTATUS_GOOD);

  X509Ptr cert = ReadCert(Files("partner", "expired").cert_file);
  OsslPtr<BIGNUM, BN_free> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  char* hex = BN_bn2hex(bn.get());
  std::string serial = hex;
  OPENSSL_free(hex);
  ASSERT_TRUE(ocsp_->Control("revoke", {{"serial", serial}}).ok());
  EXPECT_EQ(StatusOf(Post(Request({"expired"})), "expired"), V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(StatusOf(Post(Request({""})), ""), V_OCSP_CERTSTATUS_GOOD);

  Status bad = ocsp_->Control("revoke", {{"serial", "xyz"}});
  EXPECT_THAT(bad.message(), HasSubstr("`serial` must be hexadecimal"));
  Status none = ocsp_->Control("revoke", {});
  EXPECT_THAT(none.message(), HasSubstr("needs `serial` (hex), `variant`"));
  Status unknown = ocsp_->Control("revoke", {{"variant", "nope"}});
  EXPECT_THAT(unknown.message(), HasSubstr("has no variant `nope`"));
}

TEST_F(OcspTest, TryLaterAndUnauthorizedAreResponseStatuses) {
  struct Case {
    const char* action;
    int status;
  };
  for (Case c : {Case{"try_later", OCSP_RESPONSE_STATUS_TRYLATER},
                 Case{"unauthorized", OCSP_RESPONSE_STATUS_UNAUTHORIZED}}) {
    ASSERT_TRUE(ocsp_->Control(c.action, {}).ok());
    RespPtr resp = Parse(Post(Request({""})));
    EXPECT_EQ(OCSP_response_status(resp.get()), c.status) << c.action;
    BasicPtr basic(OCSP_response_get1_basic(resp.get()));
    EXPECT_FALSE(basic) << c.action;
    ocsp_->Restore();
    EXPECT_EQ(StatusOf(Post(Request({""})), ""), V_OCSP_CERTSTATUS_GOOD) << c.action;
  }
}

TEST_F(OcspTest, WrongResponderFailsOpenSslVerification) {
  ASSERT_TRUE(ocsp_->Control("wrong_responder", {}).ok());
  RespPtr resp = Parse(Post(Request({""})));
  ASSERT_EQ(OCSP_response_status(resp.get()), OCSP_RESPONSE_STATUS_SUCCESSFUL);
  BasicPtr basic(OCSP_response_get1_basic(resp.get()));
  EXPECT_LE(Verify(basic.get()), 0);
  // The same check passes on the CA-signed answer, so the signer is what failed.
  ocsp_->Restore();
  RespPtr good = Parse(Post(Request({""})));
  BasicPtr good_basic(OCSP_response_get1_basic(good.get()));
  EXPECT_EQ(Verify(good_basic.get()), 1);
}

TEST_F(OcspTest, StaleResponseHasPassedItsNextUpdate) {
  ASSERT_TRUE(ocsp_->Control("stale_produced_at", {}).ok());
  RespPtr resp = Parse(Post(Request({""})));
  BasicPtr basic(OCSP_response_get1_basic(resp.get()));
  EXPECT_EQ(Verify(basic.get()), 1);  // genuine, only old
  EXPECT_EQ(FromNow(OCSP_resp_get0_produced_at(basic.get())), -7 * 86400);
  ASN1_GENERALIZEDTIME *thisupd = nullptr, *nextupd = nullptr;
  OCSP_single_get0_status(OCSP_resp_get0(basic.get(), 0), nullptr, nullptr, &thisupd, &nextupd);
  EXPECT_EQ(FromNow(thisupd), -7 * 86400);
  EXPECT_EQ(FromNow(nextupd), -86400);
}

TEST_F(OcspTest, DownAnswers503OnBothPaths) {
  ASSERT_TRUE(ocsp_->Control("responder_down", {}).ok());
  Handled h = Post(Request({""}));
  EXPECT_EQ(h.response.status, 503);
  EXPECT_EQ(h.response.headers.Get("Connection"), "close");
  ServerRequest crl;
  crl.method = "GET";
  crl.path = crl.target = "/crl";
  EXPECT_EQ(ocsp_->HandleCrl(crl).response.status, 503);
  ocsp_->Restore();
  EXPECT_EQ(ocsp_->HandleCrl(crl).response.status, 200);
}

TEST_F(OcspTest, SlowIsBoundedAndEndedByRestore) {
  EXPECT_THAT(ocsp_->Control("responder_slow", {{"ms", 30001}}).message(),
              HasSubstr("between 0 and 30000"));
  ASSERT_TRUE(ocsp_->Control("responder_slow", {{"ms", 30000}}).ok());
  std::string req = Request({""});
  auto answer = std::async(std::launch::async, [&] { return Post(req); });
  // The handler is held; Restore wakes it long before the 30 s.
  EXPECT_EQ(answer.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  ocsp_->Restore();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(StatusOf(answer.get(), ""), V_OCSP_CERTSTATUS_GOOD);
}

TEST_F(OcspTest, RefusesOversizedWrongTypeAndMalformedRequests) {
  Handled big = Post(std::string(OcspResponder::kMaxRequestBytes + 1, 'x'));
  EXPECT_EQ(big.response.status, 413);
  ServerRequest r;
  r.method = "POST";
  r.path = r.target = "/ocsp";
  r.headers.Add("Content-Type", "application/json");
  r.body = Request({""});
  EXPECT_EQ(ocsp_->HandleOcsp(r).response.status, 415);
  RespPtr garbage = Parse(Post("not DER"));
  EXPECT_EQ(OCSP_response_status(garbage.get()), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  EXPECT_THAT(ocsp_->Control("explode", {}).message(),
              HasSubstr("has no action `explode`; known actions: crl_stale"));
}

// A request about the intermediate client-ca (issued by root), answered and signed by root.
TEST_F(OcspTest, RevokedIntermediateIsAnsweredByItsRoot) {
  pki::IdentityFiles f = Files("partner", "");
  ASSERT_EQ(f.authorities.size(), 2u);
  X509Ptr intermediate = ReadCert(f.authorities[0].cert_file);
  X509Ptr root = ReadCert(f.authorities[1].cert_file);
  auto ask = [&] {
    ReqPtr req(OCSP_REQUEST_new());
    OCSP_request_add0_id(req.get(), OCSP_cert_to_id(nullptr, intermediate.get(), root.get()));
    unsigned char* buf = nullptr;
    int n = i2d_OCSP_REQUEST(req.get(), &buf);
    std::string der(reinterpret_cast<char*>(buf), n);
    OPENSSL_free(buf);
    RespPtr resp = Parse(Post(der));
    BasicPtr basic(OCSP_response_get1_basic(resp.get()));
    EXPECT_EQ(Verify(basic.get()), 1);  // root signs: it issued the intermediate
    const ASN1_OCTET_STRING* key_id = nullptr;
    const X509_NAME* by_name = nullptr;
    OCSP_resp_get0_id(basic.get(), &key_id, &by_name);
    EXPECT_TRUE(by_name && X509_NAME_cmp(by_name, X509_get_subject_name(root.get())) == 0);
    return OCSP_single_get0_status(OCSP_resp_get0(basic.get(), 0), nullptr, nullptr, nullptr,
                                   nullptr);
  };
  EXPECT_EQ(ask(), V_OCSP_CERTSTATUS_GOOD);
  ASSERT_TRUE(ocsp_->Control("revoke", {{"authority", "client-ca"}}).ok());
  EXPECT_EQ(ask(), V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(StatusOf(Post(Request({""})), ""), V_OCSP_CERTSTATUS_GOOD);  // the leaf is not
  ocsp_->Restore();
  EXPECT_EQ(ask(), V_OCSP_CERTSTATUS_GOOD);
  EXPECT_THAT(ocsp_->Control("revoke", {{"authority", "root"}}).message(),
              HasSubstr("`authority` must be an authority of the path with an issuer; expected "
                        "one of: client-ca"));
}

class OcspCrlTest : public OcspTest {
 protected:
  CrlPtr Crl(const std::string& path = "/crl") {
    ServerRequest r;
    r.method = "GET";
    r.path = r.target = path;
    Handled h = ocsp_->HandleCrl(r);
    EXPECT_EQ(h.response.status, 200);
    const std::string& body = h.response.body;
    if (std::string(path).size() > 4 && path.compare(path.size() - 4, 4, ".pem") == 0) {
      EXPECT_EQ(h.response.headers.Get("Content-Type"), "application/x-pem-file");
      BioPtr b(BIO_new_mem_buf(body.data(), static_cast<int>(body.size())));
      return CrlPtr(PEM_read_bio_X509_CRL(b.get(), nullptr, nullptr, nullptr));
    }
    EXPECT_EQ(h.response.headers.Get("Content-Type"), "application/pkix-crl");
    const unsigned char* p = reinterpret_cast<const unsigned char*>(body.data());
    return CrlPtr(d2i_X509_CRL(nullptr, &p, static_cast<long>(body.size())));
  }
  bool Lists(X509_CRL* crl, const std::string& variant) {
    X509Ptr cert = ReadCert(Files("partner", variant).cert_file);
    X509_REVOKED* entry = nullptr;
    return X509_CRL_get0_by_cert(crl, &entry, cert.get()) == 1;
  }
  int SignatureOk(X509_CRL* crl) {
    X509Ptr ca = ReadCert(Files("partner", "").issuer_cert_file);
    return X509_CRL_verify(crl, X509_get0_pubkey(ca.get()));
  }
};

TEST_F(OcspCrlTest, ServesTheCasCrlWithRunTimeRevocations) {
  for (const char* path : {"/crl", "/crl.pem"}) {
    CrlPtr crl = Crl(path);
    ASSERT_TRUE(crl) << path;
    EXPECT_EQ(SignatureOk(crl.get()), 1);
    EXPECT_TRUE(Lists(crl.get(), "revoked"));
    EXPECT_FALSE(Lists(crl.get(), ""));
    EXPECT_EQ(FromNow(X509_CRL_get0_nextUpdate(crl.get())), 3600);
  }
  ASSERT_TRUE(ocsp_->Control("revoke", {{"variant", ""}}).ok());
  EXPECT_TRUE(Lists(Crl().get(), ""));
  ocsp_->Restore();
  EXPECT_FALSE(Lists(Crl().get(), ""));
}

TEST_F(OcspCrlTest, ServesEachAuthorityOfThePathItsOwnCrl) {
  ASSERT_TRUE(ocsp_->Control("revoke", {{"authority", "client-ca"}}).ok());
  pki::IdentityFiles f = Files("partner", "");
  X509Ptr intermediate = ReadCert(f.authorities[0].cert_file);
  X509Ptr root = ReadCert(f.authorities[1].cert_file);
  for (const char* path : {"/crl/root", "/crl/root.pem"}) {
    CrlPtr crl = Crl(path);
    ASSERT_TRUE(crl) << path;
    EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(root.get())), 1) << path;
    X509_REVOKED* entry = nullptr;
    EXPECT_EQ(X509_CRL_get0_by_cert(crl.get(), &entry, intermediate.get()), 1) << path;
  }
  CrlPtr own = Crl("/crl/client-ca");
  EXPECT_EQ(SignatureOk(own.get()), 1);
  EXPECT_TRUE(Lists(own.get(), "revoked"));
  ServerRequest r;
  r.method = "GET";
  r.path = r.target = "/crl/nope";
  EXPECT_EQ(ocsp_->HandleCrl(r).response.status, 404);
}

TEST_F(OcspCrlTest, StaleAndBadSignatureActions) {
  ASSERT_TRUE(ocsp_->Control("crl_stale", {}).ok());
  CrlPtr stale = Crl();
  EXPECT_EQ(SignatureOk(stale.get()), 1);
  EXPECT_EQ(FromNow(X509_CRL_get0_nextUpdate(stale.get())), -86400);
  ocsp_->Restore();
  ASSERT_TRUE(ocsp_->Control("crl_bad_signature", {}).ok());
  CrlPtr bad = Crl();
  ASSERT_TRUE(bad);
  EXPECT_NE(SignatureOk(bad.get()), 1);
  EXPECT_TRUE(Lists(bad.get(), "revoked"));  // parseable, only the signature is wrong
  ocsp_->Restore();
  EXPECT_EQ(SignatureOk(Crl().get()), 1);
}

// One answer over a real loopback listener, through the environment (the kind is
// registered, its keys are checked by the loader, its URLs are offered to suites).
TEST_F(OcspTest, ServesOverLoopbackThroughTheEnvironment) {
  RegisterMockKinds();
  Diagnostics diags;
  auto model = ParseEnvironment(R"yaml(environment: ocsp-test
services:
  revocation:
    kind: ocsp
    identity: partner
    next_update: 10m
)yaml",
                                "mocks/ocsp-test.yaml", diags);
  ASSERT_TRUE(model.has_value());
  Redactor redactor;
  MockEnvironment env(*model, &clock_, &redactor);
  env.SetPki((*dir_ / "pki.yaml").string(), out());
  ASSERT_TRUE(env.Start().ok());
  std::string ocsp_url;
  for (const TargetSetting& s : env.TargetSettings("revocation")) {
    if (s.name == "ocsp_url") ocsp_url = s.value;
  }
  EXPECT_EQ(ocsp_url, env.Url("revocation") + "/ocsp");
  HttpClient client;
  ClientRequest r;
  r.method = "POST";
  r.url = ocsp_url;
  r.headers.push_back({"Content-Type", "application/ocsp-request"});
  r.body = Request({"revoked"});
  r.timeout = std::chrono::milliseconds(3000);
  auto res = client.Send(r);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  Handled h{ServerResponse{res->status, res->headers, res->body}, ""};
  long long next = 0;
  EXPECT_EQ(StatusOf(h, "revoked", &next), V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(next, 600);
  env.Stop();
}

// The application-level checker (tollgate/http/revocation.h) against this responder over
// loopback: each action gives the verdict a relying party must reach, by OCSP and by CRL.
TEST_F(OcspTest, TheRevocationCheckerReadsEveryActionRight) {
  RegisterMockKinds();
  Diagnostics diags;
  auto model = ParseEnvironment(
      "environment: ocsp-test\nservices:\n  revocation: {kind: ocsp, identity: partner, "
      "next_update: 10m}\n",
      "mocks/ocsp-test.yaml", diags);
  ASSERT_TRUE(model.has_value()) << diags.Render();
  Redactor redactor;
  MockEnvironment env(*model, &clock_, &redactor);
  env.SetPki((*dir_ / "pki.yaml").string(), out());
  ASSERT_TRUE(env.Start().ok());
  const std::string base = env.Url("revocation");
  MockService* service = env.Service("revocation");
  ASSERT_NE(service, nullptr);

  pki::IdentityFiles good = Files("partner", "");
  pki::IdentityFiles revoked = Files("partner", "revoked");
  std::vector<std::string> path;  // the issuing CA, then the root
  for (const pki::AuthorityFiles& a : good.authorities) path.push_back(*ReadFile(a.cert_file));
  ASSERT_EQ(path.size(), 2u);
  // The responder's layout: /ocsp for every CA, /crl for the issuing CA, /crl/NAME above.
  const std::string issuing_subject = "CN=OCSP Test Client CA";
  auto endpoint_for = [&](const std::string& issuer) {
    http::RevocationEndpoint e{base + "/ocsp", base + "/crl"};
    if (issuer != issuing_subject) e.crl_url = base + "/crl/root";
    return e;
  };
  HttpClient client;
  auto check = [&](const pki::IdentityFiles& who, http::RevocationMethod method) {
    http::RevocationCheckOptions options;
    options.method = method;
    options.clock = &clock_;
    options.timeout = std::chrono::milliseconds(2000);
    return http::CheckPathRevocation(*ReadFile(who.cert_file), path, endpoint_for, options, client);
  };
  using http::RevocationMethod;
  using http::RevocationStatus;
  for (RevocationMethod m : {RevocationMethod::kOcsp, RevocationMethod::kCrl}) {
    SCOPED_TRACE(std::string(http::RevocationMethodName(m)));
    http::RevocationReport ok = check(good, m);
    EXPECT_EQ(ok.status, RevocationStatus::kGood) << ok.Summary();
    EXPECT_EQ(ok.answers.size(), 2u) << ok.Summary();  // the leaf, then the issuing CA
    http::RevocationReport bad = check(revoked, m);
    EXPECT_EQ(bad.status, RevocationStatus::kRevoked) << bad.Summary();
    EXPECT_THAT(bad.Summary(), HasSubstr("CN=partner revoked at "));

    // Revoked at run time: the next check sees it.
    ASSERT_TRUE(service->Control("revoke", {{"variant", ""}}).ok());
    EXPECT_EQ(check(good, m).status, RevocationStatus::kRevoked);
    service->Restore();
    // A revoked intermediate is refused through its issuer's answer.
    ASSERT_TRUE(service->Control("revoke", {{"authority", "client-ca"}}).ok());
    http::RevocationReport ca = check(good, m);
    EXPECT_EQ(ca.status, RevocationStatus::kRevoked) << ca.Summary();
    EXPECT_THAT(ca.answers.back().subject, HasSubstr("Client CA"));
    service->Restore();
  }
  struct Breakage {
    std::string action;
    RevocationMethod method;
    std::string says;
  };
  const std::vector<Breakage> unusable = {
      {"responder_down", RevocationMethod::kOcsp, "HTTP 503"},
      {"responder_down", RevocationMethod::kCrl, "HTTP 503"},
      {"try_later", RevocationMethod::kOcsp, "tryLater"},
      {"unauthorized", RevocationMethod::kOcsp, "unauthorized"},
      {"wrong_responder", RevocationMethod::kOcsp, "not signed by the issuer"},
      {"stale_produced_at", RevocationMethod::kOcsp, "out of date"},
      {"crl_stale", RevocationMethod::kCrl, "out of date"},
      {"crl_bad_signature", RevocationMethod::kCrl, "signature does not verify"},
  };
  for (const Breakage& b : unusable) {
    SCOPED_TRACE(b.action);
    ASSERT_TRUE(service->Control(b.action, nlohmann::json::object()).ok());
    http::RevocationReport r = check(good, b.method);
    EXPECT_EQ(r.status, RevocationStatus::kUnavailable) << r.Summary();
    EXPECT_THAT(r.Summary(), HasSubstr(b.says));
    service->Restore();
  }
  ASSERT_TRUE(service->Control("unknown_status", nlohmann::json::object()).ok());
  EXPECT_EQ(check(good, RevocationMethod::kOcsp).status, RevocationStatus::kUnknown);
  service->Restore();
  env.Stop();
}

// The knobs that model a careless relying party (reference targets' faults): without the
// signature check a forged or badly signed answer is believed, without the time check an
// out-of-date one; each knob leaves the other check in force.
TEST_F(OcspTest, TheCheckersKnobsBelieveForgedOrStaleAnswers) {
  RegisterMockKinds();
  Diagnostics diags;
  auto model = ParseEnvironment(
      "environment: ocsp-test\nservices:\n  revocation: {kind: ocsp, identity: partner}\n",
      "mocks/ocsp-test.yaml", diags);
  ASSERT_TRUE(model.has_value()) << diags.Render();
  Redactor redactor;
  MockEnvironment env(*model, &clock_, &redactor);
  env.SetPki((*dir_ / "pki.yaml").string(), out());
  ASSERT_TRUE(env.Start().ok());
  const std::string base = env.Url("revocation");
  MockService* service = env.Service("revocation");
  ASSERT_NE(service, nullptr);
  pki::IdentityFiles good = Files("partner", "");
  const std::string cert = *ReadFile(good.cert_file);
  const std::string issuer = *ReadFile(good.issuer_cert_file);
  HttpClient client;
  using http::RevocationMethod;
  using http::RevocationStatus;
  auto check = [&](RevocationMethod method, bool verify, bool times) {
    http::RevocationCheckOptions options;
    options.method = method;
    options.clock = &clock_;
    options.verify_signatures = verify;
    options.check_times = times;
    return http::CheckRevocation(cert, issuer, {base + "/ocsp", base + "/crl"}, options, client);
  };
  struct Row {
    std::string action;
    RevocationMethod method;
    bool forged;  // a signature problem (else a time problem)
  };
  for (const Row& row : std::vector<Row>{{"wrong_responder", RevocationMethod::kOcsp, true},
                                         {"crl_bad_signature", RevocationMethod::kCrl, true},
                                         {"stale_produced_at", RevocationMethod::kOcsp, false},
                                         {"crl_stale", RevocationMethod::kCrl, false}}) {
    SCOPED_TRACE(row.action);
    ASSERT_TRUE(service->Control(row.action, nlohmann::json::object()).ok());
    EXPECT_EQ(check(row.method, true, true).status, RevocationStatus::kUnavailable);
    // The knob for this problem off: believed; the other knob off: still unusable.
    http::RevocationAnswer believed = check(row.method, !row.forged, row.forged);
    EXPECT_EQ(believed.status, RevocationStatus::kGood) << believed.detail;
    http::RevocationAnswer still = check(row.method, row.forged, !row.forged);
    EXPECT_EQ(still.status, RevocationStatus::kUnavailable) << still.detail;
    service->Restore();
  }
  // A believed forged answer still says revoked when the responder says so.
  ASSERT_TRUE(service->Control("revoke", {{"variant", ""}}).ok());
  ASSERT_TRUE(service->Control("wrong_responder", nlohmann::json::object()).ok());
  EXPECT_EQ(check(RevocationMethod::kOcsp, false, true).status, RevocationStatus::kRevoked);
  service->Restore();
  env.Stop();
}

// A responder that hangs costs one timeout, not a run: the slow action outlasts the bound.
TEST_F(OcspTest, ASlowResponderIsUnavailableWithinTheTimeout) {
  RegisterMockKinds();
  Diagnostics diags;
  auto model = ParseEnvironment(
      "environment: ocsp-test\nservices:\n  revocation: {kind: ocsp, identity: partner}\n",
      "mocks/ocsp-test.yaml", diags);
  ASSERT_TRUE(model.has_value()) << diags.Render();
  Redactor redactor;
  MockEnvironment env(*model, &clock_, &redactor);
  env.SetPki((*dir_ / "pki.yaml").string(), out());
  ASSERT_TRUE(env.Start().ok());
  MockService* service = env.Service("revocation");
  ASSERT_TRUE(service->Control("responder_slow", {{"ms", 5000}}).ok());
  pki::IdentityFiles good = Files("partner", "");
  http::RevocationCheckOptions options;
  options.clock = &clock_;
  options.timeout = std::chrono::milliseconds(300);
  HttpClient client;
  auto started = std::chrono::steady_clock::now();
  http::RevocationAnswer a =
      http::CheckRevocation(*ReadFile(good.cert_file), *ReadFile(good.issuer_cert_file),
                            {env.Url("revocation") + "/ocsp", ""}, options, client);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(a.status, http::RevocationStatus::kUnavailable) << a.detail;
  EXPECT_THAT(a.detail, HasSubstr("timeout"));
  EXPECT_LT(took, std::chrono::milliseconds(3000));
  service->Restore();  // wakes the held handler
  env.Stop();
}

TEST(OcspKind, WithoutAPkiItAnswersThatItHasNoCa) {
  ManualClock clock(kNow);
  ServiceDecl decl;
  decl.name = "r";
  decl.kind = "ocsp";
  decl.config = nlohmann::json::object();
  auto made = OcspResponder::Create(decl, ServiceContext{&clock, nullptr, {}, {}, {}});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  ServerRequest r;
  r.method = "POST";
  r.path = "/ocsp";
  r.headers.Add("Content-Type", "application/ocsp-request");
  Handled h = (*made)->HandleOcsp(r);
  EXPECT_EQ(h.note, "no PKI");
  r.method = "GET";
  r.path = "/crl";
  EXPECT_EQ((*made)->HandleCrl(r).response.status, 500);
  EXPECT_THAT((*made)->Control("revoke", {{"variant", ""}}).message(), HasSubstr("no PKI"));
}

TEST(OcspKind, NeedsAnIdentityWithAnIssuer) {
  RegisterMockKinds();
  Diagnostics diags;
  auto model =
      ParseEnvironment("environment: e\nservices:\n  r: {kind: ocsp}\n", "mocks/e.yaml", diags);
  EXPECT_FALSE(model.has_value());
  EXPECT_THAT(diags.Render(), HasSubstr("identity"));
}

}  // namespace
}  // namespace tollgate::mocks
