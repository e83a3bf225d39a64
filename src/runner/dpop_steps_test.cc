// The `dpop:` option driven through the runner with a scripted transport: the proofs each
// request carries (checked with the crypto module's verifier), every mutation, the
// request-level attacks, the key templates, a token fetch with a proof, a server nonce
// carried into the next proof, and what the transcript shows of a proof.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "tollgate/crypto/dpop.h"
#include "tollgate/http/client.h"
#include "tollgate/runner/runner.h"
#include "tollgate/runner/vocabulary.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDpopTarget[] = "http://target.test";

// Answers 200 to everything (or what `answer` says) and keeps every request.
class DpopTransport : public Transport {
 public:
  std::function<ClientResponse(const ClientRequest&)> answer;

  StatusOr<ClientResponse> Send(const ClientRequest& q) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(q);
    if (answer) return answer(q);
    ClientResponse r;
    r.status = 200;
    r.http_version = "1.1";
    return r;
  }
  std::vector<ClientRequest> sent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<ClientRequest> sent_;
};

struct DpopRun {
  RunResult result;
  std::vector<ClientRequest> sent;
};

// Runs the scenarios `scenarios` (YAML under `scenarios:`) against the scripted target.
DpopRun RunDpop(const std::string& scenarios, DpopTransport& transport, OffsetClock& clock) {
  RegisterVocabularies();
  std::string text = "suite: s/dpop\nscenarios:\n" + scenarios;
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "suite.yaml", diags);
  EXPECT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  if (!suite) return {};
  RunOptions options;
  options.target.kind = TargetSpec::Kind::kUrl;
  options.target.url = kDpopTarget;
  Redactor redactor;
  Runner runner(std::move(options), &clock, &redactor, &transport);
  StatusOr<RunResult> run = runner.Run({*suite}, nullptr);
  EXPECT_TRUE(run.ok()) << run.status().message();
  if (!run.ok()) return {};
  return {*run, transport.sent()};
}

DpopRun RunDpop(const std::string& scenarios) {
  DpopTransport transport;
  OffsetClock clock;
  return RunDpop(scenarios, transport, clock);
}

std::vector<std::string> HeaderValues(const ClientRequest& q, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : q.headers) {
    if (EqualsIgnoreCase(n, name)) out.push_back(v);
  }
  return out;
}

std::string HeaderValue(const ClientRequest& q, const std::string& name) {
  std::vector<std::string> all = HeaderValues(q, name);
  return all.empty() ? "" : all.front();
}

nlohmann::json ProofClaims(const std::string& proof) {
  auto parts = jose::ParseCompact(proof);
  EXPECT_TRUE(parts.ok()) << proof;
  if (!parts.ok()) return nullptr;
  return nlohmann::json::parse(parts->payload);
}

const CaseResult& OnlyCase(const DpopRun& run) {
  static const CaseResult kNone;
  if (run.result.suites.empty() || run.result.suites[0].cases.empty()) return kNone;
  return run.result.suites[0].cases[0];
}

// The scenario header: id A, one requirement.
std::string DpopScenario(const std::string& steps, const std::string& id = "A") {
  return "  - id: " + id + "\n    name: n\n    requirements: [R]\n    steps:\n" + steps;
}

TEST(DpopOption, ACorrectProofForTheRequestItsTokenAndTheNamedKey) {
  DpopRun run =
      RunDpop(DpopScenario("      - request:\n"
                           "          method: POST\n"
                           "          url: ${target.url}/accounts?page=2\n"
                           "          headers: {X-Jkt: \"${dpop.client.jkt}\"}\n"
                           "          auth: {dpop: the-token}\n"
                           "          dpop: {key: client}\n"
                           "        expect: {status: 200}\n"));
  ASSERT_EQ(run.sent.size(), 1u);
  const ClientRequest& q = run.sent[0];
  EXPECT_EQ(HeaderValue(q, "Authorization"), "DPoP the-token");
  ASSERT_EQ(HeaderValues(q, "DPoP").size(), 1u);
  jose::DpopRequirements want;
  want.htm = "POST";
  want.htu = std::string(kDpopTarget) + "/accounts?page=2";
  want.access_token = "the-token";
  want.jkt = HeaderValue(q, "X-Jkt");  // ${dpop.client.jkt} is the key that signed
  OffsetClock now;
  jose::DpopVerifyResult verified =
      jose::VerifyDpopProof(HeaderValue(q, "DPoP"), want, now, nullptr);
  ASSERT_TRUE(verified.ok.has_value()) << verified.rejection.code;
  EXPECT_EQ(verified.ok->claims["htu"], std::string(kDpopTarget) + "/accounts");
  EXPECT_EQ(verified.ok->header["alg"], "ES256");
  EXPECT_EQ(OnlyCase(run).verdict, Verdict::kPass);
}

