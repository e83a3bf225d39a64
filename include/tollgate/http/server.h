#pragma once
// The HTTP(S) server core every mock runs on: Boost.Beast listener, session and router.
// Each accepted socket gets its own strand; a session owns itself through its pending
// operations; a timeout is armed before every read, write and handshake, and the whole
// request header has a deadline; header, field count, chunk extensions, trailers and body
// are bounded per connection and bodies per server; connections are capped in all and per
// address, the longest-waiting evicted to make room; Stop() is graceful and bounded.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tollgate/base/status.h"
#include "tollgate/http/message.h"

namespace tollgate {

/// A request handler: plain function from request to response. Called on a server thread;
/// handlers must be thread-safe.
using Handler = std::function<ServerResponse(const ServerRequest&)>;

/// Maps method + path to handlers. Exact paths win over prefixes; an unknown path is 404,
/// a known path with another method is 405 with Allow. Not thread-safe while being built;
/// read-only (and so thread-safe) once the server has started.
class Router {
 public:
  /// `method` "*" matches any method.
  void Add(std::string method, std::string path, Handler handler);
  /// Matches every path that starts with `prefix`.
  void AddPrefix(std::string method, std::string prefix, Handler handler);
  /// Handler for anything else (default: 404 JSON).
  void SetFallback(Handler handler);
  /// Dispatches one request.
  ServerResponse Route(const ServerRequest& request) const;

 private:
  struct Route_ {
    std::string method, path;
    bool prefix = false;
    Handler handler;
  };
  std::vector<Route_> routes_;
  Handler fallback_;
};

/// How strictly a client certificate's purpose is checked.
enum class ClientEkuPolicy {
  kOpenSslDefault,  // purpose "SSL client": a leaf without EKU or with CA:TRUE passes
  kStrict,          // also refuse a leaf without clientAuth EKU and a CA:TRUE leaf
};

/// TLS settings for a listener (PEM files), including the client-certificate policy.
struct ServerTlsOptions {
  std::string cert_chain_file;  // leaf first
  std::string key_file;
  std::string client_ca_file;  // trust anchors for client certificates
  /// Ask for a client certificate (CertificateRequest) when client_ca_file is set. False
  /// makes a one-way listener that never asks, whatever else is configured.
  bool request_client_cert = true;
  bool require_client_cert = false;
  /// CRLs (PEM) for the client chain; when set every certificate of the chain must have a
  /// CRL from its issuer here (CRL_CHECK | CRL_CHECK_ALL), so a missing CRL fails closed.
  std::string crl_file;
  /// Further CRL files (the issuers above the client CA, say), loaded beside crl_file.
  std::vector<std::string> more_crl_files;
  ClientEkuPolicy eku = ClientEkuPolicy::kOpenSslDefault;
  /// False (a deliberately broken listener): a client certificate is still asked for (and
  /// required when require_client_cert) but any chain is accepted unverified.
  bool verify_client_cert = true;
  /// False (a deliberately broken listener): the client chain's validity dates are not
  /// checked (X509_V_FLAG_NO_CHECK_TIME).
  bool check_client_cert_time = true;
  /// RFC 5280 path validation beyond OpenSSL's defaults for client chains: strict X.509
  /// checks (the MUSTs on CA certificates), certificate policies evaluated from any-policy,
  /// and any trusted certificate as an anchor, not only a self-signed one.
  bool strict_client_paths = false;
  /// With strict_client_paths: start policy evaluation from an empty initial policy set
  /// (OpenSSL's own default) instead of any-policy (a deliberately broken listener: every
  /// chain that requires an explicit policy fails).
  bool empty_initial_policy_set = false;
  /// Most intermediates between a client leaf and its anchor; -1: OpenSSL's default (100).
  int client_verify_depth = -1;
  /// Further CA names (each a CN) sent in the CertificateRequest after client_ca_file's (a
  /// deliberately broken listener: a trust store used as the client CA list).
  std::vector<std::string> extra_client_ca_names;
  /// True (a deliberately broken listener): TLS 1.2 client-initiated renegotiation is
  /// accepted (RFC 5746 secure renegotiation), not refused with no_renegotiation.
  bool allow_client_renegotiation = false;
  std::string min_version = "1.2";  // "1.0".."1.3"; below 1.2 drops to security level 0
  std::string max_version;          // empty: the highest the library speaks
  std::string ciphers;              // TLS 1.2 and below cipher list; empty: default
  std::string tls13_ciphers;        // TLS 1.3 suites; empty: default
  int security_level = -1;          // -1: OpenSSL default (0 below TLS 1.2)
};

/// Server limits and binding. Every limit bounds what one client can make the server hold
/// before a handler (authentication included) ever sees the request; docs/limits.md.
struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  unsigned short port = 0;  // 0: ephemeral, read back with Server::port()
  /// Request line plus header fields (431 beyond). Also the most a connection buffers
  /// unparsed, so it bounds a chunk line and the trailer section too (431 for a trailer).
  std::size_t max_header_bytes = 16 * 1024;
  /// Header fields, trailer fields included (431 beyond).
  std::size_t max_header_fields = 100;
  /// Body bytes, after de-chunking (413 beyond, refused before the body is read when the
  /// length is declared).
  std::size_t max_body_bytes = 1024 * 1024;
  /// The chunk extensions of one chunk line, `;name=value` and all (400 beyond).
  std::size_t max_chunk_extension_bytes = 1024;
  /// Request bodies all connections of this server may hold at once; a request that would
  /// go over gets 503 before its body is read, so memory stays bounded per process.
  std::size_t max_buffered_body_bytes = 16 * 1024 * 1024;
  std::size_t max_connections = 256;
  /// Connections from one IP address; 0: three quarters of max_connections.
  std::size_t max_connections_per_address = 0;
  /// Slots kept for newcomers: once max_connections minus these are open, each new
  /// connection closes the one that has waited longest for its request (TLS handshake,
  /// header or body), so trickling clients cannot starve prompt ones. Also applies to an
  /// address at its cap. At most max_connections / 8; 0: never evict, refuse (503).
  std::size_t reserved_connections = 32;
  /// From the accepted connection (or the end of the previous response) to the whole
  /// request header, TLS handshake included. Capped by io_timeout.
  std::chrono::milliseconds header_timeout{5'000};
  std::chrono::milliseconds io_timeout{10'000};  // per read, write and handshake
  int threads = 2;
  bool tls = false;
  ServerTlsOptions tls_options;
  /// Called (on a server thread) with a one-line description of each connection that
  /// failed below HTTP: TLS handshake rejected, read error. Optional; must be thread-safe.
  std::function<void(const std::string&)> on_connection_error;
};

/// One listening HTTP(S) server. Start/Stop from one thread; thread-safe otherwise.
class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();  // calls Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds, listens and starts the I/O threads.
  Status Start();
  /// Closes the acceptor, asks sessions to close, waits a bounded time, joins threads.
  void Stop();
  /// The bound port (after Start).
  unsigned short port() const;
  /// "http://127.0.0.1:PORT" or "https://...".
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate
