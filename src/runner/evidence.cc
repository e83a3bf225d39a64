#include "runner/evidence.h"

#include <nlohmann/json.hpp>
#include <utility>
#include <variant>

#include "runner/tls_facts.h"
#include "tollgate/crypto/jose.h"

namespace tollgate::runner {
namespace {

using Json = nlohmann::json;

// Every string of a free-form JSON value redacted; each cut at the evidence cap, redacted
// before the cut, and no head of a secret left at it.
Json RedactValue(const Json& v, const Redactor& redactor) {
  if (v.is_string()) {
    bool cut = false;
    std::string text = redactor.RedactAndCut(v.get<std::string>(), kEvidenceBody, &cut);
    if (cut) text += " [truncated]";
    return text;
  }
  if (v.is_array()) {
    Json out = Json::array();
    for (const Json& item : v) out.push_back(RedactValue(item, redactor));
    return out;
  }
  if (v.is_object()) {
    Json out = Json::object();
    for (const auto& [key, item] : v.items()) {
      Json redacted = Json::object();
      if (key == "headers" && item.is_object()) {
        // Headers echoed in a body keep only the scheme of their credentials, as ours do.
        for (const auto& [name, value] : item.items()) {
          redacted[name] = value.is_string()
                               ? Json(redactor.RedactHeader(name, value.get<std::string>()))
                               : RedactValue(value, redactor);
        }
      } else {
        redacted = RedactValue(item, redactor);
      }
      out[redactor.Redact(key)] = std::move(redacted);
    }
    return out;
  }
  return v;
}

std::string Compact(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HeaderList RedactHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                         const Redactor& red) {
  HeaderList out;
  for (const auto& [n, v] : headers) out.emplace_back(red.Redact(n), red.RedactHeader(n, v));
  return out;
}

RecordedAlert RedactAlert(const RecordedAlert& a, const Redactor& red) {
  return {a.code, red.Redact(a.name)};
}

RecordedTls RedactTls(RecordedTls t, const Redactor& red) {
  for (std::string* s : {&t.protocol, &t.cipher, &t.refusal, &t.verify_error_text,
                         &t.client_cert_subject, &t.client_cert_sha256}) {
    *s = red.Redact(*s);
  }
  if (t.alert_received) t.alert_received = RedactAlert(*t.alert_received, red);
  if (t.alert_sent) t.alert_sent = RedactAlert(*t.alert_sent, red);
  for (RecordedCertificate& c : t.server_chain) {
    for (std::string* s : {&c.subject, &c.issuer, &c.sha256, &c.not_before, &c.not_after}) {
      *s = red.Redact(*s);
    }
    for (std::string& san : c.sans) san = red.Redact(san);
  }
  return t;
}

ExchangeOutcome ExchangeOutcomeOf(TransportOutcome o) {
  switch (o) {
    case TransportOutcome::kOk:
      return ExchangeOutcome::kOk;
    case TransportOutcome::kConnectFailed:
      return ExchangeOutcome::kConnectFailed;
    case TransportOutcome::kDnsFailed:
      return ExchangeOutcome::kDnsFailed;
    case TransportOutcome::kTimeout:
      return ExchangeOutcome::kTimeout;
    case TransportOutcome::kTlsRejected:
      return ExchangeOutcome::kTlsRejected;
    case TransportOutcome::kProtocolError:
      return ExchangeOutcome::kProtocolError;
  }
  return ExchangeOutcome::kProtocolError;
}

// Each note's strings redacted.
struct NoteRedaction {
  const Redactor& red;
  std::string R(const std::string& s) const { return red.Redact(s); }

