// DPoP proofs (RFC 9449 §4.2) and their hostile variants. A proof is built with the
// minter's tools (mint_internal.h: member lists, SigningInput, Finish), so it is signed by
// the same code as every token; each variant breaks one rule of §4.3 and keeps the rest.

#include "tollgate/crypto/dpop.h"

#include <openssl/rand.h>

#include <cctype>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "crypto/jwk_impl.h"
#include "crypto/mint_internal.h"
#include "crypto/signature.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"

namespace tollgate::jose {
namespace {

using json = nlohmann::json;

// scheme "://" authority, then path, query and fragment, as written.
struct UriParts {
  std::string scheme, authority, path, rest;  // rest: "?query#fragment" as written
};

UriParts SplitUri(std::string_view uri) {
  UriParts p;
  std::size_t colon = uri.find("://");
  if (colon == std::string_view::npos) {
    p.path = std::string(uri.substr(0, uri.find_first_of("?#")));
    p.rest = std::string(uri.substr(p.path.size()));
    return p;
  }
  p.scheme = std::string(uri.substr(0, colon));
  std::string_view after = uri.substr(colon + 3);
  std::size_t end = after.find_first_of("/?#");
  p.authority = std::string(after.substr(0, end));
  if (end == std::string_view::npos) return p;
  std::string_view tail = after.substr(end);
  std::size_t q = tail.find_first_of("?#");
  p.path = std::string(tail.substr(0, q));
  if (q != std::string_view::npos) p.rest = std::string(tail.substr(q));
  return p;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The authority's host (after any userinfo, before any port), for the case mutations.
std::pair<std::size_t, std::size_t> HostSpan(const std::string& authority) {
  std::size_t start = authority.rfind('@');
  start = start == std::string::npos ? 0 : start + 1;
  std::size_t end =
      authority[start] == '[' ? authority.find(']', start) : authority.find(':', start);
  if (end == std::string::npos) {
    end = authority.size();
  } else if (authority[start] == '[') {
    ++end;
  }
  return {start, end - start};
}

std::string Join(const UriParts& p) {
  if (p.scheme.empty()) return p.path + p.rest;
  return p.scheme + "://" + p.authority + p.path + p.rest;
}

// The key's public members only: kid, alg and use say nothing a verifier may rely on.
json PublicKeyMembers(const Jwk& key) {
  json j = key.ToPublicJson();
  for (const char* name : {"kid", "alg", "use"}) j.erase(name);
  return j;
}

json PrivateKeyMembers(const Jwk& key) {
  json j = key.ToPrivateJson();
  for (const char* name : {"kid", "alg", "use"}) j.erase(name);
  return j;
}

StatusOr<std::string> RandomJti() {
  std::string bytes(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), 16) != 1) {
    return InternalError("no random bytes for a jti");
  }
  return Base64UrlEncode(bytes);
}

// A key of `alg` that no caller holds: made once per algorithm and process (an RSA key
// costs about 0.1 s).
StatusOr<Jwk> OtherKey(const DpopProofRequest& r) {
  if (r.other_key != nullptr) return *r.other_key;
  static std::mutex mu;
  static std::map<Alg, Jwk>* keys = new std::map<Alg, Jwk>;
  std::lock_guard<std::mutex> lock(mu);
  auto it = keys->find(r.key->alg());
  if (it == keys->end()) {
    ASSIGN_OR_RETURN(Jwk fresh, Jwk::Generate(r.key->alg(), "dpop-other"));
    it = keys->emplace(r.key->alg(), std::move(fresh)).first;
  }
  return it->second;
}

// What every variant starts from: the correct proof's members, before signing.
struct Proof {
  const DpopProofRequest& request;
  long long now;
  Draft draft;
};

StatusOr<std::string> SignWith(const Jwk& key, Alg alg, const Draft& d) {
  return SignDraft(key, alg, d);
}

StatusOr<std::string> Signed(const Proof& p) {
  return SignWith(*p.request.key, p.request.key->alg(), p.draft);
}

using Build = std::function<StatusOr<std::string>(Proof&)>;

Build Change(std::function<void(Proof&)> change) {
  return [change](Proof& p) {
    change(p);
    return Signed(p);
  };
}

Build NeedsToken(std::function<void(Proof&)> change) {
  return [change](Proof& p) -> StatusOr<std::string> {
    if (p.request.access_token.empty()) {
      return InvalidArgumentError("needs an access token (the proof's ath)");
    }
    change(p);
    return Signed(p);
  };
}

Build NeedsNonce(std::function<void(Proof&)> change) {
  return [change](Proof& p) -> StatusOr<std::string> {
    if (p.request.nonce.empty()) return InvalidArgumentError("needs the server's nonce");
    change(p);
    return Signed(p);
  };
}

Build Htu(std::function<void(UriParts&)> change) {
  return Change([change](Proof& p) {
    UriParts u = SplitUri(p.request.htu);
    u.rest.clear();
    change(u);
    p.draft.claims.Set("htu", Join(u));
  });
}

StatusOr<std::string> AlgNone(Proof& p) {
  p.draft.header.Set("alg", "none");
  return SigningInput(p.draft.header.Text(), p.draft.claims.Text()) + ".";
}

StatusOr<std::string> HmacWithPublicKey(Proof& p) {
  std::string secret = JsonText(PublicKeyMembers(*p.request.key));
  p.draft.header.Set("alg", "HS256");
  return SignWith(Jwk::FromSecret(secret, ""), Alg::kHS256, p.draft);
}

StatusOr<std::string> JwkNotBound(Proof& p) {
  ASSIGN_OR_RETURN(Jwk other, OtherKey(p.request));
  p.draft.header.Set("jwk", PublicKeyMembers(other));
  return SignWith(other, other.alg(), p.draft);
}

StatusOr<std::string> SignedByOtherKey(Proof& p) {
  ASSIGN_OR_RETURN(Jwk other, OtherKey(p.request));
  return SignWith(other, other.alg(), p.draft);
}

// The request's key when it is a P-384 one, else a P-384 key the process makes once (the
// proof is then not by the token's key).
StatusOr<Jwk> P384Key(const DpopProofRequest& r) {
  if (r.key->kty() == "EC" && r.key->impl().crv == "P-384") return *r.key;
  static std::mutex mu;
  static std::optional<Jwk>* made = new std::optional<Jwk>;
  std::lock_guard<std::mutex> lock(mu);
  if (!made->has_value()) {
    ASSIGN_OR_RETURN(Jwk fresh, Jwk::Generate(Alg::kES384, "dpop-p384"));
    *made = std::move(fresh);
  }
  return **made;
}

// RFC 7518 §3.4: ES256 is ECDSA with P-256 and SHA-256. Here the header says ES256, the
// header jwk is a P-384 key, and that key signs with SHA-256 (R||S of 48 bytes each): a
// signature that verifies when the verifier ignores the curve.
StatusOr<std::string> AlgKeyMismatch(Proof& p) {
  ASSIGN_OR_RETURN(Jwk key, P384Key(p.request));
  p.draft.header.Set("alg", AlgName(Alg::kES256));
  p.draft.header.Set("jwk", PublicKeyMembers(key));
  std::string input = SigningInput(p.draft.header.Text(), p.draft.claims.Text());
  ASSIGN_OR_RETURN(std::string signature, RawSignOnKeyCurve(key.impl(), Alg::kES256, input));
  return input + "." + Base64UrlEncode(signature);
}

struct DpopMutationDef {
  MutationInfo info;
  Build build;
};

std::vector<DpopMutationDef> BuildTable() {
  std::vector<DpopMutationDef> t;
  auto M = [&t](const char* name, const char* description, Build build, bool control = false) {
    t.push_back({MutationInfo{name, description, control}, std::move(build)});
  };
  // The request the proof names (RFC 9449 §4.3 steps 8-9).
  M("wrong_htm", "htm another method than the request's (POST for GET, else GET).",
    Change([](Proof& p) { p.draft.claims.Set("htm", p.request.htm == "GET" ? "POST" : "GET"); }));
  M("htu_other_path", "htu the request's URI with /tollgate-other appended to its path.",
    Htu([](UriParts& u) { u.path += "/tollgate-other"; }));
  M("htu_other_host", "htu the request's URI on host attacker.invalid.", Htu([](UriParts& u) {
      auto [start, len] = HostSpan(u.authority);
      u.authority.replace(start, len, "attacker.invalid");
    }));
  M("htu_other_scheme", "htu the request's URI with http and https swapped.",
    Htu([](UriParts& u) { u.scheme = Lower(u.scheme) == "https" ? "http" : "https"; }));
  M("htu_with_query",
    "Positive control: htu carries a query (?tollgate=1), which the comparison ignores.",
    Htu([](UriParts& u) { u.rest = "?tollgate=1"; }), true);
  M("htu_with_fragment",
    "Positive control: htu carries a fragment (#tollgate), which the comparison ignores.",
    Htu([](UriParts& u) { u.rest = "#tollgate"; }), true);
  M("htu_scheme_case", "Positive control: htu's scheme in upper case (RFC 3986 §6.2.2.1).",
    Htu([](UriParts& u) { u.scheme = Upper(u.scheme); }), true);
  M("htu_host_case", "Positive control: htu's host in upper case (RFC 3986 §6.2.2.1).",
    Htu([](UriParts& u) {
      auto [start, len] = HostSpan(u.authority);
      u.authority.replace(start, len, Upper(u.authority.substr(start, len)));
    }),
    true);
  // The access token the proof is for (§4.3 step 11, §7.1).
  M("missing_ath", "No ath claim, though an access token is presented.",
    NeedsToken([](Proof& p) { p.draft.claims.Remove("ath"); }));
  M("wrong_ath", "ath the hex SHA-256 of the token instead of its base64url.",
    NeedsToken([](Proof& p) { p.draft.claims.Set("ath", Sha256Hex(p.request.access_token)); }));
  M("other_token_ath", "ath of another access token: a proof made for another token.",
    NeedsToken([](Proof& p) {
      p.draft.claims.Set("ath", AccessTokenHash(p.request.access_token + "-other"));
    }));
  // Time (§4.3 step 11; §11.1): skew_seconds is the target's window.
  M("iat_stale", "iat 5 s further in the past than the window allows.",
    Change([](Proof& p) { p.draft.claims.Set("iat", p.now - p.request.skew_seconds - 5); }));
  M("iat_future", "iat 5 s further in the future than the window allows.",
    Change([](Proof& p) { p.draft.claims.Set("iat", p.now + p.request.skew_seconds + 5); }));
  M("iat_stale_within", "Positive control: iat in the past, 5 s inside the window.",
    Change([](Proof& p) { p.draft.claims.Set("iat", p.now - p.request.skew_seconds + 5); }), true);
  M("iat_future_within", "Positive control: iat in the future, 5 s inside the window.",
    Change([](Proof& p) { p.draft.claims.Set("iat", p.now + p.request.skew_seconds - 5); }), true);
  M("reused_jti", "The jti of an earlier proof (the request's, required): a replay.",
    [](Proof& p) -> StatusOr<std::string> {
      if (p.request.jti.empty()) return InvalidArgumentError("needs the earlier proof's jti");
      return Signed(p);
    });
  // The header (§4.3 steps 4-7).
  M("wrong_typ", "typ JWT instead of dpop+jwt.",
    Change([](Proof& p) { p.draft.header.Set("typ", "JWT"); }));
  M("alg_none", "alg none and no signature.", AlgNone);
  M("hs256_public_key", "HS256, keyed with the header jwk's JSON text (key confusion).",
    HmacWithPublicKey);
  M("private_key_in_jwk", "The header jwk carries the private key too, validly signed.",
    Change([](Proof& p) { p.draft.header.Set("jwk", PrivateKeyMembers(*p.request.key)); }));
  M("alg_key_mismatch",
    "alg ES256, the jwk a P-384 key (the request's if P-384) signing with SHA-256.",
    AlgKeyMismatch);
  M("signed_by_other_key", "The header jwk is the key's, the signature another key's.",
    SignedByOtherKey);
  M("jwk_not_bound", "A valid proof by another key (its own jwk): not the token's cnf.jkt.",
    JwkNotBound);
  // The server's nonce (§8, §9).
  M("missing_nonce", "No nonce claim, though the server gave one.",
    NeedsNonce([](Proof& p) { p.draft.claims.Remove("nonce"); }));
  M("wrong_nonce", "nonce another value than the server's.",
    NeedsNonce([](Proof& p) { p.draft.claims.Set("nonce", p.request.nonce + "-stale"); }));
  return t;
}

const std::vector<DpopMutationDef>& Table() {
  static const std::vector<DpopMutationDef> kTable = BuildTable();
  return kTable;
}

}  // namespace

