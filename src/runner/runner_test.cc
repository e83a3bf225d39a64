// The runner driven by a scripted transport instead of the network: which outcomes are the
// target's failures and which are the harness's errors, selection by tags, the order of
// cases that change shared state, concurrent replays, and redaction of what a failure quotes.
// No socket is opened: the target is a URL the script answers for.

#include "tollgate/runner/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tollgate/http/client.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTarget[] = "http://target.test";

// A transport that answers from a script keyed by "METHOD /path". Records every request in
// the order it arrived and, per request, which other requests were in flight at the time.
class ScriptedTransport : public Transport {
 public:
  using Answer = std::function<StatusOr<ClientResponse>(const ClientRequest&)>;

  struct Sent {
    std::string key;  // "GET /ok"
    ClientRequest request;
    std::vector<std::string> in_flight;  // keys of requests not yet answered when it came
    int finished_before = 0;             // requests answered before it came
  };

  void On(const std::string& key, Answer answer) { script_[key] = std::move(answer); }

  StatusOr<ClientResponse> Send(const ClientRequest& q) override {
    std::string key = q.method + " " + PathOf(q.url);
    Answer answer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      sent_.push_back({key, q, in_flight_, finished_});
      in_flight_.push_back(key);
      if (auto it = script_.find(key); it != script_.end()) answer = it->second;
    }
    StatusOr<ClientResponse> r =
        answer ? answer(q) : StatusOr<ClientResponse>(Reply(404, "unscripted"));
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_.erase(std::find(in_flight_.begin(), in_flight_.end(), key));
    ++finished_;
    return r;
  }

  std::vector<Sent> sent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const Sent& s : sent()) out.push_back(s.key);
    return out;
  }

  static ClientResponse Reply(int status, std::string body = "") {
    ClientResponse r;
    r.status = status;
    r.http_version = "1.1";
    r.body = std::move(body);
    return r;
  }
  static ClientResponse Broken(TransportOutcome outcome, std::string error) {
    ClientResponse r;
    r.outcome = outcome;
    r.error = std::move(error);
    return r;
  }

 private:
  static std::string PathOf(const std::string& url) {
    std::size_t start = url.find("://");
    start = url.find('/', start == std::string::npos ? 0 : start + 3);
    if (start == std::string::npos) return "/";
    return url.substr(start, url.find_first_of("?#", start) - start);
  }

  mutable std::mutex mu_;
  std::map<std::string, Answer> script_;
  std::vector<Sent> sent_;
  std::vector<std::string> in_flight_;
  int finished_ = 0;
};

