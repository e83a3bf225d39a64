#pragma once
// What every case of one run shares: the resolved target, the running mocks, secrets and
// the borrowed clock, redactor and transport. Read-only while cases run, so thread-safe.

#include <map>
#include <memory>
#include <string>

#include "runner/dpop_steps.h"
#include "tollgate/base/clock.h"
#include "tollgate/base/redact.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/runner/runner.h"

namespace tollgate::runner {

struct RunContext {
  const RunOptions* options = nullptr;
  MockEnvironment* env = nullptr;  // null when the run has no environment
  OffsetClock* clock = nullptr;
  Redactor* redactor = nullptr;
  Transport* transport = nullptr;  // every request of the run goes through it
  std::string target_url;
  std::map<std::string, std::string> target_settings;  // target.NAME (secrets included)
  std::string target_ca_file;                          // the target file's `ca:`, "" when none
  /// The run's DPoP keys by name (`dpop:`, `${dpop.NAME.jkt}`); thread-safe.
  std::shared_ptr<DpopKeyring> dpop_keys = std::make_shared<DpopKeyring>();

  /// The CA file a request to `url` trusts when its step names none: a TLS mock's PKI root,
  /// or the target file's `ca:` for the target's own URLs (target.url and every https
  /// target setting ending in `url`); "" for the system's trust store.
  std::string TrustFileFor(const std::string& url) const;
};

}  // namespace tollgate::runner
