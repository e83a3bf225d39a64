// DPoP proofs per second on one core: built (BuildDpopProof: header, claims, ath, signature)
// and verified (VerifyDpopProof: every check of RFC 9449 §4.3 and §7.1, with the jti replay
// cache), and access tokens verified (VerifyJwt), for ES256, EdDSA and RS256; then
// DPoP-bound requests checked per second through the reference resource server (kind
// `resource_server`, trusting an `issuer`) over HTTPS keep-alive on loopback, on one and on
// two connections. bench/dpop.sh sets these against `openssl speed`.
//
//   tollgate_bench_dpop [--seconds S] [--alg ALG] [--no-requests | --requests-only]
//                                       one JSON document of rates
//   tollgate_bench_dpop --emit          proofs and hostile variants for tests/peers/dpop_peer.py

#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mocks/resource_server.h"
#include "tollgate/base/clock.h"
#include "tollgate/base/redact.h"
#include "tollgate/crypto/dpop.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/mocks/service.h"
#include "tollgate/scenario/diagnostics.h"
#include "tollgate/scenario/loader.h"

namespace {

using Steady = std::chrono::steady_clock;
using tollgate::jose::Alg;

constexpr char kHtu[] = "https://127.0.0.1:8443/v1/payments";
constexpr char kToken[] = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjbGllbnQtMSJ9.c2lnbmF0dXJl";
constexpr char kNonce[] = "n-3Yb6rM1kQ";
constexpr char kIssuer[] = "https://127.0.0.1:8444";
constexpr char kAudience[] = "api://dpop-bench";

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

// An access token of `issuer` bound to the DPoP key of thumbprint `jkt` (cnf.jkt).
tollgate::StatusOr<std::string> BoundToken(const tollgate::jose::Jwk& issuer_key,
                                           const std::string& issuer, const std::string& jkt,
                                           const tollgate::Clock& clock) {
  long long now = clock.NowSeconds();
  nlohmann::json claims = {{"iss", issuer},    {"sub", "bench"},       {"client_id", "bench"},
                           {"aud", kAudience}, {"iat", now},           {"exp", now + 3600},
                           {"jti", "t-bench"}, {"cnf", {{"jkt", jkt}}}};
  return tollgate::jose::Sign(issuer_key, {{"typ", "at+jwt"}}, claims.dump());
}

// What the resource server holds its tokens to (src/mocks/resource_server.cc).
tollgate::jose::ValidationPolicy TokenPolicy(Alg alg) {
  tollgate::jose::ValidationPolicy policy;
  policy.issuers = {kIssuer};
  policy.audiences = {kAudience};
  policy.algorithms = {alg};
  policy.typ = std::nullopt;
  policy.leeway_seconds = 60;
  return policy;
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

  // The resource server's other verification: the access token (an issuer key of the same
  // algorithm), with the policy it applies.
  auto issuer_key = tollgate::jose::Jwk::Generate(alg, "issuer");
  if (!issuer_key.ok()) return {{"error", issuer_key.status().ToString()}};
  auto token = BoundToken(*issuer_key, kIssuer, key->Thumbprint(), clock);
  if (!token.ok()) return {{"error", token.status().ToString()}};
  auto published = tollgate::jose::Jwk::FromJson(issuer_key->ToPublicJson());
  if (!published.ok()) return {{"error", published.status().ToString()}};
  tollgate::jose::Jwks jwks;
  jwks.keys.push_back(std::move(*published));
  tollgate::jose::ValidationPolicy policy = TokenPolicy(alg);
  long tokens = 0;
  t0 = Steady::now();
  while (Seconds(t0) < seconds) {
    tollgate::jose::VerifyResult r = tollgate::jose::VerifyJwt(*token, jwks, policy, clock);
    if (!r.ok) return {{"error", r.rejection.code + ": " + r.rejection.message}};
    ++tokens;
  }
  double token_rate = static_cast<double>(tokens) / Seconds(t0);
  return {{"alg", tollgate::jose::AlgName(alg)},
          {"proofs_built_per_second", build_rate},
          {"proofs_verified_per_second", verify_rate},
          {"tokens_verified_per_second", token_rate},
          {"distinct_proofs", proofs.size()}};
}

// --- Requests through the reference resource server ---------------------------------------

// A PKI of its own for the server's HTTPS listener (generated into a temporary folder):
// the resource server also names the client hierarchy that verifies optional client
// certificates, which this bench never presents.
constexpr char kBenchPki[] = R"yaml(pki: dpop-bench
authorities:
  root: {subject: "CN=DPoP Bench Root,O=tollgate", key: ec-p256, days: 3650}
  server-ca: {subject: "CN=DPoP Bench Server CA,O=tollgate", issuer: root, key: ec-p256, days: 1825}
  client-ca: {subject: "CN=DPoP Bench Client CA,O=tollgate", issuer: root, key: ec-p256, days: 1825}
identities:
  server:
    subject: CN=localhost,O=tollgate
    issuer: server-ca
    usage: server
    key: ec-p256
    days: 90
    san: [DNS:localhost, IP:127.0.0.1]
  partner:
    subject: CN=partner,O=Partner Ltd
    issuer: client-ca
    usage: client
    key: ec-p256
    days: 90
)yaml";