// Holds each caller until `n` have arrived (or 10 s have passed, so a runner that never
// sends them all fails the test instead of hanging it). Returns whether all arrived.
class Barrier {
 public:
  explicit Barrier(int n) : n_(n) {}
  bool ArriveAndWait() {
    std::unique_lock<std::mutex> lock(mu_);
    ++arrived_;
    cv_.notify_all();
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return arrived_ >= n_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_, arrived_ = 0;
};

// Runs `suite_text` against the scripted target.
StatusOr<RunResult> RunSuite(const std::string& suite_text, ScriptedTransport& transport,
                             RunOptions options = {}) {
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(suite_text, "suite.yaml", diags);
  if (!suite) return InvalidArgumentError("suite does not load: " + diags.Render());
  options.target.kind = TargetSpec::Kind::kUrl;
  options.target.url = kTarget;
  OffsetClock clock;
  Redactor redactor;
  Runner runner(std::move(options), &clock, &redactor, &transport);
  return runner.Run({*suite}, nullptr);
}

const CaseResult* FindCase(const RunResult& run, const std::string& id) {
  for (const SuiteResult& s : run.suites) {
    for (const CaseResult& c : s.cases) {
      if (c.scenario_id == id) return &c;
    }
  }
  return nullptr;
}

// --- error vs fail -----------------------------------------------------------------------

struct ClassifyRow {
  std::string name;
  std::string expect;  // the step's `expect:` in flow style; empty: none
  ScriptedTransport::Answer answer;
  Verdict verdict;
  std::string message;  // in the failure (kFail) or the error (kError); empty for kPass
};

std::vector<ClassifyRow> ClassifyRows() {
  using T = ScriptedTransport;
  auto reply = [](int status, std::string body = "") {
    return [=](const ClientRequest&) -> StatusOr<ClientResponse> { return T::Reply(status, body); };
  };
  auto broken = [](TransportOutcome o, std::string error) {
    return [=](const ClientRequest&) -> StatusOr<ClientResponse> { return T::Broken(o, error); };
  };
  return {
      {"expected status passes", "{status: 200}", reply(200), Verdict::kPass, ""},
      {"another status is the target's failure", "{status: 200}", reply(500), Verdict::kFail,
       "expected status 200, got status 500"},
      {"a body that does not match is a failure", "{status: 200, body: {contains: granted}}",
       reply(200, "denied"), Verdict::kFail, "granted"},
      {"a refused connection is the harness's error", "{status: 200}",
       broken(TransportOutcome::kConnectFailed, "connection refused"), Verdict::kError,
       "target did not answer"},
      {"a timeout is an error, not a failure", "{status: 200}",
       broken(TransportOutcome::kTimeout, "no answer in 10000 ms"), Verdict::kError,
       "target did not answer"},
      {"a DNS failure is an error", "{status: 401}",
       broken(TransportOutcome::kDnsFailed, "could not resolve"), Verdict::kError,
       "target did not answer"},
      {"a TLS refusal nobody expected is an error", "",
       broken(TransportOutcome::kTlsRejected, "handshake failed"), Verdict::kError,
       "handshake failed"},
      {"a TLS refusal the step expects passes", "{rejected: true}",
       broken(TransportOutcome::kTlsRejected, "handshake failed"), Verdict::kPass, ""},
      {"a misused request (bad URL) is an error", "{status: 200}",
       [](const ClientRequest&) -> StatusOr<ClientResponse> {
         return InvalidArgumentError("malformed URL");
       },
       Verdict::kError, "malformed URL"},
      {"an expected refusal that is served is a failure", "{rejected: true}", reply(200),
       Verdict::kFail, "rejected"},
  };
}

TEST(RunnerWithScriptedTransport, TellsTheTargetsFailuresFromTheHarnesssErrors) {
  for (const ClassifyRow& row : ClassifyRows()) {
    SCOPED_TRACE(row.name);
    ScriptedTransport transport;
    transport.On("GET /thing", row.answer);
    transport.On("GET /after", [](const ClientRequest&) -> StatusOr<ClientResponse> {
      return ScriptedTransport::Reply(200);
    });
    std::string suite =
        "suite: t/classify\nscenarios:\n  - id: C\n    name: c\n"
        "    requirements: [R]\n    steps:\n"
        "      - request: {url: \"${target.url}/thing\"}\n";
    if (!row.expect.empty()) suite += "        expect: " + row.expect + "\n";
    suite += "      - request: {url: \"${target.url}/after\"}\n";
    StatusOr<RunResult> run = RunSuite(suite, transport);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    const CaseResult* c = FindCase(*run, "C");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->verdict, row.verdict) << c->error;
    if (row.verdict == Verdict::kFail) {
      ASSERT_FALSE(c->failures.empty());
      EXPECT_THAT(c->failures[0].message, HasSubstr(row.message));
      EXPECT_EQ(c->failures[0].where.line, 8) << "the failure points at the expectation";
      EXPECT_TRUE(c->error.empty());
    } else if (row.verdict == Verdict::kError) {
      EXPECT_THAT(c->error, HasSubstr(row.message));
      EXPECT_THAT(c->error, HasSubstr("suite.yaml:7")) << "the error names the step";
      EXPECT_TRUE(c->failures.empty()) << "an error is never also a failure";
    }
    // A failed or broken step ends the case: the next step is never sent.
    bool went_on = row.verdict == Verdict::kPass;
    std::vector<std::string> expected = {"GET /thing"};
    if (went_on) expected.push_back("GET /after");
    EXPECT_EQ(transport.keys(), expected);
  }
}

// --- tags --------------------------------------------------------------------------------

constexpr char kTaggedSuite[] = R"yaml(suite: t/tags
scenarios:
  - id: FAST
    name: fast
    requirements: [R]
    tags: [fast]
    steps: [{request: {url: "${target.url}/fast"}, expect: {status: 200}}]
  - id: SLOW
    name: slow
    requirements: [R]
    tags: [slow]
    steps: [{request: {url: "${target.url}/slow"}, expect: {status: 200}}]
  - id: PLAIN
    name: plain
    requirements: [R]
    steps: [{request: {url: "${target.url}/plain"}, expect: {status: 200}}]
)yaml";

struct TagRow {
  std::string tags;  // --tags; empty: none given
  // Per case: "pass", or the skip kind ("slow", "tags").
  std::map<std::string, std::string> expected;
};

