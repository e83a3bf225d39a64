#pragma once
// HTTP request/response values, the same over HTTP and HTTPS, shared by the server core, the
// mocks and the client. Handlers are plain functions from ServerRequest to ServerResponse
// (a mock's handlers also return the verdict its journal keeps), testable without a socket.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tollgate {

/// Ordered header list; names compared case-insensitively.
class Headers {
 public:
  void Add(std::string name, std::string value);
  /// Replaces every header called `name` with one.
  void Set(const std::string& name, std::string value);
  /// The first value of `name`, if present.
  std::optional<std::string> Get(const std::string& name) const;
  /// Every value of `name`, in order.
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Has(const std::string& name) const { return Get(name).has_value(); }
  void Remove(const std::string& name);
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

/// Facts about the client certificate a TLS peer presented (empty when none).
struct PeerCertificate {
  std::string subject;
  std::string issuer;
  std::string sha256_fingerprint;  // hex, lower case
  std::string pem;                 // leaf, PEM
};

/// A request as a server received it.
struct ServerRequest {
  std::string method;
  std::string target;  // path + query as sent
  std::string path;    // decoded-free path part of target
  std::string query;   // raw query string, without '?'
  Headers headers;
  std::string body;
  std::string peer_address;  // "127.0.0.2"
  int peer_port = 0;
  bool tls = false;
  std::optional<PeerCertificate> client_cert;
  /// The TLS handshake resumed an earlier session: no certificate was exchanged, and
  /// client_cert is the one the session was first made with (RFC 8446 §2.2).
  bool tls_session_resumed = false;
};

/// A response a handler produced.
struct ServerResponse {
  int status = 200;
  Headers headers;
  std::string body;

  /// A JSON body with Content-Type: application/json.
  static ServerResponse Json(int status, const std::string& json_text);
  /// A text body with Content-Type: text/plain.
  static ServerResponse Text(int status, const std::string& text);
};

/// The media type of a Content-Type value, without parameters, lower-cased
/// ("Application/JSON; charset=utf-8" -> "application/json").
std::string MediaType(std::string_view content_type);

/// Case-insensitive ASCII comparison of header names and schemes.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace tollgate
