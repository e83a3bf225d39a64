#pragma once
// What a case records for the reports, redacted: each exchange as a typed record (for the
// transcript, bodies cut at 2,048 bytes; for the evidence, at 8,192 with the JSON body and
// the JWTs it carried decoded) and the transcript's notes. Called when the case has ended,
// so secrets learnt during the case (a fetched access token) are known.

#include <cstddef>
#include <optional>
#include <string>

#include "tollgate/base/redact.h"
#include "tollgate/http/client.h"
#include "tollgate/results.h"

namespace tollgate::runner {

/// Bodies beyond this are cut in the transcript.
inline constexpr std::size_t kTranscriptBody = 2048;
/// Bodies beyond this are cut in the evidence: the report is read by people.
inline constexpr std::size_t kEvidenceBody = 8192;

/// The exchange `q` -> `r` as a record: every string through `redactor`, header values
/// through RedactHeader (Authorization keeps only its scheme), bodies redacted before they
/// are cut at `body_cap` (RedactAndCut). `parse_json`: the response body parsed as JSON too,
/// each string in it redacted (and cut at the evidence cap).
RecordedExchange RecordExchange(const ClientRequest& q, const ClientResponse& r,
                                const Redactor& redactor, std::size_t body_cap, bool parse_json);

/// `entry` with every string through `redactor`. An exchange entry is recorded with
/// RecordExchange instead, and passes unchanged.
TranscriptEntry RedactNote(TranscriptEntry entry, const Redactor& redactor);

/// The decoded header and claims of `token` when it is a JWT and is not itself a secret
/// (a fetched access token is registered as one, and stays opaque); redacted, never the
/// signature. `where` says where the token was found. nullopt when nothing may be shown.
std::optional<DecodedToken> DecodeTokenEvidence(const std::string& token, const std::string& where,
                                                const Redactor& redactor);

/// A step's evidence: the exchange (when `q` and `r` are given) recorded with the evidence
/// cap, and `token` (the request's bearer token, or a minted token; may be empty) decoded,
/// found at `token_where`.
StepEvidence MakeEvidence(const std::string& label, const ClientRequest* q, const ClientResponse* r,
                          const std::string& token, const std::string& token_where,
                          const SourceLoc& where, const Redactor& redactor);

}  // namespace tollgate::runner
