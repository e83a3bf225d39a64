// The parsing faults of the fault verifier: a lenient parser in place of RFC 7515's strict
// one (duplicate members, crit, base64 alphabet and padding, serialisations, exp types).
// The lenient parse still checks the signature with the trusted key the kid names, over
// the bytes as sent, and ends in VerifyUnsigned, so each fault relaxes only its rule.

#include <charconv>
#include <cmath>
#include <set>

#include "mocks/fault_verifier_internal.h"
#include "tollgate/base/encoding.h"

namespace tollgate::mocks {
namespace {

using json = nlohmann::json;

// The largest NumericDate the strict verifier takes (9999-12-31T23:59:59Z): where the
// lenient_exp gateway's clamped integer ends up, i.e. a token that never expires.
constexpr double kSaturatedExp = 253402300799.0;

std::optional<std::string> Decode(std::string_view segment, bool lenient) {
  if (!lenient) return Base64UrlDecode(segment);
  // A forgiving decoder: padding dropped, the standard alphabet mapped to the URL one.
  std::string s(segment);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return Base64UrlDecode(s);
}

// A JSON object; duplicate member names refuse it, or with `first_wins` the later ones
// are dropped (a reader that stops at the first match).
std::optional<json> ParseObject(std::string_view text, bool first_wins) {
  std::vector<std::set<std::string>> open;
  bool duplicate = false;
  auto callback = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!open.empty()) open.pop_back();
    } else if (event == json::parse_event_t::key && !open.empty()) {
      if (!open.back().insert(parsed.get<std::string>()).second) {
        duplicate = true;
        return !first_wins;  // false: the member is skipped
      }
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object() || (duplicate && !first_wins)) {
    return std::nullopt;
  }
  return value;
}

// lenient_exp: a digit string is read as a number; a number past every date saturates.
void LenientExp(json& claims) {
  auto it = claims.find("exp");
  if (it == claims.end()) return;
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    long long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || end != s.data() + s.size()) return;
    *it = ec == std::errc::result_out_of_range ? kSaturatedExp : static_cast<double>(v);
  }
  if (it->is_number()) {
    double v = it->get<double>();
    if (!std::isfinite(v) || v > kSaturatedExp) *it = kSaturatedExp;
  }
}

// The segments a lenient reader finds in `token`: dot-separated, or the three members of
// a flattened JWS JSON object.
std::optional<std::vector<std::string>> Segments(std::string_view token, bool jws_json) {
  if (jws_json && token.starts_with("{")) {
    std::optional<json> flat = ParseObject(token, false);
    if (!flat) return std::nullopt;
    std::vector<std::string> out;
    for (const char* name : {"protected", "payload", "signature"}) {
      auto it = flat->find(name);
      if (it == flat->end() || !it->is_string()) return std::nullopt;
      out.push_back(it->get<std::string>());
    }
    return out;
  }
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = token.find('.', start);
    out.emplace_back(token.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

// accept_unverified_jwe: a five-segment token is taken for a JWE "from a trusted party":
// its ciphertext segment is decoded as the claims, with no decryption and no tag check.
// Only the claims are then validated (the JWE header's typ is the encryption layer's).
jose::VerifyResult ClaimsOfJwe(const std::vector<std::string>& segments,
                               jose::ValidationPolicy policy, const Clock& clock) {
  std::optional<std::string> text = Base64UrlDecode(segments[3]);
  std::optional<json> claims = text ? ParseObject(*text, false) : std::nullopt;
  if (!claims) return Refused("malformed", "the ciphertext is not a JSON object");
  policy.typ.reset();
  jose::JwsParts parts;
  parts.header = json::object();
  return VerifyUnsigned(parts, claims->dump(), policy, clock);
}

}  // namespace

std::optional<jose::VerifyResult> VerifyLenient(std::string_view token, const jose::Jwks& keys,
                                                const jose::ValidationPolicy& policy,
                                                const Clock& clock, const VerifierFaults& f) {
  if (!(f.duplicate_members_first_wins || f.ignore_crit || f.lenient_base64 || f.accept_jws_json ||
        f.accept_unverified_jwe || f.lenient_exp)) {
    return std::nullopt;
  }
  std::optional<std::vector<std::string>> segments = Segments(token, f.accept_jws_json);
  if (!segments) return std::nullopt;
  if (segments->size() == 5 && f.accept_unverified_jwe)
    return ClaimsOfJwe(*segments, policy, clock);
  if (segments->size() != 3) return std::nullopt;

  jose::JwsParts parts;
  parts.header_b64 = (*segments)[0];
  parts.payload_b64 = (*segments)[1];
  parts.signature_b64 = (*segments)[2];
  std::optional<std::string> header_text = Decode(parts.header_b64, f.lenient_base64);
  std::optional<std::string> payload = Decode(parts.payload_b64, f.lenient_base64);
  std::optional<std::string> signature = Decode(parts.signature_b64, f.lenient_base64);
  if (!header_text || !payload || !signature) return std::nullopt;
  std::optional<json> header = ParseObject(*header_text, f.duplicate_members_first_wins);
  std::optional<json> claims = ParseObject(*payload, f.duplicate_members_first_wins);
  if (!header || !claims) return std::nullopt;
  parts.header = std::move(*header);
  parts.payload = std::move(*payload);
  parts.signature = std::move(*signature);
  if (f.ignore_crit) parts.header.erase("crit");
  if (f.lenient_exp) LenientExp(*claims);

  // The signature over the bytes as sent, with the trusted key the kid names.
  std::optional<jose::Alg> alg = jose::AlgFromName(HeaderString(parts.header, "alg"));
  const jose::Jwk* key = keys.Find(HeaderString(parts.header, "kid"));
  if (!key || !Allowed(policy, alg) || !jose::VerifySignature(parts, *key, *alg).ok()) {
    return std::nullopt;
  }
  return VerifyUnsigned(parts, claims->dump(), policy, clock);
}

}  // namespace tollgate::mocks
