#pragma once
// `notify: {webhook: ...}`: signs a built notification with a webhook scheme (Standard
// Webhooks, Stripe, GitHub) or one of its corrupted variants, over the exact body bytes.

#include <nlohmann/json.hpp>
#include <string>

#include "runner/case_scope.h"
#include "runner/run_context.h"
#include "tollgate/http/client.h"
#include "tollgate/scenario/model.h"

namespace tollgate::runner {

/// Adds the scheme's headers to `q` (whose body is final), timestamped by the run's clock.
/// Every secret is registered with the run's redactor. `reserialized_body` replaces the body
/// sent with a re-serialised one; `duplicate_id` reuses `last_id`, the webhook id of the
/// case's previous correctly signed notification (an error when there is none). A correct
/// delivery sets `last_id` to its id. Returns what the step saves under `webhook`: {scheme, id,
/// timestamp, variant}.
StatusOr<nlohmann::json> SignNotify(const WebhookSign& w, const RunContext& run,
                                    const CaseScope& scope, ClientRequest& q, std::string& last_id);

}  // namespace tollgate::runner