std::string AccessTokenHash(std::string_view access_token) {
  return Base64UrlEncode(Sha256(access_token));
}

StatusOr<std::string> JwkThumbprint(const nlohmann::json& jwk) {
  ASSIGN_OR_RETURN(Jwk key, Jwk::FromJson(jwk));
  return key.Thumbprint();
}

std::string NormalizeHtu(std::string_view uri) {
  UriParts u = SplitUri(uri);
  u.rest.clear();
  if (u.scheme.empty()) return u.path;
  u.scheme = Lower(u.scheme);
  auto [start, len] = HostSpan(u.authority);
  u.authority.replace(start, len, Lower(u.authority.substr(start, len)));
  const char* default_port = u.scheme == "https" ? ":443" : u.scheme == "http" ? ":80" : nullptr;
  if (default_port && u.authority.size() > std::strlen(default_port) &&
      u.authority.ends_with(default_port)) {
    u.authority.resize(u.authority.size() - std::strlen(default_port));
  }
  if (u.path.empty()) u.path = "/";
  return Join(u);
}

const std::vector<MutationInfo>& DpopMutationTerms() {
  static const std::vector<MutationInfo> kInfos = [] {
    std::vector<MutationInfo> out;
    for (const DpopMutationDef& def : Table()) out.push_back(def.info);
    return out;
  }();
  return kInfos;
}

