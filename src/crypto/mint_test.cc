#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "tollgate/base/clock.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr long long kNow = 1'700'000'000;  // ManualClock's default start
constexpr long long kLeeway = 60;

struct Issuer {
  Jwk key;
  Jwks published;
};

const Issuer& IssuerFor(Alg alg) {
  static std::map<Alg, Issuer>* issuers = new std::map<Alg, Issuer>();
  auto it = issuers->find(alg);
  if (it == issuers->end()) {
    Jwk key = *Jwk::Generate(alg, std::string("issuer-") + AlgName(alg));
    Jwks published;
    published.keys.push_back(*Jwk::FromJson(key.ToPublicJson()));
    it = issuers->emplace(alg, Issuer{key, published}).first;
  }
  return it->second;
}

ValidationPolicy StrictPolicy() {
  ValidationPolicy p;
  p.issuers = {"https://issuer.test"};
  p.audiences = {"payments-api"};
  p.algorithms = {Alg::kRS256, Alg::kES256};
  p.typ = "at+jwt";
  p.required_scope = "payments:write";
  p.leeway_seconds = kLeeway;
  return p;
}

MintRequest Request(const Issuer& issuer, const std::string& mutation) {
  MintRequest r;
  r.key = &issuer.key;
  r.issuer_keys = &issuer.published;
  r.header = {{"typ", "at+jwt"}};
  r.claims = {{"iss", "https://issuer.test"},
              {"aud", "payments-api"},
              {"sub", "client-1"},
              {"iat", kNow},
              {"nbf", kNow},
              {"exp", kNow + 300},
              {"scope", "payments:write"}};
  r.mutation = mutation;
  r.attacker_url = "http://127.0.0.1:9/attacker/";
  r.now = kNow;
  r.leeway_seconds = kLeeway;
  return r;
}

std::string Outcome(const std::string& token, const Issuer& issuer, const ValidationPolicy& p) {
  ManualClock clock;
  VerifyResult r = VerifyJwt(token, issuer.published, p, clock);
  return r.ok ? "accepted" : r.rejection.code;
}

struct MutationCase {
  std::string name;
  std::string expected;  // Rejection code, or "accepted"
};

// What the strict verifier answers to each mutation of an RS256 issuer's token.
const std::vector<MutationCase> kRs256Cases = {
    {"alg_none", "alg_not_allowed"},
    {"alg_none_capital", "alg_not_allowed"},
    {"alg_none_upper", "alg_not_allowed"},
    {"alg_none_mixed", "alg_not_allowed"},
    {"empty_signature", "bad_signature"},
    {"bad_signature", "bad_signature"},
    {"tampered_payload", "bad_signature"},
    {"tampered_header", "bad_signature"},
    {"hs256_public_key_pem", "alg_not_allowed"},
    {"hs256_public_key_pem_no_newline", "alg_not_allowed"},
    {"hs256_public_key_jwk", "alg_not_allowed"},
    {"es256_zero_signature", "alg_not_allowed"},  // ES256 is allowed, but not with an RSA key
    {"embedded_jwk", "unknown_kid"},
    {"jku_injection", "unknown_kid"},
    {"x5u_injection", "unknown_kid"},
    {"kid_path_traversal", "alg_not_allowed"},
    {"kid_sql_injection", "alg_not_allowed"},
    {"kid_command_injection", "unknown_kid"},
    {"unknown_kid", "unknown_kid"},
    {"hs256_blank_secret", "alg_not_allowed"},
    {"wrong_issuer", "wrong_issuer"},
    {"missing_issuer", "missing_claim"},
    {"wrong_audience", "wrong_audience"},
    {"missing_audience", "missing_claim"},
    {"wrong_typ", "wrong_typ"},
    {"missing_typ", "wrong_typ"},
    {"wrong_scope", "insufficient_scope"},
    {"missing_scope", "insufficient_scope"},
    {"expired", "expired"},
    {"expired_at_leeway_edge", "expired"},
    {"within_leeway", "accepted"},
    {"not_yet_valid", "not_yet_valid"},
    {"nbf_within_leeway", "accepted"},
    {"issued_in_future", "issued_in_future"},
    {"missing_exp", "missing_claim"},
    {"exp_as_string", "malformed"},
    {"exp_overflow", "malformed"},
    {"duplicate_alg_member", "duplicate_member"},
    {"duplicate_claim", "duplicate_member"},
    {"crit_unknown", "crit_unsupported"},
    {"crit_empty", "crit_unsupported"},
    {"padded_base64", "malformed"},
    {"plus_slash_base64", "malformed"},
    {"jws_json_serialization", "malformed"},
    {"five_segments", "malformed"},
};