TEST(DpopOption, IatComesFromTheSharedClock) {
  DpopTransport transport;
  OffsetClock clock;
  clock.SetOffset(std::chrono::minutes(-30));
  DpopRun run = RunDpop(DpopScenario("      - request:\n"
                                     "          url: ${target.url}/a\n"
                                     "          dpop: {}\n"),
                        transport, clock);
  ASSERT_EQ(run.sent.size(), 1u);
  long long iat = ProofClaims(HeaderValue(run.sent[0], "DPoP"))["iat"].get<long long>();
  EXPECT_NEAR(static_cast<double>(iat), static_cast<double>(clock.NowSeconds()), 5.0);
  EXPECT_LT(iat, OffsetClock().NowSeconds() - 25 * 60);
}

TEST(DpopOption, EveryProofMutationIsSentAsTheLibraryBuildsIt) {
  // One case per mutation: a correct proof first (its jti is the one reused_jti replays),
  // then the mutated one, judged by the verifier with the requirements the options state.
  std::string values;
  for (const jose::MutationInfo& m : jose::DpopMutationTerms()) {
    values += (values.empty() ? "" : ", ") + m.name;
  }
  DpopRun run = RunDpop(
      "  - id: M\n    name: n\n    requirements: [R]\n"
      "    matrix:\n      m: [" +
      values +
      "]\n"
      "    steps:\n"
      "      - request:\n"
      "          url: ${target.url}/r\n"
      "          auth: {dpop: tok}\n"
      "          dpop: {key: holder, nonce: n-1, skew: 30s}\n"
      "      - request:\n"
      "          url: ${target.url}/r\n"
      "          headers: {X-Mutation: \"${m}\", X-Jkt: \"${dpop.holder.jkt}\"}\n"
      "          auth: {dpop: tok}\n"
      "          dpop: {key: holder, nonce: n-1, skew: 30s, mutation: \"${m}\"}\n");
  ASSERT_EQ(run.sent.size(), 2 * jose::DpopMutationTerms().size());
  OffsetClock now;
  for (std::size_t i = 0; i < run.sent.size(); i += 2) {
    const ClientRequest& first = run.sent[i];
    const ClientRequest& second = run.sent[i + 1];
    std::string mutation = HeaderValue(second, "X-Mutation");
    SCOPED_TRACE(mutation);
    const jose::MutationInfo* info = nullptr;
    for (const jose::MutationInfo& m : jose::DpopMutationTerms()) {
      if (m.name == mutation) info = &m;
    }
    ASSERT_NE(info, nullptr);
    jose::DpopRequirements want;
    want.htm = "GET";
    want.htu = std::string(kDpopTarget) + "/r";
    want.access_token = "tok";
    want.jkt = HeaderValue(second, "X-Jkt");
    want.nonce = "n-1";
    want.iat_skew_seconds = 30;
    jose::DpopReplayCache replay;
    ASSERT_TRUE(
        jose::VerifyDpopProof(HeaderValue(first, "DPoP"), want, now, &replay).ok.has_value());
    jose::DpopVerifyResult r =
        jose::VerifyDpopProof(HeaderValue(second, "DPoP"), want, now, &replay);
    EXPECT_EQ(r.ok.has_value(), info->accepted_by_correct_target) << r.rejection.code;
  }
}