TEST(RunnerWithScriptedTransport, SelectsCasesByTagsAndNeverSendsASkippedOne) {
  std::vector<TagRow> rows = {
      {"", {{"FAST", "pass"}, {"SLOW", "slow"}, {"PLAIN", "pass"}}},
      {"slow", {{"FAST", "tags"}, {"SLOW", "pass"}, {"PLAIN", "tags"}}},
      {"fast or slow", {{"FAST", "pass"}, {"SLOW", "pass"}, {"PLAIN", "tags"}}},
      {"not fast", {{"FAST", "tags"}, {"SLOW", "pass"}, {"PLAIN", "pass"}}},
  };
  for (const TagRow& row : rows) {
    SCOPED_TRACE("--tags '" + row.tags + "'");
    ScriptedTransport transport;
    for (const char* path : {"/fast", "/slow", "/plain"}) {
      transport.On(std::string("GET ") + path,
                   [](const ClientRequest&) -> StatusOr<ClientResponse> {
                     return ScriptedTransport::Reply(200);
                   });
    }
    RunOptions options;
    if (!row.tags.empty()) {
      StatusOr<TagExpr> expr = TagExpr::Parse(row.tags);
      ASSERT_TRUE(expr.ok());
      options.tags = *expr;
      options.tags_text = row.tags;
    }
    StatusOr<RunResult> run = RunSuite(kTaggedSuite, transport, options);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    std::vector<std::string> keys = transport.keys();
    for (const auto& [id, want] : row.expected) {
      const CaseResult* c = FindCase(*run, id);
      ASSERT_NE(c, nullptr) << id;
      std::string path = "GET /" + std::string(id == "FAST"   ? "fast"
                                               : id == "SLOW" ? "slow"
                                                              : "plain");
      bool sent = std::find(keys.begin(), keys.end(), path) != keys.end();
      if (want == "pass") {
        EXPECT_EQ(c->verdict, Verdict::kPass) << id;
        EXPECT_TRUE(sent) << id;
      } else {
        EXPECT_EQ(c->verdict, Verdict::kSkipped) << id;
        EXPECT_EQ(c->skip_kind, want) << id;
        EXPECT_FALSE(sent) << id << " was skipped but reached the target";
      }
    }
  }
}

// --- shared state: exclusive cases run after the others, one at a time --------------------

// The clock and concurrent-replay cases come first in the file: a runner that put them in
// the shared pool would send them while the shared cases wait at their barrier.
constexpr char kOrderSuite[] = R"yaml(suite: t/order
scenarios:
  - id: CLOCK
    name: moves the shared clock after talking to the target
    requirements: [R]
    steps:
      - request: {url: "${target.url}/exclusive/clock"}
        expect: {status: 200}
      - clock: {offset: 5m}
  - id: RACE
    name: a concurrent replay where one copy may win
    requirements: [R]
    steps:
      - request: {method: POST, url: "${target.url}/exclusive/race"}
        save: r
        expect: {status: 201}
      - replay: {of: r, concurrent: 4}
        expect: {exactly_one: 2xx}
  - {id: S1, name: s1, requirements: [R], steps: [{request: {url: "${target.url}/shared/1"}, expect: {status: 200}}]}
  - {id: S2, name: s2, requirements: [R], steps: [{request: {url: "${target.url}/shared/2"}, expect: {status: 200}}]}
  - {id: S3, name: s3, requirements: [R], steps: [{request: {url: "${target.url}/shared/3"}, expect: {status: 200}}]}
  - {id: S4, name: s4, requirements: [R], steps: [{request: {url: "${target.url}/shared/4"}, expect: {status: 200}}]}
)yaml";

// Answers POST /exclusive/race: the first request is the original; the next `copies` are
// replays that wait for each other (so the race is real), and exactly `winners` of them win.
ScriptedTransport::Answer RaceAnswer(int copies, int winners) {
  struct State {
    std::mutex mu;
    int calls = 0, won = 0;
    Barrier barrier;
    explicit State(int n) : barrier(n) {}
  };
  auto state = std::make_shared<State>(copies);
  return [state, winners](const ClientRequest&) -> StatusOr<ClientResponse> {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->calls++ == 0) return ScriptedTransport::Reply(201);
    }
    if (!state->barrier.ArriveAndWait()) return ScriptedTransport::Reply(504, "copies never met");
    std::lock_guard<std::mutex> lock(state->mu);
    return ScriptedTransport::Reply(state->won++ < winners ? 201 : 409);
  };
}

