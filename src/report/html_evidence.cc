// The evidence of one case in the HTML report, from the typed records of the results:
// request (with a curl command that reproduces it), response, TLS facts and decoded tokens.

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "report/html_parts.h"
#include "report/text.h"
#include "tollgate/report/report.h"

namespace tollgate::report {
namespace {

using Json = nlohmann::json;

std::string E(std::string_view text) { return HtmlEscape(text); }

// The JWT claims that are NumericDates (RFC 7519 §4.1, OpenID Connect Core §2): a reader
// cannot tell from 1765036800 whether a token had expired.
bool IsTimeClaim(std::string_view key) {
  return key == "exp" || key == "iat" || key == "nbf" || key == "auth_time";
}

std::string Scalar(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Pretty(const Json& v) {
  return "<pre>" + E(v.dump(2, ' ', false, Json::error_handler_t::replace)) + "</pre>";
}

// Claims pretty-printed like Pretty, each time claim followed by its date. Not JSON any
// more, and it need not be: it is read, not parsed.
std::string Claims(const Json& claims) {
  if (!claims.is_object() || claims.empty()) return Pretty(claims);
  std::string out = "<pre>{\n";
  std::size_t left = claims.size();
  for (const auto& [k, v] : claims.items()) {
    std::string value = v.dump(2, ' ', false, Json::error_handler_t::replace);
    // Nested members move in one level, under their key.
    for (std::size_t at = value.find('\n'); at != std::string::npos;
         at = value.find('\n', at + 3)) {
      value.insert(at + 1, "  ");
    }
    out += "  " + E(Json(k).dump(-1, ' ', false, Json::error_handler_t::replace)) + ": " + E(value);
    const std::string date = IsTimeClaim(k) ? NumericDateNote(v) : "";
    if (!date.empty()) out += "<span class=\"date\">" + E(date) + "</span>";
    out += --left > 0 ? ",\n" : "\n";
  }
  return out + "}</pre>";
}

std::string Headers(const HeaderList& headers) {
  if (headers.empty()) return "";
  std::string out = "<table class=\"headers\">";
  for (const auto& [k, v] : headers) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>", E(k), E(v));
  }
  return out + "</table>";
}

// Free-form JSON the runner kept as text (a body, claims), parsed to be laid out.
Json Parsed(const std::string& text) {
  Json v = Json::parse(text, nullptr, false);
  return v.is_discarded() ? Json(text) : v;
}

std::string Body(const std::string& body, bool cut, const std::string& json) {
  if (!json.empty()) return Pretty(Parsed(json));
  if (body.empty() && !cut) return "";
  return "<pre>" + E(body) + (cut ? " [truncated]" : "") + "</pre>";
}

std::string Request(const RecordedRequest& q) {
  return fmt::format("<h5>Request</h5><p class=\"line\"><code>{} {}</code></p>{}{}", E(q.method),
                     E(q.url), Headers(q.headers), Body(q.body, q.body_cut, ""));
}

// The request as a curl command a reader can paste, and the variables to set first.
std::string Curl(const StepEvidence& e) {
  std::optional<CurlCommand> curl = CurlFor(e);
  if (!curl) return "";
  std::string out = "<details class=\"curl\" open><summary>Reproduce with curl</summary>";
  if (!curl->variables.empty()) {
    out += "<p class=\"muted\">Masked values are shell variables: set ";
    for (std::size_t i = 0; i < curl->variables.size(); ++i) {
      const auto& [name, what] = curl->variables[i];
      out += fmt::format("{}<code>{}</code> ({})",
                         i == 0                            ? ""
                         : i + 1 == curl->variables.size() ? " and "
                                                           : ", ",
                         E(name), E(what));
    }
    out += " first.</p>";
  }
  for (const std::string& note : curl->notes) {
    out += "<p class=\"muted\">Note: " + E(note) + ".</p>";
  }
  return out + "<pre class=\"curl\">" + E(curl->command) + "</pre></details>";
}

std::string Response(const RecordedResponse& r) {
  std::string line = r.outcome == ExchangeOutcome::kOk
                         ? "HTTP " + std::to_string(r.status)
                         : std::string("no HTTP answer: ") + ExchangeOutcomeName(r.outcome);
  line += fmt::format(" ({} ms)", Scalar(Json(r.total_ms)));
  return fmt::format("<h5>Response</h5><p class=\"line\"><code>{}</code></p>{}{}", E(line),
                     Headers(r.headers), Body(r.body, r.body_cut, r.json));
}

std::string Row(std::string_view name, const std::string& value_html) {
  return fmt::format("<tr><th>{}</th><td>{}</td></tr>", E(name), value_html);
}

std::string Code(std::string_view text) { return "<code>" + E(text) + "</code>"; }

std::string Alert(const std::optional<RecordedAlert>& a) {
  return a ? Code(fmt::format("{} ({})", a->name, a->code)) : Code("none");
}

// The TLS facts of an exchange, one row each; the server's chain as a list.
std::string Tls(const RecordedTls& t) {
  std::string out = "<h5>TLS</h5><table class=\"kv\">";
  out += Row("protocol", Code(t.protocol.empty() ? "(no handshake)" : t.protocol));
  if (!t.cipher.empty()) out += Row("cipher", Code(t.cipher));
  out += Row("alert received", Alert(t.alert_received));
  out += Row("alert sent", Alert(t.alert_sent));
  out += Row("refusal", Code(t.refusal));
  out += Row("certificate requested", Code(t.certificate_requested ? "yes" : "no"));
  if (t.session_resumed) out += Row("session resumed", Code("yes"));
  if (t.host_matched) out += Row("host matched", Code(*t.host_matched ? "yes" : "no"));
  if (t.verify_error != 0) {
    out += Row("verify error", Code(fmt::format("{} ({})", t.verify_error_text, t.verify_error)));
  }
  if (!t.client_cert_sha256.empty()) {
    out += Row("client certificate",
               Code(t.client_cert_subject) + "<br>sha256 " + Code(t.client_cert_sha256));
  }
  if (!t.server_chain.empty()) {
    std::string chain = "<ol class=\"items\">";
    for (const RecordedCertificate& c : t.server_chain) {
      std::string sans;
      for (const std::string& s : c.sans) sans += (sans.empty() ? "" : ", ") + s;
      chain += "<li><table class=\"kv\">" + Row("subject", Code(c.subject)) +
               Row("issuer", Code(c.issuer)) + Row("sha256", Code(c.sha256)) +
               Row("valid", Code(c.not_before + " to " + c.not_after)) +
               Row("days left", Code(std::to_string(c.days_left))) + Row("SANs", Code(sans)) +
               "</table></li>";
    }
    out += Row("server chain", chain + "</ol>");
  }
  return out + "</table>";
}

std::string Tokens(const std::vector<DecodedToken>& tokens) {
  std::string out = "<h5>Tokens</h5>";
  for (const DecodedToken& t : tokens) {
    out += fmt::format(
        "<p class=\"line\">{}</p><div class=\"pair\"><div><h6>header</h6>{}</div>"
        "<div><h6>claims</h6>{}</div></div>",
        E(t.where.empty() ? "token" : t.where), Pretty(Parsed(t.header)), Claims(Parsed(t.claims)));
  }
  return out;
}

std::string Exchange(const StepEvidence& e) {
  std::string out =
      fmt::format("<div class=\"exchange\"><h4>{} <span class=\"where\">{}</span></h4>", E(e.label),
                  E(e.where.ToString()));
  if (e.exchange) {
    out += Request(e.exchange->request) + Curl(e) + Response(e.exchange->response);
    if (e.exchange->tls) out += Tls(*e.exchange->tls);
  }
  if (!e.tokens.empty()) out += Tokens(e.tokens);
  return out + "</div>";
}

}  // namespace

std::string OutcomeChip(Outcome o) {
  const std::string name = OutcomeName(o);
  return fmt::format("<span class=\"chip {}\">{}</span>", name, name);
}

std::string NumericDateNote(const nlohmann::json& value) {
  if (!value.is_number()) return "";
  const double seconds = std::floor(value.get<double>());
  // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z: what a YYYY date can say.
  if (!(seconds >= -62135596800.0 && seconds <= 253402300799.0)) return "";
  namespace chrono = std::chrono;
  const chrono::sys_seconds t{chrono::seconds{static_cast<long long>(seconds)}};
  const chrono::sys_days day = chrono::floor<chrono::days>(t);
  const chrono::year_month_day ymd{day};
  const chrono::hh_mm_ss<chrono::seconds> hms{t - day};
  return fmt::format(" ({:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC)", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string CaseAnchor(int index) { return fmt::format("case-{}", index); }

std::string CaseEvidenceHtml(const CaseResult& c, int index) {
  const Outcome o = OutcomeOf(c);
  std::string out = fmt::format(
      "<section class=\"case {}\" id=\"{}\"><h3>{} {}</h3><p class=\"meta\">suite <code>{}</code>"
      " &middot; scenario at <code>{}</code> &middot; severity <b>{}</b>",
      OutcomeName(o), CaseAnchor(index), OutcomeChip(o), E(c.name), E(c.suite_id),
      E(c.loc.ToString()), SeverityName(c.severity));
  if (!c.requirements.empty()) {
    std::string reqs;
    for (const std::string& r : c.requirements) reqs += (reqs.empty() ? "" : ", ") + r;
    out += " &middot; requirements " + E(reqs);
  }
  out += "</p>";
  if (c.waiver != WaiverState::kNone) {
    out += fmt::format(
        "<p class=\"waiver\">{}: {} (expires {}, {})</p>",
        c.waiver == WaiverState::kWaived ? "Waived" : "Waiver not needed: the case passes",
        E(c.waiver_note.reason), E(c.waiver_note.expires), E(c.waiver_note.where));
  }
  if (!c.failures.empty()) {
    out +=
        "<table class=\"checks\"><tr><th>check</th><th>expected</th><th>actual</th>"
        "<th>where in the suite</th></tr>";
    for (const CheckFailure& f : c.failures) {
      out += fmt::format(
          "<tr><td><b>{}</b><br>{}</td><td><code>{}</code></td><td><code>{}</code>"
          "</td><td><code>{}</code></td></tr>",
          E(f.type), E(f.message), E(f.expected), E(f.actual), E(f.where.ToString()));
    }
    out += "</table>";
  }
  if (!c.error.empty()) out += "<p class=\"line\">harness error:</p><pre>" + E(c.error) + "</pre>";
  for (const StepEvidence& e : c.evidence) out += Exchange(e);
  if (const std::string transcript = RenderTranscript(c.transcript); !transcript.empty()) {
    out += "<details><summary>transcript</summary><pre>" + E(transcript) + "</pre></details>";
  }
  return out + "</section>\n";
}

}  // namespace tollgate::report
