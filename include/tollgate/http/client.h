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

#include "tollgate/base/status.h"
#include "tollgate/http/message.h"

namespace tollgate {

/// Client-side TLS settings for one request.
struct ClientTlsOptions {
  std::string ca_file;          // trust these instead of the system store
  std::string cert_file;        // client certificate chain (PEM, leaf first)
  std::string key_file;         // client private key (PEM)
  std::string min_version;      // "1.0".."1.3"; empty: library default
  std::string max_version;
  bool verify_peer = true;
  bool verify_host = true;
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
  kOk,                // a response arrived
  kConnectFailed,     // refused / unreachable: a harness error
  kDnsFailed,         // name did not resolve: a harness error
  kTimeout,           // no answer in time
  kTlsRejected,       // the handshake failed (details in tls_error)
  kProtocolError,     // garbage instead of HTTP, connection closed mid-response
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
  std::string tls_version;  // "TLSv1.3" when TLS was used
  ClientTimings timings;
};

/// "connect failed", "timeout", ...
const char* TransportOutcomeName(TransportOutcome o);

/// A libcurl client. Reuses connections between requests made from the same thread
/// (one easy handle per thread). Thread-safe.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  /// Sends one request. Transport failures are a response with a non-OK outcome, not an
  /// error Status; Status is for misuse (bad URL syntax, unreadable TLS file).
  StatusOr<ClientResponse> Send(const ClientRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Calls curl_global_init once; safe to call repeatedly.
void InitHttpClientLibrary();

}  // namespace tollgate
