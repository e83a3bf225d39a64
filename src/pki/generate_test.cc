// EnsureGenerated and ResolveIdentity on the project's profile: every variant has the
// property its name claims, checked with OpenSSL; the valid identities verify; key files
// are private.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>

#include "pki/test_util.h"

namespace tollgate::pki {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const Clock::TimePoint kNow = Clock::TimePoint(std::chrono::seconds(1'800'000'000));

class PkiGenerated : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto cfg = LoadPkiConfig(testing::ProfilePath());
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    ManualClock clock(kNow);
    Status st = EnsureGenerated(*cfg, out(), clock);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string out() { return dir_->Sub("generated"); }

  static IdentityFiles Files(const std::string& id, const std::string& variant) {
    auto f = ResolveIdentity(out(), id, variant);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? *f : IdentityFiles{};
  }

  // X509_verify_cert of the variant's chain file against `ca_file` at kNow; the error code.
  static int Verify(const IdentityFiles& f, const std::string& ca_file, int purpose,
                    bool crl_check = false) {
    StorePtr store(X509_STORE_new());
    X509_STORE_load_file(store.get(), ca_file.c_str());
    if (crl_check) {
      for (auto& crl : ReadCrls(testing::Slurp(f.crl_file))) {
        X509_STORE_add_crl(store.get(), crl.get());
      }
    }
    auto chain = ReadCerts(testing::Slurp(f.chain_file));
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    for (std::size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted, chain[i].get());
    StoreCtxPtr ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), chain[0].get(), untrusted);
    X509_VERIFY_PARAM* p = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(p, std::chrono::system_clock::to_time_t(kNow));
    X509_VERIFY_PARAM_set_purpose(p, purpose);
    if (crl_check) X509_VERIFY_PARAM_set_flags(p, X509_V_FLAG_CRL_CHECK);
    int ok = X509_verify_cert(ctx.get());
    int err = X509_STORE_CTX_get_error(ctx.get());
    sk_X509_free(untrusted);
    return ok == 1 ? X509_V_OK : err;
  }

  static testing::TempDir* dir_;
};
testing::TempDir* PkiGenerated::dir_ = nullptr;

std::time_t Now() { return std::chrono::system_clock::to_time_t(kNow); }

TEST_F(PkiGenerated, ValidClientIdentitiesVerifyWithCrlCheck) {
  for (const char* id : {"partner", "other-partner"}) {
    IdentityFiles f = Files(id, "");
    ASSERT_FALSE(f.crl_file.empty()) << id;
    EXPECT_EQ(Verify(f, f.ca_file, X509_PURPOSE_SSL_CLIENT, true), X509_V_OK) << id;
    EXPECT_EQ(ReadCerts(testing::Slurp(f.chain_file)).size(), 2u) << id;
  }
  IdentityFiles p = Files("partner", "");
  EXPECT_EQ(p.subject, "CN=partner,O=Partner Ltd");
  EXPECT_EQ(p.sha256, CertSha256(testing::LoadCert(p.cert_file).get()));
  EXPECT_EQ(EVP_PKEY_get_base_id(
                X509_get0_pubkey(testing::LoadCert(Files("other-partner", "").cert_file).get())),
            EVP_PKEY_RSA);
}

