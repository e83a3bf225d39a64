#pragma once
// `token:` steps: mint with an issuer mock's key (including hostile variants), or fetch from
// a token endpoint; and the `token:` expectation on what was saved.

#include <nlohmann/json.hpp>

#include "runner/case_scope.h"
#include "runner/run_context.h"
#include "tollgate/http/client.h"
#include "tollgate/results.h"
#include "tollgate/scenario/model.h"

namespace tollgate::runner {

/// A minted token and what it says: {token, access_token, header, claims}.
StatusOr<nlohmann::json> MintToken(const TokenStep& step, const RunContext& run,
                                   const CaseScope& scope);

/// The form body and headers of a token request (grant, client auth, scope).
StatusOr<ClientRequest> BuildTokenRequest(const TokenStep& step, const CaseScope& scope);

/// What a token response saves: access_token, refresh_token, expires_in, token_type, scope,
/// and the decoded header and claims of a JWT access token.
nlohmann::json TokenResult(const ClientResponse& response);

/// Checks `expect` on a saved token result ({header, claims}).
std::vector<CheckFailure> CheckToken(const TokenExpect& expect, const nlohmann::json& saved,
                                     const RunContext& run);

}  // namespace tollgate::runner
