#pragma once
// The TLS audit (`tollgate tls audit`): one direct OpenSSL handshake per question against a
// host, with or without a client certificate, so it works on hosts that require one. It
// asks which protocol versions are offered, which TLS 1.2 suites are accepted (each offered
// alone, classified against a table of recommended suites), whether and how client
// certificates are asked for (the CertificateRequest's CA names, the answer to a missing
// certificate), whether client-initiated renegotiation is refused, whether sessions resume
// and for which identity, and what the server's certificate is. docs/tls-audit.md.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/base/status.h"

namespace tollgate::http {

/// What to audit and with what.
struct TlsAuditOptions {
  std::string host;  // name or IP literal to connect to
  unsigned short port = 443;
  std::string server_name;  // SNI and the host-name check; "" = host
  std::string ca_file;      // trust anchors for the server's chain; "" = system default
  std::string cert_file;    // client chain (leaf first); "" = audit without an identity
  std::string key_file;     // "" = cert_file
  std::string identity;     // a name for cert_file in the report ("partner"); may be ""
  /// Bound on each connect, handshake and read: a host that hangs costs at most this per
  /// question, and the audit stops at the first question that times out.
  std::chrono::milliseconds timeout{5000};
  /// More CA names than this in a CertificateRequest is an over-broad list.
  int max_ca_names = 5;
  /// Certificate days-left below this is a `should` finding.
  int min_days_left = 30;
  const Clock* clock = nullptr;  // borrowed; nullptr = the system clock
};

/// How serious a finding is: `must` breaks a rule the audit's sources state (exit 4),
/// `should` is hardening, `info` is an observation worth reading.
enum class TlsSeverity { kMust, kShould, kInfo };
std::string_view TlsSeverityName(TlsSeverity s);

/// One finding: a stable id (`protocol.tls10_offered`), its severity and a sentence.
struct TlsFinding {
  TlsSeverity severity = TlsSeverity::kInfo;
  std::string id;
  std::string text;
};

/// Whether the host asks for client certificates and what it does without one.
enum class ClientAuthMode { kUnknown, kNone, kOptional, kRequired };
std::string_view ClientAuthModeName(ClientAuthMode m);

/// One protocol version's answer.
struct TlsVersionProbe {
  std::string version;  // "1.0" .. "1.3"
  bool offered = false;
  std::string detail;  // the alert or reason when refused
};

/// One TLS 1.2 suite the server accepted when offered alone.
struct TlsSuiteVerdict {
  std::string name;     // OpenSSL name (ECDHE-RSA-AES128-GCM-SHA256)
  std::string iana;     // RFC name (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
  std::string verdict;  // recommended | acceptable | legacy | weak
  std::string source;   // what the verdict rests on
};

/// The answer to a handshake without a client certificate at one version.
struct MissingCertAnswer {
  std::string version;    // "1.2" | "1.3"
  std::string alert;      // alert name, "" when none
  int alert_code = -1;    // -1 when none
  int http_status = 0;    // when the handshake completed and the server answered HTTP
  bool accepted = false;  // the handshake completed and the request was served
};

/// One certificate of the server's chain, as presented.
struct TlsChainEntry {
  std::string subject, issuer, sha256, not_after;
  int days_left = 0;
};

/// Everything the audit observed, and the findings drawn from it.
struct TlsAuditResult {
  std::string host;
  unsigned short port = 0;
  std::string identity;  // the identity presented where one was needed; "" when none
  std::vector<TlsVersionProbe> versions;  // 1.0, 1.1, 1.2, 1.3
  int tls12_suites_probed = 0;
  std::vector<TlsSuiteVerdict> tls12_suites;  // accepted ones only
  std::vector<std::string> tls13_suites;      // accepted TLS 1.3 suites
  ClientAuthMode client_auth = ClientAuthMode::kUnknown;
  std::vector<std::string> ca_names;  // RFC 2253, in the CertificateRequest's order
  std::vector<MissingCertAnswer> missing_cert;
  std::optional<bool> renegotiation_refused;  // nullopt: not checked
  std::string renegotiation_detail;
  std::optional<bool> resumed;  // nullopt: not checked
  std::string resumption_detail;
  std::vector<TlsChainEntry> chain;
  std::optional<bool> chain_trusted;
  std::string chain_error;
  std::optional<bool> host_matched;
  std::vector<TlsFinding> findings;
  /// Answers that could not be had, and why (renegotiation and resumption say so in their
  /// detail instead).
  std::vector<std::string> notes;
  int handshakes = 0;
  std::chrono::milliseconds elapsed{0};

  /// True when a finding of severity `must` is present.
  bool HasMustFinding() const;
};

/// Every finding id the audit can report, with a one-line summary: what `tls: {audit:
/// {findings: {absent: [...]}}}` is checked against at load.
struct TlsFindingId {
  std::string_view id, summary;
};
const std::vector<TlsFindingId>& TlsAuditFindingIds();

/// The recommended TLS 1.2 suites: RFC name, OpenSSL name and the source each rests on.
struct RecommendedSuite {
  std::string_view iana, openssl, source;
};
const std::vector<RecommendedSuite>& RecommendedTls12Suites();

/// Classifies a TLS 1.2 suite by its OpenSSL name: "recommended" (in the table),
/// "acceptable" (forward-secret AEAD outside the table), "legacy" (CBC or no forward
/// secrecy) or "weak" (NULL, anonymous, export, DES/3DES, RC4, IDEA, MD5).
std::string ClassifyTls12Suite(std::string_view openssl_name, std::string* source = nullptr);

/// "https://host[:port][/...]" -> host and port (443 when none). "" on success, else why
/// not, naming the URL.
std::string ParseAuditUrl(const std::string& url, std::string& host, unsigned short& port);

/// Runs the audit. InvalidArgumentError for unusable options (unreadable certificate, key
/// not matching it); UnavailableError / DeadlineExceededError when the host cannot be
/// reached or stops answering, naming the question that failed.
StatusOr<TlsAuditResult> AuditTls(const TlsAuditOptions& options);

}  // namespace tollgate::http
