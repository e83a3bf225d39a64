// EnsureGenerated's idempotence: nothing is written while the material is good; moving the
// clock near or past expiry, before the validity, or changing the profile regenerates;
// concurrent callers end with one complete folder.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "pki/test_util.h"

namespace tollgate::pki {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;

constexpr const char* kSmall = R"(authorities:
  root: {subject: CN=Root, key: ec-p256, days: 365}
  ca: {subject: CN=CA, issuer: root, key: ec-p256, days: 180}
identities:
  a: {subject: CN=a, issuer: ca, usage: client, key: ec-p256, days: 30, variants: [expired],
      bundles: [ordered]}
)";

class Regenerate : public ::testing::Test {
 protected:
  void SetUp() override {
    config_path_ = dir_.Sub("pki.yaml");
    std::ofstream(config_path_) << kSmall;
    auto cfg = LoadPkiConfig(config_path_);
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    cfg_ = *cfg;
    out_ = dir_.Sub("out");
  }

  GenerateReport Ensure(const PkiConfig& cfg, bool force = false) {
    GenerateReport rep;
    Status st = EnsureGenerated(cfg, out_, clock_, force, &rep);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return rep;
  }
  std::string Manifest() { return testing::Slurp(out_ + "/manifest"); }

  testing::TempDir dir_;
  std::string config_path_, out_;
  PkiConfig cfg_;
  ManualClock clock_{Clock::TimePoint(std::chrono::seconds(1'800'000'000))};
};

TEST_F(Regenerate, UpToDateWritesNothing) {
  GenerateReport first = Ensure(cfg_);
  EXPECT_TRUE(first.generated);
  EXPECT_EQ(first.reason, "no material yet");
  EXPECT_EQ(first.certificates, 4);
  std::string manifest = Manifest();
  auto sha = ResolveIdentity(out_, "a", "")->sha256;
  clock_.Advance(hours(24 * 20));  // 20 of 30 days: still more than 7 days left
  GenerateReport second = Ensure(cfg_);
  EXPECT_FALSE(second.generated);
  EXPECT_EQ(second.reason, "up to date");
  EXPECT_EQ(Manifest(), manifest);
  EXPECT_EQ(ResolveIdentity(out_, "a", "")->sha256, sha);
}

TEST_F(Regenerate, NearExpiryRegenerates) {
  Ensure(cfg_);
  std::string manifest = Manifest();
  auto sha = ResolveIdentity(out_, "a", "")->sha256;
  clock_.Advance(hours(24 * 24));  // 6 days before the leaf expires
  GenerateReport rep = Ensure(cfg_);
  EXPECT_TRUE(rep.generated);
  EXPECT_EQ(rep.reason, "some material has expired or expires within days");
  EXPECT_NE(Manifest(), manifest);
  EXPECT_NE(ResolveIdentity(out_, "a", "")->sha256, sha);
}

TEST_F(Regenerate, PastExpiryRegeneratesAndTheNewLeafIsValid) {
  Ensure(cfg_);
  clock_.Advance(hours(24 * 40));
  EXPECT_TRUE(Ensure(cfg_).generated);
  auto leaf = testing::LoadCert(ResolveIdentity(out_, "a", "")->cert_file);
  std::time_t now = clock_.NowSeconds();
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(leaf.get()), &now), 0);
  EXPECT_FALSE(Ensure(cfg_).generated);
}

TEST_F(Regenerate, ClockBeforeTheValidityRegenerates) {
  Ensure(cfg_);
  clock_.Advance(-hours(2));
  GenerateReport rep = Ensure(cfg_);
  EXPECT_TRUE(rep.generated);
  EXPECT_EQ(rep.reason, "the clock is before the material's validity");
}

TEST_F(Regenerate, ProfileChangeRegenerates) {
  Ensure(cfg_);
  std::string text = kSmall;
  text.replace(text.find("CN=a"), 4, "CN=b");
  std::ofstream(config_path_) << text;
  auto changed = LoadPkiConfig(config_path_);
  ASSERT_TRUE(changed.ok());
  GenerateReport rep = Ensure(*changed);
  EXPECT_TRUE(rep.generated);
  EXPECT_EQ(rep.reason, "the PKI profile changed");
  EXPECT_EQ(ResolveIdentity(out_, "a", "")->subject, "CN=b");
}

TEST_F(Regenerate, ForceRegenerates) {
  Ensure(cfg_);
  auto sha = ResolveIdentity(out_, "a", "")->sha256;
  GenerateReport rep = Ensure(cfg_, true);
  EXPECT_TRUE(rep.generated);
  EXPECT_EQ(rep.reason, "forced");
  EXPECT_NE(ResolveIdentity(out_, "a", "")->sha256, sha);
}

TEST_F(Regenerate, ConcurrentCallersLeaveOneCompleteFolder) {
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { results[i] = EnsureGenerated(cfg_, out_, clock_); });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& st : results) EXPECT_TRUE(st.ok()) << st.ToString();
  auto f = ResolveIdentity(out_, "a", "expired");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(fs::exists(f->key_file));
  int siblings = 0;
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    siblings += e.path().filename().string().find(".tmp-") != std::string::npos ||
                e.path().filename().string().find(".old-") != std::string::npos;
  }
  EXPECT_EQ(siblings, 0);
}

}  // namespace
}  // namespace tollgate::pki