TEST(DpopOption, RequestLevelMutations) {
  DpopRun run = RunDpop(
      "  - id: M\n    name: n\n    requirements: [R]\n"
      "    matrix:\n      m: [missing_header, two_headers, bearer_scheme]\n"
      "    steps:\n"
      "      - request:\n"
      "          url: ${target.url}/r\n"
      "          headers: {X-Mutation: \"${m}\"}\n"
      "          auth: {dpop: tok}\n"
      "          dpop: {mutation: \"${m}\"}\n");
  ASSERT_EQ(run.sent.size(), 3u);
  OffsetClock now;
  jose::DpopRequirements want;
  want.htm = "GET";
  want.htu = std::string(kDpopTarget) + "/r";
  want.access_token = "tok";
  for (const ClientRequest& q : run.sent) {
    std::string m = HeaderValue(q, "X-Mutation");
    SCOPED_TRACE(m);
    std::vector<std::string> proofs = HeaderValues(q, "DPoP");
    if (m == "missing_header") {
      EXPECT_TRUE(proofs.empty());
      EXPECT_EQ(HeaderValue(q, "Authorization"), "DPoP tok");
    } else if (m == "two_headers") {
      ASSERT_EQ(proofs.size(), 2u);
      EXPECT_EQ(HeaderValue(q, "Authorization"), "DPoP tok");
      // Each valid on its own, with its own jti.
      for (const std::string& p : proofs) {
        EXPECT_TRUE(jose::VerifyDpopProof(p, want, now, nullptr).ok.has_value());
      }
      EXPECT_NE(ProofClaims(proofs[0])["jti"], ProofClaims(proofs[1])["jti"]);
    } else {
      EXPECT_EQ(m, "bearer_scheme");
      EXPECT_EQ(HeaderValue(q, "Authorization"), "Bearer tok");
      ASSERT_EQ(proofs.size(), 1u);
      EXPECT_TRUE(jose::VerifyDpopProof(proofs[0], want, now, nullptr).ok.has_value());
    }
  }
}

TEST(DpopOption, BearerSchemeWithoutADpopTokenIsTheSuitesError) {
  // A literal bearer_scheme without `auth` is refused at load; a template only the run
  // resolves reaches the runner, which refuses it as the suite's error.
  DpopRun run = RunDpop(
      DpopScenario("      - request:\n"
                   "          url: ${target.url}/r\n"
                   "          dpop: {mutation: \"${env.TOLLGATE_DPOP_UNSET:-bearer_scheme}\"}\n"));
  EXPECT_TRUE(run.sent.empty());
  EXPECT_EQ(OnlyCase(run).verdict, Verdict::kError);
  EXPECT_THAT(OnlyCase(run).error, HasSubstr("bearer_scheme needs the token in `Authorization`"));
}

TEST(DpopOption, OptionsOverrideTheRequestAndSchemeSpellingIsKept) {
  DpopRun run = RunDpop(DpopScenario(
      "      - request:\n"
      "          url: ${target.url}/r\n"
      "          auth: {dpop: tok, scheme: dpop}\n"
      "          dpop: {key: k2, alg: EdDSA, htm: DELETE, htu: \"HTTP://Target.test/x\",\n"
      "                 token: other, jti: my-jti}\n"));
  ASSERT_EQ(run.sent.size(), 1u);
  EXPECT_EQ(HeaderValue(run.sent[0], "Authorization"), "dpop tok");
  std::string proof = HeaderValue(run.sent[0], "DPoP");
  nlohmann::json claims = ProofClaims(proof);
  EXPECT_EQ(claims["htm"], "DELETE");
  EXPECT_EQ(claims["htu"], "HTTP://Target.test/x");
  EXPECT_EQ(claims["jti"], "my-jti");
  EXPECT_EQ(claims["ath"], jose::AccessTokenHash("other"));
  EXPECT_EQ(jose::ParseCompact(proof)->header["alg"], "EdDSA");
}

TEST(DpopOption, TheSameKeyNameIsTheSameKeyInEveryCase) {
  DpopRun run = RunDpop(DpopScenario("      - request:\n"
                                     "          url: ${target.url}/a\n"
                                     "          headers: {X-Jwk: \"${dpop.shared.jwk}\"}\n"
                                     "          dpop: {key: shared}\n",
                                     "A") +
                        DpopScenario("      - request:\n"
                                     "          url: ${target.url}/b\n"
                                     "          dpop: {key: shared}\n"
                                     "      - request:\n"
                                     "          url: ${target.url}/c\n"
                                     "          dpop: {key: another}\n",
                                     "B"));
  ASSERT_EQ(run.sent.size(), 3u);
  std::map<std::string, std::string> jkt;  // path -> the proof's key thumbprint
  for (const ClientRequest& q : run.sent) {
    auto parts = jose::ParseCompact(HeaderValue(q, "DPoP"));
    ASSERT_TRUE(parts.ok());
    jkt[q.url.substr(q.url.rfind('/'))] = *jose::JwkThumbprint(parts->header["jwk"]);
  }
  EXPECT_EQ(jkt["/a"], jkt["/b"]);
  EXPECT_NE(jkt["/a"], jkt["/c"]);
  // ${dpop.NAME.jwk} is the public key, and only that.
  for (const ClientRequest& q : run.sent) {
    if (q.url.find("/a") == std::string::npos) continue;
    nlohmann::json jwk = nlohmann::json::parse(HeaderValue(q, "X-Jwk"));
    EXPECT_FALSE(jwk.contains("d"));
    EXPECT_EQ(*jose::JwkThumbprint(jwk), jkt["/a"]);
  }
}