TEST(RunnerWithScriptedTransport, RunsStateChangingCasesAfterTheOthersAndAlone) {
  ScriptedTransport transport;
  Barrier shared(4);  // the four shared cases are in flight together on four jobs
  for (int i = 1; i <= 4; ++i) {
    transport.On("GET /shared/" + std::to_string(i),
                 [&shared](const ClientRequest&) -> StatusOr<ClientResponse> {
                   return ScriptedTransport::Reply(shared.ArriveAndWait() ? 200 : 504);
                 });
  }
  transport.On("GET /exclusive/clock", [](const ClientRequest&) -> StatusOr<ClientResponse> {
    return ScriptedTransport::Reply(200);
  });
  transport.On("POST /exclusive/race", RaceAnswer(4, 1));
  RunOptions options;
  options.jobs = 4;
  StatusOr<RunResult> run = RunSuite(kOrderSuite, transport, options);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  for (const char* id : {"CLOCK", "RACE", "S1", "S2", "S3", "S4"}) {
    const CaseResult* c = FindCase(*run, id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ(c->verdict, Verdict::kPass)
        << id << ": " << c->error << (c->failures.empty() ? "" : c->failures[0].message);
  }
  std::vector<ScriptedTransport::Sent> sent = transport.sent();
  ASSERT_EQ(sent.size(), 4u + 1u + 1u + 4u);
  for (const ScriptedTransport::Sent& s : sent) {
    if (s.key.find("/exclusive/") == std::string::npos) continue;
    SCOPED_TRACE(s.key);
    EXPECT_GE(s.finished_before, 4) << "sent before every shared case had its answer";
    for (const std::string& other : s.in_flight) {
      EXPECT_EQ(other, s.key) << "another case's request was in flight";
    }
  }
  // Results keep the file's order, whatever order the cases ran in.
  std::vector<std::string> ids;
  for (const CaseResult& c : run->suites[0].cases) ids.push_back(c.scenario_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"CLOCK", "RACE", "S1", "S2", "S3", "S4"}));
}

TEST(RunnerWithScriptedTransport, ConcurrentReplayReleasesEveryCopyTogetherAndJudgesTheRace) {
  struct RaceRow {
    int winners;
    Verdict verdict;
    std::string message;
  };
  std::vector<RaceRow> rows = {
      {1, Verdict::kPass, ""},
      {4, Verdict::kFail,
       "expected exactly 1 of 4 copies with status 2xx, got 4 (statuses: 201, 201, 201, 201)"},
      {0, Verdict::kFail,
       "expected exactly 1 of 4 copies with status 2xx, got 0 (statuses: 409, 409, 409, 409)"},
  };
  for (const RaceRow& row : rows) {
    SCOPED_TRACE(std::to_string(row.winners) + " winners");
    ScriptedTransport transport;
    transport.On("POST /exclusive/race", RaceAnswer(4, row.winners));
    StatusOr<RunResult> run = RunSuite(
        "suite: t/race\nscenarios:\n  - id: RACE\n    name: race\n    requirements: [R]\n"
        "    steps:\n"
        "      - request: {method: POST, url: \"${target.url}/exclusive/race\"}\n"
        "        save: r\n"
        "      - replay: {of: r, concurrent: 4}\n"
        "        expect: {exactly_one: 2xx}\n",
        transport);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    const CaseResult* c = FindCase(*run, "RACE");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->verdict, row.verdict) << c->error;
    if (row.verdict == Verdict::kFail) {
      ASSERT_FALSE(c->failures.empty());
      EXPECT_THAT(c->failures[0].message, HasSubstr(row.message));
    }
    // All four copies were in flight together: the last to arrive saw the other three.
    std::vector<ScriptedTransport::Sent> sent = transport.sent();
    ASSERT_EQ(sent.size(), 5u);
    std::size_t most = 0;
    for (const ScriptedTransport::Sent& s : sent) most = std::max(most, s.in_flight.size());
    EXPECT_EQ(most, 3u);
    // Every copy is the saved request, byte for byte.
    for (std::size_t i = 1; i < sent.size(); ++i) {
      EXPECT_EQ(sent[i].request.method, sent[0].request.method);
      EXPECT_EQ(sent[i].request.url, sent[0].request.url);
      EXPECT_EQ(sent[i].request.headers, sent[0].request.headers);
      EXPECT_EQ(sent[i].request.body, sent[0].request.body);
    }
  }
}

// --- race: one request, built once, released as N copies together -------------------------

