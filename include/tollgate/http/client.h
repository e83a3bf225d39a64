#pragma once
// The HTTP client every step uses: libcurl, with connection reuse, per-request timings,
// TLS options and a chosen source address. Transport failures are classified so the
// runner can tell "the target refused" from "the harness could not connect".

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/base/status.h"
#include "tollgate/http/message.h"

namespace tollgate {

/// Client-side TLS settings for one request.
struct ClientTlsOptions {
  std::string ca_file;      // trust these instead of the system store
  std::string cert_file;    // client certificate chain (PEM, leaf first)
  std::string key_file;     // client private key (PEM)
  std::string min_version;  // "1.0".."1.3"; empty: library default
  std::string max_version;
  std::string ciphers;        // TLS 1.2 and below cipher list (OpenSSL syntax)
  std::string tls13_ciphers;  // TLS 1.3 suites ("TLS_AES_128_GCM_SHA256:...")
  /// OpenSSL security level; -1: OpenSSL's default, raised to 0 for TLS 1.0/1.1. 0 lets
  /// the client send deliberately weak material (RSA-1024 or SHA-1 certificates, 3DES).
  int security_level = -1;
  bool verify_peer = true;
  bool verify_host = true;
  /// "" (the default): every request does a full handshake, never resuming a session. A
  /// name: requests with the same name and otherwise the same settings, from one thread, keep
  /// the session each handshake gives and offer it on the next, each on a new connection, so
  /// a case can see what a server does with a resumed session (RFC 8446 §2.2). The facts say
  /// whether the server resumed it.
  std::string session_group;
  /// Days left on the server's certificates are counted on this clock (borrowed for the
  /// call); null: the system clock.
  const Clock* clock = nullptr;
};

/// One certificate as the server presented it.
struct TlsCertificateInfo {
  std::string subject;  // RFC 2253
  std::string issuer;
  std::string sha256;      // of the DER form, lower-case hex
  std::string not_before;  // ISO 8601 UTC
  std::string not_after;
  long days_left = 0;             // whole days from the clock to notAfter (negative: expired)
  std::vector<std::string> sans;  // "DNS:localhost", "IP:127.0.0.1"
};

/// A TLS alert seen on the connection.
struct TlsAlert {
  int code = 0;
  std::string name;  // RFC 8446 name: "certificate_expired"
  bool fatal = true;
};

/// Who refused the handshake, when it failed.
enum class TlsRefusal {
  kNone,             // no TLS failure
  kPeerAlert,        // the server sent a fatal alert (it refused us)
  kWeRefusedServer,  // our verification of the server's certificate or host name failed
  kOther,            // failed without an alert (reset, cipher mismatch on our side)
};

/// What the TLS layer of one request showed.
struct ClientTlsFacts {
  std::string protocol;  // "TLSv1.3"; empty without TLS or before the handshake finished
  std::string cipher;    // "TLS_AES_256_GCM_SHA384"
  std::optional<TlsAlert> alert_received;  // the first fatal alert from the server
  std::optional<TlsAlert> alert_sent;      // the first fatal alert we sent
  TlsRefusal refusal = TlsRefusal::kNone;
  int verify_error = 0;                          // X509_V_ERR_* from our verification of the server
  std::string verify_error_text;                 // "certificate has expired"
  std::vector<TlsCertificateInfo> server_chain;  // as presented, leaf first
  std::optional<bool> host_matched;              // the leaf matches the URL's host (when one came)
  bool certificate_requested = false;            // the server sent a CertificateRequest
  std::string client_cert_subject;               // the leaf we presented, if any
  bool session_resumed = false;                  // the server resumed an earlier session
  std::string client_cert_sha256;
};

/// One request to send.
struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};
  std::string source_address;  // bind the local end to this address (127.0.0.0/8 etc.)
  ClientTlsOptions tls;
};

/// Where the time went (curl's timers): milliseconds from the start of the request to the
/// end of each phase, so they accumulate (tls_ms >= connect_ms >= dns_ms). tls_ms is 0
/// without TLS; connect_ms and tls_ms are 0 on a reused (keep-alive) connection.
struct ClientTimings {
  double dns_ms = 0, connect_ms = 0, tls_ms = 0, first_byte_ms = 0, total_ms = 0;
};

/// How a transport attempt ended.
enum class TransportOutcome {
  kOk,             // a response arrived
  kConnectFailed,  // refused / unreachable: a harness error
  kDnsFailed,      // name did not resolve: a harness error
  kTimeout,        // no answer in time
  kTlsRejected,    // the handshake failed (details in tls_error)
  kProtocolError,  // garbage instead of HTTP, connection closed mid-response
};

/// What came back.
struct ClientResponse {
  TransportOutcome outcome = TransportOutcome::kOk;
  std::string error;      // human text for non-OK outcomes
  std::string tls_error;  // OpenSSL/curl detail for kTlsRejected
  int status = 0;
  Headers headers;
  std::string body;
  std::string http_version;
  std::string tls_version;  // "TLSv1.3" when TLS was used (= tls.protocol)
  ClientTlsFacts tls;
  ClientTimings timings;
};

/// "connect failed", "timeout", ...
const char* TransportOutcomeName(TransportOutcome o);

/// What sends a request: the seam between the steps that build requests and the network.
/// The runner talks to the target only through one, so a scripted fake can stand in for
/// the network in tests. Implementations must be thread-safe (cases run on `jobs` threads).
class Transport {
 public:
  virtual ~Transport() = default;
  /// Sends one request. Transport failures are a response with a non-OK outcome, not an
  /// error Status; Status is for misuse (bad URL syntax, unreadable TLS file).
  virtual StatusOr<ClientResponse> Send(const ClientRequest& request) = 0;
};

/// A libcurl client. Reuses connections between requests made from the same thread
/// (one easy handle per thread). Thread-safe.
class HttpClient : public Transport {
 public:
  HttpClient();
  ~HttpClient() override;
  StatusOr<ClientResponse> Send(const ClientRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Calls curl_global_init once; safe to call repeatedly.
void InitHttpClientLibrary();

}  // namespace tollgate
