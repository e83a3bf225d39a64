#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runner/notify_steps.h"
#include "tollgate/crypto/webhooks.h"

namespace tollgate::runner {
namespace {

using ::testing::HasSubstr;

constexpr const char* kStandardSecret = "whsec_dG9sbGdhdGUtc3RhbmRhcmQtd2ViaG9va3Mta2V5LTAx";

std::string SecretFor(const std::string& scheme) {
  if (scheme == "standard-webhooks") return kStandardSecret;
  if (scheme == "stripe") return "whsec_stripe-current-secret";
  return "github-hook-secret";
}

class NotifyWebhookTest : public ::testing::Test {
 protected:
  NotifyWebhookTest() {
    run_.clock = &clock_;
    run_.redactor = &redactor_;
  }
  NotifyStep Step(const std::string& scheme, const std::string& variant = "",
                  std::vector<std::string> secrets = {}) {
    NotifyStep s;
    s.url = Template::Literal("http://127.0.0.1:9/hooks");
    WebhookSign w;
    w.scheme = scheme;
    if (secrets.empty()) secrets.push_back(SecretFor(scheme));
    for (const std::string& secret : secrets) w.secrets.push_back(Template::Literal(secret));
    w.variant = variant;
    s.webhook = w;
    return s;
  }
  // What a receiver holding the current secret says about the request, judged now.
  webhooks::Verdict Verify(const std::string& scheme, const ClientRequest& q) {
    return webhooks::Verify(*webhooks::SchemeFromName(scheme), SecretFor(scheme), q.headers, q.body,
                            clock_.NowSeconds(), 300);
  }
  BuiltNotify Build(const NotifyStep& s) {
    auto built = BuildNotify(s, run_, scope_, &last_id_);
    EXPECT_TRUE(built.ok()) << built.status().message();
    return built.ok() ? *built : BuiltNotify{};
  }