// The issuer signs with `alg` too, so a request costs one signature of `alg` (the proof, on
// the client) and two verifications of it (proof and token, on the server).
std::string BenchEnvironment(const std::string& alg) {
  std::string text = R"yaml(environment: dpop-bench
services:
  idp:
    kind: issuer
    audiences: ["AUDIENCE"]
    keys: [{kid: bench-ALG, alg: ALG}]
  rs:
    kind: resource_server
    trust: {issuer: idp, audience: "AUDIENCE"}
    dpop: {algorithms: [ALG]}
)yaml";
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"AUDIENCE", kAudience}, {"ALG", alg}}) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
      text.replace(at, from.size(), to);
      at += to.size();
    }
  }
  return text;
}

constexpr int kMaxConnections = 2;
// Not counted: the first makes the connection (and the server fetches the issuer's JWKS).
constexpr int kWarmUpRequests = 20;

// CPU time (user + system) of the process (RUSAGE_SELF) or the calling thread (RUSAGE_THREAD).
double CpuSeconds(int who = RUSAGE_SELF) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// `connections` client threads, each with its own DPoP key, its own bound token and one
// keep-alive HTTPS connection, send GET /accounts with a fresh proof each for `seconds`
// after kWarmUpRequests each. Only 200s count; anything else fails the measure.
nlohmann::json MeasureRequests(tollgate::MockEnvironment& env, tollgate::HttpClient& client,
                               Alg alg, const std::vector<tollgate::jose::Jwk>& keys,
                               int connections, double seconds, const tollgate::Clock& clock) {
  const std::string url = env.Url("rs") + "/accounts";
  tollgate::ClientTlsOptions tls;
  tls.ca_file = env.TrustFileFor(url);
  const tollgate::KeyHolder* idp = env.Service("idp") ? env.Service("idp")->keys() : nullptr;
  std::optional<tollgate::jose::Jwk> issuer_key = idp ? idp->SigningKey("") : std::nullopt;
  if (!issuer_key) return {{"error", "the issuer has no signing key"}};
  const std::string issuer = idp->Issuer();

  std::atomic<int> ready{0};
  std::atomic<bool> go{false}, stop{false};
  std::atomic<long> accepted{0}, refused{0}, reconnects{0};
  std::atomic<long> client_cpu_us{0};  // the client threads' CPU time while measuring
  std::mutex mu;
  std::string first_problem;  // by mu
  auto problem = [&](const std::string& text) {
    refused.fetch_add(1);
    std::lock_guard<std::mutex> lock(mu);
    if (first_problem.empty()) first_problem = text;
  };
  std::vector<std::thread> pool;
  for (int c = 0; c < connections; ++c) {
    pool.emplace_back([&, c] {
      const tollgate::jose::Jwk* key = &keys[c];
      auto token = BoundToken(*issuer_key, issuer, key->Thumbprint(), clock);
      if (!token.ok()) {
        problem(token.status().ToString());
        ready.fetch_add(1);
        return;
      }
      tollgate::jose::DpopProofRequest pr;
      pr.key = key;
      pr.htm = "GET";
      pr.htu = url;
      pr.access_token = *token;
      // One request; true when it was served.
      auto send = [&](bool counted) {
        auto proof = tollgate::jose::BuildDpopProof(pr, clock);
        if (!proof.ok()) {
          problem(proof.status().ToString());
          return false;
        }
        tollgate::ClientRequest q;
        q.url = url;
        q.tls = tls;
        q.headers = {{"Authorization", "DPoP " + *token}, {"DPoP", *proof}};
        auto r = client.Send(q);
        if (!r.ok()) {
          problem(r.status().ToString());
          return false;
        }
        if (r->outcome != tollgate::TransportOutcome::kOk || r->status != 200) {
          problem(r->outcome != tollgate::TransportOutcome::kOk
                      ? std::string(tollgate::TransportOutcomeName(r->outcome)) + ": " + r->error
                      : "status " + std::to_string(r->status) + ", " +
                            r->headers.Get("WWW-Authenticate").value_or("") + " " + r->body);
          return false;
        }
        if (counted) {
          accepted.fetch_add(1);
          if (r->timings.connect_ms > 0) reconnects.fetch_add(1);
        }
        return true;
      };
      bool warm = true;
      for (int i = 0; i < kWarmUpRequests && warm; ++i) warm = send(false);
      ready.fetch_add(1);
      if (!warm) return;
      while (!go.load()) std::this_thread::yield();
      double cpu0 = CpuSeconds(RUSAGE_THREAD);
      while (!stop.load()) {
        if (!send(true)) break;
      }
      client_cpu_us.fetch_add(static_cast<long>((CpuSeconds(RUSAGE_THREAD) - cpu0) * 1e6));
    });
  }
  while (ready.load() < connections) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  double cpu0 = CpuSeconds();
  auto t0 = Steady::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  // Each thread finishes the request it is sending: the window ends when the last is back.
  for (std::thread& t : pool) t.join();
  double elapsed = Seconds(t0);
  double cpu = CpuSeconds() - cpu0;
  nlohmann::json out = {{"alg", tollgate::jose::AlgName(alg)},
                        {"token_alg", tollgate::jose::AlgName(alg)},
                        {"connections", connections},
                        {"seconds", elapsed},
                        {"accepted", accepted.load()},
                        {"refused_or_failed", refused.load()},
                        {"new_connections_while_measuring", reconnects.load()},
                        {"requests_per_second", accepted.load() / elapsed},
                        {"process_cpu_seconds", cpu},
                        {"client_cpu_seconds", client_cpu_us.load() / 1e6}};
  if (accepted.load() > 0) {
    // The client threads: the proof, libcurl, TLS; the rest of the process: the server's
    // I/O threads (TLS, HTTP, the token and proof checks, the journal).
    double n = static_cast<double>(accepted.load());
    out["cpu_microseconds_per_request"] = cpu * 1e6 / n;
    out["client_cpu_microseconds_per_request"] = client_cpu_us.load() / n;
    out["server_cpu_microseconds_per_request"] = (cpu * 1e6 - client_cpu_us.load()) / n;
  }
  if (refused.load() > 0) out["error"] = "a request was not served: " + first_problem;
  if (accepted.load() == 0 && !out.contains("error")) out["error"] = "no request was served";
  return out;
}

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// The resource server's handler alone (ResourceServer::Handle on a request as the listener
// hands it over: no socket, TLS, HTTP parsing or journal), for `seconds`: each time a fresh
// proof (not timed), then the handler (timed, wall and thread CPU).
nlohmann::json MeasureHandler(tollgate::MockEnvironment& env, const tollgate::jose::Jwk& key,
                              double seconds, const tollgate::Clock& clock) {
  auto* rs = dynamic_cast<tollgate::mocks::ResourceServer*>(env.Service("rs"));
  const tollgate::KeyHolder* idp = env.Service("idp") ? env.Service("idp")->keys() : nullptr;
  std::optional<tollgate::jose::Jwk> issuer_key = idp ? idp->SigningKey("") : std::nullopt;
  if (!rs || !issuer_key) return {{"error", "no resource server or issuer key"}};
  const std::string url = env.Url("rs");
  const std::string host = url.substr(url.find("://") + 3);
  auto token = BoundToken(*issuer_key, idp->Issuer(), key.Thumbprint(), clock);
  if (!token.ok()) return {{"error", token.status().ToString()}};
  tollgate::jose::DpopProofRequest pr;
  pr.key = &key;
  pr.htm = "GET";
  pr.htu = url + "/accounts";
  pr.access_token = *token;
  long handled = 0;
  double wall = 0, cpu = 0;
  auto t0 = Steady::now();
  while (Seconds(t0) < seconds) {
    auto proof = tollgate::jose::BuildDpopProof(pr, clock);
    if (!proof.ok()) return {{"error", proof.status().ToString()}};
    tollgate::ServerRequest request;
    request.method = "GET";
    request.target = request.path = "/accounts";
    request.tls = true;
    request.peer_address = "127.0.0.1";
    request.headers.Add("Host", host);
    request.headers.Add("Authorization", "DPoP " + *token);
    request.headers.Add("DPoP", *proof);
    auto w0 = Steady::now();
    double c0 = ThreadCpuSeconds();
    tollgate::Handled h = rs->Handle(request);
    cpu += ThreadCpuSeconds() - c0;
    wall += Seconds(w0);
    if (h.response.status != 200) {
      return {{"error", "the handler refused a request: status " +
                            std::to_string(h.response.status) + ", " + h.note}};
    }
    ++handled;
  }
  // Per CPU second: the handler's rate on one core of its own, whatever else ran meanwhile.
  return {{"handled_per_cpu_second", cpu > 0 ? handled / cpu : 0.0},
          {"handled_per_second_wall", wall > 0 ? handled / wall : 0.0},
          {"handler_cpu_microseconds_per_request", handled ? cpu * 1e6 / handled : 0.0}};
}

