// The evidence of one case in the HTML report. An exchange record is JSON the runner
// wrote; request and response get a reading layout, every other member (a `tls` object,
// decoded `tokens`, whatever is added later) is rendered generically, so nothing the
// runner records is lost.

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "report/html_parts.h"
#include "report/text.h"

namespace tollgate::report_internal {
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

// Any JSON as nested key/value tables.
std::string Generic(const Json& v) {
  if (v.is_object()) {
    if (v.empty()) return "<span class=\"muted\">(empty)</span>";
    std::string out = "<table class=\"kv\">";
    for (const auto& [k, item] : v.items()) {
      const std::string date = IsTimeClaim(k) ? NumericDateNote(item) : "";
      out += fmt::format("<tr><th>{}</th><td>{}{}</td></tr>", E(k), Generic(item),
                         date.empty() ? "" : "<span class=\"date\">" + E(date) + "</span>");
    }
    return out + "</table>";
  }
  if (v.is_array()) {
    if (v.empty()) return "<span class=\"muted\">(none)</span>";
    std::string out = "<ol class=\"items\">";
    for (const Json& item : v) out += "<li>" + Generic(item) + "</li>";
    return out + "</ol>";
  }
  return "<code>" + E(Scalar(v)) + "</code>";
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

std::string Headers(const Json& headers) {
  if (!headers.is_object() || headers.empty()) return "";
  std::string out = "<table class=\"headers\">";
  for (const auto& [k, v] : headers.items()) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>", E(k), E(Scalar(v)));
  }
  return out + "</table>";
}

std::string Body(const Json& message) {
  if (message.contains("json") && !message["json"].is_null()) return Pretty(message["json"]);
  const std::string body = message.value("body", "");
  if (body.empty()) return "";
  return "<pre>" + E(body) + "</pre>";
}

std::string Request(const Json& q) {
  return fmt::format("<h5>Request</h5><p class=\"line\"><code>{} {}</code></p>{}{}",
                     E(q.value("method", "")), E(q.value("url", "")),
                     Headers(q.value("headers", Json::object())), Body(q));
}

// The request as a curl command a reader can paste, and the variables to set first.
std::string Curl(const Json& record) {
  std::optional<CurlCommand> curl = CurlFor(record);
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

std::string Response(const Json& r) {
  std::string status = r.contains("status") ? Scalar(r["status"]) : "";
  std::string outcome = r.value("outcome", "");
  std::string line =
      outcome.empty() || outcome == "ok" ? "HTTP " + status : "no HTTP answer: " + outcome;
  if (r.contains("duration_ms")) line += fmt::format(" ({} ms)", Scalar(r["duration_ms"]));
  return fmt::format("<h5>Response</h5><p class=\"line\"><code>{}</code></p>{}{}", E(line),
                     Headers(r.value("headers", Json::object())), Body(r));
}

std::string Tokens(const Json& tokens) {
  std::string out = "<h5>Tokens</h5>";
  for (const Json& t : tokens.is_array() ? tokens : Json::array({tokens})) {
    if (!t.is_object()) {
      out += Generic(t);
      continue;
    }
    out += fmt::format(
        "<p class=\"line\">{}</p><div class=\"pair\"><div><h6>header</h6>{}</div>"
        "<div><h6>claims</h6>{}</div></div>",
        E(t.value("where", "token")), Pretty(t.value("header", Json::object())),
        Claims(t.value("claims", Json::object())));
  }
  return out;
}

std::string Exchange(const StepEvidence& e) {
  std::string out =
      fmt::format("<div class=\"exchange\"><h4>{} <span class=\"where\">{}</span></h4>", E(e.label),
                  E(e.where.ToString()));
  Json record = Json::parse(e.record, nullptr, false);
  if (record.is_discarded() || !record.is_object()) {
    return out + "<pre>" + E(e.record) + "</pre></div>";
  }
  if (record.contains("request")) out += Request(record["request"]) + Curl(record);
  if (record.contains("response")) out += Response(record["response"]);
  if (record.contains("tls")) out += "<h5>TLS</h5>" + Generic(record["tls"]);
  if (record.contains("tokens")) out += Tokens(record["tokens"]);
  for (const auto& [k, v] : record.items()) {
    if (k == "request" || k == "response" || k == "tls" || k == "tokens") continue;
    if (v.is_string() && v.get<std::string>().empty()) continue;
    out += fmt::format("<h5>{}</h5>{}", E(k), Generic(v));
  }
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
  if (!c.transcript.empty()) {
    out += "<details><summary>transcript</summary><pre>" + E(c.transcript) + "</pre></details>";
  }
  return out + "</section>\n";
}

}  // namespace tollgate::report_internal
