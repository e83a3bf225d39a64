#pragma once
// The client's own TLS setup (CURLOPT_SSL_CTX_FUNCTION): what libcurl's options cannot do.
// It may drop to security level 0 to send deliberately weak material, sets explicit TLS 1.2
// cipher lists and TLS 1.3 suites, presents a chain file exactly as given, and records
// what the handshake showed: alerts in both directions (TLS 1.2 and 1.3 alike, from the
// record layer, not from error text), our verification of the server, the server's chain
// as presented, host name match, protocol and cipher.

#include <openssl/ssl.h>

#include <string>

#include "tollgate/http/client.h"

namespace tollgate::http {

/// What one transfer's callbacks write into. Lives as long as the curl handle it serves
/// (the SSL objects of cached connections point at it), and is Reset() before each
/// transfer; used by one thread at a time.
struct TlsCapture {
  const ClientTlsOptions* options = nullptr;  // borrowed for the transfer
  std::string host;                           // the URL's host, for the name check
  std::string setup_error;  // why the context could not be set up (bad cert, cipher list)
  ClientTlsFacts facts;

  void Reset(const ClientTlsOptions* o, std::string url_host);
};

/// Sets CURLOPT_SSL_CTX_FUNCTION/DATA on `curl` (a CURL*) so new connections use `capture`.
void InstallClientTls(void* curl, TlsCapture* capture);

/// Reads protocol, cipher and (when not yet known, as on a reused connection) the
/// server's chain from an established connection.
void CaptureEstablished(SSL* ssl, TlsCapture* capture);

/// A key that differs whenever two option sets could need different connections; the
/// client keeps one curl handle (and so one connection cache) per key.
std::string TlsSettingsKey(const ClientTlsOptions& options);

/// Sets facts.refusal after a failed transfer from what the callbacks saw.
void DecideRefusal(ClientTlsFacts& facts, bool verify_peer, int curl_code);

/// "peer sent alert certificate_expired (45)" / "we refused the server's certificate:
/// certificate has expired" / "connection closed after the handshake" / ""; for error
/// messages and reports.
std::string DescribeTlsRefusal(const ClientTlsFacts& facts);

}  // namespace tollgate::http