TEST(RunnerWithScriptedTransport, RaceReleasesIdenticalCopiesTogetherAndWantsOneWinner) {
  struct RaceRow {
    std::string expect;  // the step's `expect:`; empty: none (2xx must win exactly once)
    int winners;
    Verdict verdict;
    std::string message;
  };
  std::vector<RaceRow> rows = {
      {"", 1, Verdict::kPass, ""},
      {"", 3, Verdict::kFail,
       "expected exactly 1 of 3 copies with status 2xx, got 3 (statuses: 201, 201, 201)"},
      {"", 0, Verdict::kFail,
       "expected exactly 1 of 3 copies with status 2xx, got 0 (statuses: 409, 409, 409)"},
      {"{status: 409}", 1, Verdict::kPass, ""},
      {"{exactly_one: 201, status: 409}", 1, Verdict::kPass, ""},
  };
  for (const RaceRow& row : rows) {
    SCOPED_TRACE((row.expect.empty() ? "no expect" : row.expect) + ", " +
                 std::to_string(row.winners) + " winners");
    ScriptedTransport transport;
    // Every request is a copy: the answer waits for all three (the race is real).
    auto state = std::make_shared<std::pair<std::mutex, int>>();
    auto barrier = std::make_shared<Barrier>(3);
    transport.On(
        "POST /race",
        [state, barrier, winners = row.winners](const ClientRequest&) -> StatusOr<ClientResponse> {
          if (!barrier->ArriveAndWait()) return ScriptedTransport::Reply(504);
          std::lock_guard<std::mutex> lock(state->first);
          return ScriptedTransport::Reply(state->second++ < winners ? 201 : 409);
        });
    std::string suite =
        "suite: t/race\nscenarios:\n  - id: RACE\n    name: race\n    requirements: [R]\n"
        "    steps:\n"
        "      - race:\n"
        "          copies: 3\n"
        "          request:\n"
        "            method: POST\n"
        "            url: \"${target.url}/race\"\n"
        "            headers: {Idempotency-Key: \"${uuid()}\"}\n";
    if (!row.expect.empty()) suite += "        expect: " + row.expect + "\n";
    StatusOr<RunResult> run = RunSuite(suite, transport);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    const CaseResult* c = FindCase(*run, "RACE");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->verdict, row.verdict) << c->error;
    if (row.verdict == Verdict::kFail) {
      ASSERT_EQ(c->failures.size(), 1u);
      EXPECT_EQ(c->failures[0].message, row.message);
    }
    // Exactly `copies` requests, no first send, all in flight together, all the same
    // request (one evaluation of the template: one uuid).
    std::vector<ScriptedTransport::Sent> sent = transport.sent();
    ASSERT_EQ(sent.size(), 3u);
    std::size_t most = 0;
    for (const ScriptedTransport::Sent& s : sent) most = std::max(most, s.in_flight.size());
    EXPECT_EQ(most, 2u);
    for (const ScriptedTransport::Sent& s : sent) {
      EXPECT_EQ(s.request.headers, sent[0].request.headers);
    }
    // The transcript says how far apart the copies were released.
    bool noted = false;
    for (const TranscriptEntry& e : c->transcript) {
      if (const auto* n = std::get_if<RaceNote>(&e)) {
        noted = true;
        EXPECT_EQ(n->copies, 3);
        EXPECT_GE(n->spread_us, 0);
      }
    }
    EXPECT_TRUE(noted);
  }
}

