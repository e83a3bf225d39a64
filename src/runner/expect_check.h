#pragma once
// Checks one step's `expect` against what was observed and explains every mismatch with
// expected, actual and the expectation's file:line.

#include <optional>
#include <string>
#include <vector>

#include "runner/case_scope.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/journal.h"
#include "tollgate/results.h"
#include "tollgate/scenario/model.h"

namespace tollgate::runner {

/// Checks a response (or a transport failure) against `expect`. Template errors in
/// operands are returned as a non-OK Status: the harness could not check.
StatusOr<std::vector<CheckFailure>> CheckResponse(const Expect& expect,
                                                  const ClientResponse& response,
                                                  const CaseScope& scope);

/// Checks `exactly_one` and the per-copy expectations of a concurrent replay.
StatusOr<std::vector<CheckFailure>> CheckConcurrent(const Expect& expect,
                                                    const std::vector<ClientResponse>& copies,
                                                    const CaseScope& scope);

/// Checks a `received` step: count, then headers/body on every selected entry.
StatusOr<std::vector<CheckFailure>> CheckJournal(const Expect& expect,
                                                 const std::vector<JournalEntry>& entries,
                                                 const CaseScope& scope);

/// Evaluates one matcher against an actual value (nullopt: absent). On mismatch returns
/// the failure's (expected, actual) texts.
StatusOr<std::optional<std::pair<std::string, std::string>>> MatchValue(
    const Matcher& m, const std::optional<std::string>& actual, const CaseScope& scope);

/// One line describing a response for "actual": "200" or "TLS handshake rejected: ...".
std::string DescribeOutcome(const ClientResponse& response);

/// A transcript note saying how the target refused ("HTTP 400 from the TLS terminator
/// (nginx: The SSL certificate error)"), when `expect` asks about a refusal (`rejected`, a
/// `tls` outcome) and the target refused; nullopt otherwise. A pass on a refusal then shows
/// which kind of refusal it was.
std::optional<RefusedNote> RefusalNote(const Expect& expect, const ClientResponse& response);

}  // namespace tollgate::runner
