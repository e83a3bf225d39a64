#pragma once
// The fault matrix: a suite that passes against a correct target proves little; each fault
// of the reference target breaks one rule, and the profile must fail in exactly the
// scenarios its fault map names (a fault nobody catches is a hole in the suites; a scenario
// failing on an unrelated fault is an over-broad check). `tollgate selftest` prints it.

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tollgate/base/status.h"
#include "tollgate/scenario/project.h"

namespace tollgate {

/// The cases of one run that did not pass.
struct RunOutcome {
  std::set<std::string> failed;   // case ids
  std::set<std::string> errored;  // "case id (error)"
};

/// Runs a profile against its reference target with the given (service, fault) pairs on.
using ProfileRunner = std::function<StatusOr<RunOutcome>(
    const ProfileRun& profile, const std::vector<std::pair<std::string, std::string>>& faults)>;

/// One fault-map entry, checked.
struct FaultCheck {
  std::string entry;               // "fault" or "service:fault"
  std::set<std::string> expected;  // the case ids the map names
  std::set<std::string> missed;    // expected but passed
  std::set<std::string> extra;     // failed but not expected (over-broad)
  std::set<std::string> errored;
  bool ok() const { return missed.empty() && extra.empty() && errored.empty(); }
};

/// One profile, checked.
struct ProfileCheck {
  std::string profile;
  std::string target;  // the environment's default target
  bool ran = false;    // false with map_only
  RunOutcome clean;    // the run with no fault on: must be empty
  std::vector<FaultCheck> faults;
};

/// The whole matrix.
struct FaultMatrix {
  std::vector<ProfileCheck> profiles;
  /// "kind:fault" of every fault some kind has but no profile's fault map names (only when
  /// every profile was checked and no single fault was asked for).
  std::vector<std::string> unmapped;
  /// Clean runs that did not pass, faults not caught exactly, and unmapped faults.
  int problems() const;
};

struct FaultMatrixOptions {
  std::string only_fault;     // check only the entries matching this ("" : all)
  bool map_only = false;      // run nothing: only check every fault is in some map
  bool all_profiles = false;  // the profiles are every profile of the project
  /// Called with each profile's result as soon as it is complete (progress for a console).
  std::function<void(const ProfileCheck&)> on_profile;
};

/// Checks `profiles` with `run`. Stops at the first run that cannot be made (the harness's
/// error, not the target's).
StatusOr<FaultMatrix> CheckFaultMatrix(const std::vector<ProfileRun>& profiles,
                                       const FaultMatrixOptions& options, const ProfileRunner& run);

/// True when `--fault NAME` selects the fault-map entry: NAME is the entry itself
/// ("idp:accept_wrong_secret") or its fault ("accept_wrong_secret").
bool MatchesFault(const std::string& entry, const std::string& name);

}  // namespace tollgate
