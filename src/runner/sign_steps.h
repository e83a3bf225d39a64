#pragma once
// `sign:` on a request step: signs the built request with a signing profile (HMAC), then
// applies at most one named mutation, so suites can send the hostile variants a verifier
// must refuse (tampering after signing, dropped or duplicated headers, truncated MACs,
// swapped encodings, downgraded algorithm labels, wrong keys).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/run_context.h"
#include "tollgate/http/client.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::runner {

/// The mutations `sign: {mutate: ...}` accepts, each with what it changes.
const Terms& SignMutations();

/// Signs `q` in place. `spec` is the evaluated `sign:` mapping: profile (a mapping, or its
/// JSON text such as ${target.signing_profile}), key_id, secret (registered as a secret),
/// nonce (default `fresh_nonce`), timestamp_offset ("-301s"), timestamp (literal text),
/// mutate. Returns a one-line note for the transcript; InvalidArgument for a bad spec.
StatusOr<std::string> ApplySign(const nlohmann::json& spec, ClientRequest& q, const RunContext& run,
                                const std::string& fresh_nonce);

}  // namespace tollgate::runner
