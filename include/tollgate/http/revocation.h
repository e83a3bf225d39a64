#pragma once
// Revocation checking as a relying party does it at the application level: ask a CA's OCSP
// responder (RFC 6960) or fetch its CRL (RFC 5280 §5) for each certificate of a client's
// path, over the Transport, and judge the answer on the shared clock. The answer is one of
// good, revoked, unknown (the responder does not know the certificate) or unavailable (no
// usable answer: the responder is down, slow, says tryLater or unauthorized, or its answer
// is badly signed, signed by a responder nobody authorised, or out of date), so the caller
// decides what an unusable answer means (fail closed or fail open). docs/certs.md.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/http/client.h"

namespace tollgate::http {

/// How a certificate's status was asked for.
enum class RevocationMethod { kOcsp, kCrl };
std::string_view RevocationMethodName(RevocationMethod m);

enum class RevocationStatus { kGood, kRevoked, kUnknown, kUnavailable };
std::string_view RevocationStatusName(RevocationStatus s);

/// Where one CA publishes revocation: its responder and its CRL (either may be "").
struct RevocationEndpoint {
  std::string ocsp_url;
  std::string crl_url;
};

struct RevocationCheckOptions {
  /// OCSP first, or the CRL only. With kOcsp and no ocsp_url the CRL is used.
  RevocationMethod method = RevocationMethod::kOcsp;
  /// Each fetch is bounded by this (a responder that hangs costs at most this).
  std::chrono::milliseconds timeout{2000};
  /// A CRL larger than this is refused unread (unavailable).
  std::size_t max_crl_bytes = 1024 * 1024;
  /// thisUpdate may be this far in the future (clock skew between responder and us).
  std::chrono::seconds skew{60};
  const Clock* clock = nullptr;  // borrowed; null: the system clock
  /// Verify who signed the answer: the OCSP response by the issuer or a responder it
  /// delegated to, the CRL by the issuer. Off only to model a relying party that does not
  /// (a reference target's fault): then a forged or badly signed answer is believed.
  bool verify_signatures = true;
  /// Judge thisUpdate and nextUpdate on the clock. Off only to model a relying party that
  /// takes out-of-date answers (a reference target's fault).
  bool check_times = true;
};

/// The verdict on one certificate, with where it came from and why.
struct RevocationAnswer {
  RevocationStatus status = RevocationStatus::kUnavailable;
  RevocationMethod method = RevocationMethod::kOcsp;
  std::string subject;  // of the certificate asked about (RFC 2253)
  std::string detail;   // "revoked at 2026-12-07T10:00:00Z", "responder answered tryLater"
};

/// The verdict on a path: the first certificate that is not good decides; all good is good.
struct RevocationReport {
  RevocationStatus status = RevocationStatus::kGood;
  std::vector<RevocationAnswer> answers;  // leaf first, one per certificate asked about
  /// One line: "good (ocsp: CN=partner good; ocsp: CN=Client CA good)".
  std::string Summary() const;
};

/// Asks about `cert_pem` (one certificate) issued by `issuer_pem`, at `endpoint`. Never
/// fails: every problem is an unavailable answer that says what went wrong.
RevocationAnswer CheckRevocation(const std::string& cert_pem, const std::string& issuer_pem,
                                 const RevocationEndpoint& endpoint,
                                 const RevocationCheckOptions& options, Transport& transport);

/// Checks `leaf_pem` and then each CA of `chain_pems` (leaf's issuer first, up to and
/// excluding the last one, the trust anchor, which no one revokes), each against its issuer
/// (the next PEM) at the endpoint `endpoint_for` gives for that issuer's subject. Stops at
/// the first answer that is not good.
RevocationReport CheckPathRevocation(
    const std::string& leaf_pem, const std::vector<std::string>& chain_pems,
    const std::function<RevocationEndpoint(const std::string& issuer_subject)>& endpoint_for,
    const RevocationCheckOptions& options, Transport& transport);

}  // namespace tollgate::http
