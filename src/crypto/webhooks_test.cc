#include "tollgate/crypto/webhooks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tollgate::webhooks {
namespace {

std::string HeaderOf(const Delivery& d, const std::string& name) {
  for (const auto& [n, v] : d.headers) {
    if (n == name) return v;
  }
  return "";
}

// Standard Webhooks' published vector.
TEST(WebhookKnownAnswers, StandardWebhooks) {
  auto d = Sign(Scheme::kStandardWebhooks, {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
                "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(HeaderOf(*d, "webhook-signature"), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_TRUE(Verify(Scheme::kStandardWebhooks, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                     d->headers, d->body, 1614265330 + 299, 300)
                  .ok);
}

// GitHub's published vector.
TEST(WebhookKnownAnswers, GitHub) {
  auto d = Sign(Scheme::kGitHub, {"It's a Secret to Everybody"}, "guid-1", 0, "Hello, World!");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(HeaderOf(*d, "X-Hub-Signature-256"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

// Stripe keys the HMAC with the whole whsec_ string over "t.body": the same MAC as GitHub's
// scheme over "t.body", which the GitHub vector pins; here the layout of the header.
TEST(WebhookKnownAnswers, StripeHeaderLayoutAndRotation) {
  auto one = Sign(Scheme::kGitHub, {"whsec_test"}, "x", 0, "1700000000.{}");
  auto d = Sign(Scheme::kStripe, {"whsec_test", "whsec_next"}, "evt", 1700000000, "{}");
  ASSERT_TRUE(d.ok() && one.ok());
  std::string v1 = HeaderOf(*one, "X-Hub-Signature-256").substr(7);
  EXPECT_THAT(HeaderOf(*d, "Stripe-Signature"),
              ::testing::StartsWith("t=1700000000,v1=" + v1 + ",v1="));
  EXPECT_TRUE(Verify(Scheme::kStripe, "whsec_next", d->headers, d->body, 1700000000, 300).ok);
}

TEST(WebhookVariants, EachCorruptionIsRefusedWithItsReason) {
  struct Case {
    Scheme scheme;
    std::string variant;
    std::string reason;
  };
  const std::string sw = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const std::vector<Case> cases = {
      {Scheme::kStandardWebhooks, "reserialized_body", "no signature matches"},
      {Scheme::kStandardWebhooks, "stale_timestamp", "timestamp too old"},
      {Scheme::kStandardWebhooks, "future_timestamp", "timestamp too new"},
      {Scheme::kStandardWebhooks, "wrong_secret", "no signature matches"},
      {Scheme::kStandardWebhooks, "missing_signature",
       "missing webhook-id, -timestamp or -signature"},
      {Scheme::kStripe, "stale_timestamp", "timestamp too old"},
      {Scheme::kStripe, "reserialized_body", "no signature matches"},
      {Scheme::kStripe, "missing_signature", "missing Stripe-Signature"},
      {Scheme::kGitHub, "reserialized_body", "no signature matches"},
      {Scheme::kGitHub, "wrong_secret", "no signature matches"},
  };
  for (const Case& c : cases) {
    const std::string body = R"({"type":"payment","id":7})";
    auto d = Sign(c.scheme, {sw}, "msg_1", 1700000000, body, c.variant);
    ASSERT_TRUE(d.ok()) << c.variant;
    auto good = Sign(c.scheme, {sw}, "msg_1", 1700000000, body);
    EXPECT_TRUE(Verify(c.scheme, sw, good->headers, good->body, 1700000000, 300).ok) << c.variant;
    Verdict v = Verify(c.scheme, sw, d->headers, d->body, 1700000000, 300);
    EXPECT_FALSE(v.ok) << c.variant;
    EXPECT_EQ(v.reason, c.reason) << c.variant;
  }
  EXPECT_THAT(Sign(Scheme::kStripe, {"s"}, "i", 0, "", "bogus").status().message(),
              ::testing::HasSubstr("unknown webhook variant `bogus`"));
}

}  // namespace
}  // namespace tollgate::webhooks
