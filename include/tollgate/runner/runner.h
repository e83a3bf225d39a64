#pragma once
// Executes loaded suites against a target, with an environment of mocks running in this
// process, and returns results. Knows nothing of reports or of the command line.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/base/redact.h"
#include "tollgate/base/status.h"
#include "tollgate/http/client.h"
#include "tollgate/results.h"
#include "tollgate/runner/shard.h"
#include "tollgate/scenario/expand.h"
#include "tollgate/scenario/model.h"
#include "tollgate/scenario/tags.h"

namespace tollgate {

/// What the suites run against.
struct TargetSpec {
  enum class Kind { kDefault, kMock, kUrl };
  Kind kind = Kind::kDefault;      // kDefault: the environment's default_target
  std::string service;             // kMock
  std::string url;                 // kUrl
  std::optional<TargetFile> file;  // settings for kUrl (or kDefault with --target-file)
  /// "mock:NAME" or the URL, for reports.
  std::string Describe(const Environment* env) const;
  /// True when the target is not a mock of this process (`--target URL`, `--target-file`):
  /// it cannot see tollgate's shared clock nor the reference target's state.
  bool IsExternal() const { return kind == Kind::kUrl || (kind == Kind::kDefault && file); }
  /// The command-line options that select this target again ("--target-file F").
  std::string CommandLine() const;
};

/// How to run.
struct RunOptions {
  int jobs = 1;
  std::optional<TagExpr> tags;
  std::string tags_text;
  std::map<std::string, std::string> vars;     // override suite vars of the same name
  std::map<std::string, std::string> secrets;  // secret.NAME; redacted everywhere
  Duration max_wait{std::chrono::seconds(60)};
  TargetSpec target;
  std::vector<std::pair<std::string, std::string>> faults;  // (service, fault) to switch on
  /// The PKI profile and the folder it is generated into (certs/pki.yaml and
  /// certs/generated of the project); empty: TLS services and identities are unavailable.
  std::string pki_config, pki_dir;
  /// Run only the cases of this shard; the others are left out of the results entirely.
  std::optional<Shard> shard;
  /// Called as each case finishes, one call at a time (from worker threads).
  std::function<void(const CaseResult&)> on_case;
  /// Against an external target: called once before any case runs with the cases that
  /// will be skipped because the target cannot observe what decides them (the shared
  /// clock, the in-process reference target), each with its reason.
  std::function<void(const std::vector<CaseResult>&)> on_external_skips;
};

/// Runs suites. Not thread-safe itself; runs cases on `jobs` threads.
class Runner {
 public:
  /// `clock`, `redactor` and `transport` are borrowed and must outlive the Runner. Every
  /// request to the target and to the mocks goes through `transport` (an `HttpClient`, or
  /// a scripted fake in tests).
  Runner(RunOptions options, OffsetClock* clock, Redactor* redactor, Transport* transport);

  /// Starts the environment (if any), runs every case, stops the environment. An error
  /// Status means the harness could not run at all (a mock did not start, the target
  /// could not be resolved); a target that does not answer yields kError cases instead.
  StatusOr<RunResult> Run(const std::vector<Suite>& suites, const Environment* env);

 private:
  RunOptions options_;
  OffsetClock* clock_;
  Redactor* redactor_;
  Transport* transport_;
};

}  // namespace tollgate
