// The path-validation matrix: the table is well formed and is what docs/certs.md shows;
// every chain the project's profile builds has the defect its name claims (checked on the
// parsed certificates, field by field) and gets its expected verdict from
// VerifyClientChain.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "pki/matrix_plan.h"
#include "pki/test_util.h"

// A namespace of its own: the pki tests are compiled as one unity file.
namespace tollgate::pki::matrix_test {
namespace {

using ::testing::HasSubstr;

const Clock::TimePoint kNow = Clock::TimePoint(std::chrono::seconds(1'800'000'000));
std::time_t Now() { return std::chrono::system_clock::to_time_t(kNow); }

// docs/certs.md's matrix table as PathMatrix() says it should read.
std::string RenderTable() {
  std::string out = "| chain | expected | rule |\n|---|---|---|\n";
  for (const ChainCase& c : PathMatrix()) {
    out += "| `" + c.name + "` | " + (c.accept ? "accept" : "refuse") + " | " + c.rule + " |\n";
  }
  return out;
}

TEST(PathMatrix, NamesAreUniqueRulesSayWhyAndEveryChainHasAPlan) {
  std::set<std::string> names;
  IdentitySpec id;
  id.subject = "CN=partner,O=Partner Ltd";
  id.days = 90;
  for (const ChainCase& c : PathMatrix()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    EXPECT_FALSE(c.rule.empty()) << c.name;
    EXPECT_EQ(c.rule.find('|'), std::string::npos) << c.name;  // a table cell
    auto plan = PlanChain(c.name, id, Now());
    EXPECT_TRUE(plan.ok()) << c.name;
  }
  EXPECT_GE(names.size(), 40u);
  EXPECT_EQ(KnownChains().size(), PathMatrix().size());
  EXPECT_EQ(PlanChain("no_such_chain", id, Now()).status().code(), StatusCode::kNotFound);
}

TEST(PathMatrix, DocsTableIsGeneratedFromTheTable) {
  const std::string path = std::string(TOLLGATE_SOURCE_DIR) + "/docs/certs.md";
  const std::string begin =
      "<!-- matrix table: generated from PathMatrix(); do not edit by hand -->\n";
  const std::string end = "<!-- end of matrix table -->\n";
  std::string doc = testing::Slurp(path);
  std::size_t b = doc.find(begin);
  std::size_t e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  b += begin.size();
  std::string want = RenderTable();
  if (std::getenv("TOLLGATE_UPDATE_GOLDEN") != nullptr) {
    doc.replace(b, e - b, want);
    e = b + want.size();
    std::ofstream(path, std::ios::binary) << doc;
  }
  EXPECT_EQ(doc.substr(b, e - b), want) << "regenerate with TOLLGATE_UPDATE_GOLDEN=1";
}

class MatrixGenerated : public ::testing::Test {
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
  static testing::TempDir* dir_;
};
testing::TempDir* MatrixGenerated::dir_ = nullptr;

// One chain's certificates, parsed.
struct Chain {
  X509Ptr leaf;
  std::vector<X509Ptr> presented;  // nearest the leaf first
  std::vector<X509Ptr> anchors;
  X509* ca() const { return presented.at(0).get(); }
  X509* anchor() const { return anchors.at(0).get(); }
};

Chain Load(const ChainFiles& f) {
  Chain c;
  c.leaf = testing::LoadCert(f.cert_file);
  c.presented = ReadCerts(testing::Slurp(f.untrusted_file));
  c.anchors = ReadCerts(testing::Slurp(f.ca_file));
  return c;
}

std::string ExtText(X509* c, int nid) {
  int pos = X509_get_ext_by_NID(c, nid, -1);
  if (pos < 0) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509V3_EXT_print(bio.get(), X509_get_ext(c, pos), 0, 0);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

bool Critical(X509* c, int nid) {
  int pos = X509_get_ext_by_NID(c, nid, -1);
  return pos >= 0 && X509_EXTENSION_get_critical(X509_get_ext(c, pos)) == 1;
}

int CountExt(X509* c, int nid) {
  int n = 0;
  for (int pos = -1; (pos = X509_get_ext_by_NID(c, nid, pos)) >= 0;) ++n;
  return n;
}

int DigestOf(X509* c) {
  int md = NID_undef, pk = NID_undef;
  OBJ_find_sigid_algs(X509_get_signature_nid(c), &md, &pk);
  return md;
}

std::pair<int, int> KeyOf(X509* c) {
  EVP_PKEY* k = X509_get0_pubkey(c);
  return {EVP_PKEY_get_base_id(k), EVP_PKEY_get_bits(k)};
}

std::string Hex(const ASN1_OCTET_STRING* s) {
  if (s == nullptr) return "";
  std::string out;
  char b[3];
  for (int i = 0; i < ASN1_STRING_length(s); ++i) {
    std::snprintf(b, sizeof b, "%02x", ASN1_STRING_get0_data(s)[i]);
    out += b;
  }
  return out;
}

std::string KeyHash(X509* c) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_pubkey_digest(c, EVP_sha1(), md, &len);
  std::unique_ptr<ASN1_OCTET_STRING, OsslFree<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>> s(
      ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(s.get(), md, static_cast<int>(len));
  return Hex(s.get());
}

bool HasOid(X509* c, const char* oid_text, int critical) {
  std::unique_ptr<ASN1_OBJECT, OsslFree<ASN1_OBJECT, ASN1_OBJECT_free>> oid(
      OBJ_txt2obj(oid_text, 1));
  int pos = X509_get_ext_by_OBJ(c, oid.get(), -1);
  return pos >= 0 && X509_EXTENSION_get_critical(X509_get_ext(c, pos)) == critical;
}

int Cmp(const ASN1_TIME* t, std::time_t now) { return X509_cmp_time(t, &now); }

// What each chain must have. A check runs EXPECTs on the parsed chain; `root` is the
// profile's root authority (the anchor of every chain that does not say otherwise).
using Check = std::function<void(const Chain&, X509* root)>;

void NameConstraint(const Chain& c, const std::string& which, const std::string& name) {
  EXPECT_TRUE(Critical(c.ca(), NID_name_constraints));
  std::string nc = ExtText(c.ca(), NID_name_constraints);
  EXPECT_THAT(nc, HasSubstr(which));
  EXPECT_THAT(nc, HasSubstr(name));
}

const std::map<std::string, Check>& Checks() {
  const std::time_t now = Now();
  static const std::map<std::string, Check> checks = {
      {"baseline",
       [](const Chain& c, X509* root) {
         EXPECT_EQ(c.presented.size(), 1u);
         EXPECT_EQ(X509_cmp(c.anchor(), root), 0);
         EXPECT_EQ(X509_get_extended_key_usage(c.leaf.get()), uint32_t{XKU_SSL_CLIENT});
         EXPECT_EQ(X509_check_ca(c.ca()), 1);
       }},
      {"int_ca_false",
       [](const Chain& c, X509*) {
         EXPECT_THAT(ExtText(c.ca(), NID_basic_constraints), HasSubstr("CA:FALSE"));
         EXPECT_TRUE(X509_get_key_usage(c.ca()) & KU_KEY_CERT_SIGN);
       }},
      {"int_no_basic_constraints",
       [](const Chain& c, X509*) {
         EXPECT_EQ(X509_get_ext_by_NID(c.ca(), NID_basic_constraints, -1), -1);
       }},
      {"int_basic_constraints_not_critical",
       [](const Chain& c, X509*) {
         EXPECT_THAT(ExtText(c.ca(), NID_basic_constraints), HasSubstr("CA:TRUE"));
         EXPECT_FALSE(Critical(c.ca(), NID_basic_constraints));
       }},
      {"int_no_key_cert_sign",
       [](const Chain& c, X509*) {
         EXPECT_TRUE(X509_get_extension_flags(c.ca()) & EXFLAG_KUSAGE);
         EXPECT_EQ(X509_get_key_usage(c.ca()) & KU_KEY_CERT_SIGN, 0u);
         EXPECT_THAT(ExtText(c.ca(), NID_basic_constraints), HasSubstr("CA:TRUE"));
       }},
      {"int_no_key_usage",
       [](const Chain& c, X509*) {
         EXPECT_EQ(X509_get_ext_by_NID(c.ca(), NID_key_usage, -1), -1);
         EXPECT_THAT(ExtText(c.ca(), NID_basic_constraints), HasSubstr("CA:TRUE"));
       }},
      {"int_v1",
       [](const Chain& c, X509*) {
         EXPECT_EQ(X509_get_version(c.ca()), X509_VERSION_1);
         EXPECT_EQ(X509_get_ext_count(c.ca()), 0);
       }},
      {"pathlen0_ok",
       [](const Chain& c, X509*) {
         EXPECT_EQ(c.presented.size(), 1u);
         EXPECT_EQ(X509_get_pathlen(c.ca()), 0);
       }},
      {"pathlen0_exceeded",
       [](const Chain& c, X509*) {
         ASSERT_EQ(c.presented.size(), 2u);
         EXPECT_EQ(X509_get_pathlen(c.presented[1].get()), 0);
       }},
      {"pathlen1_exceeded",
       [](const Chain& c, X509*) {
         ASSERT_EQ(c.presented.size(), 3u);
         EXPECT_EQ(X509_get_pathlen(c.presented[2].get()), 1);
       }},
      {"root_pathlen0_exceeded",
       [](const Chain& c, X509* root) {
         EXPECT_NE(X509_cmp(c.anchor(), root), 0);
         EXPECT_EQ(X509_self_signed(c.anchor(), 1), 1);
         EXPECT_EQ(X509_get_pathlen(c.anchor()), 0);
         EXPECT_EQ(c.presented.size(), 1u);
       }},
      {"int_expired",
       [now](const Chain& c, X509*) { EXPECT_LT(Cmp(X509_get0_notAfter(c.ca()), now), 0); }},
      {"int_not_yet_valid",
       [now](const Chain& c, X509*) { EXPECT_GT(Cmp(X509_get0_notBefore(c.ca()), now), 0); }},
      {"root_expired",
       [now](const Chain& c, X509* root) {
         EXPECT_NE(X509_cmp(c.anchor(), root), 0);
         EXPECT_LT(Cmp(X509_get0_notAfter(c.anchor()), now), 0);
         EXPECT_GT(Cmp(X509_get0_notAfter(c.ca()), now), 0);
       }},
      {"leaf_outlives_issuer",
       [now](const Chain& c, X509*) {
         EXPECT_GT(ASN1_TIME_compare(X509_get0_notAfter(c.leaf.get()), X509_get0_notAfter(c.ca())),
                   0);
         EXPECT_GT(Cmp(X509_get0_notAfter(c.ca()), now), 0);
       }},
      {"nc_dns_permitted_ok",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Permitted", "DNS:example.com");
         EXPECT_THAT(ExtText(c.leaf.get(), NID_subject_alt_name),
                     HasSubstr("DNS:client.example.com"));
       }},
      {"nc_dns_permitted_violated",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Permitted", "DNS:example.com");
         EXPECT_THAT(ExtText(c.leaf.get(), NID_subject_alt_name),
                     HasSubstr("DNS:client.example.org"));
       }},
      {"nc_dns_excluded_ok",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Excluded", "DNS:bad.example");
         EXPECT_THAT(ExtText(c.leaf.get(), NID_subject_alt_name),
                     HasSubstr("DNS:client.example.com"));
       }},
      {"nc_dns_excluded_violated",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Excluded", "DNS:bad.example");
         EXPECT_THAT(ExtText(c.leaf.get(), NID_subject_alt_name),
                     HasSubstr("DNS:client.bad.example"));
       }},
      {"nc_email_permitted_ok",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Permitted", "email:example.com");
         EXPECT_THAT(ExtText(c.leaf.get(), NID_subject_alt_name),
                     HasSubstr("email:alice@example.com"));
       }},
      {"nc_email_permitted_violated",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Permitted", "email:example.com");
         EXPECT_THAT(ExtText(c.leaf.get(), NID_subject_alt_name),
                     HasSubstr("email:alice@example.org"));
       }},
      {"nc_email_excluded_violated",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Excluded", "email:example.org");
         EXPECT_THAT(ExtText(c.leaf.get(), NID_subject_alt_name),
                     HasSubstr("email:alice@example.org"));
       }},
      {"nc_email_subject_violated",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Permitted", "email:example.com");
         EXPECT_EQ(X509_get_ext_by_NID(c.leaf.get(), NID_subject_alt_name, -1), -1);
         EXPECT_THAT(NameText(X509_get_subject_name(c.leaf.get())),
                     HasSubstr("emailAddress=alice@example.org"));
       }},
      {"nc_dirname_permitted_ok",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Permitted", "O = Partner Ltd");
         EXPECT_EQ(NameText(X509_get_subject_name(c.leaf.get())), "CN=partner,O=Partner Ltd");
       }},
      {"nc_dirname_permitted_violated",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Permitted", "O = Partner Ltd");
         EXPECT_EQ(NameText(X509_get_subject_name(c.leaf.get())), "CN=partner,O=Other Ltd");
       }},
      {"nc_dirname_excluded_violated",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Excluded", "O = Partner Ltd");
         EXPECT_EQ(NameText(X509_get_subject_name(c.leaf.get())), "CN=partner,O=Partner Ltd");
       }},
      {"nc_ip_permitted_violated",
       [](const Chain& c, X509*) {
         NameConstraint(c, "Permitted", "IP:10.0.0.0/255.0.0.0");
         EXPECT_THAT(ExtText(c.leaf.get(), NID_subject_alt_name),
                     HasSubstr("IP Address:192.0.2.1"));
       }},
      {"int_eku_client_ok",
       [](const Chain& c, X509*) {
         EXPECT_EQ(X509_get_extended_key_usage(c.ca()), uint32_t{XKU_SSL_CLIENT});
       }},
      {"int_eku_server_only",
       [](const Chain& c, X509*) {
         EXPECT_EQ(X509_get_extended_key_usage(c.ca()), uint32_t{XKU_SSL_SERVER});
       }},
      {"int_unknown_critical_extension",
       [](const Chain& c, X509*) { EXPECT_TRUE(HasOid(c.ca(), "1.3.6.1.4.1.55555.1.1", 1)); }},
      {"int_unknown_noncritical_extension",
       [](const Chain& c, X509*) { EXPECT_TRUE(HasOid(c.ca(), "1.3.6.1.4.1.55555.1.2", 0)); }},
      {"leaf_duplicate_extension",
       [](const Chain& c, X509*) { EXPECT_EQ(CountExt(c.leaf.get(), NID_key_usage), 2); }},
      {"int_duplicate_extension",
       [](const Chain& c, X509*) { EXPECT_EQ(CountExt(c.ca(), NID_basic_constraints), 2); }},
      {"leaf_aki_mismatch",
       [](const Chain& c, X509*) {
         std::string aki = Hex(X509_get0_authority_key_id(c.leaf.get()));
         EXPECT_EQ(aki.size(), 40u);
         EXPECT_NE(aki, Hex(X509_get0_subject_key_id(c.ca())));
         EXPECT_EQ(X509_verify(c.leaf.get(), X509_get0_pubkey(c.ca())), 1);
       }},
      {"int_aki_mismatch",
       [](const Chain& c, X509* root) {
         std::string aki = Hex(X509_get0_authority_key_id(c.ca()));
         EXPECT_EQ(aki.size(), 40u);
         EXPECT_NE(aki, Hex(X509_get0_subject_key_id(root)));
         EXPECT_EQ(X509_verify(c.ca(), X509_get0_pubkey(root)), 1);
       }},
      {"int_no_ski",
       [](const Chain& c, X509*) {
         EXPECT_EQ(X509_get0_subject_key_id(c.ca()), nullptr);
         EXPECT_EQ(Hex(X509_get0_authority_key_id(c.leaf.get())), KeyHash(c.ca()));
       }},
      {"issuer_name_mismatch",
       [](const Chain& c, X509*) {
         EXPECT_NE(X509_NAME_cmp(X509_get_issuer_name(c.leaf.get()), X509_get_subject_name(c.ca())),
                   0);
         EXPECT_EQ(X509_verify(c.leaf.get(), X509_get0_pubkey(c.ca())), 1);
       }},
      {"int_tampered_signature",
       [](const Chain& c, X509* root) {
         EXPECT_NE(X509_verify(c.ca(), X509_get0_pubkey(root)), 1);
         EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(c.ca()), X509_get_subject_name(root)), 0);
       }},
      {"leaf_signed_md5",
       [](const Chain& c, X509*) {
         EXPECT_EQ(X509_get_signature_nid(c.leaf.get()), NID_md5WithRSAEncryption);
         EXPECT_EQ(X509_verify(c.leaf.get(), X509_get0_pubkey(c.ca())), 1);
       }},
      {"int_signed_md5",
       [](const Chain& c, X509*) {
         ASSERT_EQ(c.presented.size(), 2u);
         EXPECT_EQ(X509_get_signature_nid(c.presented[0].get()), NID_md5WithRSAEncryption);
         EXPECT_EQ(KeyOf(c.presented[1].get()), std::make_pair(int{EVP_PKEY_RSA}, 2048));
         EXPECT_EQ(DigestOf(c.leaf.get()), NID_sha256);
       }},
      {"int_signed_sha1", [](const Chain& c, X509*) { EXPECT_EQ(DigestOf(c.ca()), NID_sha1); }},
      {"leaf_rsa1024",
       [](const Chain& c, X509*) {
         EXPECT_EQ(KeyOf(c.leaf.get()), std::make_pair(int{EVP_PKEY_RSA}, 1024));
       }},
      {"int_rsa1024",
       [](const Chain& c, X509*) {
         EXPECT_EQ(KeyOf(c.ca()), std::make_pair(int{EVP_PKEY_RSA}, 1024));
         EXPECT_EQ(KeyOf(c.leaf.get()).first, EVP_PKEY_EC);
       }},
      {"root_rsa1024",
       [](const Chain& c, X509*) {
         EXPECT_EQ(KeyOf(c.anchor()), std::make_pair(int{EVP_PKEY_RSA}, 1024));
         EXPECT_EQ(X509_self_signed(c.anchor(), 1), 1);
       }},
      {"int_rsa2048_ok",
       [](const Chain& c, X509*) {
         EXPECT_EQ(KeyOf(c.ca()), std::make_pair(int{EVP_PKEY_RSA}, 2048));
       }},
      {"leaf_key_usage_no_signature",
       [](const Chain& c, X509*) {
         EXPECT_EQ(X509_get_key_usage(c.leaf.get()), uint32_t{KU_NON_REPUDIATION});
       }},
      {"policy_required_ok",
       [](const Chain& c, X509*) {
         EXPECT_TRUE(Critical(c.ca(), NID_policy_constraints));
         EXPECT_THAT(ExtText(c.ca(), NID_policy_constraints),
                     HasSubstr("Require Explicit Policy:0"));
         EXPECT_THAT(ExtText(c.leaf.get(), NID_certificate_policies),
                     HasSubstr("1.3.6.1.4.1.55555.2.1"));
       }},
      {"policy_required_missing",
       [](const Chain& c, X509*) {
         EXPECT_TRUE(Critical(c.ca(), NID_policy_constraints));
         EXPECT_THAT(ExtText(c.ca(), NID_certificate_policies), HasSubstr("1.3.6.1.4.1.55555.2.1"));
         EXPECT_EQ(X509_get_ext_by_NID(c.leaf.get(), NID_certificate_policies, -1), -1);
       }},
      {"cross_signed_path",
       [](const Chain& c, X509* root) {
         ASSERT_EQ(c.presented.size(), 2u);
         X509* cross = c.presented[1].get();
         EXPECT_EQ(X509_cmp(c.anchor(), root), 0);
         EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cross), X509_get_subject_name(root)), 0);
         EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cross), X509_get_issuer_name(c.ca())), 0);
         EXPECT_EQ(X509_verify(c.ca(), X509_get0_pubkey(cross)), 1);
         EXPECT_NE(X509_self_signed(cross, 0), 1);
       }},
      {"cross_signed_wrong_direction",
       [](const Chain& c, X509* root) {
         ASSERT_EQ(c.presented.size(), 2u);
         X509* cross = c.presented[1].get();
         EXPECT_EQ(X509_self_signed(c.anchor(), 1), 1);
         EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(c.anchor()), X509_get_subject_name(cross)),
                   0);
         EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(c.ca()), X509_get_subject_name(root)), 0);
       }},
      {"chain_at_depth_limit",
       [](const Chain& c, X509*) {
         EXPECT_EQ(c.presented.size(), static_cast<std::size_t>(kMaxIntermediates));
       }},
      {"long_chain", [](const Chain& c, X509*) { EXPECT_EQ(c.presented.size(), 12u); }},
      {"intermediate_anchor",
       [](const Chain& c, X509*) {
         ASSERT_EQ(c.anchors.size(), 1u);
         EXPECT_EQ(X509_cmp(c.anchor(), c.ca()), 0);
         EXPECT_NE(X509_self_signed(c.anchor(), 0), 1);
       }},
  };
  return checks;
}