  TranscriptEntry operator()(TranscriptExchange e) const { return e; }
  TranscriptEntry operator()(SignedNote n) const { return SignedNote{R(n.text)}; }
  TranscriptEntry operator()(PreparedNote n) const { return PreparedNote{R(n.method), R(n.url)}; }
  TranscriptEntry operator()(NotifyTokenNote n) const {
    return NotifyTokenNote{R(n.mutation), R(n.claims)};
  }
  TranscriptEntry operator()(WebhookNote n) const {
    return WebhookNote{R(n.scheme), R(n.id), R(n.variant)};
  }
  TranscriptEntry operator()(WaitNote n) const {
    n.documented = R(n.documented);
    return n;
  }
  TranscriptEntry operator()(ReceivedNote n) const {
    n.service = R(n.service);
    return n;
  }
  TranscriptEntry operator()(MintedNote n) const {
    return MintedNote{R(n.issuer), R(n.mutation), R(n.claims)};
  }
  TranscriptEntry operator()(MockNote n) const {
    return MockNote{R(n.service), R(n.action), R(n.args)};
  }
  TranscriptEntry operator()(ClockNote n) const { return n; }
  TranscriptEntry operator()(RaceNote n) const { return n; }
  TranscriptEntry operator()(RefusedNote n) const { return RefusedNote{R(n.how)}; }
  TranscriptEntry operator()(TlsAuditNote n) const { return TlsAuditNote{R(n.summary)}; }
  TranscriptEntry operator()(TranscriptText n) const { return TranscriptText{R(n.text)}; }
};

}  // namespace

RecordedExchange RecordExchange(const ClientRequest& q, const ClientResponse& r,
                                const Redactor& red, std::size_t body_cap, bool parse_json) {
  RecordedExchange x;
  x.request.method = red.Redact(q.method);
  x.request.url = red.Redact(q.url);
  x.request.headers = RedactHeaders(q.headers, red);
  x.request.body = red.RedactAndCut(q.body, body_cap, &x.request.body_cut);
  RecordedResponse& out = x.response;
  out.outcome = ExchangeOutcomeOf(r.outcome);
  // A refused handshake is told by the TLS library's detail when there is one.
  out.error = red.Redact(
      r.outcome == TransportOutcome::kTlsRejected && !r.tls_error.empty() ? r.tls_error : r.error);
  out.http_version = red.Redact(r.http_version);
  out.status = r.status;
  out.headers = RedactHeaders(r.headers.items(), red);
  out.body = red.RedactAndCut(r.body, body_cap, &out.body_cut);
  if (parse_json) {
    Json parsed = Json::parse(r.body, nullptr, false);
    if (!parsed.is_discarded()) out.json = Compact(RedactValue(parsed, red));
  }
  out.total_ms = r.timings.total_ms;
  if (std::optional<RecordedTls> tls = RecordTls(q, r)) x.tls = RedactTls(std::move(*tls), red);
  return x;
}

TranscriptEntry RedactNote(TranscriptEntry entry, const Redactor& redactor) {
  return std::visit(NoteRedaction{redactor}, std::move(entry));
}

std::optional<DecodedToken> DecodeTokenEvidence(const std::string& token, const std::string& where,
                                                const Redactor& redactor) {
  // A token that is itself a secret (a fetched access token) stays opaque. One that only
  // carries a secret in its claims is decoded: the redactor cuts the secret's characters
  // out of the encoded text, but the decoded claims are redacted below.
  if (token.empty() || redactor.Redact(token) == kRedacted) return std::nullopt;
  auto parts = jose::ParseCompact(token);
  if (!parts.ok()) return std::nullopt;
  Json claims = Json::parse(parts->payload, nullptr, false);
  if (claims.is_discarded()) claims = parts->payload;
  // Claims may quote a secret (a client secret as `sub`, say): they are redacted like the
  // rest; the signature is never shown.
  return DecodedToken{redactor.Redact(where), Compact(RedactValue(parts->header, redactor)),
                      Compact(RedactValue(claims, redactor))};
}

StepEvidence MakeEvidence(const std::string& label, const ClientRequest* q, const ClientResponse* r,
                          const std::string& token, const std::string& token_where,
                          const SourceLoc& where, const Redactor& redactor) {
  StepEvidence e;
  e.label = label;
  e.where = where;
  if (q != nullptr && r != nullptr) {
    e.exchange = RecordExchange(*q, *r, redactor, kEvidenceBody, /*parse_json=*/true);
  }
  if (std::optional<DecodedToken> decoded = DecodeTokenEvidence(token, token_where, redactor)) {
    e.tokens.push_back(std::move(*decoded));
  }
  return e;
}

}  // namespace tollgate::runner
