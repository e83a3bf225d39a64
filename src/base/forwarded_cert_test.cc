// The forwarded-certificate conventions: each encoding carries the leaf so that the
// decoder finds its SHA-256, and what is not exactly a certificate is refused.

#include "tollgate/base/forwarded_cert.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>

#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"

namespace tollgate {
namespace {

// A self-signed certificate named `cn`, as PEM (made with OpenSSL: no files), valid until
// `not_after` (an ASN.1 time string; "" = an hour from now).
std::string SelfSigned(const std::string& cn, const std::string& not_after = "") {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  if (!not_after.empty()) ASN1_TIME_set_string(X509_getm_notAfter(cert.get()), not_after.c_str());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), cert.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// The SHA-256 of the first certificate of a PEM text, computed independently.
std::string Fingerprint(const std::string& pem) {
  std::string b64;
  std::size_t start = pem.find('\n') + 1, end = pem.find("-----END");
  for (char c : pem.substr(start, end - start)) {
    if (c != '\n') b64 += c;
  }
  return Sha256Hex(*Base64Decode(b64));
}

class ForwardedCert : public ::testing::Test {
 protected:
  std::string leaf_ = SelfSigned("partner"), other_ = SelfSigned("intermediate");
  ForwardedCertSource source_{leaf_ + other_, "CN=partner,O=Partner Ltd"};
};

TEST_F(ForwardedCert, EveryEncodingCarriesTheLeaf) {
  for (const std::string& name : CertEncodingNames()) {
    std::string value = EncodeForwardedCert(*CertEncodingByName(name), source_);
    EXPECT_EQ(value.find('\n'), std::string::npos) << name;
    EXPECT_EQ(ForwardedCertSha256(value), Fingerprint(leaf_)) << name << ": " << value;
  }
}

TEST_F(ForwardedCert, ConventionsSetTheirHeadersAndCompanions) {
  auto headers = ForwardedCertHeaders(*FindForwardedCertConvention("nginx"), source_);
  ASSERT_EQ(headers.size(), 5u);
  EXPECT_EQ(headers[0].first, "X-SSL-Client-Cert");
  EXPECT_EQ(headers[0].second.substr(0, 13), "-----BEGIN%20");
  EXPECT_EQ(headers[1], (std::pair<std::string, std::string>{"X-SSL-Client-Verify", "SUCCESS"}));
  EXPECT_EQ(headers[2].second, "CN=partner,O=Partner Ltd");
  EXPECT_EQ(headers[3].second, "partner");
  EXPECT_EQ(headers[4].first, "X-SSL-Client-NotAfter");
  EXPECT_EQ(headers[4].second, ForwardedCertNotAfter(leaf_));

  headers = ForwardedCertHeaders(*FindForwardedCertConvention("envoy"), source_);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].second.substr(0, 76), "Hash=" + Fingerprint(leaf_) + ";Cert=\"");

  headers = ForwardedCertHeaders(*FindForwardedCertConvention("rfc9440"), source_);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].first, "Client-Cert-Chain");
  EXPECT_EQ(ForwardedCertSha256(headers[1].second), Fingerprint(other_));

  headers = ForwardedCertHeaders(*FindForwardedCertConvention("traefik"), source_);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].first, "X-Forwarded-Tls-Client-Cert-Info");
  EXPECT_EQ(headers[1].second, "Subject%3D%22CN%3Dpartner%2CO%3DPartner%20Ltd%22");
  EXPECT_EQ(FindForwardedCertConvention("apache"), nullptr);
}