TEST_F(MatrixGenerated, TheProjectProfileListsEveryChain) {
  auto cfg = LoadPkiConfig(testing::ProfilePath());
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->identities[0].chains, KnownChains());
}

TEST_F(MatrixGenerated, EachChainHasTheDefectItClaims) {
  X509Ptr root = testing::LoadCert(out() + "/ca/root.pem");
  EXPECT_EQ(Checks().size(), PathMatrix().size());
  for (const ChainCase& row : PathMatrix()) {
    SCOPED_TRACE(row.name);
    auto files = ResolveChain(out(), "partner", row.name);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    Chain c = Load(*files);
    ASSERT_TRUE(c.leaf);
    ASSERT_FALSE(c.presented.empty());
    ASSERT_FALSE(c.anchors.empty());
    EXPECT_EQ(testing::Slurp(files->chain_file),
              testing::Slurp(files->cert_file) + testing::Slurp(files->untrusted_file));
    auto check = Checks().find(row.name);
    ASSERT_NE(check, Checks().end()) << "no check for " << row.name;
    check->second(c, root.get());
  }
}

TEST_F(MatrixGenerated, EveryChainGetsItsExpectedVerdict) {
  ManualClock clock(kNow);
  for (const ChainCase& row : PathMatrix()) {
    auto files = ResolveChain(out(), "partner", row.name);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    ChainVerdict v =
        VerifyClientChain(testing::Slurp(files->chain_file), testing::Slurp(files->ca_file), clock);
    EXPECT_EQ(v.accepted, row.accept) << row.name << ": " << v.reason;
    EXPECT_EQ(v.reason.empty(), v.accepted) << row.name;
  }
}