TEST_F(PkiGenerated, ServerIdentityMatchesLocalhostAndItsVariantsDoNot) {
  IdentityFiles f = Files("server", "");
  EXPECT_EQ(Verify(f, f.ca_file, X509_PURPOSE_SSL_SERVER), X509_V_OK);
  X509Ptr leaf = testing::LoadCert(f.cert_file);
  EXPECT_EQ(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0), 1);
  X509Ptr wrong = testing::LoadCert(Files("server", "wrong_host").cert_file);
  EXPECT_EQ(X509_check_host(wrong.get(), "localhost", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(wrong.get(), "127.0.0.1", 0), 0);
  EXPECT_EQ(X509_check_host(wrong.get(), "wrong-host.invalid", 0, 0, nullptr), 1);
  IdentityFiles expired = Files("server", "expired");
  EXPECT_EQ(Verify(expired, expired.ca_file, X509_PURPOSE_SSL_SERVER), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_F(PkiGenerated, ExpiredAndNotYetValid) {
  std::time_t now = Now();
  IdentityFiles e = Files("partner", "expired");
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(testing::LoadCert(e.cert_file).get()), &now), 0);
  EXPECT_EQ(Verify(e, e.ca_file, X509_PURPOSE_SSL_CLIENT), X509_V_ERR_CERT_HAS_EXPIRED);
  IdentityFiles n = Files("partner", "not_yet_valid");
  EXPECT_GT(X509_cmp_time(X509_get0_notBefore(testing::LoadCert(n.cert_file).get()), &now), 0);
  EXPECT_EQ(Verify(n, n.ca_file, X509_PURPOSE_SSL_CLIENT), X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST_F(PkiGenerated, SelfSignedAndUntrustedRoot) {
  IdentityFiles valid = Files("partner", "");
  IdentityFiles s = Files("partner", "self_signed");
  X509Ptr self = testing::LoadCert(s.cert_file);
  EXPECT_EQ(X509_self_signed(self.get(), 1), 1);
  EXPECT_EQ(X509_check_ca(self.get()), 0);
  EXPECT_EQ(Verify(s, valid.ca_file, X509_PURPOSE_SSL_CLIENT),
            X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  IdentityFiles u = Files("partner", "untrusted_root");
  EXPECT_EQ(Verify(u, valid.ca_file, X509_PURPOSE_SSL_CLIENT),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_EQ(Verify(u, u.ca_file, X509_PURPOSE_SSL_CLIENT), X509_V_OK);  // its own root
  EXPECT_NE(testing::Slurp(u.ca_file), testing::Slurp(valid.ca_file));
}

TEST_F(PkiGenerated, MissingIntermediatePresentsTheLeafOnly) {
  IdentityFiles m = Files("partner", "missing_intermediate");
  EXPECT_EQ(ReadCerts(testing::Slurp(m.chain_file)).size(), 1u);
  EXPECT_EQ(Verify(m, m.ca_file, X509_PURPOSE_SSL_CLIENT),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(PkiGenerated, ExtendedKeyUsageVariants) {
  X509Ptr valid = testing::LoadCert(Files("partner", "").cert_file);
  EXPECT_EQ(X509_get_extended_key_usage(valid.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
  IdentityFiles so = Files("partner", "server_auth_only");
  X509Ptr server_only = testing::LoadCert(so.cert_file);
  EXPECT_EQ(X509_get_extended_key_usage(server_only.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(Verify(so, so.ca_file, X509_PURPOSE_SSL_CLIENT), X509_V_ERR_INVALID_PURPOSE);
  X509Ptr none = testing::LoadCert(Files("partner", "no_eku").cert_file);
  EXPECT_EQ(X509_get_extension_flags(none.get()) & EXFLAG_XKUSAGE, 0u);
  X509Ptr ca_leaf = testing::LoadCert(Files("partner", "ca_leaf").cert_file);
  EXPECT_NE(X509_check_ca(ca_leaf.get()), 0);
  EXPECT_TRUE(X509_get_extended_key_usage(ca_leaf.get()) & XKU_SSL_CLIENT);
}

TEST_F(PkiGenerated, RevokedSerialIsOnTheIssuersSignedCrl) {
  IdentityFiles r = Files("partner", "revoked");
  X509Ptr leaf = testing::LoadCert(r.cert_file);
  auto crls = ReadCrls(testing::Slurp(r.crl_file));
  ASSERT_EQ(crls.size(), 1u);
  X509_REVOKED* entry = nullptr;
  EXPECT_EQ(X509_CRL_get0_by_serial(crls[0].get(), &entry, X509_get_serialNumber(leaf.get())), 1);
  X509Ptr issuer = testing::LoadCert(out() + "/ca/client-ca.pem");
  EXPECT_EQ(X509_CRL_verify(crls[0].get(), X509_get0_pubkey(issuer.get())), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_CRL_get_issuer(crls[0].get()), X509_get_subject_name(issuer.get())),
            0);
  EXPECT_EQ(Verify(r, r.ca_file, X509_PURPOSE_SSL_CLIENT, true), X509_V_ERR_CERT_REVOKED);
  X509Ptr valid = testing::LoadCert(Files("partner", "").cert_file);
  EXPECT_EQ(X509_CRL_get0_by_serial(crls[0].get(), &entry, X509_get_serialNumber(valid.get())), 0);
}

TEST_F(PkiGenerated, WeakCryptoVariants) {
  X509Ptr rsa = testing::LoadCert(Files("partner", "rsa1024").cert_file);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(rsa.get())), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(rsa.get())), 1024);
  X509Ptr sha1 = testing::LoadCert(Files("partner", "sha1").cert_file);
  int md = NID_undef, pk = NID_undef;
  ASSERT_EQ(OBJ_find_sigid_algs(X509_get_signature_nid(sha1.get()), &md, &pk), 1);
  EXPECT_EQ(md, NID_sha1);
}

TEST_F(PkiGenerated, UnknownCriticalExtensionIsPresentAndCritical) {
  IdentityFiles f = Files("partner", "unknown_critical_extension");
  X509Ptr leaf = testing::LoadCert(f.cert_file);
  std::unique_ptr<ASN1_OBJECT, OsslFree<ASN1_OBJECT, ASN1_OBJECT_free>> oid(
      OBJ_txt2obj("1.3.6.1.4.1.55555.1.1", 1));
  int pos = X509_get_ext_by_OBJ(leaf.get(), oid.get(), -1);
  ASSERT_GE(pos, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(leaf.get(), pos)), 1);
  EXPECT_EQ(Verify(f, f.ca_file, X509_PURPOSE_SSL_CLIENT), X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION);
}

TEST_F(PkiGenerated, TamperedSignatureDoesNotVerify) {
  IdentityFiles f = Files("partner", "tampered_signature");
  X509Ptr issuer = testing::LoadCert(out() + "/ca/client-ca.pem");
  EXPECT_NE(X509_verify(testing::LoadCert(f.cert_file).get(), X509_get0_pubkey(issuer.get())), 1);
  EXPECT_EQ(X509_verify(testing::LoadCert(Files("partner", "").cert_file).get(),
                        X509_get0_pubkey(issuer.get())),
            1);
  EXPECT_EQ(Verify(f, f.ca_file, X509_PURPOSE_SSL_CLIENT), X509_V_ERR_CERT_SIGNATURE_FAILURE);
}

TEST_F(PkiGenerated, UnregisteredHasTheSameSubjectAndAnotherKey) {
  IdentityFiles valid = Files("partner", "");
  IdentityFiles u = Files("partner", "unregistered");
  EXPECT_EQ(u.subject, valid.subject);
  EXPECT_NE(u.sha256, valid.sha256);
  EXPECT_NE(EVP_PKEY_eq(X509_get0_pubkey(testing::LoadCert(u.cert_file).get()),
                        X509_get0_pubkey(testing::LoadCert(valid.cert_file).get())),
            1);
  EXPECT_EQ(Verify(u, u.ca_file, X509_PURPOSE_SSL_CLIENT, true), X509_V_OK);
}

TEST_F(PkiGenerated, PrivateKeyFilesAreMode0600) {
  int keys = 0;
  for (const auto& e : fs::recursive_directory_iterator(out())) {
    std::string name = e.path().filename().string();
    if (name != "key.pem" && e.path().extension() != ".key" && name != "with_private_key.pem") {
      continue;
    }
    struct stat st {};
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
    ++keys;
  }
  EXPECT_GT(keys, 20);
}

TEST_F(PkiGenerated, KeyMatchesItsCertificate) {
  for (const char* v : {"", "self_signed", "unregistered", "rsa1024", "expired"}) {
    IdentityFiles f = Files("partner", v);
    BioPtr bio(BIO_new_file(f.key_file.c_str(), "r"));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    ASSERT_TRUE(key) << v;
    EXPECT_EQ(X509_check_private_key(testing::LoadCert(f.cert_file).get(), key.get()), 1) << v;
  }
}

TEST_F(PkiGenerated, UnknownNamesListTheKnownOnes) {
  auto id = ResolveIdentity(out(), "nobody", "");
  EXPECT_EQ(id.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(id.status().message(), HasSubstr("known: other-partner, partner, server"));
  auto var = ResolveIdentity(out(), "server", "revoked");
  EXPECT_EQ(var.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(var.status().message(), HasSubstr("known: \"\" (valid), expired, wrong_host"));
  auto climb = ResolveIdentity(out(), "..", "");
  EXPECT_EQ(climb.status().code(), StatusCode::kNotFound);
  auto bundle = ResolveBundle(out(), "partner", "sideways");
  EXPECT_EQ(bundle.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(bundle.status().message(), HasSubstr("bad_base64, der, duplicate"));
  auto der = ResolveBundle(out(), "partner", "der");
  ASSERT_TRUE(der.ok());
  EXPECT_THAT(*der, HasSubstr("bundles/der.der"));
  auto none = ResolveIdentity(dir_->Sub("nothing-here"), "partner", "");
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.status().message(), HasSubstr("tollgate certs generate"));
}

}  // namespace
}  // namespace tollgate::pki
