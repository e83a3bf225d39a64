#pragma once
// The signing keys of an `issuer` or a `jwks` mock, and the JWKS response both serve.
// One class, so rotation, removal and restore behave the same on both kinds.
//
// Keys are generated when the service is created (never read from disk): the first
// configured key is the active signing key; every key is published. Rotation keeps old
// keys published (relying parties must still accept tokens signed before it); removal
// unpublishes a key and makes it unusable for signing; restore brings back the configured
// keys with their original material, so tokens minted before a case still verify after it.

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tollgate/base/status.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/http/message.h"
#include "tollgate/scenario/service_schema.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::mocks {

/// A configured key: its id and algorithm.
struct KeySpec {
  std::string kid;
  jose::Alg alg = jose::Alg::kRS256;
};

/// The algorithms a published key may have: crypto's public-key ones (a published JWKS
/// never holds a shared secret). Also what a verifier of such keys may accept.
std::vector<std::string> PublicKeyAlgNames();
/// Why `none` and `HS256` are refused where PublicKeyAlgNames() are allowed.
Terms RefusedPublicKeyAlgs();
/// The `keys:` key of an issuer or a JWKS host ([{kid, alg}], kids unique).
FieldSpec SigningKeysField();

/// Reads config `keys` as the loader checked it against SigningKeysField() (default
/// [{kid: k1, alg: RS256}]). InvalidArgument for an empty list, the one rule the schema
/// cannot say.
StatusOr<std::vector<KeySpec>> ParseKeySpecs(const nlohmann::json& config,
                                             const std::string& service);

/// Thread-safe.
class KeyRing {
 public:
  /// Generates one key per spec.
  static StatusOr<std::unique_ptr<KeyRing>> Create(const std::vector<KeySpec>& specs);

  /// The published public keys, active key first.
  jose::Jwks Published() const;
  /// The private key `kid` ("" for the active one); nullopt when unknown or removed.
  std::optional<jose::Jwk> Signing(const std::string& kid) const;
  /// The kid of the active key ("" when every key was removed).
  std::string ActiveKid() const;

  /// True for the actions Apply() knows: rotate_keys, add_key, remove_key,
  /// same_kid_new_key.
  static bool Knows(const std::string& action);
  /// Those actions, each with what it does (for the tables of the kinds that hold a ring).
  static const Terms& ActionTerms();
  /// Runs one of those actions. args: rotate_keys {kid?}, add_key {kid, alg?},
  /// remove_key {kid}, same_kid_new_key {kid?}. InvalidArgument for bad args.
  Status Apply(const std::string& action, const nlohmann::json& args);
  /// Back to the configured keys, with their original material.
  void Restore();

 private:
  explicit KeyRing(std::vector<jose::Jwk> configured);
  bool HasKidLocked(const std::string& kid) const;

  const std::vector<jose::Jwk> configured_;
  mutable std::mutex mu_;
  std::vector<jose::Jwk> keys_;  // published, in order
  // Keys removed, replaced or rotated out, kept while the ring lives: key material is
  // recycled (Jwk::GenerateRecyclable) only when no Jwk holds it, so a key this ring once
  // published never reappears under another kid while a target may still cache it.
  std::vector<jose::Jwk> retired_;
  std::string active_kid_;
  int rotations_ = 0;
};

/// The JWKS response both kinds serve: `Cache-Control: max-age=N`, a strong ETag (SHA-256
/// of the body), and 304 for a matching If-None-Match. `body` is the exact bytes to serve.
ServerResponse JwksResponse(const std::string& body, std::chrono::seconds max_age,
                            const ServerRequest& request);

/// A string argument of a mock action (numbers given as text are accepted by the caller).
std::optional<std::string> ArgString(const nlohmann::json& args, const char* key);
/// An integer argument, given as a number or as decimal text.
std::optional<long long> ArgInt(const nlohmann::json& args, const char* key);

/// `n` bytes from OpenSSL's CSPRNG, base64url. Refresh tokens and jti must be
/// unpredictable, so this is deliberately not a seeded test generator.
std::string RandomToken(std::size_t n);

}  // namespace tollgate::mocks
