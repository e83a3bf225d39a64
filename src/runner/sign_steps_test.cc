#include "runner/sign_steps.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tollgate/crypto/signing.h"

namespace tollgate::runner {
namespace {

using ::testing::HasSubstr;

class SignStepTest : public ::testing::Test {
 protected:
  SignStepTest() {
    run_.clock = &clock_;
    run_.redactor = &redactor_;
  }
  nlohmann::json Spec(const std::string& mutate = "") {
    nlohmann::json s = {{"profile", profile_.ToJson().dump()},
                        {"key_id", "alpha"},
                        {"secret", "alpha-secret-0123456789"}};
    if (!mutate.empty()) s["mutate"] = mutate;
    return s;
  }
  ClientRequest Request() {
    ClientRequest q;
    q.method = "POST";
    q.url = "http://127.0.0.1:8080/v3/payments?ref=1";
    q.headers = {{"Content-Type", "application/json"}};
    q.body = R"({"amount":"10.00"})";
    return q;
  }
  // What the server sees, verified strictly.
  signing::Verdict Verify(const ClientRequest& q) {
    std::string url = q.url.substr(std::string("http://127.0.0.1:8080").size());
    std::size_t qm = url.find('?');
    signing::Message m{q.method, url.substr(0, qm),
                       qm == std::string::npos ? "" : url.substr(qm + 1), q.headers, q.body};
    bool has_host = false;
    for (const auto& [n, v] : q.headers) has_host = has_host || n == "Host";
    if (!has_host) m.headers.emplace_back("Host", "127.0.0.1:8080");
    return signing::Verify(
        profile_, m,
        [](const std::string& id) -> std::optional<std::string> {
          if (id == "alpha") return std::string("alpha-secret-0123456789");
          return std::nullopt;
        },
        clock_.NowSeconds());
  }

  signing::Profile profile_ =
      signing::ProfileFromJson({{"components",
                                 {"method", "path", "query", "host", "header:content-type",
                                  "body_digest", "timestamp", "nonce", "key_id"}}})
          .value();
  OffsetClock clock_;
  Redactor redactor_;
  RunContext run_;
};

TEST_F(SignStepTest, SignedRequestVerifiesAndTheSecretIsRegistered) {
  ClientRequest q = Request();
  auto note = ApplySign(Spec(), q, run_, "nonce-1");
  ASSERT_TRUE(note.ok()) << note.status().message();
  signing::Verdict v = Verify(q);
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.params.nonce, "nonce-1");
  EXPECT_EQ(redactor_.Redact("alpha-secret-0123456789"), "***");
}

TEST_F(SignStepTest, EveryMutationIsRefusedByAStrictVerifierForItsReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tamper_body", "signature does not match"},
      {"tamper_method", "signature does not match"},
      {"tamper_path", "signature does not match"},
      {"tamper_query", "signature does not match"},
      {"tamper_header", "signature does not match"},
      {"tamper_host", "signature does not match"},
      {"wrong_key", "signature does not match"},
      {"drop_signature", "missing X-Signature header"},
      {"drop_timestamp", "missing X-Timestamp header"},
      {"drop_nonce", "missing X-Nonce header"},
      {"drop_key_id", "missing X-Key-Id header"},
      {"duplicate_signature", "duplicate X-Signature header"},
      {"swap_encoding", "signature is not hex"},
      {"truncate_mac", "signature has the wrong length"},
      {"downgrade_algorithm", "algorithm `hmac-sha1` is not the profile's hmac-sha256"},
  };
  ASSERT_EQ(cases.size(), SignMutations().size());
  for (const auto& [mutation, reason] : cases) {
    ClientRequest q = Request();
    ASSERT_TRUE(ApplySign(Spec(mutation), q, run_, "n").ok()) << mutation;
    signing::Verdict v = Verify(q);
    EXPECT_FALSE(v.ok) << mutation;
    EXPECT_EQ(v.reason, reason) << mutation;
  }
}

TEST_F(SignStepTest, TimestampOffsetMovesTheSignedTimestamp) {
  ClientRequest q = Request();
  nlohmann::json s = Spec();
  s["timestamp_offset"] = "-301s";
  ASSERT_TRUE(ApplySign(s, q, run_, "n").ok());
  EXPECT_EQ(Verify(q).reason, "timestamp older than the window");
}

TEST_F(SignStepTest, BadSpecsAreClearErrors) {
  ClientRequest q = Request();
  nlohmann::json s = Spec("tamper_everything");
  EXPECT_THAT(ApplySign(s, q, run_, "n").status().message(),
              HasSubstr("unknown mutation `tamper_everything`"));
  s = Spec();
  s.erase("secret");
  EXPECT_THAT(ApplySign(s, q, run_, "n").status().message(),
              HasSubstr("`sign.secret` is required"));
  s = Spec();
  s["profile"] = "{not json";
  EXPECT_THAT(ApplySign(s, q, run_, "n").status().message(), HasSubstr("`sign.profile`"));
}

}  // namespace
}  // namespace tollgate::runner
