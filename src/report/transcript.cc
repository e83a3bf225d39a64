// The transcript of a case as text, rendered from its typed entries: "> " lines for what was
// sent, "< " lines for what came back, "= " lines for the notes between. Console (-v), JUnit
// system-out, the HTML report and the JSON report's `transcript` all show this text.

#include <fmt/format.h>

#include <string>
#include <variant>

#include "tollgate/report/report.h"

namespace tollgate {
namespace {

std::string Mutation(const std::string& mutation) {
  return mutation.empty() ? "" : " (mutation " + mutation + ")";
}

// "< TLS TLSv1.3 TLS_AES_256_GCM_SHA384, server CN=... sha256 ab12..., 30 days left", or ""
// when the exchange saw no TLS facts.
std::string TlsLine(const RecordedTls& t) {
  if (t.protocol.empty() && t.server_chain.empty() && !t.alert_received) return "";
  std::string line = "< TLS " + (t.protocol.empty() ? std::string("(no handshake)") : t.protocol);
  if (!t.cipher.empty()) line += " " + t.cipher;
  if (t.session_resumed) line += " (resumed session)";
  if (!t.server_chain.empty()) {
    const RecordedCertificate& leaf = t.server_chain.front();
    line += ", server " + leaf.subject + " sha256 " + leaf.sha256.substr(0, 16) + "..., " +
            std::to_string(leaf.days_left) + " days left";
  }
  if (!t.client_cert_sha256.empty()) {
    line += ", presented " + t.client_cert_subject + " sha256 " +
            t.client_cert_sha256.substr(0, 16) + "...";
  }
  if (t.alert_received) line += ", alert received " + t.alert_received->name;
  return line + "\n";
}

std::string Body(const char* prefix, const std::string& body, bool cut) {
  if (body.empty() && !cut) return "";
  return fmt::format("{0} \n{0} {1}{2}\n", prefix, body, cut ? " [truncated]" : "");
}

std::string Exchange(const TranscriptExchange& e) {
  const RecordedRequest& q = e.exchange.request;
  const RecordedResponse& r = e.exchange.response;
  std::string t =
      fmt::format("> {} {}{}\n", q.method, q.url, e.label.empty() ? "" : "  [" + e.label + "]");
  for (const auto& [n, v] : q.headers) t += fmt::format("> {}: {}\n", n, v);
  t += Body(">", q.body, q.body_cut);
  if (e.exchange.tls) t += TlsLine(*e.exchange.tls);
  if (r.outcome == ExchangeOutcome::kTlsRejected) {
    return t + "< TLS handshake rejected (" + r.error + ")\n";
  }
  if (r.outcome != ExchangeOutcome::kOk) {
    return t + fmt::format("< {} ({})\n", ExchangeOutcomeName(r.outcome), r.error);
  }
  t += fmt::format("< HTTP/{} {} ({:.1f} ms)\n", r.http_version.empty() ? "1.1" : r.http_version,
                   r.status, r.total_ms);
  for (const auto& [n, v] : r.headers) t += fmt::format("< {}: {}\n", n, v);
  return t + Body("<", r.body, r.body_cut);
}

struct EntryText {
  std::string operator()(const TranscriptExchange& e) const { return Exchange(e); }
  std::string operator()(const SignedNote& n) const { return "= " + n.text + "\n"; }
  std::string operator()(const PreparedNote& n) const {
    return fmt::format("= prepared {} {} (not sent)\n", n.method, n.url);
  }
  std::string operator()(const NotifyTokenNote& n) const {
    return fmt::format("= notify: ID token{}: {}\n", Mutation(n.mutation), n.claims);
  }
  std::string operator()(const WebhookNote& n) const {
    return fmt::format("= notify: webhook {} id {} (variant {})\n", n.scheme, n.id, n.variant);
  }
  std::string operator()(const WaitNote& n) const {
    return fmt::format(
        "= wait {} ms{}\n", n.total_ms,
        n.documented.empty() ? "" : fmt::format(" ({} plus {} ms)", n.documented, n.plus_ms));
  }
  std::string operator()(const ReceivedNote& n) const {
    return fmt::format("= received by {}: {} matching request(s)\n", n.service, n.count);
  }
  std::string operator()(const MintedNote& n) const {
    return fmt::format("= minted by {}{}: {}\n", n.issuer, Mutation(n.mutation), n.claims);
  }
  std::string operator()(const MockNote& n) const {
    return fmt::format("= mock {} {} {}\n", n.service, n.action, n.args);
  }
  std::string operator()(const ClockNote& n) const {
    return fmt::format("= clock offset {} ms\n", n.offset_ms);
  }
  std::string operator()(const RaceNote& n) const {
    return fmt::format("= race: {} copies released within {} us\n", n.copies, n.spread_us);
  }
  std::string operator()(const RefusedNote& n) const { return "= refused: " + n.how + "\n"; }
  std::string operator()(const TlsAuditNote& n) const { return "= tls audit: " + n.summary + "\n"; }
  std::string operator()(const TranscriptText& n) const { return n.text; }
};

}  // namespace

std::string RenderTranscript(const std::vector<TranscriptEntry>& entries) {
  std::string out;
  for (const TranscriptEntry& e : entries) out += std::visit(EntryText{}, e);
  return out;
}

}  // namespace tollgate
