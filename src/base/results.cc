#include "tollgate/results.h"

namespace tollgate {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kError:
      return "error";
    case Verdict::kSkipped:
      return "skipped";
  }
  return "unknown";
}

const char* SeverityName(Severity s) { return s == Severity::kShould ? "should" : "must"; }

Outcome OutcomeOf(const CaseResult& c) {
  switch (c.verdict) {
    case Verdict::kPass:
      return Outcome::kPass;
    case Verdict::kError:
      return Outcome::kError;
    case Verdict::kSkipped:
      return Outcome::kSkipped;
    case Verdict::kFail:
      if (c.waiver == WaiverState::kWaived) return Outcome::kWaived;
      // Only --strict-waivers fails a passing case for its unused waiver: always a failure.
      if (c.waiver == WaiverState::kUnused) return Outcome::kFail;
      return c.severity == Severity::kShould ? Outcome::kWarning : Outcome::kFail;
  }
  return Outcome::kError;
}

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kFail:
      return "fail";
    case Outcome::kError:
      return "error";
    case Outcome::kSkipped:
      return "skipped";
    case Outcome::kWarning:
      return "warning";
    case Outcome::kWaived:
      return "waived";
  }
  return "unknown";
}

Verdict RunVerdict(const Counts& counts) {
  if (counts.failures > 0) return Verdict::kFail;
  if (counts.errors > 0) return Verdict::kError;
  return Verdict::kPass;
}

Counts RunResult::Count(const SuiteResult& suite) {
  Counts c;
  for (const CaseResult& r : suite.cases) {
    ++c.tests;
    switch (OutcomeOf(r)) {
      case Outcome::kPass:
        ++c.passed;
        break;
      case Outcome::kFail:
        ++c.failures;
        break;
      case Outcome::kError:
        ++c.errors;
        break;
      case Outcome::kSkipped:
        ++c.skipped;
        break;
      case Outcome::kWarning:
        ++c.warnings;
        break;
      case Outcome::kWaived:
        ++c.waived;
        break;
    }
    if (r.waiver == WaiverState::kUnused) ++c.stale_waivers;
  }
  return c;
}

Counts RunResult::Count() const {
  Counts total;
  for (const SuiteResult& s : suites) {
    Counts c = Count(s);
    total.tests += c.tests;
    total.passed += c.passed;
    total.failures += c.failures;
    total.errors += c.errors;
    total.skipped += c.skipped;
    total.warnings += c.warnings;
    total.waived += c.waived;
    total.stale_waivers += c.stale_waivers;
  }
  return total;
}

const char* ExchangeOutcomeName(ExchangeOutcome o) {
  switch (o) {
    case ExchangeOutcome::kOk:
      return "ok";
    case ExchangeOutcome::kConnectFailed:
      return "connect failed";
    case ExchangeOutcome::kDnsFailed:
      return "dns failed";
    case ExchangeOutcome::kTimeout:
      return "timeout";
    case ExchangeOutcome::kTlsRejected:
      return "tls rejected";
    case ExchangeOutcome::kProtocolError:
      return "protocol error";
  }
  return "unknown";
}

std::optional<ExchangeOutcome> ParseExchangeOutcome(std::string_view name) {
  for (ExchangeOutcome o : {ExchangeOutcome::kOk, ExchangeOutcome::kConnectFailed,
                            ExchangeOutcome::kDnsFailed, ExchangeOutcome::kTimeout,
                            ExchangeOutcome::kTlsRejected, ExchangeOutcome::kProtocolError}) {
    if (name == ExchangeOutcomeName(o)) return o;
  }
  return std::nullopt;
}

}  // namespace tollgate
