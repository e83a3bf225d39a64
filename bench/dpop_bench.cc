// DPoP proofs per second on one core: built (BuildDpopProof: header, claims, ath, signature)
// and verified (VerifyDpopProof: every check of RFC 9449 §4.3 and §7.1, with the jti replay
// cache), for ES256, EdDSA and RS256. bench/dpop.sh sets these against `openssl speed`.
//
//   tollgate_bench_dpop [--seconds S] [--alg ALG]   one JSON document of rates
//   tollgate_bench_dpop --emit          proofs and hostile variants for tests/peers/dpop_peer.py

#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/crypto/dpop.h"

namespace {

using Steady = std::chrono::steady_clock;
using tollgate::jose::Alg;

constexpr char kHtu[] = "https://127.0.0.1:8443/v1/payments";
constexpr char kToken[] = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjbGllbnQtMSJ9.c2lnbmF0dXJl";
constexpr char kNonce[] = "n-3Yb6rM1kQ";

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

tollgate::jose::DpopProofRequest Request(const tollgate::jose::Jwk& key) {
  tollgate::jose::DpopProofRequest r;
  r.key = &key;
  r.htm = "POST";
  r.htu = kHtu;
  r.access_token = kToken;
  r.nonce = kNonce;
  return r;
}

tollgate::jose::DpopRequirements Requirements(const tollgate::jose::Jwk& key) {
  tollgate::jose::DpopRequirements q;
  q.htm = "POST";
  q.htu = kHtu;
  q.access_token = kToken;
  q.jkt = key.Thumbprint();
  q.nonce = kNonce;
  return q;
}

// Builds for `seconds`, keeping every proof; then verifies them for `seconds`, each once per
// replay cache (a fresh cache each time the list starts over). -1 rates on a failure.
nlohmann::json Measure(Alg alg, double seconds, const tollgate::Clock& clock) {
  auto key = tollgate::jose::Jwk::Generate(alg, "bench");
  if (!key.ok()) return {{"error", key.status().ToString()}};
  tollgate::jose::DpopProofRequest req = Request(*key);
  std::vector<std::string> proofs;
  auto t0 = Steady::now();
  while (Seconds(t0) < seconds) {
    auto proof = tollgate::jose::BuildDpopProof(req, clock);
    if (!proof.ok()) return {{"error", proof.status().ToString()}};
    proofs.push_back(std::move(*proof));
  }
  double build_rate = static_cast<double>(proofs.size()) / Seconds(t0);

  tollgate::jose::DpopRequirements q = Requirements(*key);
  auto cache = std::make_unique<tollgate::jose::DpopReplayCache>();
  long verified = 0;
  std::size_t next = 0;
  t0 = Steady::now();
  while (Seconds(t0) < seconds) {
    if (next == proofs.size()) {
      next = 0;
      cache = std::make_unique<tollgate::jose::DpopReplayCache>();
    }
    auto r = tollgate::jose::VerifyDpopProof(proofs[next++], q, clock, cache.get());
    if (!r.ok) return {{"error", r.rejection.code + ": " + r.rejection.description}};
    ++verified;
  }
  double verify_rate = static_cast<double>(verified) / Seconds(t0);
  return {{"alg", tollgate::jose::AlgName(alg)},
          {"proofs_built_per_second", build_rate},
          {"proofs_verified_per_second", verify_rate},
          {"distinct_proofs", proofs.size()}};
}

// For the peer test: one correct proof per algorithm with what it was made for, and every
// mutation of it, marked accepted or not by a correct verifier.
int Emit(const tollgate::Clock& clock) {
  nlohmann::json out = {{"now", clock.NowSeconds()},      {"htm", "POST"},   {"htu", kHtu},
                        {"access_token", kToken},         {"nonce", kNonce}, {"skew_seconds", 60},
                        {"keys", nlohmann::json::array()}};
  for (Alg alg : {Alg::kES256, Alg::kEdDSA, Alg::kRS256}) {
    auto key = tollgate::jose::Jwk::Generate(alg, "peer");
    if (!key.ok()) return 2;
    tollgate::jose::DpopProofRequest req = Request(*key);
    auto proof = tollgate::jose::BuildDpopProof(req, clock);
    if (!proof.ok()) return 2;
    nlohmann::json entry = {{"alg", tollgate::jose::AlgName(alg)},
                            {"jkt", key->Thumbprint()},
                            {"proof", *proof},
                            {"mutations", nlohmann::json::array()}};
    for (const tollgate::jose::MutationInfo& m : tollgate::jose::DpopMutationTerms()) {
      tollgate::jose::DpopProofRequest bad = req;
      bad.mutation = m.name;
      if (m.name == "reused_jti") {
        // The jti of the correct proof above, which the peer has seen.
        bad.jti = nlohmann::json::parse(tollgate::jose::ParseCompact(*proof)->payload)["jti"]
                      .get<std::string>();
      }
      auto variant = tollgate::jose::BuildDpopProof(bad, clock);
      if (!variant.ok()) {
        std::cerr << m.name << ": " << variant.status().ToString() << "\n";
        return 2;
      }
      entry["mutations"].push_back(
          {{"name", m.name}, {"proof", *variant}, {"accepted", m.accepted_by_correct_target}});
    }
    out["keys"].push_back(std::move(entry));
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1;
  bool emit = false;
  std::vector<Alg> algs = {Alg::kES256, Alg::kEdDSA, Alg::kRS256};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--emit")) emit = true;
    if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = std::atof(argv[++i]);
    if (!std::strcmp(argv[i], "--alg") && i + 1 < argc) {
      std::optional<Alg> alg = tollgate::jose::AlgFromName(argv[++i]);
      if (!alg || !tollgate::jose::IsPublicKeyAlg(*alg)) {
        std::cerr << "unknown public-key algorithm " << argv[i] << "\n";
        return 2;
      }
      algs = {*alg};
    }
  }
  tollgate::OffsetClock clock;
  if (emit) return Emit(clock);
  nlohmann::json out = {{"seconds_per_measure", seconds}, {"algs", nlohmann::json::array()}};
  bool failed = false;
  for (Alg alg : algs) {
    nlohmann::json m = Measure(alg, seconds, clock);
    failed = failed || m.contains("error");
    out["algs"].push_back(std::move(m));
  }
  std::cout << out.dump(2) << "\n";
  return failed ? 1 : 0;
}
