#include "tollgate/results.h"

namespace tollgate {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kFail: return "fail";
    case Verdict::kError: return "error";
    case Verdict::kSkipped: return "skipped";
  }
  return "unknown";
}

Counts RunResult::Count(const SuiteResult& suite) {
  Counts c;
  for (const CaseResult& r : suite.cases) {
    ++c.tests;
    switch (r.verdict) {
      case Verdict::kPass: ++c.passed; break;
      case Verdict::kFail: ++c.failures; break;
      case Verdict::kError: ++c.errors; break;
      case Verdict::kSkipped: ++c.skipped; break;
    }
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
  }
  return total;
}

}  // namespace tollgate
