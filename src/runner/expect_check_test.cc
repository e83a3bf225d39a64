#include "runner/expect_check.h"

#include <gtest/gtest.h>

namespace tollgate::runner {
namespace {

class MatcherTest : public ::testing::Test {
 protected:
  Matcher M(Matcher::Kind kind, nlohmann::json operand, bool negated = false) {
    Matcher m;
    m.kind = kind;
    m.operand.value = std::move(operand);
    m.negated = negated;
    return m;
  }
  // nullopt: the matcher held; otherwise "expected | actual".
  std::string Check(const Matcher& m, std::optional<std::string> actual) {
    auto r = MatchValue(m, actual, scope_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || !r->has_value()) return "held";
    return (*r)->first + " | " + (*r)->second;
  }
  RunOptions options_;
  RunContext run_{&options_};
  CaseScope scope_{&run_};
};

TEST_F(MatcherTest, EachKindAndItsNegation) {
  using K = Matcher::Kind;
  struct Case {
    const char* name;
    Matcher m;
    std::optional<std::string> actual;
    std::string want;
  } cases[] = {
      {"equals holds", M(K::kEquals, "401"), "401", "held"},
      {"equals fails", M(K::kEquals, "401"), "200", "to equal `401` | `200`"},
      {"equals on absent", M(K::kEquals, "x"), std::nullopt, "to equal `x` | nothing (absent)"},
      {"contains", M(K::kContains, "no-store"), "private, no-store", "held"},
      {"matches", M(K::kMatches, "^Basic realm=\"[^\"]+\""), "Basic realm=\"a\"", "held"},
      {"matches fails", M(K::kMatches, "^Bearer"), "Basic", "to match `^Bearer` | `Basic`"},
      {"exists", M(K::kExists, true), "", "held"},
      {"exists false on present", M(K::kExists, false), "v", "to be absent | `v`"},
      {"not exists on absent", M(K::kExists, true, true), std::nullopt, "held"},
      {"not contains holds", M(K::kContains, "xml", true), "application/json", "held"},
      {"not contains fails", M(K::kContains, "json", true), "application/json",
       "not to contain `json` | `application/json`"},
      {"not equals on absent holds", M(K::kEquals, "x", true), std::nullopt, "held"},
  };
  for (const Case& c : cases) EXPECT_EQ(Check(c.m, c.actual), c.want) << c.name;
}

TEST_F(MatcherTest, BadRuntimePatternIsAnErrorNotAFailure) {
  auto r = MatchValue(M(Matcher::Kind::kMatches, "(unclosed"), "x", scope_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad pattern"), std::string::npos);
}

TEST(CheckResponse, TransportFailureFailsStatusAndRejectedAcceptsTls) {
  RunOptions options;
  RunContext run{&options};
  CaseScope scope(&run);
  ClientResponse tls;
  tls.outcome = TransportOutcome::kTlsRejected;
  tls.tls_error = "tlsv13 alert certificate required";
  Expect e;
  e.rejected = true;
  EXPECT_TRUE(CheckResponse(e, tls, scope)->empty());
  Expect s;
  s.status = StatusExpect{{StatusPattern{200, 0}}, {}};
  auto f = CheckResponse(s, tls, scope);
  ASSERT_EQ(f->size(), 1u);
  EXPECT_EQ((*f)[0].actual, "TLS handshake rejected (tlsv13 alert certificate required)");
  ClientResponse ok;
  ok.status = 403;
  EXPECT_TRUE(CheckResponse(e, ok, scope)->empty());
  ok.status = 200;
  EXPECT_EQ(CheckResponse(e, ok, scope)->size(), 1u);
}

}  // namespace
}  // namespace tollgate::runner
