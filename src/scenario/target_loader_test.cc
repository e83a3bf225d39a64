#include <gtest/gtest.h>

#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

TEST(ParseTargetFile, ReadsUrlSettingsAndSecretsAsTemplates) {
  const std::string text =
      "target: partner-staging\n"
      "url: ${env.PARTNER_URL:-https://staging.partner.test}\n"
      "settings:\n"
      "  audience: sfdsbanking/provider\n"
      "  header_name: X-Partner-Key\n"
      "secrets:\n"
      "  header_value: ${env.PARTNER_KEY}\n";
  Diagnostics diags;
  std::optional<TargetFile> t = ParseTargetFile(text, "targets/p.yaml", diags);
  ASSERT_TRUE(t.has_value()) << diags.RenderWithText(text);
  EXPECT_EQ(t->name, "partner-staging");
  EXPECT_EQ(t->file, "targets/p.yaml");
  EXPECT_EQ(t->url.raw(), "${env.PARTNER_URL:-https://staging.partner.test}");
  EXPECT_EQ(t->url.loc().ToString(), "targets/p.yaml:2:6");
  ASSERT_EQ(t->settings.size(), 2u);
  EXPECT_EQ(t->settings[0].first, "audience");
  EXPECT_EQ(t->settings[0].second.raw(), "sfdsbanking/provider");
  EXPECT_EQ(t->settings[1].first, "header_name");
  ASSERT_EQ(t->secrets.size(), 1u);
  EXPECT_EQ(t->secrets[0].first, "header_value");
  // Secrets stay templates: their values are only read by the runner.
  EXPECT_EQ(t->secrets[0].second.raw(), "${env.PARTNER_KEY}");
}

TEST(ParseTargetFile, ReadsTheCaOfAPrivateStagingHost) {
  const std::string text =
      "target: partner-staging\n"
      "url: https://staging.partner.test\n"
      "ca: ${env.PARTNER_CA:-certs/partner-ca.pem}\n";
  Diagnostics diags;
  std::optional<TargetFile> t = ParseTargetFile(text, "t.yaml", diags);
  ASSERT_TRUE(t.has_value()) << diags.RenderWithText(text);
  ASSERT_TRUE(t->ca.has_value());
  EXPECT_EQ(t->ca->raw(), "${env.PARTNER_CA:-certs/partner-ca.pem}");
}

std::string Errors(const std::string& text) {
  Diagnostics diags;
  if (ParseTargetFile(text, "t.yaml", diags)) return "loaded";
  return diags.RenderWithText(text);
}

TEST(ParseTargetFile, OnlyEnvironmentVariablesInTemplates) {
  EXPECT_EQ(Errors("target: t\nurl: ${secret.url}\n"),
            "error: unknown name `secret` in template\n"
            "  --> t.yaml:2:8\n"
            "   |\n"
            " 2 | url: ${secret.url}\n"
            "   |        ^^^^^^ found `secret`, expected `env.NAME` (a target file can only use "
            "environment variables)\n\n");
}

TEST(ParseTargetFile, NamesAreUniqueAcrossUrlSettingsAndSecrets) {
  EXPECT_EQ(Errors("target: t\nurl: http://x\nsettings: {url: y, a: b}\nsecrets: {a: c}\n"),
            "error: `target.url` is defined twice\n"
            "  --> t.yaml:3:12\n"
            "   |\n"
            " 3 | settings: {url: y, a: b}\n"
            "   |            ^^^ found `url`, expected a name not used by `url`, `settings` or "
            "`secrets` already\n"
            "\n"
            "error: `target.a` is defined twice\n"
            "  --> t.yaml:4:11\n"
            "   |\n"
            " 4 | secrets: {a: c}\n"
            "   |           ^ found `a`, expected a name not used by `url`, `settings` or "
            "`secrets` already\n"
            "\n");
}

TEST(ParseTargetFile, UrlIsRequired) {
  EXPECT_EQ(Errors("target: t\nsettings: {}\n"),
            "error: missing required key `url`\n"
            "  --> t.yaml:1:1\n"
            "   |\n"
            " 1 | target: t\n"
            "   | ^ expected `url` in this mapping\n\n");
}

}  // namespace
}  // namespace tollgate
