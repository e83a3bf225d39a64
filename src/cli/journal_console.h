#pragma once
// `mocks up` console: one line per request a partner-facing reference target received,
// with its answer and the verdict's reason, so a platform team pointing its real sender at
// the mock sees at once why a notification was refused. Lines come from the journals,
// which are redacted when recorded.

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "tollgate/mocks/environment.h"

namespace tollgate::cli {

/// Not thread-safe: one per `mocks up`, polled by its main thread.
class JournalConsole {
 public:
  /// Writes the entries recorded since the last call, for services of the kinds that
  /// report verdicts (sage-connector).
  void Poll(const MockEnvironment& env, std::ostream& out);

 private:
  std::map<std::string, std::uint64_t> seen_;  // service -> last seq printed
};

/// "connector: POST /notification -> 401 refused: custom header X-Partner-Key missing".
std::string FormatJournalLine(const std::string& service, const JournalEntry& entry);

}  // namespace tollgate::cli
