#pragma once
// Pieces of the HTML certification report (internal to src/report): escaping is done
// here, once, so callers pass raw result text.

#include <string>
#include <string_view>

#include "tollgate/results.h"

namespace tollgate::report_internal {

/// `<span class="chip outcome">WORD</span>` for an outcome.
std::string OutcomeChip(Outcome o);

/// The anchor id of a case's evidence section ("case-3").
std::string CaseAnchor(int index);

/// The evidence section of a case that did not pass: its checks, waiver, each exchange
/// (request, response, TLS, decoded tokens, anything else the record holds) and the
/// transcript.
std::string CaseEvidenceHtml(const CaseResult& c, int index);

}  // namespace tollgate::report_internal