TEST(Mutations, TableCoversEveryMutationInOrder) {
  std::vector<std::string> listed, tested;
  for (const MutationInfo& m : Mutations()) {
    listed.push_back(m.name);
    EXPECT_FALSE(m.description.empty()) << m.name;
    EXPECT_EQ(m.description.back(), '.') << m.name;
  }
  for (const MutationCase& c : kRs256Cases) tested.push_back(c.name);
  EXPECT_EQ(listed, tested);
}

TEST(Mutations, OnlyTheLeewayControlsAreAcceptedByACorrectTarget) {
  std::set<std::string> positive;
  for (const MutationInfo& m : Mutations()) {
    if (m.accepted_by_correct_target) positive.insert(m.name);
  }
  EXPECT_EQ(positive, (std::set<std::string>{"within_leeway", "nbf_within_leeway"}));
}

TEST(Mint, BaselineIsAcceptedForEveryIssuerAlgorithm) {
  for (Alg alg : {Alg::kRS256, Alg::kES256, Alg::kEdDSA}) {
    const Issuer& issuer = IssuerFor(alg);
    auto token = Mint(Request(issuer, ""));
    ASSERT_TRUE(token.ok()) << AlgName(alg) << ": " << token.status().ToString();
    ValidationPolicy p = StrictPolicy();
    p.algorithms.push_back(Alg::kEdDSA);
    EXPECT_EQ(Outcome(*token, issuer, p), "accepted") << AlgName(alg);
  }
}

TEST(Mint, EveryMutationMeetsTheStrictVerifier) {
  const Issuer& issuer = IssuerFor(Alg::kRS256);
  std::map<std::string, bool> accepted_by_correct;
  for (const MutationInfo& m : Mutations())
    accepted_by_correct[m.name] = m.accepted_by_correct_target;
  for (const MutationCase& c : kRs256Cases) {
    auto token = Mint(Request(issuer, c.name));
    ASSERT_TRUE(token.ok()) << c.name << ": " << token.status().ToString();
    EXPECT_EQ(Outcome(*token, issuer, StrictPolicy()), c.expected) << c.name;
    EXPECT_EQ(c.expected == "accepted", accepted_by_correct[c.name]) << c.name;
  }
}

TEST(Mint, ConfusionTokensFailEvenWhenHs256IsAllowed) {
  const Issuer& issuer = IssuerFor(Alg::kRS256);
  ValidationPolicy p = StrictPolicy();
  p.algorithms.push_back(Alg::kHS256);
  for (const char* name : {"hs256_public_key_pem", "hs256_public_key_pem_no_newline",
                           "hs256_public_key_jwk", "hs256_blank_secret"}) {
    auto token = Mint(Request(issuer, name));
    ASSERT_TRUE(token.ok()) << name;
    EXPECT_EQ(Outcome(*token, issuer, p), "alg_not_allowed") << name;
  }
}

TEST(Mint, Es256ZeroSignatureIsABadSignatureForAnEs256Issuer) {
  const Issuer& issuer = IssuerFor(Alg::kES256);
  auto token = Mint(Request(issuer, "es256_zero_signature"));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(Outcome(*token, issuer, StrictPolicy()), "bad_signature");
  auto parts = ParseCompact(*token);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->signature, std::string(64, '\0'));
}