TEST_F(MatrixGenerated, RefusalsNameTheirReason) {
  ManualClock clock(kNow);
  auto reason = [&](const std::string& name) {
    auto f = ResolveChain(out(), "partner", name);
    EXPECT_TRUE(f.ok());
    return VerifyClientChain(testing::Slurp(f->chain_file), testing::Slurp(f->ca_file), clock)
        .reason;
  };
  EXPECT_THAT(reason("pathlen0_exceeded"), HasSubstr("path length constraint exceeded"));
  EXPECT_THAT(reason("int_expired"), HasSubstr("certificate has expired"));
  EXPECT_THAT(reason("nc_dns_permitted_violated"), HasSubstr("permitted subtree violation"));
  EXPECT_THAT(reason("leaf_duplicate_extension"),
              HasSubstr("extension X509v3 Key Usage appears more than once"));
  EXPECT_THAT(reason("int_signed_sha1"), HasSubstr("signed with ecdsa-with-SHA1"));
  EXPECT_THAT(reason("root_rsa1024"), HasSubstr("RSA key of 1024 bits"));
  EXPECT_THAT(reason("policy_required_missing"), HasSubstr("no explicit policy"));
  EXPECT_THAT(reason("long_chain"), HasSubstr("certificate chain too long"));
  // The same chain is refused when its anchor is not trusted.
  auto baseline = ResolveChain(out(), "partner", "baseline");
  ASSERT_TRUE(baseline.ok());
  ChainVerdict other = VerifyClientChain(testing::Slurp(baseline->chain_file),
                                         testing::Slurp(out() + "/ca/other-root.pem"), clock);
  EXPECT_FALSE(other.accepted);
  EXPECT_THAT(other.reason, HasSubstr("unable to get local issuer certificate"));
  EXPECT_EQ(VerifyClientChain("", testing::Slurp(baseline->ca_file), clock).reason,
            "no certificate in the presented chain");
  EXPECT_EQ(VerifyClientChain(testing::Slurp(baseline->chain_file), "", clock).reason,
            "no trust anchor");
}

