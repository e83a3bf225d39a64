#include "tollgate/crypto/dpop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/base/encoding.h"

namespace tollgate::jose {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr char kHtu[] = "https://api.example.test/v1/payments";
constexpr char kToken[] = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjbGllbnQtMSJ9.c2ln";
constexpr char kNonce[] = "eyJ7S_zG.eyJH0-Z.HX4w-7v";

// RFC 9449 §4.1 and §7.1: the example key, the token-endpoint proof and the resource-request
// proof with the example access token.
constexpr char kRfcHeader[] =
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0Vj"
    "NoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5"
    "VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19";
constexpr char kRfcTokenProofRest[] =
    ".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1w"
    "bGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4P"
    "tFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
constexpr char kRfcResourceProofRest[] =
    ".eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFt"
    "cGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNF"
    "c05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxH"
    "F8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA";
constexpr char kRfcAccessToken[] = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
constexpr char kRfcJkt[] = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

ManualClock::TimePoint At(long long seconds) {
  return ManualClock::TimePoint(std::chrono::seconds(seconds));
}

const Jwk& Key(Alg alg) {
  static std::map<Alg, Jwk>* keys = new std::map<Alg, Jwk>;
  auto it = keys->find(alg);
  if (it == keys->end()) it = keys->emplace(alg, *Jwk::Generate(alg, "client")).first;
  return it->second;
}

DpopProofRequest Request(const Jwk& key, std::string mutation = "") {
  DpopProofRequest r;
  r.key = &key;
  r.htm = "POST";
  r.htu = kHtu;
  r.access_token = kToken;
  r.nonce = kNonce;
  r.jti = "jti-1";
  r.mutation = std::move(mutation);
  r.skew_seconds = 60;
  return r;
}

DpopRequirements Requirements(const Jwk& key) {
  DpopRequirements q;
  q.htm = "POST";
  q.htu = std::string(kHtu) + "?page=2";  // the request's query is not part of htu
  q.access_token = kToken;
  q.jkt = key.Thumbprint();
  q.nonce = kNonce;
  q.iat_skew_seconds = 60;
  return q;
}

json Decode(const std::string& segment) { return json::parse(*Base64UrlDecode(segment)); }

TEST(Dpop, ThumbprintMatchesRfc9449Example) {
  json jwk = json::parse(*Base64UrlDecode(kRfcHeader))["jwk"];
  EXPECT_EQ(*JwkThumbprint(jwk), kRfcJkt);
  EXPECT_EQ(Jwk::FromJson(jwk)->Thumbprint(), kRfcJkt);
}

TEST(Dpop, AccessTokenHashMatchesRfc9449Example) {
  EXPECT_EQ(AccessTokenHash(kRfcAccessToken), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
}

TEST(Dpop, AcceptsRfc9449TokenRequestProof) {
  ManualClock clock(At(1562262616));
  DpopRequirements q;
  q.htm = "POST";
  q.htu = "https://server.example.com/token";
  DpopVerifyResult r =
      VerifyDpopProof(std::string(kRfcHeader) + kRfcTokenProofRest, q, clock, nullptr);
  ASSERT_TRUE(r.ok) << r.rejection.code << ": " << r.rejection.description;
  EXPECT_EQ(r.ok->jkt, kRfcJkt);
  EXPECT_EQ(r.ok->claims["jti"], "-BwC3ESc6acc2lTc");
}

TEST(Dpop, AcceptsRfc9449ResourceRequestProofAndChecksItsBinding) {
  ManualClock clock(At(1562262618));
  DpopRequirements q;
  q.htm = "GET";
  q.htu = "https://resource.example.org/protectedresource";
  q.access_token = kRfcAccessToken;
  q.jkt = kRfcJkt;
  std::string proof = std::string(kRfcHeader) + kRfcResourceProofRest;
  DpopVerifyResult r = VerifyDpopProof(proof, q, clock, nullptr);
  ASSERT_TRUE(r.ok) << r.rejection.code << ": " << r.rejection.description;

  q.access_token = "another-token";
  EXPECT_EQ(VerifyDpopProof(proof, q, clock, nullptr).rejection.code, "wrong_ath");
  q.access_token = kRfcAccessToken;
  q.jkt = Key(Alg::kES256).Thumbprint();
  DpopRejection mismatch = VerifyDpopProof(proof, q, clock, nullptr).rejection;
  EXPECT_EQ(mismatch.code, "jkt_mismatch");
  EXPECT_EQ(mismatch.error, "invalid_token");
}

TEST(Dpop, BuildsTheProofRfc9449Describes) {
  ManualClock clock(At(1'700'000'000));
  DpopProofRequest req = Request(Key(Alg::kES256));
  req.htu = std::string(kHtu) + "?page=2#top";
  StatusOr<std::string> proof = BuildDpopProof(req, clock);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  StatusOr<JwsParts> parts = ParseCompact(*proof);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->header["typ"], "dpop+jwt");
  EXPECT_EQ(parts->header["alg"], "ES256");
  json expected_jwk = Key(Alg::kES256).ToPublicJson();
  for (const char* name : {"kid", "alg", "use"}) expected_jwk.erase(name);
  EXPECT_EQ(parts->header["jwk"], expected_jwk);
  json claims = json::parse(parts->payload);
  EXPECT_EQ(claims, (json{{"jti", "jti-1"},
                          {"htm", "POST"},
                          {"htu", kHtu},
                          {"iat", 1'700'000'000},
                          {"ath", AccessTokenHash(kToken)},
                          {"nonce", kNonce}}));
}

TEST(Dpop, GeneratesAFreshJtiEachTime) {
  ManualClock clock;
  DpopProofRequest req = Request(Key(Alg::kES256));
  req.jti.clear();
  std::set<std::string> jtis;
  for (int i = 0; i < 3; ++i) {
    std::string proof = *BuildDpopProof(req, clock);
    jtis.insert(Decode(proof.substr(proof.find('.') + 1, proof.rfind('.') - proof.find('.') - 1))
                    .at("jti"));
  }
  EXPECT_EQ(jtis.size(), 3u);
  EXPECT_EQ(jtis.begin()->size(), 22u);  // 16 bytes, base64url
}

TEST(Dpop, RefusesKeysThatCannotSignAProof) {
  ManualClock clock;
  const Jwk secret = Jwk::FromSecret(std::string(32, 'k'), "s");  // outlives `req`
  DpopProofRequest req = Request(secret);
  EXPECT_THAT(BuildDpopProof(req, clock).status().message(), HasSubstr("asymmetric"));
  req = Request(Key(Alg::kES256), "no_such_mutation");
  EXPECT_THAT(BuildDpopProof(req, clock).status().message(), HasSubstr("known: wrong_htm"));
  req = Request(Key(Alg::kES256), "missing_ath");
  req.access_token.clear();
  EXPECT_THAT(BuildDpopProof(req, clock).status().message(), HasSubstr("needs an access token"));
}

// Each mutation against a verifier that expects the correct proof: the specific refusal,
// or acceptance for the positive controls.
struct Expected {
  const char* code;
  const char* error;
};
const std::map<std::string, Expected>& ExpectedRefusals() {
  static const std::map<std::string, Expected> kExpected = {
      {"wrong_htm", {"wrong_htm", "invalid_dpop_proof"}},
      {"htu_other_path", {"wrong_htu", "invalid_dpop_proof"}},
      {"htu_other_host", {"wrong_htu", "invalid_dpop_proof"}},
      {"htu_other_scheme", {"wrong_htu", "invalid_dpop_proof"}},
      {"missing_ath", {"missing_ath", "invalid_dpop_proof"}},
      {"wrong_ath", {"wrong_ath", "invalid_dpop_proof"}},
      {"other_token_ath", {"wrong_ath", "invalid_dpop_proof"}},
      {"iat_stale", {"stale_iat", "invalid_dpop_proof"}},
      {"iat_future", {"future_iat", "invalid_dpop_proof"}},
      {"reused_jti", {"replayed_jti", "invalid_dpop_proof"}},
      {"wrong_typ", {"wrong_typ", "invalid_dpop_proof"}},
      {"alg_none", {"alg_not_allowed", "invalid_dpop_proof"}},
      {"hs256_public_key", {"alg_not_allowed", "invalid_dpop_proof"}},
      {"private_key_in_jwk", {"private_jwk", "invalid_dpop_proof"}},
      {"alg_key_mismatch", {"bad_jwk", "invalid_dpop_proof"}},
      {"signed_by_other_key", {"bad_signature", "invalid_dpop_proof"}},
      {"jwk_not_bound", {"jkt_mismatch", "invalid_token"}},
      {"missing_nonce", {"nonce_required", "use_dpop_nonce"}},
      {"wrong_nonce", {"wrong_nonce", "use_dpop_nonce"}},
  };
  return kExpected;
}

class DpopMutation : public ::testing::TestWithParam<Alg> {};

TEST_P(DpopMutation, EachIsRefusedWithItsErrorAndEachControlAccepted) {
  const Jwk& key = Key(GetParam());
  ManualClock clock(At(1'700'000'000));
  for (const MutationInfo& m : DpopMutationTerms()) {
    SCOPED_TRACE(m.name);
    DpopReplayCache cache;
    DpopRequirements q = Requirements(key);
    if (m.name == "reused_jti") {
      // The first use of the jti is accepted; the mutation is its second use.
      ASSERT_TRUE(VerifyDpopProof(*BuildDpopProof(Request(key), clock), q, clock, &cache).ok);
    }
    StatusOr<std::string> proof = BuildDpopProof(Request(key, m.name), clock);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    DpopVerifyResult r = VerifyDpopProof(*proof, q, clock, &cache);
    if (m.accepted_by_correct_target) {
      EXPECT_TRUE(r.ok) << r.rejection.code << ": " << r.rejection.description;
      EXPECT_EQ(ExpectedRefusals().count(m.name), 0u);
      continue;
    }
    ASSERT_EQ(ExpectedRefusals().count(m.name), 1u) << "no expected refusal for " << m.name;
    const Expected& want = ExpectedRefusals().at(m.name);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.rejection.code, want.code) << r.rejection.description;
    EXPECT_EQ(r.rejection.error, want.error);
  }
}

INSTANTIATE_TEST_SUITE_P(Algs, DpopMutation,
                         ::testing::Values(Alg::kES256, Alg::kES384, Alg::kEdDSA, Alg::kRS256),
                         [](const auto& info) { return std::string(AlgName(info.param)); });

TEST(Dpop, EveryExpectedRefusalNamesAMutation) {
  std::set<std::string> names;
  for (const MutationInfo& m : DpopMutationTerms()) {
    EXPECT_TRUE(names.insert(m.name).second) << "duplicate " << m.name;
    EXPECT_FALSE(m.description.empty()) << m.name;
  }
  for (const auto& [name, expected] : ExpectedRefusals()) EXPECT_TRUE(names.count(name)) << name;
}

TEST(Dpop, CorrectProofPassesWithItsThumbprint) {
  const Jwk& key = Key(Alg::kES256);
  ManualClock clock(At(1'700'000'000));
  DpopVerifyResult r =
      VerifyDpopProof(*BuildDpopProof(Request(key), clock), Requirements(key), clock, nullptr);
  ASSERT_TRUE(r.ok) << r.rejection.code;
  EXPECT_EQ(r.ok->jkt, key.Thumbprint());
  EXPECT_EQ(r.ok->claims["htm"], "POST");
}

// The two lenient switches of a deliberately broken verifier let exactly their proofs
// through; every other check still applies.
TEST(Dpop, LenientSwitchesAcceptOnlyTheirProofs) {
  const Jwk& key = Key(Alg::kES256);
  ManualClock clock(At(1'700'000'000));
  auto verify = [&](const std::string& mutation, bool symmetric, bool private_jwk) {
    DpopRequirements q = Requirements(key);
    q.accept_symmetric = symmetric;
    q.accept_private_jwk = private_jwk;
    return VerifyDpopProof(*BuildDpopProof(Request(key, mutation), clock), q, clock, nullptr);
  };
  for (const char* m : {"alg_none", "hs256_public_key"}) {
    EXPECT_FALSE(verify(m, false, true).ok) << m;
    DpopVerifyResult r = verify(m, true, false);
    ASSERT_TRUE(r.ok) << m << ": " << r.rejection.code;
    EXPECT_EQ(r.ok->jkt, key.Thumbprint());
  }
  EXPECT_FALSE(verify("private_key_in_jwk", true, false).ok);
  DpopVerifyResult r = verify("private_key_in_jwk", false, true);
  ASSERT_TRUE(r.ok) << r.rejection.code;
  EXPECT_EQ(r.ok->jkt, key.Thumbprint());
  // The signature and the claims are still checked.
  EXPECT_EQ(verify("signed_by_other_key", true, true).rejection.code, "bad_signature");
  EXPECT_EQ(verify("wrong_htm", true, true).rejection.code, "wrong_htm");
}

// RFC 7518 §3.4: ES256 is P-256. The proof says ES256, carries a P-384 key and is signed by
// it with SHA-256, R||S 48 bytes each: it verifies only where the curve is ignored.
TEST(Dpop, AlgKeyMismatchIsAnEs256ProofByAP384Key) {
  const Jwk& p384 = Key(Alg::kES384);
  ManualClock clock(At(1'700'000'000));
  StatusOr<std::string> proof = BuildDpopProof(Request(p384, "alg_key_mismatch"), clock);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  StatusOr<JwsParts> parts = ParseCompact(*proof);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->header["alg"], "ES256");
  EXPECT_EQ(parts->header["typ"], "dpop+jwt");
  EXPECT_EQ(parts->header["jwk"]["kty"], "EC");
  EXPECT_EQ(parts->header["jwk"]["crv"], "P-384");
  EXPECT_FALSE(parts->header["jwk"].contains("d"));
  EXPECT_EQ(*JwkThumbprint(parts->header["jwk"]), p384.Thumbprint());
  EXPECT_EQ(parts->signature.size(), 96u);
  EXPECT_EQ(json::parse(parts->payload)["htm"], "POST");

  // With a key of another curve the proof is still an ES256 one by a P-384 key.
  StatusOr<std::string> other =
      BuildDpopProof(Request(Key(Alg::kES256), "alg_key_mismatch"), clock);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  json header = ParseCompact(*other)->header;
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["jwk"]["crv"], "P-384");
  EXPECT_NE(*JwkThumbprint(header["jwk"]), Key(Alg::kES256).Thumbprint());
}

// The reference verifier refuses the key that does not fit alg; the broken verifier's switch
// takes it (the signature checked on the key's own curve) and nothing else besides.
TEST(Dpop, AlgKeyMismatchSwitchTakesOnlyThatProof) {
  const Jwk& p384 = Key(Alg::kES384);
  ManualClock clock(At(1'700'000'000));
  std::string proof = *BuildDpopProof(Request(p384, "alg_key_mismatch"), clock);
  DpopRequirements q = Requirements(p384);
  DpopVerifyResult refused = VerifyDpopProof(proof, q, clock, nullptr);
  ASSERT_FALSE(refused.ok);
  EXPECT_EQ(refused.rejection.code, "bad_jwk");
  EXPECT_EQ(refused.rejection.error, "invalid_dpop_proof");

  q.accept_alg_key_mismatch = true;
  DpopVerifyResult taken = VerifyDpopProof(proof, q, clock, nullptr);
  ASSERT_TRUE(taken.ok) << taken.rejection.code << ": " << taken.rejection.description;
  EXPECT_EQ(taken.ok->jkt, p384.Thumbprint());
  // The signature still counts: one byte changed is refused.
  std::string tampered = proof;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(VerifyDpopProof(tampered, q, clock, nullptr).rejection.code, "bad_signature");
  // So do the other checks, and a correct proof still passes.
  EXPECT_EQ(VerifyDpopProof(*BuildDpopProof(Request(p384, "private_key_in_jwk"), clock), q, clock,
                            nullptr)
                .rejection.code,
            "private_jwk");
  EXPECT_EQ(VerifyDpopProof(*BuildDpopProof(Request(p384, "alg_none"), clock), q, clock, nullptr)
                .rejection.code,
            "alg_not_allowed");
  EXPECT_TRUE(VerifyDpopProof(*BuildDpopProof(Request(p384), clock), q, clock, nullptr).ok);
}

TEST(Dpop, IatWindowEdgesAreInclusive) {
  const Jwk& key = Key(Alg::kES256);
  ManualClock clock(At(1'700'000'000));
  std::string proof = *BuildDpopProof(Request(key), clock);
  DpopRequirements q = Requirements(key);
  clock.Advance(std::chrono::seconds(60));
  EXPECT_TRUE(VerifyDpopProof(proof, q, clock, nullptr).ok);
  clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ(VerifyDpopProof(proof, q, clock, nullptr).rejection.code, "stale_iat");
  clock.Set(At(1'700'000'000 - 60));
  EXPECT_TRUE(VerifyDpopProof(proof, q, clock, nullptr).ok);
  clock.Set(At(1'700'000'000 - 61));
  EXPECT_EQ(VerifyDpopProof(proof, q, clock, nullptr).rejection.code, "future_iat");
}

TEST(Dpop, RefusesWhatTheBuilderNeverMakes) {
  const Jwk& key = Key(Alg::kES256);
  ManualClock clock(At(1'700'000'000));
  DpopRequirements q = Requirements(key);
  std::string proof = *BuildDpopProof(Request(key), clock);
  std::string header_b64 = proof.substr(0, proof.find('.'));
  std::string rest = proof.substr(proof.find('.'));
  auto with_header = [&](const json& header) { return Base64UrlEncode(header.dump()) + rest; };
  json header = Decode(header_b64);
  struct Case {
    const char* name;
    std::string proof;
    const char* code;
  };
  json no_jwk = header;
  no_jwk.erase("jwk");
  json oct_jwk = header;
  oct_jwk["jwk"] = {{"kty", "oct"}, {"k", Base64UrlEncode(std::string(32, 'k'))}};
  json crit = header;
  crit["crit"] = json::array({"exp"});
  json app_typ = header;
  app_typ["typ"] = "application/DPoP+JWT";
  std::vector<Case> cases = {
      {"two segments", proof.substr(0, proof.rfind('.')), "malformed"},
      {"no jwk", with_header(no_jwk), "missing_jwk"},
      {"oct jwk", with_header(oct_jwk), "bad_jwk"},
      {"crit", with_header(crit), "crit_unsupported"},
      // The header is signed: any change to it breaks the signature.
      {"typ spelled as a media type", with_header(app_typ), "bad_signature"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(VerifyDpopProof(c.proof, q, clock, nullptr).rejection.code, c.code);
  }
  q.algorithms = {Alg::kEdDSA};
  EXPECT_EQ(VerifyDpopProof(proof, q, clock, nullptr).rejection.code, "alg_not_allowed");
  q = Requirements(key);
  q.htm = "post";
  EXPECT_EQ(VerifyDpopProof(proof, q, clock, nullptr).rejection.code, "wrong_htm");
}

TEST(Dpop, AcceptsAProofWithoutTokenOrNonceWhenNoneIsRequired) {
  const Jwk& key = Key(Alg::kES256);
  ManualClock clock(At(1'700'000'000));
  DpopProofRequest req = Request(key);
  req.access_token.clear();
  req.nonce.clear();
  DpopRequirements q = Requirements(key);
  q.access_token.reset();
  q.nonce.reset();
  q.jkt.reset();
  EXPECT_TRUE(VerifyDpopProof(*BuildDpopProof(req, clock), q, clock, nullptr).ok);
  // With a token presented, the proof must carry ath.
  q.access_token = kToken;
  EXPECT_EQ(VerifyDpopProof(*BuildDpopProof(req, clock), q, clock, nullptr).rejection.code,
            "missing_ath");
}

TEST(Dpop, NormalizesHtuAsRfc3986Says) {
  EXPECT_EQ(NormalizeHtu("HTTPS://API.Example.TEST:443/v1/Pay?x=1#f"),
            "https://api.example.test/v1/Pay");
  EXPECT_EQ(NormalizeHtu("http://h:80"), "http://h/");
  EXPECT_EQ(NormalizeHtu("http://h:8080/a"), "http://h:8080/a");
  EXPECT_EQ(NormalizeHtu("https://User@H/a"), "https://User@h/a");
  EXPECT_EQ(NormalizeHtu("https://[::1]:443/a"), "https://[::1]/a");
  // The path keeps its case: /v1/Pay and /v1/pay are different resources.
  EXPECT_NE(NormalizeHtu("https://h/v1/Pay"), NormalizeHtu("https://h/v1/pay"));
}

TEST(DpopReplayCache, RefusesASecondUseUntilExpiryAndStaysBounded) {
  DpopReplayCache cache(2);
  EXPECT_EQ(cache.Insert("a", 100, 50), DpopReplayCache::Outcome::kNew);
  EXPECT_EQ(cache.Insert("a", 100, 60), DpopReplayCache::Outcome::kReplay);
  EXPECT_EQ(cache.Insert("b", 120, 60), DpopReplayCache::Outcome::kNew);
  EXPECT_EQ(cache.Insert("c", 120, 60), DpopReplayCache::Outcome::kFull);
  EXPECT_EQ(cache.Insert("a", 100, 100), DpopReplayCache::Outcome::kReplay);  // still live
  EXPECT_EQ(cache.Insert("c", 130, 101), DpopReplayCache::Outcome::kNew);     // a expired
  EXPECT_EQ(cache.size(), 2u);
}

TEST(DpopReplayCache, ConcurrentCopiesOfOneProofPassOnce) {
  const Jwk& key = Key(Alg::kES256);
  ManualClock clock(At(1'700'000'000));
  const std::string proof = *BuildDpopProof(Request(key), clock);
  const DpopRequirements q = Requirements(key);
  DpopReplayCache cache;
  std::atomic<int> accepted{0}, replayed{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      DpopVerifyResult r = VerifyDpopProof(proof, q, clock, &cache);
      if (r.ok) {
        ++accepted;
      } else if (r.rejection.code == "replayed_jti") {
        ++replayed;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(replayed.load(), 7);
  EXPECT_EQ(other.load(), 0);
}

TEST(Dpop, FullReplayCacheRefusesRatherThanForgets) {
  const Jwk& key = Key(Alg::kES256);
  ManualClock clock(At(1'700'000'000));
  DpopReplayCache cache(1);
  DpopRequirements q = Requirements(key);
  ASSERT_TRUE(VerifyDpopProof(*BuildDpopProof(Request(key), clock), q, clock, &cache).ok);
  DpopProofRequest second = Request(key);
  second.jti = "jti-2";
  EXPECT_EQ(VerifyDpopProof(*BuildDpopProof(second, clock), q, clock, &cache).rejection.code,
            "replay_cache_full");
  clock.Advance(std::chrono::seconds(61));
  // The first entry has expired (its proof is out of the window): room for another.
  second.jti = "jti-3";
  EXPECT_TRUE(VerifyDpopProof(*BuildDpopProof(second, clock), q, clock, &cache).ok);
}

TEST(Dpop, ChallengeCarriesTheErrorAndTheAlgorithms) {
  DpopRejection r{"wrong_htu", "invalid_dpop_proof", "htu \"x\" is \\ wrong"};
  EXPECT_EQ(DpopChallenge(r, {Alg::kES256, Alg::kHS256, Alg::kEdDSA}),
            "DPoP error=\"invalid_dpop_proof\", error_description=\"htu \\\"x\\\" is \\\\ wrong\", "
            "algs=\"ES256 EdDSA\"");
}

}  // namespace
}  // namespace tollgate::jose
