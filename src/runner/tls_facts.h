#pragma once
// A response's TLS facts as the case record keeps them (the `tls` object reports render)
// and the checks of `expect: {tls: ...}`.

#include <nlohmann/json.hpp>
#include <vector>

#include "tollgate/http/client.h"
#include "tollgate/results.h"
#include "tollgate/scenario/model.h"

namespace tollgate::runner {

/// {"protocol", "cipher", "alert_received", "alert_sent", "refusal", "verify_error",
/// "host_matched", "certificate_requested", "server_chain": [{subject, issuer, sha256,
/// not_before, not_after, days_left, sans}], "client_cert": {subject, sha256}}; null when
/// the request did not use TLS.
nlohmann::json TlsRecord(const ClientRequest& request, const ClientResponse& response);

/// One transcript line with the handshake's facts ("< TLS TLSv1.3 TLS_AES_256_GCM_SHA384,
/// server CN=..., sha256 ab12..."), or "" without TLS facts.
std::string TlsTranscriptLine(const ClientResponse& response);

/// The target refused the handshake (an alert, a reset): not when our own verification of
/// the target's certificate or host name stopped it, which proves nothing about the target
/// refusing clients.
bool TargetRefusedHandshake(const ClientResponse& r);

/// Checks a `tls:` expectation; every failure says expected and actual.
std::vector<CheckFailure> CheckTls(const TlsExpect& expect, const ClientResponse& response);

}  // namespace tollgate::runner
