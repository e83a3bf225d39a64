// The profile's opt-in `revocation:` URLs: client certificates name them (CRL
// distribution point, OCSP in authority information access), server certificates and
// profiles without the key do not; bad URLs are refused with file and line; a resolved
// identity names its issuing CA's certificate and key for a responder.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "pki/test_util.h"

namespace tollgate::pki {
namespace {

using ::testing::HasSubstr;

constexpr const char* kProfile = R"(pki: revocation-test
revocation:
  crl_url: http://127.0.0.1:18960/crl
  ocsp_url: http://127.0.0.1:18960/ocsp
authorities:
  root: {subject: "CN=Root", key: ec-p256, days: 365}
  ca: {subject: "CN=Issuing", issuer: root, key: ec-p256, days: 365}
identities:
  client: {subject: "CN=client", issuer: ca, usage: client, key: ec-p256, days: 30,
           variants: [revoked]}
  server: {subject: "CN=localhost", issuer: ca, usage: server, key: ec-p256, days: 30}
)";

// The URIs of the certificate's CRL distribution points and of its OCSP access method.
struct Urls {
  std::vector<std::string> crl;
  std::vector<std::string> ocsp;
};

Urls UrlsOf(X509* cert) {
  Urls out;
  auto* dps = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
  for (int i = 0; dps && i < sk_DIST_POINT_num(dps); ++i) {
    DIST_POINT* dp = sk_DIST_POINT_value(dps, i);
    if (!dp->distpoint || dp->distpoint->type != 0) continue;
    GENERAL_NAMES* names = dp->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
      if (gn->type == GEN_URI) {
        out.crl.emplace_back(
            reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier)));
      }
    }
  }
  CRL_DIST_POINTS_free(dps);
  auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(
      X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr));
  for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia); ++i) {
    ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, i);
    if (OBJ_obj2nid(ad->method) == NID_ad_OCSP && ad->location->type == GEN_URI) {
      out.ocsp.emplace_back(reinterpret_cast<const char*>(
          ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier)));
    }
  }
  AUTHORITY_INFO_ACCESS_free(aia);
  return out;
}

TEST(PkiRevocation, ClientCertificatesNameTheProfilesUrls) {
  testing::TempDir dir;
  auto cfg = ParsePkiConfig(kProfile, "pki.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ManualClock clock(Clock::TimePoint(std::chrono::seconds(1'800'000'000)));
  ASSERT_TRUE(EnsureGenerated(*cfg, dir.Sub("out"), clock).ok());
  for (const char* variant : {"", "revoked"}) {
    auto f = ResolveIdentity(dir.Sub("out"), "client", variant);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    Urls urls = UrlsOf(testing::LoadCert(f->cert_file).get());
    EXPECT_THAT(urls.crl, ::testing::ElementsAre("http://127.0.0.1:18960/crl")) << variant;
    EXPECT_THAT(urls.ocsp, ::testing::ElementsAre("http://127.0.0.1:18960/ocsp")) << variant;
    EXPECT_THAT(f->issuer_cert_file, HasSubstr("/ca/ca.pem"));
    EXPECT_THAT(f->issuer_key_file, HasSubstr("/ca/ca.key"));
    EXPECT_TRUE(ReadCrls(testing::Slurp(f->crl_file)).size() == 1);
    ASSERT_EQ(f->authorities.size(), 2u);
    EXPECT_EQ(f->authorities[0].name, "ca");
    EXPECT_EQ(f->authorities[1].name, "root");
    EXPECT_EQ(f->authorities[0].cert_file, f->issuer_cert_file);
    EXPECT_THAT(f->authorities[1].key_file, HasSubstr("/ca/root.key"));
    EXPECT_THAT(f->authorities[1].crl_file, HasSubstr("/ca/root.crl.pem"));
  }
  auto server = ResolveIdentity(dir.Sub("out"), "server", "");
  ASSERT_TRUE(server.ok());
  Urls none = UrlsOf(testing::LoadCert(server->cert_file).get());
  EXPECT_TRUE(none.crl.empty());
  EXPECT_TRUE(none.ocsp.empty());
}

TEST(PkiRevocation, WithoutTheKeyNoCertificateNamesAUrl) {
  std::string text = kProfile;
  text.erase(text.find("revocation:"), text.find("authorities:") - text.find("revocation:"));
  testing::TempDir dir;
  auto cfg = ParsePkiConfig(text, "pki.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ManualClock clock(Clock::TimePoint(std::chrono::seconds(1'800'000'000)));
  ASSERT_TRUE(EnsureGenerated(*cfg, dir.Sub("out"), clock).ok());
  auto f = ResolveIdentity(dir.Sub("out"), "client", "");
  ASSERT_TRUE(f.ok());
  Urls urls = UrlsOf(testing::LoadCert(f->cert_file).get());
  EXPECT_TRUE(urls.crl.empty());
  EXPECT_TRUE(urls.ocsp.empty());
}

TEST(PkiRevocation, RefusesAUrlThatIsNotPlainHttp) {
  std::string text = kProfile;
  std::string from = "ocsp_url: http://127.0.0.1:18960/ocsp";
  text.replace(text.find(from), from.size(), "ocsp_url: ldap://x,y");
  auto cfg = ParsePkiConfig(text, "pki.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_THAT(cfg.status().message(),
              HasSubstr("pki.yaml:4:13: ocsp_url `ldap://x,y` is not allowed; expected an "
                        "absolute http:// URL"));
}

}  // namespace
}  // namespace tollgate::pki