TEST(DpopOption, ReusedJtiReplaysTheCasesPreviousProofAndSaveShowsIt) {
  DpopRun run =
      RunDpop(DpopScenario("      - request:\n"
                           "          url: ${target.url}/a\n"
                           "          dpop: {}\n"
                           "        save: first\n"
                           "      - request:\n"
                           "          url: ${target.url}/a\n"
                           "          headers: {X-Saved: \"${first.dpop.jti}\"}\n"
                           "          dpop: {mutation: reused_jti}\n"));
  ASSERT_EQ(run.sent.size(), 2u);
  std::string jti = ProofClaims(HeaderValue(run.sent[0], "DPoP"))["jti"];
  EXPECT_EQ(ProofClaims(HeaderValue(run.sent[1], "DPoP"))["jti"], jti);
  EXPECT_EQ(HeaderValue(run.sent[1], "X-Saved"), jti);
}

TEST(DpopOption, TheNonceOfAPreviousResponse) {
  DpopTransport transport;
  transport.answer = [](const ClientRequest& q) {
    ClientResponse r;
    r.http_version = "1.1";
    r.status = HeaderValues(q, "DPoP").empty() ? 500 : 401;
    if (r.status == 401) r.headers.Add("DPoP-Nonce", "server-nonce-7");
    return r;
  };
  OffsetClock clock;
  DpopRun run =
      RunDpop(DpopScenario("      - request:\n"
                           "          url: ${target.url}/a\n"
                           "          dpop: {}\n"
                           "        save: r\n"
                           "        expect: {status: 401}\n"
                           "      - request:\n"
                           "          url: ${target.url}/a\n"
                           "          dpop: {nonce: \"${r.response.headers.dpop-nonce}\"}\n"
                           "        expect: {status: 401}\n"),
              transport, clock);
  ASSERT_EQ(run.sent.size(), 2u);
  EXPECT_FALSE(ProofClaims(HeaderValue(run.sent[0], "DPoP")).contains("nonce"));
  EXPECT_EQ(ProofClaims(HeaderValue(run.sent[1], "DPoP"))["nonce"], "server-nonce-7");
}

TEST(DpopOption, ATokenFetchCarriesAProofForTheTokenEndpoint) {
  DpopTransport transport;
  transport.answer = [](const ClientRequest&) {
    ClientResponse r;
    r.http_version = "1.1";
    r.status = 200;
    r.body = R"({"access_token":"at-1","token_type":"DPoP","expires_in":60})";
    return r;
  };
  OffsetClock clock;
  DpopRun run =
      RunDpop(DpopScenario("      - token:\n"
                           "          fetch: {url: \"${target.url}/token\", client_id: c,\n"
                           "                  client_secret: s, dpop: {key: client}}\n"
                           "        save: t\n"
                           "      - request:\n"
                           "          url: ${target.url}/api\n"
                           "          headers: {X-Type: \"${t.token_type}\"}\n"
                           "          auth: {dpop: \"${t.access_token}\"}\n"
                           "          dpop: {key: client}\n"),
              transport, clock);
  ASSERT_EQ(run.sent.size(), 2u);
  nlohmann::json token_proof = ProofClaims(HeaderValue(run.sent[0], "DPoP"));
  EXPECT_EQ(token_proof["htm"], "POST");
  EXPECT_EQ(token_proof["htu"], std::string(kDpopTarget) + "/token");
  EXPECT_FALSE(token_proof.contains("ath"));  // the Basic client authentication is no token
  nlohmann::json api_proof = ProofClaims(HeaderValue(run.sent[1], "DPoP"));
  EXPECT_EQ(api_proof["ath"], jose::AccessTokenHash("at-1"));
  EXPECT_EQ(HeaderValue(run.sent[1], "X-Type"), "DPoP");
  EXPECT_EQ(HeaderValue(run.sent[1], "Authorization"), "DPoP at-1");
}

