#include <gtest/gtest.h>

#include "mocks/receiver.h"

namespace tollgate::mocks {
namespace {

class ReceiverVerifyTest : public ::testing::Test {
 protected:
  std::unique_ptr<Receiver> Make(const std::string& scheme, const std::string& secret) {
    ServiceDecl d;
    d.name = "hook";
    d.kind = "receiver";
    d.config = {{"verify", {{"scheme", scheme}, {"secret", secret}, {"tolerance", "5m"}}}};
    return std::make_unique<Receiver>(d, ServiceContext{&clock_, &redactor_, {}, {}, {}});
  }
  ServerRequest From(const webhooks::Delivery& d) {
    ServerRequest r;
    r.method = "POST";
    r.path = "/hook";
    r.body = d.body;
    for (const auto& [n, v] : d.headers) r.headers.Add(n, v);
    return r;
  }
  ManualClock clock_;
  Redactor redactor_;
};

TEST_F(ReceiverVerifyTest, VerifiesThenRefusesADuplicateId) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto rx = Make("standard-webhooks", secret);
  auto d = webhooks::Sign(webhooks::Scheme::kStandardWebhooks, {secret}, "msg_1",
                          clock_.NowSeconds(), R"({"a":1})");
  Handled first = rx->Handle(From(*d));
  EXPECT_EQ(first.response.status, 200);
  EXPECT_EQ(first.note, "verified");
  Handled again = rx->Handle(From(*d));
  EXPECT_EQ(again.response.status, 401);
  EXPECT_EQ(again.note, "rejected: duplicate id msg_1");
  EXPECT_EQ(redactor_.Redact(secret), "***");
}

TEST_F(ReceiverVerifyTest, RefusesCorruptedVariantsWithTheReason) {
  auto rx = Make("stripe", "whsec_stripe_test_secret");
  for (const auto& [variant, reason] : std::vector<std::pair<std::string, std::string>>{
           {"stale_timestamp", "rejected: timestamp too old"},
           {"future_timestamp", "rejected: timestamp too new"},
           {"reserialized_body", "rejected: no signature matches"}}) {
    auto d = webhooks::Sign(webhooks::Scheme::kStripe, {"whsec_stripe_test_secret"}, "evt",
                            clock_.NowSeconds(), R"({"a":1})", variant);
    Handled h = rx->Handle(From(*d));
    EXPECT_EQ(h.response.status, 401) << variant;
    EXPECT_EQ(h.note, reason) << variant;
  }
}

}  // namespace
}  // namespace tollgate::mocks