// X-SSL-Client-NotAfter is nginx's $ssl_client_v_end: OpenSSL's ASN1_TIME_print, the day
// padded with a space, from UTCTime and GeneralizedTime alike.
TEST_F(ForwardedCert, NotAfterIsPrintedAsNginxPrintsIt) {
  EXPECT_EQ(ForwardedCertNotAfter(SelfSigned("a", "271207100000Z")), "Dec  7 10:00:00 2027 GMT");
  EXPECT_EQ(ForwardedCertNotAfter(SelfSigned("b", "20991231235959Z")), "Dec 31 23:59:59 2099 GMT");
  EXPECT_EQ(ForwardedCertNotAfter(SelfSigned("c", "20500101000000Z")), "Jan  1 00:00:00 2050 GMT");
  // The leaf's, not an intermediate's.
  EXPECT_EQ(ForwardedCertNotAfter(SelfSigned("d", "300615080910Z") + leaf_),
            "Jun 15 08:09:10 2030 GMT");
  // What OpenSSL itself prints for the same certificate.
  std::string pem = SelfSigned("e", "290228121314Z");
  std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(pem.data(), -1), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr), X509_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  ASN1_TIME_print(out.get(), X509_get0_notAfter(cert.get()));
  char* data = nullptr;
  long n = BIO_get_mem_data(out.get(), &data);
  EXPECT_EQ(ForwardedCertNotAfter(pem), std::string(data, static_cast<std::size_t>(n)));
  EXPECT_EQ(ForwardedCertNotAfter(""), std::nullopt);
  EXPECT_EQ(ForwardedCertNotAfter("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            std::nullopt);
}

TEST_F(ForwardedCert, HeaderNamesCoverEveryConventionsHeaders) {
  const std::vector<std::string>& names = ForwardedCertHeaderNames();
  for (const ForwardedCertConvention& c : ForwardedCertConventions()) {
    for (const auto& [name, value] : ForwardedCertHeaders(c, source_)) {
      EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << c.name << ": " << name;
    }
  }
  EXPECT_EQ(std::count(names.begin(), names.end(), "X-SSL-Client-Cert"), 1);
}

TEST_F(ForwardedCert, XfccSplitsAtCommasOutsideQuotes) {
  std::string own = EncodeForwardedCert(CertEncoding::kXfcc, source_);
  EXPECT_NE(own.find("CN=partner,O=Partner Ltd"), std::string::npos);  // a comma inside quotes
  std::vector<std::string> elements = SplitXfccElements("By=spiffe://a;Hash=00, " + own + " ,");
  ASSERT_EQ(elements.size(), 2u);
  EXPECT_EQ(elements[0], "By=spiffe://a;Hash=00");
  EXPECT_EQ(elements[1], own);
  EXPECT_EQ(ForwardedCertSha256(elements[1]), Fingerprint(leaf_));
  EXPECT_EQ(SplitXfccElements(R"(Subject="a\",b",x)").size(), 2u);  // an escaped quote
  EXPECT_TRUE(SplitXfccElements(" , ").empty());
}

TEST_F(ForwardedCert, RefusesWhatIsNotExactlyOneCertificate) {
  std::string pem = EncodeForwardedCert(CertEncoding::kPem, source_);
  std::string der = EncodeForwardedCert(CertEncoding::kDerBase64, source_);
  struct Case {
    std::string name, value;
  } cases[] = {
      {"empty", ""},
      {"truncated PEM", pem.substr(0, pem.size() / 2)},
      {"text after the PEM", pem + " trailing"},
      {"text before the PEM", "x " + pem},
      {"two certificates", pem + " " + pem},
      {"truncated DER", der.substr(0, der.size() / 2)},
      {"base64 of no certificate", Base64Encode("hello, this is not a certificate at all")},
      {"unclosed byte sequence", ":" + der},
      {"XFCC without Cert", "Hash=" + Fingerprint(leaf_)},
      {"oversize", der + std::string(kMaxForwardedCertBytes, 'A')},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ForwardedCertSha256(c.value), std::nullopt) << c.name;
  }
}

TEST_F(ForwardedCert, TheOversizeValueSentIsOverTheBound) {
  EXPECT_GT(kOversizeForwardedCertBytes, kMaxForwardedCertBytes);
  EXPECT_LT(kOversizeForwardedCertBytes + 2048, 16384u);  // the server core's header limit
}

}  // namespace
}  // namespace tollgate