  OffsetClock clock_;
  Redactor redactor_;
  RunContext run_;
  CaseScope scope_{&run_};
  std::string last_id_;
};

TEST_F(NotifyWebhookTest, EachSchemeSignsTheExactBodySentAndVerifies) {
  for (const std::string& scheme : webhooks::SchemeNames()) {
    SCOPED_TRACE(scheme);
    BuiltNotify b = Build(Step(scheme));
    webhooks::Verdict v = Verify(scheme, b.request);
    EXPECT_TRUE(v.ok) << v.reason;
    // Stripe's header names no delivery id.
    if (scheme != "stripe") EXPECT_EQ(v.id, b.saved["webhook"]["id"].get<std::string>());
    EXPECT_EQ(b.saved["webhook"]["variant"], "none");
    EXPECT_EQ(b.saved["webhook"]["timestamp"], clock_.NowSeconds());
    EXPECT_THAT(b.request.body, HasSubstr(R"("type":"resourceCreated")"));
    // The notification's own Content-Type only, not a second one from the scheme.
    int types = 0;
    for (const auto& [n, value] : b.request.headers)
      types += n == "Content-Type" || n == "content-type";
    EXPECT_EQ(types, 1);
    EXPECT_EQ(redactor_.Redact("key " + SecretFor(scheme)), "key ***");
  }
}

TEST_F(NotifyWebhookTest, TimestampFollowsTheSharedClock) {
  clock_.SetOffset(std::chrono::hours(2));
  BuiltNotify b = Build(Step("stripe"));
  EXPECT_EQ(b.saved["webhook"]["timestamp"], clock_.NowSeconds());
  EXPECT_TRUE(Verify("stripe", b.request).ok);
}

TEST_F(NotifyWebhookTest, EachVariantFailsForItsOwnReason) {
  struct Case {
    std::string scheme, variant, reason;
  };
  std::vector<Case> cases;
  for (const std::string& scheme : webhooks::SchemeNames()) {
    for (const std::string& variant : webhooks::VariantNames()) {
      if (scheme == "github" && variant.find("timestamp") != std::string::npos) continue;
      cases.push_back({scheme, variant, ""});
    }
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.scheme + " " + c.variant);
    BuiltNotify b = Build(Step(c.scheme, c.variant));
    webhooks::Verdict v = Verify(c.scheme, b.request);
    EXPECT_FALSE(v.ok);
    webhooks::Verdict correct = Verify(c.scheme, Build(Step(c.scheme)).request);
    EXPECT_TRUE(correct.ok) << correct.reason;
    if (c.variant == "stale_timestamp" || c.variant == "future_timestamp") {
      EXPECT_THAT(v.reason, HasSubstr("timestamp"));
    } else if (c.variant == "missing_signature") {
      EXPECT_THAT(v.reason, HasSubstr("missing"));
    } else {
      EXPECT_THAT(v.reason, HasSubstr("signature"));
    }
    if (c.variant == "reserialized_body") {
      // Same JSON, other bytes: the signature was over the bytes not sent.
      // The notification is signed compact; the bytes sent are the same JSON spaced out.
      nlohmann::json sent = nlohmann::json::parse(b.request.body);
      EXPECT_NE(b.request.body, sent.dump());
      EXPECT_EQ(sent["type"], "resourceCreated");
    }
  }
}

TEST_F(NotifyWebhookTest, DuplicateIdReusesThePreviousDeliveryIdWithAValidSignature) {
  BuiltNotify first = Build(Step("standard-webhooks"));
  Build(Step("standard-webhooks", "wrong_secret"));  // refused by a receiver: not repeated
  BuiltNotify dup = Build(Step("standard-webhooks", "duplicate_id"));
  EXPECT_EQ(dup.saved["webhook"]["id"], first.saved["webhook"]["id"]);
  EXPECT_EQ(dup.saved["webhook"]["variant"], "duplicate_id");
  webhooks::Verdict v = Verify("standard-webhooks", dup.request);
  EXPECT_TRUE(v.ok) << v.reason;  // only a receiver remembering ids refuses it
  EXPECT_EQ(v.id, first.saved["webhook"]["id"].get<std::string>());
}

TEST_F(NotifyWebhookTest, DuplicateIdWithoutAnEarlierDeliveryIsAnError) {
  auto built = BuildNotify(Step("stripe", "duplicate_id"), run_, scope_, &last_id_);
  ASSERT_FALSE(built.ok());
  EXPECT_THAT(built.status().message(), HasSubstr("earlier correctly signed `notify`"));
}

TEST_F(NotifyWebhookTest, DualSignaturesOneFromARotatedOutSecret) {
  for (const std::string& scheme : {std::string("standard-webhooks"), std::string("stripe")}) {
    SCOPED_TRACE(scheme);
    std::string old =
        scheme == "stripe" ? "whsec_stripe-rotated-out" : "whsec_cm90YXRlZC1vdXQta2V5LTAw";
    BuiltNotify both = Build(Step(scheme, "", {old, SecretFor(scheme)}));
    EXPECT_TRUE(Verify(scheme, both.request).ok);
    std::string header;
    for (const auto& [n, value] : both.request.headers) {
      if (n == "webhook-signature" || n == "Stripe-Signature") header = value;
    }
    std::size_t n = 0;
    std::string sep = scheme == "stripe" ? ",v1=" : " v1,";
    for (std::size_t at = header.find(sep); at != std::string::npos; at = header.find(sep, at + 1))
      ++n;
    EXPECT_EQ(n, scheme == "stripe" ? 2u : 1u) << header;  // two signatures
    BuiltNotify only_old = Build(Step(scheme, "", {old}));
    EXPECT_FALSE(Verify(scheme, only_old.request).ok);
    EXPECT_EQ(redactor_.Redact(old), "***");
  }
}

}  // namespace
}  // namespace tollgate::runner