TEST(RunnerWithScriptedTransport, ATokenFetchAndANotificationRaceAsOneRequestEach) {
  struct Row {
    std::string step;  // the race's body
    std::string route;
  };
  std::vector<Row> rows = {
      {"          token:\n"
       "            fetch: {url: \"${target.url}/token\", client_id: app, client_secret: s3cr3t,\n"
       "                    grant_type: refresh_token, refresh_token: rt-1}\n",
       "POST /token"},
      {"          notify: {url: \"${target.url}/notify\", id: \"${uuid()}\"}\n", "POST /notify"},
  };
  for (const Row& row : rows) {
    for (int winners : {1, 4}) {
      SCOPED_TRACE(row.route + ", " + std::to_string(winners) + " winners");
      ScriptedTransport transport;
      auto state = std::make_shared<std::pair<std::mutex, int>>();
      auto barrier = std::make_shared<Barrier>(4);
      transport.On(row.route,
                   [state, barrier, winners](const ClientRequest&) -> StatusOr<ClientResponse> {
                     if (!barrier->ArriveAndWait()) return ScriptedTransport::Reply(504);
                     std::lock_guard<std::mutex> lock(state->first);
                     return ScriptedTransport::Reply(state->second++ < winners ? 200 : 400);
                   });
      std::string suite =
          "suite: t/race\nscenarios:\n  - id: RACE\n    name: race\n    requirements: [R]\n"
          "    steps:\n"
          "      - race:\n"
          "          copies: 4\n" +
          row.step + "        expect: {exactly_one: 200, status: 400}\n";
      StatusOr<RunResult> run = RunSuite(suite, transport);
      ASSERT_TRUE(run.ok()) << run.status().ToString();
      const CaseResult* c = FindCase(*run, "RACE");
      ASSERT_NE(c, nullptr);
      EXPECT_EQ(c->verdict, winners == 1 ? Verdict::kPass : Verdict::kFail) << c->error;
      // Four copies of one request, built once: the same body (one refresh token, one
      // AuthorisationID), all in flight together.
      std::vector<ScriptedTransport::Sent> sent = transport.sent();
      ASSERT_EQ(sent.size(), 4u);
      std::size_t most = 0;
      for (const ScriptedTransport::Sent& s : sent) {
        most = std::max(most, s.in_flight.size());
        EXPECT_EQ(s.request.body, sent[0].request.body);
        EXPECT_EQ(s.request.headers, sent[0].request.headers);
      }
      EXPECT_EQ(most, 3u);
      if (row.route == "POST /token") {
        EXPECT_NE(sent[0].request.body.find("refresh_token=rt-1"), std::string::npos);
      }
    }
  }
}

// --- redaction of what failures and errors quote ------------------------------------------

constexpr char kSecret[] = "sk_live_7Hq2ZpX9wLmN4vR8";

TEST(RunnerWithScriptedTransport, FailuresAndErrorsNeverQuoteASecret) {
  struct RedactRow {
    std::string name;
    std::string body;  // what the target answers
    std::string expect;
    ScriptedTransport::Answer answer;  // overrides `body` when set
  };
  std::string long_prefix(190, 'x');  // the quote is cut at 200 bytes, inside the secret
  std::vector<RedactRow> rows = {
      {"the whole secret in a quoted body", std::string("token=") + kSecret,
       "{body: {contains: granted}}", nullptr},
      {"the quote cut inside the secret", long_prefix + kSecret, "{body: {contains: granted}}",
       nullptr},
      {"the secret in a JSON value the expectation names",
       std::string("{\"key\": \"") + kSecret + "\"}", "{json: {/key: other}}", nullptr},
      {"the secret in a transport error", "", "{status: 200}",
       [](const ClientRequest& q) -> StatusOr<ClientResponse> {
         return ScriptedTransport::Broken(TransportOutcome::kConnectFailed,
                                          "could not connect to " + q.url);
       }},
  };
  for (const RedactRow& row : rows) {
    SCOPED_TRACE(row.name);
    ScriptedTransport transport;
    std::string body = row.body;
    transport.On(
        "GET /secret",
        row.answer ? row.answer : [body](const ClientRequest&) -> StatusOr<ClientResponse> {
          return ScriptedTransport::Reply(200, body);
        });
    RunOptions options;
    options.secrets["api_key"] = kSecret;
    StatusOr<RunResult> run = RunSuite(
        "suite: t/redact\nscenarios:\n  - id: S\n    name: s\n    requirements: [R]\n"
        "    steps:\n"
        "      - request: {url: \"${target.url}/secret?key=${secret.api_key}\"}\n"
        "        expect: " +
            row.expect + "\n",
        transport, options);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    const CaseResult* c = FindCase(*run, "S");
    ASSERT_NE(c, nullptr);
    ASSERT_NE(c->verdict, Verdict::kPass);
    // The request really carried the secret, so hiding it is the runner's doing.
    ASSERT_EQ(transport.sent().size(), 1u);
    EXPECT_THAT(transport.sent()[0].request.url, HasSubstr(kSecret));
    std::string shown = c->error;
    for (const CheckFailure& f : c->failures) shown += f.message + f.expected + f.actual;
    ASSERT_FALSE(shown.empty());
    EXPECT_THAT(shown, Not(HasSubstr(kSecret)));
    EXPECT_THAT(shown, Not(HasSubstr("sk_live")));  // no head of it either
    EXPECT_THAT(shown, HasSubstr("***"));
  }
}

}  // namespace
}  // namespace tollgate
