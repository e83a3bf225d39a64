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

ClientResponse Answer(int status, std::string body = "") {
  ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  r.tls.protocol = "TLSv1.3";
  r.tls.certificate_requested = true;
  return r;
}

class RejectedTest : public ::testing::Test {
 protected:
  // The failures of `rejected: want` against `r`.
  std::vector<CheckFailure> Check(bool want, const ClientResponse& r) {
    Expect e;
    e.rejected = want;
    auto f = CheckResponse(e, r, scope_);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? *f : std::vector<CheckFailure>{};
  }
  RunOptions options_;
  RunContext run_{&options_};
  CaseScope scope_{&run_};
};

// "Refused" is what real servers do to a bad client certificate: an alert, a close, nginx's
// certificate pages (400, 495, 496), and the application's 401/403.
TEST_F(RejectedTest, HoldsOnEveryFormOfRefusal) {
  ClientResponse alert;
  alert.outcome = TransportOutcome::kTlsRejected;
  alert.tls.alert_received = TlsAlert{116, "certificate_required", true};
  alert.tls.refusal = TlsRefusal::kPeerAlert;
  ClientResponse closed;
  closed.outcome = TransportOutcome::kTlsRejected;
  closed.tls.protocol = "TLSv1.3";
  closed.tls.refusal = TlsRefusal::kOther;
  const ClientResponse refusals[] = {
      alert,
      closed,
      Answer(400, "<head><title>400 The SSL certificate error</title></head>"),
      Answer(400, "<center>No required SSL certificate was sent</center>"),
      Answer(495),
      Answer(496),
      Answer(401),
      Answer(403),
  };
  for (const ClientResponse& r : refusals) {
    EXPECT_TRUE(Check(true, r).empty()) << r.status;
    auto f = Check(false, r);
    ASSERT_EQ(f.size(), 1u) << r.status;
    EXPECT_EQ(f[0].actual.rfind("refused: ", 0), 0u) << f[0].actual;
  }
}

TEST_F(RejectedTest, OtherAnswersAreNotRefusals) {
  for (const ClientResponse& r :
       {Answer(400, "<center>400 Bad Request</center>"),
        Answer(400, R"({"error":"invalid_request"})"), Answer(200), Answer(404), Answer(500)}) {
    auto f = Check(true, r);
    ASSERT_EQ(f.size(), 1u) << r.status;
    EXPECT_EQ(f[0].type, "assert.rejected");
    EXPECT_EQ(f[0].expected,
              "rejected (refused in the TLS handshake, by the TLS terminator's answer, 401 or "
              "403)");
    EXPECT_EQ(f[0].actual, "status " + std::to_string(r.status));
    EXPECT_TRUE(Check(false, r).empty()) << r.status;
  }
}

TEST(RefusalNote, SaysHowWhenTheStepAsksAboutARefusal) {
  auto how = [](const Expect& e, const ClientResponse& r) -> std::string {
    std::optional<RefusedNote> note = RefusalNote(e, r);
    return note ? note->how : "(no note)";
  };
  ClientResponse nginx = Answer(400, "<center>The SSL certificate error</center>");
  Expect rejected;
  rejected.rejected = true;
  EXPECT_EQ(how(rejected, nginx),
            "HTTP 400 from the TLS terminator (nginx: The SSL certificate error)");
  Expect tls;
  tls.tls = TlsExpect{};
  tls.tls->outcome = "rejected";
  EXPECT_EQ(how(tls, Answer(401)), "HTTP 401");
  Expect alternatives;
  alternatives.one_of.push_back(tls);
  EXPECT_EQ(how(alternatives, Answer(496)),
            "HTTP 496 from the TLS terminator (SSL certificate required)");
  // Not asked, or not refused: no note.
  Expect status;
  status.status = StatusExpect{{StatusPattern{401, 0}}, {}};
  EXPECT_EQ(how(status, Answer(401)), "(no note)");
  EXPECT_EQ(how(rejected, Answer(200)), "(no note)");
}

}  // namespace
}  // namespace tollgate::runner
