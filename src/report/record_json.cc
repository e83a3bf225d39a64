#include "report/record_json.h"

#include <utility>
#include <variant>

namespace tollgate::report {
namespace {

using Json = OrderedJson;

constexpr std::string_view kCutMark = " [truncated]";

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

template <typename T>
T Num(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<T>() : T{};
}

bool Bool(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

// Free-form JSON the runner kept as compact text, as a value; text that is not JSON stays a
// string. Back, a value is dumped compact: what the runner wrote.
Json FreeForm(const std::string& text) {
  if (text.empty()) return nullptr;
  Json v = Json::parse(text, nullptr, false);
  return v.is_discarded() ? Json(text) : v;
}
std::string FreeFormText(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A body with the mark of a cut, as records have always shown it.
std::string MarkedBody(const std::string& body, bool cut) {
  return cut ? body + std::string(kCutMark) : body;
}
// `body` and `body_cut` back; without `body_cut`, a body ending in the mark was cut.
void ReadBody(const Json& j, std::string* body, bool* cut) {
  *body = Str(j, "body");
  const bool ends = body->size() >= kCutMark.size() &&
                    body->compare(body->size() - kCutMark.size(), kCutMark.size(), kCutMark) == 0;
  *cut = j.contains("body_cut") ? Bool(j, "body_cut") && ends : ends;
  if (*cut) body->resize(body->size() - kCutMark.size());
}

Json HeaderObject(const HeaderList& headers) {
  Json out = Json::object();
  for (const auto& [n, v] : headers) {
    auto it = out.find(n);
    if (it == out.end()) {
      out[n] = v;
    } else {
      *it = it->get<std::string>() + ", " + v;
    }
  }
  return out;
}
Json HeaderPairs(const HeaderList& headers) {
  Json out = Json::array();
  for (const auto& [n, v] : headers) out.push_back(Json::array({n, v}));
  return out;
}
HeaderList ReadHeaders(const Json& j) {
  HeaderList out;
  auto it = j.find("headers");
  if (it == j.end()) return out;
  if (it->is_object()) {
    for (const auto& [n, v] : it->items()) {
      out.emplace_back(n, v.is_string() ? v.get<std::string>() : v.dump());
    }
  } else if (it->is_array()) {
    for (const Json& pair : *it) {
      if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
        out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    }
  }
  return out;
}

Json AlertJson(const std::optional<RecordedAlert>& a) {
  if (!a) return nullptr;
  return Json{{"name", a->name}, {"code", a->code}};
}
std::optional<RecordedAlert> ReadAlert(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return std::nullopt;
  return RecordedAlert{Num<int>(*it, "code"), Str(*it, "name")};
}

Json TlsJson(const RecordedTls& t) {
  Json chain = Json::array();
  for (const RecordedCertificate& c : t.server_chain) {
    chain.push_back(Json{{"subject", c.subject},
                         {"issuer", c.issuer},
                         {"sha256", c.sha256},
                         {"not_before", c.not_before},
                         {"not_after", c.not_after},
                         {"days_left", c.days_left},
                         {"sans", c.sans}});
  }
  Json out{{"protocol", t.protocol},
           {"cipher", t.cipher},
           {"alert_received", AlertJson(t.alert_received)},
           {"alert_sent", AlertJson(t.alert_sent)},
           {"refusal", t.refusal},
           {"certificate_requested", t.certificate_requested},
           {"server_chain", std::move(chain)},
           {"host_matched", t.host_matched ? Json(*t.host_matched) : Json(nullptr)}};
  if (t.session_resumed) out["session_resumed"] = true;
  if (t.verify_error != 0) {
    out["verify_error"] = Json{{"code", t.verify_error}, {"text", t.verify_error_text}};
  }
  if (!t.client_cert_sha256.empty()) {
    out["client_cert"] = Json{{"subject", t.client_cert_subject}, {"sha256", t.client_cert_sha256}};
  }
  return out;
}

RecordedTls ReadTls(const Json& j) {
  RecordedTls t;
  t.protocol = Str(j, "protocol");
  t.cipher = Str(j, "cipher");
  t.alert_received = ReadAlert(j, "alert_received");
  t.alert_sent = ReadAlert(j, "alert_sent");
  t.refusal = Str(j, "refusal");
  t.certificate_requested = Bool(j, "certificate_requested");
  t.session_resumed = Bool(j, "session_resumed");
  if (auto it = j.find("server_chain"); it != j.end() && it->is_array()) {
    for (const Json& c : *it) {
      RecordedCertificate cert{Str(c, "subject"),
                               Str(c, "issuer"),
                               Str(c, "sha256"),
                               Str(c, "not_before"),
                               Str(c, "not_after"),
                               Num<long>(c, "days_left"),
                               {}};
      if (auto sans = c.find("sans"); sans != c.end() && sans->is_array()) {
        for (const Json& s : *sans) {
          if (s.is_string()) cert.sans.push_back(s.get<std::string>());
        }
      }
      t.server_chain.push_back(std::move(cert));
    }
  }
  if (auto it = j.find("host_matched"); it != j.end() && it->is_boolean()) {
    t.host_matched = it->get<bool>();
  }
  if (auto it = j.find("verify_error"); it != j.end() && it->is_object()) {
    t.verify_error = Num<int>(*it, "code");
    t.verify_error_text = Str(*it, "text");
  }
  if (auto it = j.find("client_cert"); it != j.end() && it->is_object()) {
    t.client_cert_subject = Str(*it, "subject");
    t.client_cert_sha256 = Str(*it, "sha256");
  }
  return t;
}

// `headers` decides the shape of header fields: an object (evidence) or pairs (transcript).
void PutExchange(const RecordedExchange& x, bool header_pairs, Json& out) {
  const RecordedRequest& q = x.request;
  const RecordedResponse& r = x.response;
  auto headers = [&](const HeaderList& h) {
    return header_pairs ? HeaderPairs(h) : HeaderObject(h);
  };
  out["request"] = Json{{"method", q.method},
                        {"url", q.url},
                        {"headers", headers(q.headers)},
                        {"body", MarkedBody(q.body, q.body_cut)},
                        {"body_cut", q.body_cut}};
  Json response{{"status", r.status},
                {"http_version", r.http_version},
                {"headers", headers(r.headers)},
                {"body", MarkedBody(r.body, r.body_cut)},
                {"body_cut", r.body_cut},
                {"outcome", ExchangeOutcomeName(r.outcome)},
                {"error", r.error},
                {"duration_ms", r.total_ms}};
  if (!r.json.empty()) response["json"] = FreeForm(r.json);
  out["response"] = std::move(response);
  if (x.tls) out["tls"] = TlsJson(*x.tls);
}

RecordedExchange ReadExchange(const Json& j) {
  RecordedExchange x;
  if (auto it = j.find("request"); it != j.end() && it->is_object()) {
    x.request.method = Str(*it, "method");
    x.request.url = Str(*it, "url");
    x.request.headers = ReadHeaders(*it);
    ReadBody(*it, &x.request.body, &x.request.body_cut);
  }
  if (auto it = j.find("response"); it != j.end() && it->is_object()) {
    RecordedResponse& r = x.response;
    r.outcome = ParseExchangeOutcome(Str(*it, "outcome")).value_or(ExchangeOutcome::kOk);
    r.error = Str(*it, "error");
    r.http_version = Str(*it, "http_version");
    r.status = Num<int>(*it, "status");
    r.headers = ReadHeaders(*it);
    ReadBody(*it, &r.body, &r.body_cut);
    r.json = FreeFormText(*it, "json");
    r.total_ms = Num<double>(*it, "duration_ms");
  }
  if (auto it = j.find("tls"); it != j.end() && it->is_object()) x.tls = ReadTls(*it);
  return x;
}

struct EntryJson {
  Json operator()(const TranscriptExchange& e) const {
    Json out{{"kind", "exchange"}, {"label", e.label}};
    PutExchange(e.exchange, /*header_pairs=*/true, out);
    return out;
  }
  Json operator()(const SignedNote& n) const { return Json{{"kind", "signed"}, {"text", n.text}}; }
  Json operator()(const PreparedNote& n) const {
    return Json{{"kind", "prepared"}, {"method", n.method}, {"url", n.url}};
  }
  Json operator()(const NotifyTokenNote& n) const {
    return Json{{"kind", "notify_token"}, {"mutation", n.mutation}, {"claims", FreeForm(n.claims)}};
  }
  Json operator()(const WebhookNote& n) const {
    return Json{{"kind", "webhook"}, {"scheme", n.scheme}, {"id", n.id}, {"variant", n.variant}};
  }
  Json operator()(const WaitNote& n) const {
    return Json{
        {"kind", "wait"}, {"total_ms", n.total_ms}, {"for", n.documented}, {"plus_ms", n.plus_ms}};
  }
  Json operator()(const ReceivedNote& n) const {
    return Json{{"kind", "received"}, {"service", n.service}, {"count", n.count}};
  }
  Json operator()(const MintedNote& n) const {
    return Json{{"kind", "minted"},
                {"issuer", n.issuer},
                {"mutation", n.mutation},
                {"claims", FreeForm(n.claims)}};
  }
  Json operator()(const MockNote& n) const {
    return Json{
        {"kind", "mock"}, {"service", n.service}, {"action", n.action}, {"args", FreeForm(n.args)}};
  }
  Json operator()(const ClockNote& n) const {
    return Json{{"kind", "clock"}, {"offset_ms", n.offset_ms}};
  }
  Json operator()(const RaceNote& n) const {
    return Json{{"kind", "race"}, {"copies", n.copies}, {"spread_us", n.spread_us}};
  }
  Json operator()(const RefusedNote& n) const { return Json{{"kind", "refused"}, {"how", n.how}}; }
  Json operator()(const TlsAuditNote& n) const {
    return Json{{"kind", "tls_audit"}, {"summary", n.summary}};
  }
  Json operator()(const TranscriptText& n) const {
    return Json{{"kind", "text"}, {"text", n.text}};
  }
};

}  // namespace

OrderedJson EvidenceRecordJson(const StepEvidence& e) {
  Json out = Json::object();
  if (e.exchange) PutExchange(*e.exchange, /*header_pairs=*/false, out);
  if (!e.tokens.empty()) {
    Json tokens = Json::array();
    for (const DecodedToken& t : e.tokens) {
      tokens.push_back(
          Json{{"where", t.where}, {"header", FreeForm(t.header)}, {"claims", FreeForm(t.claims)}});
    }
    out["tokens"] = std::move(tokens);
  }
  return out;
}

StepEvidence EvidenceFromJson(const std::string& label, const SourceLoc& where,
                              const OrderedJson& record) {
  StepEvidence e;
  e.label = label;
  e.where = where;
  if (!record.is_object()) return e;
  if (record.contains("request") || record.contains("response")) e.exchange = ReadExchange(record);
  if (auto it = record.find("tokens"); it != record.end() && it->is_array()) {
    for (const Json& t : *it) {
      if (!t.is_object()) continue;
      e.tokens.push_back({Str(t, "where"), FreeFormText(t, "header"), FreeFormText(t, "claims")});
    }
  }
  return e;
}

OrderedJson TranscriptEntryJson(const TranscriptEntry& entry) {
  return std::visit(EntryJson{}, entry);
}

std::optional<TranscriptEntry> TranscriptEntryFromJson(const OrderedJson& j) {
  if (!j.is_object()) return std::nullopt;
  const std::string kind = Str(j, "kind");
  if (kind == "exchange") return TranscriptExchange{Str(j, "label"), ReadExchange(j)};
  if (kind == "signed") return SignedNote{Str(j, "text")};
  if (kind == "prepared") return PreparedNote{Str(j, "method"), Str(j, "url")};
  if (kind == "notify_token") return NotifyTokenNote{Str(j, "mutation"), FreeFormText(j, "claims")};
  if (kind == "webhook") return WebhookNote{Str(j, "scheme"), Str(j, "id"), Str(j, "variant")};
  if (kind == "wait") {
    return WaitNote{Num<long long>(j, "total_ms"), Str(j, "for"), Num<long long>(j, "plus_ms")};
  }
  if (kind == "received") return ReceivedNote{Str(j, "service"), Num<std::size_t>(j, "count")};
  if (kind == "minted") {
    return MintedNote{Str(j, "issuer"), Str(j, "mutation"), FreeFormText(j, "claims")};
  }
  if (kind == "mock") return MockNote{Str(j, "service"), Str(j, "action"), FreeFormText(j, "args")};
  if (kind == "clock") return ClockNote{Num<long long>(j, "offset_ms")};
  if (kind == "race") return RaceNote{Num<int>(j, "copies"), Num<long long>(j, "spread_us")};
  if (kind == "refused") return RefusedNote{Str(j, "how")};
  if (kind == "tls_audit") return TlsAuditNote{Str(j, "summary")};
  if (kind == "text") return TranscriptText{Str(j, "text")};
  return std::nullopt;
}

}  // namespace tollgate::report