// Each chain's crl.pem holds a CRL of every authority of its own, so a relying party that
// wants a CRL for every certificate of a path (the two-host profile's two-way host) judges
// the chain on its defect: with them and the root's CRL the controls verify, without them
// they fail on the missing CRL.
TEST_F(MatrixGenerated, ChainCrlsCoverEveryAuthorityOfThePath) {
  auto verify = [&](const ChainFiles& f, bool with_chain_crls) {
    StorePtr store(X509_STORE_new());
    for (const X509Ptr& a : ReadCerts(testing::Slurp(f.ca_file))) {
      X509_STORE_add_cert(store.get(), a.get());
    }
    std::string crls = testing::Slurp(out() + "/ca/root.crl.pem");
    if (with_chain_crls)
      crls += testing::Slurp(f.cert_file.substr(0, f.cert_file.size() - 8) + "crl.pem");
    for (const CrlPtr& c : ReadCrls(crls)) X509_STORE_add_crl(store.get(), c.get());
    std::vector<X509Ptr> presented = ReadCerts(testing::Slurp(f.untrusted_file));
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    for (const X509Ptr& c : presented) sk_X509_push(untrusted, c.get());
    X509Ptr leaf = testing::LoadCert(f.cert_file);
    StoreCtxPtr ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted);
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, Now());
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    bool ok = X509_verify_cert(ctx.get()) == 1;
    int err = X509_STORE_CTX_get_error(ctx.get());
    sk_X509_free(untrusted);
    return ok ? 0 : err;
  };
  for (const char* name : {"baseline", "cross_signed_path", "chain_at_depth_limit"}) {
    auto f = ResolveChain(out(), "partner", name);
    ASSERT_TRUE(f.ok()) << name;
    EXPECT_EQ(verify(*f, true), 0) << name;
    EXPECT_EQ(verify(*f, false), X509_V_ERR_UNABLE_TO_GET_CRL) << name;
  }
}

TEST_F(MatrixGenerated, ChainKeysMatchTheirLeaves) {
  for (const char* name : {"baseline", "leaf_rsa1024", "cross_signed_path", "long_chain"}) {
    auto f = ResolveChain(out(), "partner", name);
    ASSERT_TRUE(f.ok());
    BioPtr bio(BIO_new_file(f->key_file.c_str(), "r"));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    ASSERT_TRUE(key) << name;
    EXPECT_EQ(X509_check_private_key(testing::LoadCert(f->cert_file).get(), key.get()), 1) << name;
  }
}

TEST_F(MatrixGenerated, UnknownChainNamesListTheKnownOnes) {
  auto none = ResolveChain(out(), "partner", "sideways");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(), HasSubstr("baseline, chain_at_depth_limit"));
  EXPECT_EQ(ResolveChain(out(), "server", "baseline").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveChain(out(), "partner", "..").status().code(), StatusCode::kNotFound);
  // A chain is not a variant.
  EXPECT_EQ(ResolveIdentity(out(), "partner", "chains").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tollgate::pki::matrix_test
