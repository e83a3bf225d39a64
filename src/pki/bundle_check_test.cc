// CheckBundle on every generated bundle and on bundles made of each identity variant: the
// ordered bundle is accepted, every other one is refused with its expected finding.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/test_util.h"
#include "tollgate/base/encoding.h"

namespace tollgate::pki {

void PrintTo(const BundleFinding& f, std::ostream* os) { *os << FormatFinding(f); }

namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const Clock::TimePoint kNow = Clock::TimePoint(std::chrono::seconds(1'800'000'000));

class BundleChecks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto cfg = LoadPkiConfig(testing::ProfilePath());
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    ManualClock clock(kNow);
    ASSERT_TRUE(EnsureGenerated(*cfg, out(), clock).ok());
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string out() { return dir_->Sub("generated"); }

  static BundleTrust Trust(bool with_crl = true) {
    BundleTrust t;
    t.anchors_pem = testing::Slurp(out() + "/ca/root.pem");
    if (with_crl) t.crls_pem = testing::Slurp(out() + "/ca/client-ca.crl.pem");
    return t;
  }
  static BundleCheck Check(const std::string& bytes, const BundleTrust& trust) {
    ManualClock clock(kNow);
    return CheckBundle(bytes, trust, clock);
  }
  static std::string Bundle(const std::string& name) {
    auto path = ResolveBundle(out(), "partner", name);
    EXPECT_TRUE(path.ok()) << path.status().ToString();
    return path.ok() ? testing::Slurp(*path) : "";
  }
  // What a partner would submit for a variant: its presented chain and its root.
  static std::string VariantBundle(const std::string& variant) {
    auto f = ResolveIdentity(out(), "partner", variant);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    if (variant == "self_signed") return testing::Slurp(f->chain_file);
    return testing::Slurp(f->chain_file) + testing::Slurp(f->ca_file);
  }

  static testing::TempDir* dir_;
};
testing::TempDir* BundleChecks::dir_ = nullptr;

auto Finding(int index, const std::string& reason) {
  return Contains(
      AllOf(Field(&BundleFinding::index, index), Field(&BundleFinding::reason, HasSubstr(reason))));
}

std::string Lines(const BundleCheck& c) {
  std::string out;
  for (const BundleFinding& f : c.findings) out += FormatFinding(f) + "\n";
  return out;
}

TEST_F(BundleChecks, OrderedBundleIsAccepted) {
  BundleCheck c = Check(Bundle("ordered"), Trust());
  EXPECT_TRUE(c.accepted) << Lines(c);
  EXPECT_THAT(c.findings, IsEmpty());
  EXPECT_EQ(c.certificates, 3);
}

struct Case {
  const char* bundle;
  int index;
  const char* reason;
};

TEST_F(BundleChecks, EveryMalformedBundleGetsItsFinding) {
  const Case cases[] = {
      {"reversed", 1, "is not the issuer of cert[0]"},
      {"misordered", 1, "is not the issuer of cert[0]"},
      {"extra_unrelated", 3, "is not the issuer of cert[2]"},
      {"duplicate", 2, "duplicates cert[1]"},
      {"with_private_key", -1,
       "PEM block 4 is `PRIVATE KEY`: a bundle must never carry a private key"},
      {"der", -1, "not PEM: the file looks like DER"},
      {"bad_base64", 1, "PEM block 2 is not a certificate (bad base64 or bad DER)"},
      {"trailing_garbage", -1, "data after PEM block 3"},
      {"leaf_only", 0, "the last certificate is not a self-signed root"},
      {"missing_root", 1, "the last certificate is not a self-signed root"},
  };
  for (const Case& c : cases) {
    BundleCheck r = Check(Bundle(c.bundle), Trust());
    EXPECT_FALSE(r.accepted) << c.bundle;
    EXPECT_THAT(r.findings, Finding(c.index, c.reason)) << c.bundle << "\n" << Lines(r);
  }
}

TEST_F(BundleChecks, ReversedBundleAlsoNamesTheCaAsLeaf) {
  BundleCheck r = Check(Bundle("reversed"), Trust());
  EXPECT_THAT(r.findings, Finding(0, "the leaf is a CA certificate"));
  EXPECT_THAT(r.findings, Finding(2, "is not a CA certificate"));
}

TEST_F(BundleChecks, EveryIdentityVariantGetsItsFinding) {
  const Case cases[] = {
      {"expired", 0, "path validation: certificate has expired"},
      {"not_yet_valid", 0, "path validation: certificate is not yet valid"},
      {"self_signed", 0, "a self-signed leaf alone"},
      {"untrusted_root", 2, "the root is not an allowed anchor"},
      {"missing_intermediate", 1, "is not the issuer of cert[0]"},
      {"server_auth_only", 0, "extendedKeyUsage lacks clientAuth"},
      {"no_eku", 0, "no extendedKeyUsage extension; clientAuth is required"},
      {"ca_leaf", 0, "the leaf is a CA certificate"},
      {"revoked", 0, "path validation: certificate revoked"},
      {"rsa1024", 0, "RSA key of 1024 bits; at least 2048 required"},
      {"sha1", 0, "signed with ecdsa-with-SHA1: SHA-1 and MD5 signatures are refused"},
      {"unknown_critical_extension", 0, "path validation: unhandled critical extension"},
      {"tampered_signature", 0, "signature does not verify with the key of cert[1]"},
  };
  for (const Case& c : cases) {
    BundleCheck r = Check(VariantBundle(c.bundle), Trust());
    EXPECT_FALSE(r.accepted) << c.bundle;
    EXPECT_THAT(r.findings, Finding(c.index, c.reason)) << c.bundle << "\n" << Lines(r);
  }
}

TEST_F(BundleChecks, RevocationNeedsTheCrl) {
  EXPECT_TRUE(Check(VariantBundle("revoked"), Trust(false)).accepted);
  EXPECT_FALSE(Check(VariantBundle("revoked"), Trust(true)).accepted);
}

TEST_F(BundleChecks, UnregisteredIsAValidBundle) {
  // Registration is the application's check (MT-16); the bundle itself is sound.
  EXPECT_TRUE(Check(VariantBundle("unregistered"), Trust()).accepted);
}

TEST_F(BundleChecks, WithoutAnchorsTheBundlesOwnRootIsUsed) {
  BundleTrust none;
  EXPECT_TRUE(Check(VariantBundle("untrusted_root"), none).accepted);
  EXPECT_FALSE(Check(VariantBundle("expired"), none).accepted);
}

TEST_F(BundleChecks, CrlfLineEndingsAreCosmetic) {
  std::string crlf;
  for (char ch : Bundle("ordered")) {
    if (ch == '\n') crlf += '\r';
    crlf += ch;
  }
  BundleCheck r = Check(crlf, Trust());
  EXPECT_TRUE(r.accepted) << Lines(r);
}

TEST_F(BundleChecks, TruncatedAndForeignBlocks) {
  std::string ordered = Bundle("ordered");
  std::string truncated = ordered.substr(0, ordered.rfind("-----END"));
  EXPECT_THAT(Check(truncated, Trust()).findings,
              Finding(-1, "PEM block 3 is truncated (no END line)"));
  std::string trusted =
      "-----BEGIN TRUSTED CERTIFICATE-----\nAAAA\n-----END TRUSTED CERTIFICATE-----\n";
  EXPECT_THAT(
      Check(trusted, Trust()).findings,
      Finding(-1, "PEM block 1 is `TRUSTED CERTIFICATE`; only CERTIFICATE blocks are accepted"));
  EXPECT_THAT(Check("", Trust()).findings, Finding(-1, "no PEM block found"));
}

TEST_F(BundleChecks, StrayBytesAfterTheDerInsideABlockAreAFinding) {
  std::string ordered = Bundle("ordered");
  const std::string begin = "-----BEGIN CERTIFICATE-----\n";
  const std::string end = "-----END CERTIFICATE-----";
  std::size_t b = ordered.find(begin) + begin.size();
  std::size_t e = ordered.find(end, b);
  std::string base64;
  for (char c : ordered.substr(b, e - b)) {
    if (c != '\n' && c != '\r') base64 += c;
  }
  std::optional<std::string> der = Base64Decode(base64);
  ASSERT_TRUE(der.has_value());
  std::string padded = Base64Encode(*der + std::string(300, 'x'));
  std::string body;
  for (std::size_t i = 0; i < padded.size(); i += 64) body += padded.substr(i, 64) + "\n";
  std::string tampered = ordered.substr(0, b) + body + ordered.substr(e);
  EXPECT_THAT(Check(tampered, Trust()).findings,
              Finding(0, "PEM block 1 has 300 stray byte(s) after the certificate's DER"));
  EXPECT_TRUE(Check(ordered, Trust()).accepted);
}

TEST_F(BundleChecks, RsaIdentityBundleIsAccepted) {
  auto f = ResolveIdentity(out(), "other-partner", "");
  ASSERT_TRUE(f.ok());
  BundleCheck r = Check(testing::Slurp(f->chain_file) + testing::Slurp(f->ca_file), Trust());
  EXPECT_TRUE(r.accepted) << Lines(r);
}

TEST_F(BundleChecks, OversizedBundlesAreRefusedBeforeParsing) {
  std::string ordered = Bundle("ordered");
  std::string many;
  for (int i = 0; i < 6; ++i) many += ordered;  // 18 blocks
  EXPECT_THAT(Check(many, Trust()).findings,
              Finding(-1, "the bundle has 18 PEM blocks; at most 16 are accepted"));
  std::string huge(300 * 1024, 'A');
  EXPECT_THAT(Check(huge, Trust()).findings,
              Finding(-1, "the bundle has 307200 bytes; at most 262144 are accepted"));
}

TEST(BundleFindingFormat, NamesIndexSubjectAndReason) {
  EXPECT_EQ(FormatFinding({1, "CN=x,O=y", "duplicates cert[0]"}),
            "cert[1] CN=x,O=y: duplicates cert[0]");
  EXPECT_EQ(FormatFinding({-1, "", "not PEM"}), "bundle: not PEM");
  EXPECT_EQ(FormatFinding({2, "", "bad"}), "cert[2] -: bad");
}

}  // namespace
}  // namespace tollgate::pki
