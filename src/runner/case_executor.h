#pragma once
// Runs the steps of one scenario case in order and turns what happened into a CaseResult.
// A step whose expectations fail ends the case (later steps depend on earlier ones).

#include "runner/run_context.h"
#include "tollgate/results.h"
#include "tollgate/scenario/expand.h"

namespace tollgate::runner {

/// Runs one case. Thread-safe as long as each call has its own case.
CaseResult RunCase(const ScenarioCase& c, const RunContext& run);

}  // namespace tollgate::runner