// The mutations are what their names say, not just rejected for some other reason.
TEST(Mint, MutationsHaveTheirShape) {
  const Issuer& issuer = IssuerFor(Alg::kRS256);
  auto mint = [&](const std::string& name) { return *Mint(Request(issuer, name)); };
  auto header_text = [](const std::string& token) {
    return *Base64UrlDecode(token.substr(0, token.find('.')));
  };
  auto payload_text = [](const std::string& token) {
    size_t a = token.find('.');
    return *Base64UrlDecode(token.substr(a + 1, token.find('.', a + 1) - a - 1));
  };
  const Jwk& key = issuer.key;

  EXPECT_THAT(header_text(mint("alg_none_mixed")), HasSubstr(R"("alg":"nOnE")"));
  EXPECT_EQ(mint("alg_none").back(), '.');
  EXPECT_EQ(mint("empty_signature").back(), '.');
  EXPECT_THAT(header_text(mint("empty_signature")), HasSubstr(R"("alg":"RS256")"));

  // Confusion: HS256 keyed with exactly the public key bytes.
  auto pem_token = ParseCompact(mint("hs256_public_key_pem"));
  EXPECT_TRUE(VerifySignature(*pem_token, Jwk::FromSecret(key.PublicPem(), ""), Alg::kHS256).ok());
  std::string no_newline = key.PublicPem();
  no_newline.pop_back();
  auto nl_token = ParseCompact(mint("hs256_public_key_pem_no_newline"));
  EXPECT_TRUE(VerifySignature(*nl_token, Jwk::FromSecret(no_newline, ""), Alg::kHS256).ok());
  auto jwk_token = ParseCompact(mint("hs256_public_key_jwk"));
  EXPECT_TRUE(
      VerifySignature(*jwk_token, Jwk::FromSecret(key.ToPublicJson().dump(), ""), Alg::kHS256)
          .ok());
  auto blank = ParseCompact(mint("hs256_blank_secret"));
  EXPECT_TRUE(VerifySignature(*blank, Jwk::FromSecret("", ""), Alg::kHS256).ok());
  EXPECT_EQ(blank->header["kid"], key.kid());
  auto sql = ParseCompact(mint("kid_sql_injection"));
  EXPECT_EQ(sql->header["kid"], "x' UNION SELECT '1';--");
  EXPECT_TRUE(VerifySignature(*sql, Jwk::FromSecret("1", ""), Alg::kHS256).ok());
  auto traversal = ParseCompact(mint("kid_path_traversal"));
  EXPECT_EQ(traversal->header["kid"], "../../../../../../dev/null");
  auto command = ParseCompact(mint("kid_command_injection"));
  EXPECT_EQ(command->header["kid"], "|sleep 10");
  EXPECT_TRUE(VerifySignature(*command, key, Alg::kRS256).ok());

  // Attacker keys: signed by the key the header points to.
  auto embedded = ParseCompact(mint("embedded_jwk"));
  auto attacker = Jwk::FromJson(embedded->header["jwk"]);
  ASSERT_TRUE(attacker.ok());
  EXPECT_EQ(embedded->header["kid"], attacker->kid());
  EXPECT_TRUE(VerifySignature(*embedded, *attacker, Alg::kRS256).ok());
  EXPECT_EQ(ParseCompact(mint("jku_injection"))->header["jku"],
            "http://127.0.0.1:9/attacker/jwks.json");
  EXPECT_EQ(ParseCompact(mint("x5u_injection"))->header["x5u"],
            "http://127.0.0.1:9/attacker/cert.pem");
  EXPECT_NE(ParseCompact(mint("unknown_kid"))->header["kid"], key.kid());

  // Tampering keeps the issuer's signature over other bytes.
  auto baseline = ParseCompact(*Mint(Request(issuer, "")));
  auto tampered = ParseCompact(mint("tampered_payload"));
  EXPECT_EQ(tampered->signature, baseline->signature);
  EXPECT_EQ(json::parse(tampered->payload)["admin"], true);
  EXPECT_EQ(ParseCompact(mint("tampered_header"))->signature, baseline->signature);

  // Textual JSON defects, validly signed.
  EXPECT_THAT(header_text(mint("duplicate_alg_member")),
              ::testing::StartsWith(R"({"alg":"RS256","alg":"none",)"));
  // The hostile duplicate comes last: a last-wins parser (nlohmann's, Python's) reads the
  // expired exp and refuses; only a first-wins parser sees the valid one.
  std::string duplicate = payload_text(mint("duplicate_claim"));
  std::size_t first_exp = duplicate.find(R"("exp":)"), last_exp = duplicate.rfind(R"("exp":)");
  ASSERT_NE(first_exp, std::string::npos);
  ASSERT_NE(first_exp, last_exp);
  EXPECT_GT(std::stoll(duplicate.substr(first_exp + 6)), kNow + kLeeway);
  EXPECT_EQ(std::stoll(duplicate.substr(last_exp + 6)), kNow - kLeeway - 60);
  EXPECT_EQ(json::parse(duplicate)["exp"], kNow - kLeeway - 60);
  EXPECT_THAT(payload_text(mint("exp_overflow")), HasSubstr(R"("exp":18446744073709551616)"));
  EXPECT_THAT(payload_text(mint("exp_as_string")), HasSubstr(R"("exp":"1700000300")"));
  EXPECT_THAT(header_text(mint("crit_unknown")), HasSubstr(R"("crit":["tollgate-ext"])"));
  EXPECT_THAT(header_text(mint("crit_empty")), HasSubstr(R"("crit":[])"));

  // Encoding defects.
  std::string padded = mint("padded_base64");
  EXPECT_THAT(padded, ::testing::ContainsRegex("[A-Za-z0-9_-]=+\\."));
  std::string plus_slash = mint("plus_slash_base64");
  EXPECT_NE(plus_slash.find_first_of("+/"), std::string::npos);
  json flattened = json::parse(mint("jws_json_serialization"));
  EXPECT_EQ(flattened["signature"], baseline->signature_b64);
  std::string five = mint("five_segments");
  EXPECT_EQ(std::count(five.begin(), five.end(), '.'), 4);

  // Time edges sit where the leeway says.
  auto exp_of = [&](const std::string& name) {
    return json::parse(payload_text(mint(name)))["exp"].get<long long>();
  };
  EXPECT_EQ(exp_of("expired"), kNow - kLeeway - 60);
  EXPECT_EQ(exp_of("expired_at_leeway_edge"), kNow - kLeeway - 5);
  EXPECT_EQ(exp_of("within_leeway"), kNow - kLeeway + 5);
  EXPECT_EQ(json::parse(payload_text(mint("nbf_within_leeway")))["nbf"], kNow + kLeeway - 5);
  EXPECT_EQ(json::parse(payload_text(mint("issued_in_future")))["iat"], kNow + kLeeway + 60);
}

