#pragma once
// `expect: {tls: {audit: ...}}`: the TLS audit (tollgate/http/tls_audit.h) run against the
// host of the request the step sent, with that request's identity and trust anchors, and
// its answers checked (docs/formats.md, "TLS audit expectations"). Internal to the runner.

#include <chrono>
#include <string>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/http/client.h"
#include "tollgate/http/tls_audit.h"
#include "tollgate/results.h"
#include "tollgate/scenario/model.h"

namespace tollgate::runner {

/// The audit's options for the request `q`: its URL's host and port, its CA file, client
/// certificate and key; each question bounded by `timeout`, days counted on `clock`.
/// InvalidArgumentError when the URL is not https.
StatusOr<http::TlsAuditOptions> AuditOptionsFor(const ClientRequest& q,
                                                std::chrono::milliseconds timeout,
                                                const Clock* clock);

/// Each part of `expect` the result does not meet, with expected and actual.
std::vector<CheckFailure> CheckTlsAudit(const TlsAuditExpect& expect,
                                        const http::TlsAuditResult& result);

/// One line for the transcript: client auth, versions, suites, CA names, the answers
/// without a certificate, renegotiation, resumption and the findings by severity.
std::string TlsAuditSummary(const http::TlsAuditResult& result);

}  // namespace tollgate::runner
