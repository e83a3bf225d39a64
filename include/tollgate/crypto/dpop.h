#pragma once
// DPoP (RFC 9449): proofs built from a Jwk, their hostile variants, and the checks a resource
// server makes on a proof (RFC 9449 §4.3, §7.1), with the replay cache those checks need.
// The key thumbprint that binds a token to a key (`cnf.jkt`, RFC 9449 §6.1) is
// Jwk::Thumbprint (RFC 7638). See docs/dpop.md.

#include <cstddef>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tollgate/base/clock.h"
#include "tollgate/base/status.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::jose {

/// The proof's `typ` (RFC 9449 §4.2).
inline constexpr char kDpopTyp[] = "dpop+jwt";

/// base64url(SHA-256(access_token)): the `ath` claim (RFC 9449 §4.2).
std::string AccessTokenHash(std::string_view access_token);

/// The RFC 7638 thumbprint of a JWK given as JSON (as in a proof's header), after the
/// strict import of Jwk::FromJson; InvalidArgument when it is no usable key.
StatusOr<std::string> JwkThumbprint(const nlohmann::json& jwk);

/// RFC 9449 §4.3 and RFC 3986 §6.2.2-6.2.3: `uri` without query and fragment, scheme and
/// host in lower case, the scheme's default port dropped, an empty path as "/". Two URIs
/// that give the same string are the same `htu`.
std::string NormalizeHtu(std::string_view uri);

/// What a proof is for, and how to spoil it.
struct DpopProofRequest {
  const Jwk* key = nullptr;  // signs; its public members go in the header's jwk
  std::string htm;           // the request's method, e.g. "GET"
  std::string htu;           // the request's URI; its query and fragment are dropped
  std::string access_token;  // "" when none: then no ath
  std::string nonce;         // the server's DPoP-Nonce, "" when none
  std::string jti;           // "" for 16 random bytes (base64url)
  std::string mutation;      // "" for a correct proof, else a name of DpopMutationTerms()
  /// The target's iat window (seconds each side of now), for the iat mutations.
  long long skew_seconds = 60;
  /// The key of jwk_not_bound and signed_by_other_key; null: a key of the same algorithm that
  /// the process makes once.
  const Jwk* other_key = nullptr;
};

/// The proof: header {typ, alg, jwk}, claims {jti, htm, htu, iat (from `clock`), ath when a
/// token is given, nonce when given}, signed with `request.key`; or the named hostile variant.
/// InvalidArgument for an unknown mutation (naming the known ones) or one the request cannot
/// serve (missing_ath without a token).
StatusOr<std::string> BuildDpopProof(const DpopProofRequest& request, const Clock& clock);

/// Every DPoP proof mutation, in a stable order, each with its one-line summary; positive
/// controls (a correct verifier accepts them) are marked. The vocabulary of the `dpop:`
/// request option's mutations, registered by the runner like Mutations().
const std::vector<MutationInfo>& DpopMutationTerms();

/// Remembers the jti of each accepted proof until its iat leaves the window, so a proof is
/// accepted once (RFC 9449 §11.1). Bounded: when full of live entries it refuses new ones
/// (the verifier then refuses the proof) rather than forget one and let it be replayed.
/// Thread-safe.
class DpopReplayCache {
 public:
  explicit DpopReplayCache(std::size_t capacity = 100'000) : capacity_(capacity) {}
  enum class Outcome { kNew, kReplay, kFull };
  /// Records `key` until `expires` (seconds); kReplay when it is recorded and not expired.
  Outcome Insert(const std::string& key, long long expires, long long now);
  std::size_t size() const;

 private:
  void DropExpired(long long now);  // with mu_ held
  mutable std::mutex mu_;
  std::size_t capacity_;
  std::unordered_map<std::string, long long> expiry_;
  std::multimap<long long, std::string> by_expiry_;
};

/// The request a proof came with, and the server's policy.
struct DpopRequirements {
  std::string htm;  // the request's method
  std::string htu;  // the request's full URI (query and fragment are ignored)
  /// The access token presented with the proof: then ath must be its hash.
  std::optional<std::string> access_token;
  /// The token's cnf.jkt: then the proof's key must have this thumbprint.
  std::optional<std::string> jkt;
  /// The nonce this server requires (RFC 9449 §8, §9); none when nullopt.
  std::optional<std::string> nonce;
  /// Allowed algorithms; none and HS256 are refused whatever the list says.
  std::vector<Alg> algorithms{Alg::kES256, Alg::kES384, Alg::kEdDSA, Alg::kRS256, Alg::kPS256};
  /// iat must be within this many seconds of now, either side.
  long long iat_skew_seconds = 60;
  /// Deliberately broken verifiers only (reference-target faults, never a real check):
  /// alg none and HS256 pass, their signature unchecked, as a library that takes the
  /// header's alg at its word would let them through.
  bool accept_symmetric = false;
  /// Deliberately broken verifiers only: a header jwk holding a private key is taken
  /// (its public part then verifies and is thumbprinted).
  bool accept_private_jwk = false;
  /// Deliberately broken verifiers only: a header jwk of alg's key type is taken whatever
  /// its curve (an ES256 proof by a P-384 key), its signature checked on the key's own curve.
  bool accept_alg_key_mismatch = false;
};

/// Why a proof was refused: a stable `code` for tests and journals, and what a server puts in
/// `WWW-Authenticate: DPoP` (RFC 9449 §7.1, §12.2; RFC 6750 §3.1): `error` is
/// "invalid_dpop_proof", "use_dpop_nonce" or "invalid_token".
struct DpopRejection {
  std::string code;  // "malformed", "wrong_typ", "alg_not_allowed", "missing_jwk", "bad_jwk",
                     // "private_jwk", "crit_unsupported", "bad_signature", "missing_claim",
                     // "wrong_htm", "wrong_htu", "stale_iat", "future_iat", "missing_ath",
                     // "wrong_ath", "nonce_required", "wrong_nonce", "jkt_mismatch",
                     // "replayed_jti", "replay_cache_full"
  std::string error;
  std::string description;
};

/// A proof that passed: its header, claims and key thumbprint.
struct VerifiedDpop {
  nlohmann::json header;
  nlohmann::json claims;
  std::string jkt;
};

struct DpopVerifyResult {
  std::optional<VerifiedDpop> ok;
  DpopRejection rejection;  // when !ok
};

/// RFC 9449 §4.3 and §7.1 in order: strict parse; typ dpop+jwt; alg allowed and asymmetric;
/// jwk present, a public key that fits alg; no crit; signature by that jwk; jti, htm, htu,
/// iat present and typed; htm and htu match; nonce; iat within the skew of `clock`; ath when
/// a token is presented; jkt when the token is bound; then, with `replay` (may be null: no
/// replay check), the jti is recorded and a second use refused. Thread-safe.
DpopVerifyResult VerifyDpopProof(std::string_view proof, const DpopRequirements& requirements,
                                 const Clock& clock, DpopReplayCache* replay);

/// `DPoP error="...", error_description="...", algs="..."`: the WWW-Authenticate challenge
/// for `rejection` (RFC 9449 §7.1), the algs being the allowed public-key ones.
std::string DpopChallenge(const DpopRejection& rejection, const std::vector<Alg>& algorithms);

}  // namespace tollgate::jose
