// Signed requests per second: the signer (runner's `sign:` step code) and the reference
// verifier (kind signed-api from mocks/signed-api.yaml) on loopback, keep-alive, one
// connection per client thread. Every request has its own nonce and a current timestamp,
// and only 200 answers count. Also times the signer and the verifier alone.
//
//   tollgate_bench_signed [--seconds S] [--threads N]   (run from the project root)

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "runner/sign_steps.h"
#include "tollgate/crypto/signing.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/runner/vocabulary.h"
#include "tollgate/scenario/diagnostics.h"
#include "tollgate/scenario/loader.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  tollgate::RegisterVocabularies();  // the mock kinds' schemas, which the loader checks
  tollgate::Diagnostics diags;
  auto model = tollgate::LoadEnvironment("mocks/signed-api.yaml", diags);
  if (!model) {
    std::cerr << diags.Render();
    return 2;
  }
  tollgate::OffsetClock clock;
  tollgate::Redactor redactor;
  tollgate::MockEnvironment env(*model, &clock, &redactor);
  if (auto st = env.Start(); !st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 2;
  }
  std::map<std::string, std::string> target;
  for (const auto& s : env.TargetSettings("api")) target[s.name] = s.value;
  const std::string url = env.Url("api") + target["payments_path"];
  nlohmann::json spec = {{"profile", target["signing_profile"]},
                         {"key_id", target["key_id"]},
                         {"secret", target["secret"]}};
  tollgate::runner::RunContext run;
  run.clock = &clock;
  run.redactor = &redactor;
  const std::string body = R"({"amount":"10.00","currency":"EUR"})";

  // Signer and verifier alone, on one core.
  auto profile =
      tollgate::signing::ProfileFromJson(nlohmann::json::parse(target["signing_profile"])).value();
  tollgate::signing::Message m{"POST",
                               "/v3/payments",
                               "",
                               {{"Host", "127.0.0.1:1"}, {"Content-Type", "application/json"}},
                               body};
  int signs = 0;
  auto t0 = Clock::now();
  std::string sig;
  while (Seconds(t0) < 1.0) {
    tollgate::signing::SignParams p{target["key_id"], std::to_string(clock.NowSeconds()),
                                    std::to_string(signs)};
    sig = tollgate::signing::Sign(profile, m, p, target["secret"]).value();
    ++signs;
  }
  double sign_rate = signs / Seconds(t0);
  tollgate::signing::SignParams p{target["key_id"], std::to_string(clock.NowSeconds()), "n"};
  for (auto& h : tollgate::signing::SignatureHeaders(profile, p, sig)) m.headers.push_back(h);
  sig = tollgate::signing::Sign(profile, m, p, target["secret"]).value();
  m.headers.back().second = sig;
  int verifies = 0;
  t0 = Clock::now();
  auto keys = [&](const std::string&) { return std::optional<std::string>(target["secret"]); };
  while (Seconds(t0) < 1.0) {
    if (!tollgate::signing::Verify(profile, m, keys, clock.NowSeconds()).ok) return 3;
    ++verifies;
  }
  double verify_rate = verifies / Seconds(t0);

  // End to end over loopback.
  tollgate::InitHttpClientLibrary();
  tollgate::HttpClient client;
  std::atomic<long> ok{0}, bad{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      long n = 0;
      while (!stop.load()) {
        tollgate::ClientRequest q;
        q.method = "POST";
        q.url = url;
        q.headers = {{"Content-Type", "application/json"}};
        q.body = body;
        auto note = tollgate::runner::ApplySign(spec, q, run,
                                                std::to_string(t) + "-" + std::to_string(n++));
        auto r = note.ok() ? client.Send(q)
                           : tollgate::StatusOr<tollgate::ClientResponse>(note.status());
        (r.ok() && r->status == 200 ? ok : bad).fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  double elapsed = Seconds(start);
  env.Stop();
  nlohmann::json out = {{"threads", threads},
                        {"seconds", elapsed},
                        {"accepted", ok.load()},
                        {"refused_or_failed", bad.load()},
                        {"signed_requests_per_second", ok.load() / elapsed},
                        {"signatures_per_second_one_core", sign_rate},
                        {"verifications_per_second_one_core", verify_rate}};
  std::cout << out.dump(2) << "\n";
  return bad.load() == 0 ? 0 : 1;
}
