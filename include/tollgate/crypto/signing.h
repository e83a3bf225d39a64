#pragma once
// HMAC request signing, driven by a signing profile: every platform defines its own
// canonical string (which parts of the request, in which order, joined how), MAC, encoding,
// header names and timestamp window, so the profile is data (YAML) and one signer and one
// verifier serve every profile. Two layouts: `plain` (component values joined by a
// separator, the usual "HMAC v3" shape) and `rfc9421` (an RFC 9421 signature base).

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tollgate/base/status.h"

namespace tollgate::signing {

/// Header names the profile uses. An empty name means the value is not sent as a header.
struct HeaderNames {
  std::string signature = "X-Signature";
  std::string timestamp = "X-Timestamp";
  std::string nonce = "X-Nonce";
  std::string key_id = "X-Key-Id";
  std::string algorithm = "X-Signature-Algorithm";  // the MAC label; "" to not send one
};

/// One signing profile. Components, in order: method, path, query, host, body_digest,
/// timestamp, nonce, key_id, header:NAME.
struct Profile {
  std::vector<std::string> components = {"method",      "path",      "query",
                                         "body_digest", "timestamp", "nonce"};
  std::string separator = "\n";
  std::string layout = "plain";        // or "rfc9421"
  std::string mac = "hmac-sha256";     // or "hmac-sha512"
  std::string body_digest = "sha256";  // or "sha512"
  std::string encoding = "hex";        // of the MAC and the body digest: "hex" or "base64"
  HeaderNames headers;
  std::chrono::seconds window{300};

  /// True when `component` is in the canonical string.
  bool Covers(const std::string& component) const;
  /// The profile as JSON (the same keys FromJson reads; window in seconds).
  nlohmann::json ToJson() const;
};

/// Reads a profile from JSON (YAML converted): components, separator, layout, mac,
/// body_digest, encoding, headers {signature, timestamp, nonce, key_id, algorithm}, window
/// (seconds or a duration string such as "5m"). InvalidArgument names the bad key.
StatusOr<Profile> ProfileFromJson(const nlohmann::json& j);
/// The components a profile may name ("header:NAME" besides these).
const std::vector<std::string>& KnownComponents();

/// The parts of a request a signature covers.
struct Message {
  std::string method;
  std::string path;   // as sent, without the query
  std::string query;  // raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// The per-signature values.
struct SignParams {
  std::string key_id;
  std::string timestamp;  // Unix seconds, as text (a test may send garbage)
  std::string nonce;
};

// --- Canonicalisation (AWS SigV4 rules) -------------------------------------------------

/// RFC 3986 encoding with AWS's rules: unreserved characters kept, everything else %XX
/// with upper-case hex ('/' kept when `keep_slash`).
std::string UriEncode(std::string_view text, bool keep_slash);
/// The path with dot segments removed (RFC 3986 §5.2.4), each segment decoded and
/// re-encoded; "" becomes "/".
std::string CanonicalPath(std::string_view path);
/// The query's parameters decoded and re-encoded, sorted by name then value, joined by '&'.
std::string CanonicalQuery(std::string_view query);
/// A header value trimmed, with runs of spaces collapsed to one (SigV4 rule).
std::string CanonicalHeaderValue(std::string_view value);
/// The values of `name` in `headers` (case-insensitive), canonicalised, joined by ','.
std::optional<std::string> HeaderValue(const std::vector<std::pair<std::string, std::string>>& h,
                                       std::string_view name);

// --- Signing -----------------------------------------------------------------------------

/// The canonical string (or RFC 9421 signature base) of `m` under `p`.
std::string CanonicalString(const Profile& p, const Message& m, const SignParams& s);
/// Raw MAC of `data` with `key` under the profile's MAC (or "hmac-sha1"/"hmac-sha512").
StatusOr<std::string> Mac(const std::string& mac, std::string_view key, std::string_view data);
/// Raw digest of the body ("sha256" or "sha512").
std::string BodyDigest(const std::string& digest, std::string_view body);
/// Bytes in the profile's encoding.
std::string Encode(const Profile& p, std::string_view raw);
/// Strict decoding in the profile's encoding (lower-case hex only); nullopt when invalid.
std::optional<std::string> Decode(const Profile& p, std::string_view text);

/// The headers a signer adds: key id, timestamp, nonce, algorithm label, signature (only
/// those whose profile header name is not empty).
std::vector<std::pair<std::string, std::string>> SignatureHeaders(const Profile& p,
                                                                  const SignParams& s,
                                                                  const std::string& signature);
/// Signs `m`: the encoded MAC of its canonical string.
StatusOr<std::string> Sign(const Profile& p, const Message& m, const SignParams& s,
                           std::string_view secret);

// --- Verifying ---------------------------------------------------------------------------

/// Why a request was refused; empty reason when it verifies.
struct Verdict {
  bool ok = false;
  std::string reason;
  SignParams params;  // as read from the request
};

/// Looks up the secret of a key id; nullopt for an unknown id.
using KeyLookup = std::function<std::optional<std::string>(const std::string& key_id)>;

/// Strict verification of a signed request, except the nonce (the caller's store): every
/// header present exactly once, known key id, the algorithm label equal to the profile's,
/// timestamp an integer within ±window of `now` (checked before the MAC), full-length MAC in
/// the profile's encoding, constant-time comparison.
Verdict Verify(const Profile& p, const Message& m, const KeyLookup& keys, std::int64_t now);

}  // namespace tollgate::signing
