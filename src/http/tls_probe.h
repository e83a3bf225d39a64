#pragma once
// One question of the TLS audit: a single OpenSSL client handshake over a TCP socket, with
// every wait bounded by a deadline (non-blocking socket + poll), and what it showed: the
// ServerHello, the CertificateRequest and its CA names, alerts both ways (fatal and
// warning), the server chain, and optionally an HTTP request's status, a renegotiation
// attempt and the session for a later resumption.

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tollgate/base/status.h"
#include "tollgate/http/tls_audit.h"

namespace tollgate::http {

struct SslSessionDeleter {
  void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};
using SslSessionPtr = std::unique_ptr<SSL_SESSION, SslSessionDeleter>;

/// How to shake hands for one question.
struct ProbeSpec {
  int min_version = TLS1_2_VERSION;  // OpenSSL protocol constants
  int max_version = TLS1_3_VERSION;
  std::string ciphers;        // TLS 1.2 and below; "" = OpenSSL's default list
  std::string tls13_ciphers;  // "" = OpenSSL's default suites
  bool present_identity = false;
  SSL_SESSION* resume = nullptr;  // borrowed for the call: offer this session
  bool send_request = false;      // after the handshake: GET / and read the answer
  bool renegotiate = false;       // after the handshake: a client-initiated renegotiation
  bool keep_session = false;      // return the session (after reading, for TLS 1.3 tickets)
};

/// An alert as seen on the wire.
struct SeenAlert {
  int level = 0;  // 1 warning, 2 fatal
  int code = 0;
};

/// What one handshake showed.
struct ProbeResult {
  bool connected = false;  // TCP
  bool handshake_ok = false;
  bool timed_out = false;
  std::string error;  // why it failed, for notes
  std::string protocol, cipher;
  bool server_hello = false;
  bool certificate_requested = false;
  std::vector<std::string> ca_names;
  std::optional<SeenAlert> alert_received;  // the first fatal one, else the first warning
  std::optional<SeenAlert> alert_sent;      // the first fatal one we sent
  bool reused = false;
  bool secure_renegotiation = false;  // the server supports RFC 5746
  int http_status = 0;
  std::string http_head;  // the first bytes of the answer (status line, headers, body start)
  std::optional<bool> renegotiated;
  std::string renegotiation_detail;
  SslSessionPtr session;
  std::vector<TlsChainEntry> chain;
  int verify_error = 0;
  std::string verify_error_text;
  bool host_matched = false;
};

/// Runs probes against one host with one client SSL_CTX (trust store, identity files,
/// callbacks). Not thread-safe: one probe at a time.
class TlsProber {
 public:
  /// Checks the files (readable, key matches certificate). InvalidArgumentError otherwise.
  static StatusOr<std::unique_ptr<TlsProber>> Create(const TlsAuditOptions& options);
  ~TlsProber();
  TlsProber(const TlsProber&) = delete;
  TlsProber& operator=(const TlsProber&) = delete;

  ProbeResult Run(const ProbeSpec& spec);
  bool has_identity() const { return !options_.cert_file.empty(); }
  /// How many handshakes Run started.
  int handshakes() const { return handshakes_; }

 private:
  explicit TlsProber(const TlsAuditOptions& options);

  TlsAuditOptions options_;
  std::string server_name_;
  SSL_CTX* ctx_ = nullptr;  // owned
  int handshakes_ = 0;
};

/// "TLSv1.2" style name of an OpenSSL protocol constant.
std::string ProtocolName(int version);

}  // namespace tollgate::http
