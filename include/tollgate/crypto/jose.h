#pragma once
// JOSE on OpenSSL: JWK/JWKS, compact JWS, JWT validation, and hostile-token minting.
// Strict where a verifier must be strict (base64url, duplicate members, crit, alg policy);
// able to produce, on request, what no correct library would (see Mutations()).

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/base/status.h"

namespace tollgate::jose {

/// Signature algorithms (RFC 7518 §3, RFC 8037 for EdDSA).
enum class Alg { kNone, kHS256, kRS256, kRS384, kRS512, kPS256, kES256, kES384, kEdDSA };

/// "RS256", ... ; "none" for kNone.
const char* AlgName(Alg alg);
/// Exact, case-sensitive ("none" only; "None" is not an algorithm).
std::optional<Alg> AlgFromName(std::string_view name);

/// A signature algorithm and what it is, for documentation and the files' vocabulary.
struct AlgInfo {
  Alg alg;
  const char* name;
  const char* summary;
};
/// Every signature algorithm (never `none`): the public-key ones first, then HS256.
const std::vector<AlgInfo>& SignatureAlgs();
/// True for the algorithms that sign with a private key and verify with a public one.
bool IsPublicKeyAlg(Alg alg);

/// A key: an asymmetric key pair or public key, or a symmetric secret (kty "oct").
/// Immutable; cheap to copy (shared); thread-safe.
class Jwk {
 public:
  /// A fresh key for `alg`: RSA 2048, P-256, P-384, Ed25519, or 32 random bytes for HS256.
  static StatusOr<Jwk> Generate(Alg alg, std::string kid);
  /// Like Generate, but an RSA key may reuse the key material of an earlier key of this
  /// process that no Jwk holds any more (generating a 2048-bit RSA key costs about 0.1 s;
  /// the fault matrix builds a profile's mock issuers afresh for every fault). No two live
  /// keys ever share material. For keys the process publishes and drops as a whole (a mock
  /// issuer's key ring); never for a key handed to the user.
  static StatusOr<Jwk> GenerateRecyclable(Alg alg, std::string kid);
  /// RFC 7517 member set (RSA, EC, OKP, oct), private members optional. Rejects unknown kty,
  /// bad curve, invalid points, RSA < 2048 unless `allow_weak`.
  static StatusOr<Jwk> FromJson(const nlohmann::json& jwk, bool allow_weak = false);
  /// A PEM private or public key (PKCS#8 / SPKI / traditional).
  static StatusOr<Jwk> FromPem(std::string_view pem, std::string kid, Alg alg);
  /// A symmetric key from raw bytes (kty oct).
  static Jwk FromSecret(std::string_view secret, std::string kid, Alg alg = Alg::kHS256);

  /// Public members only, with kid, alg and use "sig". Never any private member.
  nlohmann::json ToPublicJson() const;
  /// Everything, private members included (for files the user asked to write).
  nlohmann::json ToPrivateJson() const;
  /// SPKI PEM of the public key ("" for oct), with trailing newline.
  std::string PublicPem() const;
  /// RFC 7638 thumbprint, base64url of SHA-256.
  std::string Thumbprint() const;

