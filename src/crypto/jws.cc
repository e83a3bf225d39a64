#include <algorithm>

#include "crypto/alg.h"
#include "crypto/jwk_impl.h"
#include "crypto/jws_internal.h"
#include "crypto/signature.h"
#include "tollgate/base/encoding.h"

namespace tollgate::jose {

StatusOr<JwsParts> ParseCompactDetailed(std::string_view token, JsonDefect* defect) {
  if (defect) *defect = JsonDefect::kNone;
  // RFC 7515 §7.1: exactly three segments; a JWE (five) or JSON serialisation is not a JWS.
  size_t dots = static_cast<size_t>(std::count(token.begin(), token.end(), '.'));
  if (dots != 2) {
    return InvalidArgumentError("token: " + std::to_string(dots + 1) +
                                " segments, a compact JWS has 3");
  }
  size_t first = token.find('.');
  size_t second = token.find('.', first + 1);
  JwsParts parts;
  parts.header_b64 = std::string(token.substr(0, first));
  parts.payload_b64 = std::string(token.substr(first + 1, second - first - 1));
  parts.signature_b64 = std::string(token.substr(second + 1));
  if (parts.header_b64.empty()) return InvalidArgumentError("token: empty header segment");
  struct Segment {
    const char* name;
    const std::string* text;
    std::string* out;
  };
  for (const Segment& s : {Segment{"header", &parts.header_b64, nullptr},
                           Segment{"payload", &parts.payload_b64, &parts.payload},
                           Segment{"signature", &parts.signature_b64, &parts.signature}}) {
    std::optional<std::string> bytes = Base64UrlDecode(*s.text);
    if (!bytes) {
      return InvalidArgumentError(std::string("token: the ") + s.name +
                                  " segment is not strict base64url (RFC 7515 §2: no padding, "
                                  "no '+' or '/', no whitespace, zero unused bits)");
    }
    if (s.out) {
      *s.out = std::move(*bytes);
    } else {
      ASSIGN_OR_RETURN(parts.header, ParseStrictObject(*bytes, "header", defect));
    }
  }
  return parts;
}

StatusOr<JwsParts> ParseCompact(std::string_view token) {
  return ParseCompactDetailed(token, nullptr);
}

StatusOr<std::string> SignInput(const Jwk& key, Alg alg, std::string_view signing_input) {
  if (alg != Alg::kNone && !KeyFamilyFitsAlg(key.impl(), alg)) {
    return InvalidArgumentError(std::string("key \"") + key.kid() + "\" (" + key.kty() +
                                ") cannot sign " + AlgName(alg));
  }
  return RawSign(key.impl(), alg, signing_input);
}

StatusOr<std::string> Sign(const Jwk& key, const nlohmann::json& extra_header,
                           std::string_view payload) {
  if (!extra_header.is_object()) return InvalidArgumentError("header: not a JSON object");
  nlohmann::json header = extra_header;
  header["alg"] = AlgName(key.alg());
  if (!key.kid().empty()) header["kid"] = key.kid();
  // replace: invalid UTF-8 in a caller's string must not throw out of the module.
  std::string text = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string input = Base64UrlEncode(text) + "." + Base64UrlEncode(payload);
  ASSIGN_OR_RETURN(std::string signature, SignInput(key, key.alg(), input));
  return input + "." + Base64UrlEncode(signature);
}

Status VerifySignature(const JwsParts& parts, const Jwk& key, Alg alg) {
  if (alg == Alg::kNone) return PermissionDeniedError("alg none carries no signature");
  if (!KeyFamilyFitsAlg(key.impl(), alg)) {
    return InvalidArgumentError(std::string("key \"") + key.kid() + "\" (" + key.kty() +
                                ") cannot verify " + AlgName(alg));
  }
  std::string input = parts.header_b64 + "." + parts.payload_b64;
  if (!RawVerify(key.impl(), alg, input, parts.signature)) {
    return PermissionDeniedError(std::string(AlgName(alg)) +
                                 " signature does not verify with key \"" + key.kid() + "\"");
  }
  return Status::Ok();
}

}  // namespace tollgate::jose