TEST(Mint, AddsClaimsAMutationNeeds) {
  const Issuer& issuer = IssuerFor(Alg::kRS256);
  MintRequest r = Request(issuer, "wrong_scope");
  r.claims.erase("scope");
  auto token = Mint(r);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(json::parse(ParseCompact(*token)->payload)["scope"], "tollgate:unrelated");
}

TEST(Mint, UsesTheCallersAttackerKey) {
  const Issuer& issuer = IssuerFor(Alg::kRS256);
  auto attacker = Jwk::Generate(Alg::kES256, "attacker-fixed");
  MintRequest r = Request(issuer, "jku_injection");
  r.attacker_key = &*attacker;
  auto parts = ParseCompact(*Mint(r));
  EXPECT_EQ(parts->header["kid"], "attacker-fixed");
  EXPECT_EQ(parts->header["alg"], "ES256");
  EXPECT_TRUE(VerifySignature(*parts, *attacker, Alg::kES256).ok());
}

TEST(Mint, ErrorsNameTheProblem) {
  const Issuer& issuer = IssuerFor(Alg::kRS256);
  auto unknown = Mint(Request(issuer, "alg_nope"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  for (const MutationInfo& m : Mutations())
    EXPECT_THAT(unknown.status().message(), HasSubstr(m.name));

  MintRequest no_url = Request(issuer, "jku_injection");
  no_url.attacker_url.clear();
  EXPECT_THAT(Mint(no_url).status().message(), HasSubstr("needs attacker_url"));

  MintRequest no_key = Request(issuer, "");
  no_key.key = nullptr;
  EXPECT_EQ(Mint(no_key).status().code(), StatusCode::kInvalidArgument);

  Jwk secret = Jwk::FromSecret("0123456789abcdef0123456789abcdef", "h");
  MintRequest hmac_issuer = Request(issuer, "hs256_public_key_pem");
  hmac_issuer.key = &secret;
  hmac_issuer.issuer_keys = nullptr;
  EXPECT_EQ(Mint(hmac_issuer).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tollgate::jose
