// LoadPkiConfig: the project's profile loads; bad profiles name file:line:col and what was
// expected.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "pki/test_util.h"

namespace tollgate::pki {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

TEST(PkiConfig, ProjectProfileLoads) {
  auto cfg = LoadPkiConfig(testing::ProfilePath());
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->authorities.size(), 5u);
  ASSERT_EQ(cfg->identities.size(), 3u);
  EXPECT_EQ(cfg->identities[0].name, "partner");
  EXPECT_EQ(cfg->identities[0].variants.size(), 14u);
  EXPECT_EQ(cfg->identities[0].bundles.size(), KnownBundles().size());
  EXPECT_EQ(cfg->identities[2].san, (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1"}));
  EXPECT_EQ(cfg->digest.size(), 64u);
}

TEST(PkiConfig, MissingFileIsNotFound) {
  auto cfg = LoadPkiConfig("/nonexistent/pki.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(cfg.status().message(), HasSubstr("/nonexistent/pki.yaml"));
}

// An identity in block style, so a test can append keys to it.
constexpr const char* kGoodProfile = R"(authorities:
  root: {subject: CN=Root, key: ec-p256, days: 100}
identities:
  a:
    subject: CN=a
    issuer: root
    usage: client
    key: ec-p256
    days: 10
)";

constexpr const char* kGood = R"(authorities:
  root: {subject: CN=Root, key: ec-p256, days: 100}
  ca: {subject: CN=CA, issuer: root, key: ec-p256, days: 50}
identities:
  a: {subject: CN=a, issuer: ca, usage: client, key: ec-p256, days: 10}
)";

struct BadCase {
  const char* name;
  std::string text;
  std::string expected;  // the whole first line of the message, after the path
};

TEST(PkiConfig, ErrorsNameFileLineAndExpectation) {
  std::string good = kGood;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  const BadCase cases[] = {
      {"unknown key", replace("usage: client", "usage: client, colour: red"),
       ":5:49: unknown key `colour` in identity `a`; expected one of: subject, issuer, usage, "
       "key, days, san, variants, bundles, untrusted_issuer, wrong_host_san, chains"},
      {"key type", replace("key: ec-p256, days: 10", "key: dsa, days: 10"),
       ":2:33: key type `dsa` is not known; expected one of: rsa2048, rsa1024, ec-p256, ec-p384"},
      {"days", replace("days: 50", "days: -3"),
       ":3:58: days must be a whole number of days from 1 to 36500; found `-3`"},
      {"unknown issuer", replace("issuer: ca,", "issuer: nope,"),
       ":5:30: issuer `nope` is not known; expected one of: root, ca"},
      {"issuer order", replace("issuer: root", "issuer: ca"),
       ":3:3: issuer `ca` of authority `ca` must be an authority listed above it; expected one "
       "of: root"},
      {"variant", replace("days: 10}", "days: 10, variants: [expired, revokd]}"),
       ":5:93: variant item `revokd` is not known; expected one of: expired, not_yet_valid, "
       "self_signed, untrusted_root, missing_intermediate, server_auth_only, no_eku, ca_leaf, "
       "revoked, rsa1024, sha1, unknown_critical_extension, tampered_signature, unregistered, "
       "wrong_host"},
      {"missing subject", replace("subject: CN=a, ", ""),
       ":5:6: missing key `subject` in identity `a`"},
      {"bad subject", replace("CN=Root", "Root"),
       ":2:19: subject of authority `root`: `Root` is not TYPE=value; expected TYPE=value pairs "
       "separated by commas, e.g. `CN=partner,O=Example`"},
      {"san", replace("days: 10}", "days: 10, san: [localhost]}"),
       ":5:78: subject alternative name `localhost` must start with DNS: or IP:"},
      {"untrusted issuer", replace("days: 10}", "days: 10, variants: [untrusted_root]}"),
       ":5:3: identity `a` lists untrusted_root or extra_unrelated; expected an "
       "`untrusted_issuer` (an authority under an unrelated root)"},
      {"path name", replace("  a: {", "  ../a: {"),
       ":5:3: identity name `../a` is not allowed; expected letters, digits, '-', '_' and '.'"},
      {"invalid yaml", "authorities: [\n", ":2:1: invalid YAML: end of sequence flow not found"},
      {"not a mapping", "- 1\n", ":1:1: the PKI profile must be a mapping; found a list"},
  };
  TempDir dir;
  for (const BadCase& c : cases) {
    std::string path = dir.Sub(std::string("pki-") + std::to_string(&c - cases) + ".yaml");
    std::ofstream(path) << c.text;
    auto cfg = LoadPkiConfig(path);
    ASSERT_FALSE(cfg.ok()) << c.name;
    EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument) << c.name;
    std::string first = cfg.status().message().substr(0, cfg.status().message().find('\n'));
    EXPECT_EQ(first, path + c.expected) << c.name;
  }
}

TEST(PkiConfig, ChainsAreNamesOfThePathMatrix) {
  std::string text = kGoodProfile;
  TempDir dir;
  std::ofstream(dir.Sub("good.yaml")) << text << "    chains: [baseline, long_chain]\n";
  auto cfg = LoadPkiConfig(dir.Sub("good.yaml"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->identities[0].chains, (std::vector<std::string>{"baseline", "long_chain"}));
  std::ofstream(dir.Sub("bad.yaml")) << text << "    chains: [baseline, long_chian]\n";
  auto bad = LoadPkiConfig(dir.Sub("bad.yaml"));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr(":10:24: chain item `long_chian` is not known; expected one of: baseline, "
                        "int_ca_false,"));
}

}  // namespace
}  // namespace tollgate::pki

namespace tollgate::pki {
namespace {

// The profile example in docs/certs.md loads: the documentation stays true to the loader.
TEST(PkiConfig, DocsExampleLoads) {
  std::string doc = testing::Slurp(std::string(TOLLGATE_SOURCE_DIR) + "/docs/certs.md");
  std::size_t start = doc.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  std::string yaml = doc.substr(start, doc.find("```", start) - start);
  testing::TempDir dir;
  std::ofstream(dir.Sub("example.yaml")) << yaml;
  auto cfg = LoadPkiConfig(dir.Sub("example.yaml"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_EQ(cfg->identities.size(), 1u);
  EXPECT_EQ(cfg->identities[0].variants, (std::vector<std::string>{"expired", "revoked"}));
  EXPECT_EQ(cfg->authorities[1].crl_days, 30);
}

}  // namespace
}  // namespace tollgate::pki
