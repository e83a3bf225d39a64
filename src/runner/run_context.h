#pragma once
// What every case of one run shares: the resolved target, the running mocks, secrets and
// the borrowed clock, redactor and client. Read-only while cases run, so thread-safe.

#include <map>
#include <string>

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
  HttpClient* client = nullptr;
  std::string target_url;
  std::map<std::string, std::string> target_settings;  // target.NAME (secrets included)
};

}  // namespace tollgate::runner