TEST(DpopOption, TheTranscriptShowsTheProofDecodedAndNeverAPrivateKey) {
  DpopTransport transport;
  transport.answer = [](const ClientRequest&) {
    ClientResponse r;
    r.http_version = "1.1";
    r.status = 200;  // a target that accepts it: the case fails, and keeps its evidence
    return r;
  };
  OffsetClock clock;
  DpopRun run = RunDpop(DpopScenario("      - request:\n"
                                     "          url: ${target.url}/a\n"
                                     "          auth: {dpop: tok}\n"
                                     "          dpop: {key: leaky, mutation: private_key_in_jwk}\n"
                                     "        expect: {status: 401}\n"),
                        transport, clock);
  ASSERT_EQ(run.sent.size(), 1u);
  std::string proof = HeaderValue(run.sent[0], "DPoP");
  auto parts = jose::ParseCompact(proof);
  ASSERT_TRUE(parts.ok());
  std::string d = parts->header["jwk"]["d"];
  const CaseResult& c = OnlyCase(run);
  EXPECT_EQ(c.verdict, Verdict::kFail);
  std::string shown;
  bool noted = false;
  for (const TranscriptEntry& e : c.transcript) {
    if (const auto* n = std::get_if<SignedNote>(&e)) {
      shown += n->text + "\n";
      noted = noted || n->text.find("\"htm\":\"GET\"") != std::string::npos;
    }
    if (const auto* x = std::get_if<TranscriptExchange>(&e)) {
      for (const auto& [n, v] : x->exchange.request.headers) shown += n + ": " + v + "\n";
    }
  }
  for (const StepEvidence& ev : c.evidence) {
    for (const DecodedToken& t : ev.tokens) shown += t.where + t.header + t.claims + "\n";
    if (ev.exchange) {
      for (const auto& [n, v] : ev.exchange->request.headers) shown += n + ": " + v + "\n";
    }
  }
  EXPECT_TRUE(noted) << shown;
  EXPECT_THAT(shown, HasSubstr("mutation private_key_in_jwk"));
  EXPECT_THAT(shown, HasSubstr("(private, not shown)"));
  EXPECT_THAT(shown, Not(HasSubstr(d)));
  EXPECT_THAT(shown, Not(HasSubstr(proof)));
  EXPECT_THAT(shown, Not(HasSubstr(parts->header_b64)));
}

TEST(DpopOption, TheEvidenceDecodesAnHonestProof) {
  DpopTransport transport;
  OffsetClock clock;
  DpopRun run = RunDpop(DpopScenario("      - request:\n"
                                     "          url: ${target.url}/a\n"
                                     "          dpop: {mutation: wrong_htm}\n"
                                     "        expect: {status: 401}\n"),
                        transport, clock);
  const CaseResult& c = OnlyCase(run);
  ASSERT_EQ(c.verdict, Verdict::kFail);
  ASSERT_EQ(c.evidence.size(), 1u);
  bool found = false;
  for (const DecodedToken& t : c.evidence[0].tokens) {
    if (t.where != "request DPoP proof") continue;
    found = true;
    EXPECT_THAT(t.header, HasSubstr("dpop+jwt"));
    EXPECT_THAT(t.claims, HasSubstr("\"htm\":\"POST\""));  // wrong_htm's other method
  }
  EXPECT_TRUE(found);
}

TEST(DpopOption, TheVocabularyIsNoneTheProofMutationsThenTheRequestLevelOnes) {
  RegisterVocabularies();
  std::vector<std::string> want = {"none"};
  for (const jose::MutationInfo& m : jose::DpopMutationTerms()) want.push_back(m.name);
  for (const char* m : {"missing_header", "two_headers", "bearer_scheme"}) want.push_back(m);
  std::shared_ptr<const Terms> terms = FindTerms(vocabulary::kDpopMutation);
  ASSERT_NE(terms, nullptr);
  EXPECT_EQ(TermNames(*terms), want);
}

TEST(DpopOption, NoneIsACorrectProofAndAReplayResendsTheSameProof) {
  DpopRun run =
      RunDpop(DpopScenario("      - request:\n"
                           "          url: ${target.url}/a\n"
                           "          auth: {dpop: tok}\n"
                           "          dpop: {mutation: none}\n"
                           "      - replay: previous\n"));
  ASSERT_EQ(run.sent.size(), 2u);
  jose::DpopRequirements want;
  want.htm = "GET";
  want.htu = std::string(kDpopTarget) + "/a";
  want.access_token = "tok";
  OffsetClock now;
  jose::DpopReplayCache replay;
  EXPECT_TRUE(
      jose::VerifyDpopProof(HeaderValue(run.sent[0], "DPoP"), want, now, &replay).ok.has_value());
  EXPECT_EQ(HeaderValue(run.sent[1], "DPoP"), HeaderValue(run.sent[0], "DPoP"));
  EXPECT_EQ(
      jose::VerifyDpopProof(HeaderValue(run.sent[1], "DPoP"), want, now, &replay).rejection.code,
      "replayed_jti");
}

}  // namespace
}  // namespace tollgate
