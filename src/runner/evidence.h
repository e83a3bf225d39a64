#pragma once
// Evidence of a case for the certification report: each exchange as a redacted JSON
// record, with the JWTs it carried decoded. Built from the same record `save` keeps, so
// whatever the record holds (a `tls` object, say) reaches the report too.

#include <nlohmann/json.hpp>
#include <string>

#include "tollgate/base/redact.h"
#include "tollgate/results.h"

namespace tollgate::runner {

/// `record` with every secret removed: header values through RedactHeader (Authorization
/// keeps only its scheme), every other string through Redact, long bodies cut.
nlohmann::json RedactRecord(const nlohmann::json& record, const Redactor& redactor);

/// The decoded header and claims of `token` when it is a JWT and is not itself a secret
/// (a fetched access token is registered as one, and stays opaque). `where` says where the
/// token was found. Null when nothing may be shown.
nlohmann::json DecodeTokenEvidence(const std::string& token, const std::string& where,
                                   const Redactor& redactor);

/// A step's evidence: `record` redacted, plus a "tokens" array decoding `token` (the
/// request's bearer token, or a minted token; may be empty), found at `token_where`.
/// Call it when the case has ended, so secrets learnt during the case are known.
StepEvidence MakeEvidence(const std::string& label, const nlohmann::json& record,
                          const std::string& token, const std::string& token_where,
                          const SourceLoc& where, const Redactor& redactor);

}  // namespace tollgate::runner
