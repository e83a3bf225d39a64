#pragma once
// `notify:` steps: the request a Sage-style platform sends a partner's notification
// endpoint. A later `sign:` option (webhook signature schemes) would add its headers here,
// after the body is final.

#include <nlohmann/json.hpp>

#include "runner/case_scope.h"
#include "runner/run_context.h"
#include "tollgate/http/client.h"
#include "tollgate/scenario/model.h"

namespace tollgate::runner {

/// The notification to send and what the step saves besides the exchange.
struct BuiltNotify {
  ClientRequest request;
  /// {authorisation_id, token: {token, header, claims, mutation} (when minted)}.
  nlohmann::json saved;
};

/// Mints the ID token (when the step has one), registers the custom header value with the
/// run's redactor, and builds the POST:
///   {"type":"resourceCreated","resource":{"id":ID,"type":"authorisation","url":"NA"},
///    "additionalData":{"bankId":"tollgate-bank"}}
StatusOr<BuiltNotify> BuildNotify(const NotifyStep& step, const RunContext& run,
                                  const CaseScope& scope);

}  // namespace tollgate::runner
