// Which CA a request trusts when its step names none: the target file's `ca:` for the
// target's own https URLs, the system's trust store for everything else.

#include "runner/run_context.h"

#include <gtest/gtest.h>

namespace tollgate::runner {
namespace {

TEST(RunContextTrust, TheTargetCaCoversTheTargetsOwnHttpsUrlsOnly) {
  RunContext ctx;
  ctx.target_url = "https://staging.partner.example/api";
  ctx.target_settings["one_way_url"] = "https://pay.partner.example:8443";
  ctx.target_settings["audience"] = "https://staging.partner.example";  // not a *url setting
  ctx.target_ca_file = "partner-ca.pem";
  EXPECT_EQ(ctx.TrustFileFor("https://staging.partner.example/api/x?y=1"), "partner-ca.pem");
  EXPECT_EQ(ctx.TrustFileFor("https://staging.partner.example:443/other"), "partner-ca.pem");
  EXPECT_EQ(ctx.TrustFileFor("https://pay.partner.example:8443/v1"), "partner-ca.pem");
  // Another host, another port, or plain HTTP: the system's trust store.
  EXPECT_EQ(ctx.TrustFileFor("https://idp.example.com/token"), "");
  EXPECT_EQ(ctx.TrustFileFor("https://pay.partner.example/v1"), "");
  EXPECT_EQ(ctx.TrustFileFor("http://staging.partner.example/api"), "");
}

TEST(RunContextTrust, WithoutACaNothingChanges) {
  RunContext ctx;
  ctx.target_url = "https://staging.partner.example";
  EXPECT_EQ(ctx.TrustFileFor("https://staging.partner.example/x"), "");
}

}  // namespace
}  // namespace tollgate::runner