  const std::string& kid() const;
  Alg alg() const;
  std::string kty() const;  // "RSA", "EC", "OKP", "oct"
  bool has_private() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Jwk(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

/// A key set. Parse() skips keys it cannot use for signatures (RFC 7517 §5: unknown kty,
/// unsupported alg or curve, "use" other than "sig", malformed members), keeping why in
/// `skipped`; it rejects documents that are not a JWKS, sets whose keys are all unusable,
/// duplicate kids and sets that mix private keys in.
struct Jwks {
  std::vector<Jwk> keys;
  /// "key N: reason" for each key Parse() skipped.
  std::vector<std::string> skipped = {};
  static StatusOr<Jwks> Parse(std::string_view json_text);
  /// {"keys":[public JWKs]}.
  nlohmann::json ToPublicJson() const;
  const Jwk* Find(std::string_view kid) const;
};

/// A compact JWS split and decoded, strictly (RFC 7515 §7.1; base64url without padding;
/// header must be a JSON object without duplicate member names).
struct JwsParts {
  std::string header_b64, payload_b64, signature_b64;
  nlohmann::json header;
  std::string payload;    // decoded bytes
  std::string signature;  // decoded bytes
};
StatusOr<JwsParts> ParseCompact(std::string_view token);

/// Signs `payload` with `key`: header gets "alg" (and "kid" when the key has one) merged
/// over `extra_header`. Returns the compact serialisation.
StatusOr<std::string> Sign(const Jwk& key, const nlohmann::json& extra_header,
                           std::string_view payload);
/// The raw signature of `signing_input` ("b64(header).b64(payload)") with `alg` and `key`.
/// Lets the minter sign headers it wrote by hand.
StatusOr<std::string> SignInput(const Jwk& key, Alg alg, std::string_view signing_input);
/// Verifies the signature of `parts` with `key` under `alg` (the caller has already
/// decided `alg` is allowed). ES signatures are the raw R||S form (RFC 7518 §3.4).
Status VerifySignature(const JwsParts& parts, const Jwk& key, Alg alg);

/// What a relying party accepts.
struct ValidationPolicy {
  std::vector<std::string> issuers;  // one must equal iss (empty: iss not checked)
  std::vector<std::string>
      audiences;  // aud (string or array) must contain one (empty: not checked)
  std::vector<Alg> algorithms{Alg::kRS256, Alg::kES256};  // allow-list; never kNone
  std::optional<std::string> typ;  // required header typ, compared case-insensitively
  std::vector<std::string> required_claims{"exp"};
  std::optional<std::string> required_scope;  // in "scope" (space-separated) or "scp" array
  long long leeway_seconds = 60;
  std::optional<long long> max_lifetime_seconds;  // exp - iat
};

/// Why a token was refused: a stable code (for tests and journals) and a sentence.
struct Rejection {
  std::string code;  // "malformed", "alg_not_allowed", "unknown_kid", "bad_signature",
                     // "expired", "not_yet_valid", "issued_in_future", "wrong_issuer",
                     // "wrong_audience", "wrong_typ", "missing_claim", "insufficient_scope",
                     // "crit_unsupported", "duplicate_member", "embedded_key", "lifetime"
  std::string message;
};

/// A token that passed: its header and claims.
struct VerifiedJwt {
  nlohmann::json header;
  nlohmann::json claims;
};

/// Full validation in the safe order: parse strictly; alg in the allow-list (never none,
/// never HS with an asymmetric key); kid must be in `keys` (embedded jwk/jku/x5u/x5c are
/// ignored and never fetched; a token that relies on them fails on kid); crit refused;
/// signature; then claims against `clock` and the policy. On refusal: the Rejection.
struct VerifyResult {
  std::optional<VerifiedJwt> ok;
  Rejection rejection;  // when !ok
};
VerifyResult VerifyJwt(std::string_view token, const Jwks& keys, const ValidationPolicy& policy,
                       const Clock& clock);

/// Everything the minter needs to build a token and its hostile variants.
struct MintRequest {
  const Jwk* key = nullptr;           // the issuer's signing key
  const Jwks* issuer_keys = nullptr;  // the issuer's published keys (for confusion attacks)
  nlohmann::json header = nlohmann::json::object();  // extra header members (typ, ...)
  nlohmann::json claims = nlohmann::json::object();  // the valid claims (iss, aud, exp, ...)
  std::string mutation;           // "" for a correct token, else a name of Mutations()
  std::string attacker_url;       // where jku/x5u point (a tollgate receiver)
  long long now = 0;              // shared clock, seconds
  long long leeway_seconds = 60;  // the target's declared leeway, for edge mutations
  /// The key that signs embedded_jwk, jku_injection and x5u_injection tokens, so a receiver
  /// at attacker_url can serve it (its kid goes in the header). Null: a fresh key per token.
  const Jwk* attacker_key = nullptr;
};

/// The token, or InvalidArgument naming the known mutations for an unknown one.
StatusOr<std::string> Mint(const MintRequest& request);

/// One hostile variant: its name and what it breaks.
struct MutationInfo {
  std::string name;
  std::string description;
  bool accepted_by_correct_target = false;  // true for positive controls (e.g. within leeway)
};
/// Every named mutation, in a stable order.
const std::vector<MutationInfo>& Mutations();

}  // namespace tollgate::jose
