#pragma once
// A response's TLS facts as the results and a saved step result keep them, and the checks
// of `expect: {tls: ...}`.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tollgate/http/client.h"
#include "tollgate/results.h"
#include "tollgate/scenario/model.h"

namespace tollgate::runner {

/// The response's TLS facts as a record of the results (not yet redacted); nullopt when
/// the request did not use TLS (its URL is not https).
std::optional<RecordedTls> RecordTls(const ClientRequest& request, const ClientResponse& response);

/// The same facts as a saved step result holds them (docs/formats.md): {"protocol",
/// "cipher", "alert_received", "alert_sent", "refusal", "verify_error", "host_matched",
/// "certificate_requested", "server_chain": [{subject, issuer, sha256, not_before,
/// not_after, days_left, sans}], "client_cert": {subject, sha256}}; null without TLS.
nlohmann::json TlsRecord(const ClientRequest& request, const ClientResponse& response);

/// How a target refused a request. "Refused" means what real servers do: a handshake alert,
/// a close during or right after the handshake, a TLS terminator's answer to a bad client
/// certificate, or 401/403 (docs/formats.md, Expectations).
enum class RefusalKind {
  kNone,              // it answered, or the failure proves nothing about the target
  kAlert,             // a fatal TLS alert from the target
  kClosed,            // closed or reset during the handshake, or after it before any answer
  kTlsTerminator,     // an HTTP answer a TLS terminator gives for a bad client certificate
  kHttpUnauthorized,  // 401 or 403
};

/// One refusal and the words the transcript and failures use for it.
struct Refusal {
  RefusalKind kind = RefusalKind::kNone;
  /// "TLS alert certificate_expired (45)", "connection closed after the handshake",
  /// "HTTP 400 from the TLS terminator (nginx: The SSL certificate error)", "HTTP 401".
  std::string how;

  /// Refused by the TLS layer itself (`tls: handshake_refused`), not by an HTTP answer.
  bool InHandshake() const { return kind == RefusalKind::kAlert || kind == RefusalKind::kClosed; }
};

/// Classifies a response. Our own verification of the target's certificate stopping the
/// handshake, or our client sending the first alert, is no refusal by the target. An HTTP
/// 400 counts only with nginx's client-certificate page, never with any other body.
Refusal ClassifyRefusal(const ClientResponse& r);

/// The target refused in the TLS layer (an alert, a close): ClassifyRefusal().InHandshake().
bool TargetRefusedHandshake(const ClientResponse& r);

/// True when `actual` meets the comparison (">= 30": at least 30; a bare number: equal).
bool BoundHolds(const NumberBound& b, double actual);
/// The comparison as a message shows it: ">= 30", "== 5" for a bare 5.
std::string BoundText(const NumberBound& b);

/// Checks a `tls:` expectation; every failure says expected and actual. `rejected` holds
/// on a refusal in the TLS layer or by a TLS terminator's HTTP answer (not on 401/403:
/// those are the application's answer to whatever else the request lacked);
/// `handshake_refused` only in the TLS layer; an alert name only with that alert.
std::vector<CheckFailure> CheckTls(const TlsExpect& expect, const ClientResponse& response);

}  // namespace tollgate::runner
