#include "tollgate/runner/runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "runner/case_executor.h"
#include "runner/case_scope.h"
#include "runner/run_context.h"
#include "tollgate/base/time_format.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/observability.h"

namespace tollgate {
namespace {

std::string Hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

// The profile of a suite: the part of its id before the first '/'.
std::string ProfileOf(const Suite& s) {
  std::size_t slash = s.id.find('/');
  return slash == std::string::npos ? s.id : s.id.substr(0, slash);
}

// Resolves target.url and target.* settings; registers target secrets.
Status ResolveTarget(const RunOptions& opt, const MockEnvironment* env, runner::RunContext& ctx,
                     Redactor& redactor) {
  const TargetSpec& t = opt.target;
  std::string service;
  if (t.kind == TargetSpec::Kind::kMock) service = t.service;
  if (t.kind == TargetSpec::Kind::kDefault && !t.file) {
    if (!env || env->model().default_target.empty()) {
      return InvalidArgumentError(
          "no target: give --target URL, --target-file FILE or --target mock:NAME, or an "
          "environment with default_target");
    }
    service = env->model().default_target;
  }
  if (!service.empty()) {
    if (!env || !env->HasService(service)) {
      return InvalidArgumentError("--target mock:" + service +
                                  ": no such service in the environment");
    }
    ctx.target_url = env->Url(service);
    // A target with a second, one-way host offers it as target.one_way_url.
    if (std::string one_way = env->OneWayUrl(service); !one_way.empty()) {
      ctx.target_settings["one_way_url"] = one_way;
    }
    for (const TargetSetting& s : env->TargetSettings(service)) {
      ctx.target_settings[s.name] = s.value;
      if (s.secret) redactor.AddSecret(s.value);
    }
  }
  if (t.file) {
    // A target file's templates may only use env.*; an empty scope serves them.
    struct EnvScope : Scope {
      StatusOr<std::string> Lookup(const std::vector<std::string>& p) const override {
        if (p.size() == 2 && p[0] == "env") {
          if (const char* v = std::getenv(p[1].c_str())) return std::string(v);
          return NotFoundError("environment variable `" + p[1] + "` is not set");
        }
        return NotFoundError("only env.* may be used in a target file");
      }
      std::string NewUuid() const override { return ""; }
      long long NowSeconds() const override { return 0; }
      std::optional<std::string> Env(const std::string& n) const override {
        const char* v = std::getenv(n.c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
      }
    } scope;
    ASSIGN_OR_RETURN(ctx.target_url, t.file->url.Evaluate(scope));
    if (t.file->ca) {
      ASSIGN_OR_RETURN(ctx.target_ca_file, t.file->ca->Evaluate(scope));
      if (!std::filesystem::is_regular_file(ctx.target_ca_file)) {
        return InvalidArgumentError(t.file->file + ": `ca` " + ctx.target_ca_file +
                                    ": no such file");
      }
    }
    for (const auto& [name, value] : t.file->settings) {
      ASSIGN_OR_RETURN(ctx.target_settings[name], value.Evaluate(scope));
    }
    for (const auto& [name, value] : t.file->secrets) {
      auto v = value.Evaluate(scope);
      if (!v.ok()) return v.status().WithContext(t.file->file + ": secret `" + name + "`");
      redactor.AddSecret(*v);
      ctx.target_settings[name] = *v;
    }
  }
  if (t.kind == TargetSpec::Kind::kUrl) ctx.target_url = t.url;
  while (!ctx.target_url.empty() && ctx.target_url.back() == '/') ctx.target_url.pop_back();
  return Status::Ok();
}

// "90s", "22m", "2h": the smallest whole unit at least `d`, for a --max-wait to suggest.
std::string RoundUpDuration(Duration d) {
  long long s = (d.count() + 999) / 1000;
  if (s <= 120) return std::to_string(std::max(1LL, s)) + "s";
  long long m = (s + 59) / 60;
  return std::to_string(m) + "m";
}

// The longest single wait among `scenarios`, with `wait: {for: ...}` resolved against the
// target's settings; nullopt when one depends on what only the run itself learns (a value
// the target returns, such as a token's expires_in).
std::optional<Duration> LongestWait(const std::vector<const Scenario*>& scenarios,
                                    const runner::RunContext& ctx) {
  runner::CaseScope scope(&ctx);
  Duration longest{0};
  for (const Scenario* scenario : scenarios) {
    for (const Step& step : scenario->steps) {
      if (step.kind != Step::Kind::kWait) continue;
      StatusOr<Duration> d = runner::ResolveWait(std::get<WaitStep>(step.body), scope);
      if (!d.ok()) return std::nullopt;
      longest = std::max(longest, *d);
    }
  }
  return longest;
}

// Why case `c` cannot be decided against an external target, with the command that runs its
// real-time variant; empty when it can be decided.
std::string ExternalSkipReason(const ScenarioCase& c, const Environment* env, const RunOptions& opt,
                               const runner::RunContext& ctx) {
  std::string reference = env ? env->default_target : "";
  std::optional<std::string> blocker = ExternalTargetBlocker(*c.scenario, reference);
  if (!blocker) return "";
  std::string reason = "cannot be decided against an external target: it " + *blocker;
  const std::string& variant = c.scenario->real_time;
  if (variant.empty()) return reason + "; it has no real-time variant";
  std::string command = "tollgate run " + c.suite->file;
  if (env && !env->file.empty()) command += " --env " + env->file;
  command += " " + opt.target.CommandLine() + " --tags slow";
  // `--tags slow` runs every slow scenario of the file: --max-wait must cover them all.
  std::vector<const Scenario*> slow;
  for (const Scenario& s : c.suite->scenarios) {
    bool tagged =
        std::find(s.tags.begin(), s.tags.end(), "slow") != s.tags.end() ||
        std::find(c.suite->tags.begin(), c.suite->tags.end(), "slow") != c.suite->tags.end();
    if (tagged) slow.push_back(&s);
  }
  if (std::optional<Duration> wait = LongestWait(slow, ctx)) {
    command += " --max-wait " + RoundUpDuration(*wait);
  } else {
    command += " --max-wait LONGER_THAN_THE_TARGETS_ANNOUNCED_LIFETIME";
  }
  return reason + "; its real-time variant " + variant + " (tagged `slow`) runs with: " + command;
}

}  // namespace

namespace runner {

namespace {
// "https://host:port" of a URL ("" when it is not an https URL).
std::string HttpsOrigin(const std::string& url) {
  if (url.rfind("https://", 0) != 0) return "";
  std::size_t end = url.find_first_of("/?#", 8);
  std::string origin = url.substr(0, end);
  if (origin.find(':', 8) == std::string::npos) origin += ":443";
  return origin;
}
}  // namespace

std::string RunContext::TrustFileFor(const std::string& url) const {
  if (env) {
    if (std::string mock = env->TrustFileFor(url); !mock.empty()) return mock;
  }
  if (target_ca_file.empty()) return "";
  std::string origin = HttpsOrigin(url);
  if (origin.empty()) return "";
  if (HttpsOrigin(target_url) == origin) return target_ca_file;
  for (const auto& [name, value] : target_settings) {
    if (name.size() >= 3 && name.compare(name.size() - 3, 3, "url") == 0 &&
        HttpsOrigin(value) == origin) {
      return target_ca_file;
    }
  }
  return "";
}

}  // namespace runner

std::string TargetSpec::CommandLine() const {
  std::string out;
  if (kind == Kind::kUrl) out = "--target " + url;
  if (kind == Kind::kMock) out = "--target mock:" + service;
  if (file) out += std::string(out.empty() ? "" : " ") + "--target-file " + file->file;
  return out;
}

std::string TargetSpec::Describe(const Environment* env) const {
  switch (kind) {
    case Kind::kMock:
      return "mock:" + service;
    case Kind::kUrl:
      return url;
    case Kind::kDefault:
      if (file) return file->name;
      return env && !env->default_target.empty() ? "mock:" + env->default_target : "";
  }
  return "";
}

Runner::Runner(RunOptions options, OffsetClock* clock, Redactor* redactor, Transport* transport)
    : options_(std::move(options)), clock_(clock), redactor_(redactor), transport_(transport) {}

StatusOr<RunResult> Runner::Run(const std::vector<Suite>& suites, const Environment* env) {
  for (const auto& [k, v] : options_.secrets) redactor_->AddSecret(v);
  std::unique_ptr<MockEnvironment> mocks;
  if (env) {
    mocks = std::make_unique<MockEnvironment>(*env, clock_, redactor_);
    if (!options_.pki_dir.empty()) mocks->SetPki(options_.pki_config, options_.pki_dir);
    for (const auto& [service, fault] : options_.faults) {
      RETURN_IF_ERROR(mocks->AddFault(service, fault));
    }
    RETURN_IF_ERROR(mocks->Start());
  } else if (!options_.faults.empty()) {
    return InvalidArgumentError("--fault needs an environment");
  }
  runner::RunContext ctx;
  ctx.options = &options_;
  ctx.env = mocks.get();
  ctx.clock = clock_;
  ctx.redactor = redactor_;
  ctx.transport = transport_;
  RETURN_IF_ERROR(ResolveTarget(options_, mocks.get(), ctx, *redactor_));

  RunResult run;
  run.target = options_.target.Describe(env);
  run.environment = env ? env->name : "";
  run.version = TOLLGATE_VERSION;
  run.timestamp = FormatIso8601(clock_->Now());
  run.hostname = Hostname();
  if (options_.shard) run.shard = options_.shard->ToString();
  auto run_start = std::chrono::steady_clock::now();

  // Every case of every suite, in order; results land at the same index.
  std::vector<ScenarioCase> cases;
  std::vector<std::size_t> suite_of;
  for (std::size_t s = 0; s < suites.size(); ++s) {
    for (ScenarioCase& c : ExpandSuite(suites[s])) {
      const Shard* shard = options_.shard ? &*options_.shard : nullptr;
      if (shard && ShardOf(suites[s].id, c.case_id, shard->total) != shard->index) continue;
      cases.push_back(std::move(c));
      suite_of.push_back(s);
    }
  }
  // Cases that control mocks or move the clock change what every other case sees: they run
  // after the others, one at a time. So do concurrent replays: other cases' traffic would
  // occupy the target's threads and serialise the copies, hiding the race they probe for.
  std::vector<std::size_t> shared_order, exclusive_order;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    bool exclusive = false;
    for (const Step& step : cases[i].scenario->steps) {
      exclusive =
          exclusive || step.kind == Step::Kind::kMock || step.kind == Step::Kind::kClock ||
          (step.kind == Step::Kind::kReplay && std::get<ReplayStep>(step.body).concurrent > 1) ||
          step.kind == Step::Kind::kRace;
    }
    (exclusive ? exclusive_order : shared_order).push_back(i);
  }
  // Without --tags, cases tagged `slow` (real waits on an external target's clock) are left
  // out; `--tags slow` (or any expression selecting them) runs them.
  auto Selected = [&](const ScenarioCase& c) {
    if (options_.tags) return options_.tags->Matches(c.tags);
    return std::find(c.tags.begin(), c.tags.end(), "slow") == c.tags.end();
  };
  auto SkippedCase = [this](const ScenarioCase& c, std::string kind, std::string reason) {
    CaseResult r;
    r.suite_id = c.suite->id;
    r.scenario_id = c.scenario->id;
    r.case_id = c.case_id;
    r.name = c.case_id + " " + c.scenario->name.raw();
    r.requirements = c.scenario->requirements;
    r.tags = c.tags;
    r.matrix_values = c.matrix_values;
    r.loc = c.scenario->loc;
    r.verdict = Verdict::kSkipped;
    r.skip_kind = std::move(kind);
    r.skip_reason = redactor_->Redact(reason);  // it may quote the target's URL
    return r;
  };
  std::vector<CaseResult> results(cases.size());
  // When each case that ran started and ended: a suite's time is its wall time (first start
  // to last end). The sum of its case times overstates it when cases run in parallel.
  using Clock = std::chrono::steady_clock;
  std::vector<std::optional<std::pair<Clock::time_point, Clock::time_point>>> ran(cases.size());
  // Against an external target, a case decided by something the target cannot observe is
  // skipped up front (never passed, never failed), and the caller hears which and why.
  std::vector<std::string> external_skip(cases.size());
  if (options_.target.IsExternal()) {
    std::vector<CaseResult> planned;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      external_skip[i] = ExternalSkipReason(cases[i], env, options_, ctx);
      if (external_skip[i].empty() || !Selected(cases[i])) continue;
      planned.push_back(SkippedCase(cases[i], "external-target", external_skip[i]));
    }
    if (options_.on_external_skips && !planned.empty()) options_.on_external_skips(planned);
  }
  std::mutex report_mu;
  std::atomic<std::size_t> next{0};
  const std::vector<std::size_t>* order = &shared_order;
  auto worker = [&] {
    for (std::size_t n = next.fetch_add(1); n < order->size(); n = next.fetch_add(1)) {
      std::size_t i = (*order)[n];
      const ScenarioCase& c = cases[i];
      if (!Selected(c)) {
        bool slow = !options_.tags;
        results[i] =
            SkippedCase(c, slow ? "slow" : "tags",
                        slow ? "tagged `slow`: select it with --tags (bounded by --max-wait)"
                             : "not selected by --tags '" + options_.tags_text + "'");
      } else if (!external_skip[i].empty()) {
        results[i] = SkippedCase(c, "external-target", external_skip[i]);
      } else {
        const Clock::time_point case_start = Clock::now();
        results[i] = runner::RunCase(c, ctx);
        ran[i].emplace(case_start, Clock::now());
      }
      if (options_.on_case) {
        std::lock_guard<std::mutex> lock(report_mu);
        options_.on_case(results[i]);
      }
    }
  };
  int jobs = std::max(1, options_.jobs);
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs && static_cast<std::size_t>(j) < shared_order.size(); ++j) {
    threads.emplace_back(worker);
  }
  worker();
  for (std::thread& t : threads) t.join();
  order = &exclusive_order;
  next = 0;
  worker();

  for (std::size_t s = 0; s < suites.size(); ++s) {
    SuiteResult sr;
    sr.id = suites[s].id;
    sr.title = suites[s].title;
    sr.file = suites[s].file;
    sr.sha256 = suites[s].sha256;
    sr.profile = ProfileOf(suites[s]);
    sr.timestamp = run.timestamp;
    std::optional<std::pair<Clock::time_point, Clock::time_point>> span;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (suite_of[i] != s) continue;
      if (ran[i]) {
        span = span ? std::make_pair(std::min(span->first, ran[i]->first),
                                     std::max(span->second, ran[i]->second))
                    : *ran[i];
      }
      sr.cases.push_back(std::move(results[i]));
    }
    if (span) sr.seconds = std::chrono::duration<double>(span->second - span->first).count();
    run.suites.push_back(std::move(sr));
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  if (mocks) mocks->Stop();
  return run;
}

}  // namespace tollgate