StatusOr<std::string> BuildDpopProof(const DpopProofRequest& request, const Clock& clock) {
  if (request.key == nullptr) return InvalidArgumentError("dpop: no key");
  if (!IsPublicKeyAlg(request.key->alg()) || !request.key->has_private()) {
    return InvalidArgumentError("dpop: the key must be an asymmetric private key");
  }
  if (request.htm.empty() || request.htu.empty()) {
    return InvalidArgumentError("dpop: htm and htu are required");
  }
  Proof p{request, clock.NowSeconds(), {}};
  p.draft.header.Set("typ", kDpopTyp);
  p.draft.header.Set("alg", AlgName(request.key->alg()));
  p.draft.header.Set("jwk", PublicKeyMembers(*request.key));
  std::string jti = request.jti;
  if (jti.empty()) {
    ASSIGN_OR_RETURN(jti, RandomJti());
  }
  UriParts htu = SplitUri(request.htu);
  htu.rest.clear();  // RFC 9449 §4.2: without query and fragment
  p.draft.claims.Set("jti", jti);
  p.draft.claims.Set("htm", request.htm);
  p.draft.claims.Set("htu", Join(htu));
  p.draft.claims.Set("iat", p.now);
  if (!request.access_token.empty()) {
    p.draft.claims.Set("ath", AccessTokenHash(request.access_token));
  }
  if (!request.nonce.empty()) p.draft.claims.Set("nonce", request.nonce);
  if (request.mutation.empty()) return Signed(p);
  for (const DpopMutationDef& def : Table()) {
    if (def.info.name != request.mutation) continue;
    StatusOr<std::string> proof = def.build(p);
    if (!proof.ok()) return proof.status().WithContext("dpop mutation " + request.mutation);
    return proof;
  }
  std::string known;
  for (const MutationInfo& m : DpopMutationTerms()) known += (known.empty() ? "" : ", ") + m.name;
  return InvalidArgumentError("unknown dpop mutation \"" + request.mutation +
                              "\"; known: " + known);
}

}  // namespace tollgate::jose