// One environment (issuer + resource server) per algorithm on the shared PKI; one measure
// per connection count.
std::vector<nlohmann::json> RequestsFor(Alg alg, const std::string& pki_dir,
                                        tollgate::HttpClient& client, double seconds,
                                        const tollgate::Clock& clock) {
  const std::string name = tollgate::jose::AlgName(alg);
  tollgate::Diagnostics diags;
  auto model = tollgate::ParseEnvironment(BenchEnvironment(name), "mocks/dpop-bench.yaml", diags);
  if (!model) return {{{"alg", name}, {"error", diags.Render()}}};
  tollgate::Redactor redactor;
  tollgate::MockEnvironment env(*model, &clock, &redactor);
  env.SetPki(pki_dir + "/pki.yaml", pki_dir + "/generated");
  if (tollgate::Status st = env.Start(); !st.ok()) {
    return {{{"alg", name}, {"error", redactor.Redact(st.ToString())}}};
  }
  // A DPoP key per connection, kept from one measure to the next (RSA keys are slow to make).
  std::vector<tollgate::jose::Jwk> keys;
  for (int c = 0; c < kMaxConnections; ++c) {
    auto key = tollgate::jose::Jwk::Generate(alg, "");
    if (!key.ok()) return {{{"alg", name}, {"error", key.status().ToString()}}};
    keys.push_back(std::move(*key));
  }
  std::vector<nlohmann::json> out;
  for (int connections = 1; connections <= kMaxConnections; ++connections) {
    out.push_back(MeasureRequests(env, client, alg, keys, connections, seconds, clock));
  }
  nlohmann::json handler = MeasureHandler(env, keys[0], seconds, clock);
  for (nlohmann::json& m : out) {
    if (handler.contains("error")) {
      if (!m.contains("error")) m["error"] = handler["error"];
      continue;
    }
    m["handler_per_cpu_second"] = handler["handled_per_cpu_second"];
    m["handler_cpu_microseconds_per_request"] = handler["handler_cpu_microseconds_per_request"];
  }
  env.Stop();
  return out;
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
  bool requests = true;
  bool proofs = true;
  std::vector<Alg> algs = {Alg::kES256, Alg::kEdDSA, Alg::kRS256};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--emit")) emit = true;
    if (!std::strcmp(argv[i], "--no-requests")) requests = false;
    if (!std::strcmp(argv[i], "--requests-only")) proofs = false;
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
  const Steady::time_point started = Steady::now();
  nlohmann::json out = {{"seconds_per_measure", seconds},
                        {"cores", std::thread::hardware_concurrency()},
                        {"algs", nlohmann::json::array()},
                        {"requests", nlohmann::json::array()}};
  bool failed = false;
  for (Alg alg : proofs ? algs : std::vector<Alg>{}) {
    nlohmann::json m = Measure(alg, seconds, clock);
    failed = failed || m.contains("error");
    out["algs"].push_back(std::move(m));
  }
  if (requests) {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tollgate-dpop-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::cerr << "cannot make a temporary folder\n";
      return 2;
    }
    std::ofstream(tmpl + "/pki.yaml") << kBenchPki;
    tollgate::RegisterMockKinds();  // the kinds' schemas, for the loader
    tollgate::InitHttpClientLibrary();
    {
      tollgate::HttpClient client;
      for (Alg alg : algs) {
        for (nlohmann::json& m : RequestsFor(alg, tmpl, client, seconds, clock)) {
          failed = failed || m.contains("error");
          out["requests"].push_back(std::move(m));
        }
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(tmpl, ec);
  }
  // So bench/dpop.sh can tell how much of the machine other processes took meanwhile.
  out["total_cpu_seconds"] = CpuSeconds();
  out["total_wall_seconds"] = Seconds(started);
  std::cout << out.dump(2) << "\n";
  return failed ? 1 : 0;
}
