#include "runner/evidence.h"

#include "tollgate/crypto/jose.h"

namespace tollgate::runner {
namespace {

// Bodies beyond this are cut in the evidence: the report is read by people.
constexpr std::size_t kEvidenceBody = 8192;

nlohmann::json RedactValue(const nlohmann::json& v, const Redactor& redactor) {
  if (v.is_string()) {
    // Redacted before the cut, and no head of a secret left at it.
    bool cut = false;
    std::string text = redactor.RedactAndCut(v.get<std::string>(), kEvidenceBody, &cut);
    if (cut) text += " [truncated]";
    return text;
  }
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& item : v) out.push_back(RedactValue(item, redactor));
    return out;
  }
  if (v.is_object()) return RedactRecord(v, redactor);
  return v;
}

}  // namespace

nlohmann::json RedactRecord(const nlohmann::json& record, const Redactor& redactor) {
  if (!record.is_object()) return RedactValue(record, redactor);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : record.items()) {
    if (key == "headers" && value.is_object()) {
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [name, v] : value.items()) {
        headers[name] = v.is_string()
                            ? nlohmann::json(redactor.RedactHeader(name, v.get<std::string>()))
                            : RedactValue(v, redactor);
      }
      out[key] = std::move(headers);
    } else {
      out[key] = RedactValue(value, redactor);
    }
  }
  return out;
}

nlohmann::json DecodeTokenEvidence(const std::string& token, const std::string& where,
                                   const Redactor& redactor) {
  // A token that is itself a secret (a fetched access token) stays opaque. One that only
  // carries a secret in its claims is decoded: the redactor cuts the secret's characters
  // out of the encoded text, but the decoded claims are redacted below.
  if (token.empty() || redactor.Redact(token) == kRedacted) return nullptr;
  auto parts = jose::ParseCompact(token);
  if (!parts.ok()) return nullptr;
  nlohmann::json claims = nlohmann::json::parse(parts->payload, nullptr, false);
  if (claims.is_discarded()) claims = parts->payload;
  // Claims may quote a secret (a client secret as `sub`, say): they are redacted like the
  // rest; the signature is never shown.
  return RedactValue({{"where", where}, {"header", parts->header}, {"claims", claims}}, redactor);
}

StepEvidence MakeEvidence(const std::string& label, const nlohmann::json& record,
                          const std::string& token, const std::string& token_where,
                          const SourceLoc& where, const Redactor& redactor) {
  nlohmann::json out = RedactRecord(record, redactor);
  nlohmann::json decoded = DecodeTokenEvidence(token, token_where, redactor);
  if (!decoded.is_null()) {
    if (!out.contains("tokens") || !out["tokens"].is_array())
      out["tokens"] = nlohmann::json::array();
    out["tokens"].push_back(std::move(decoded));
  }
  StepEvidence e;
  e.label = label;
  e.record = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  e.where = where;
  return e;
}

}  // namespace tollgate::runner
