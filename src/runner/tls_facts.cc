#include "runner/tls_facts.h"

#include <cstdio>
#include <optional>

namespace tollgate::runner {
namespace {

const char* RefusalName(TlsRefusal r) {
  switch (r) {
    case TlsRefusal::kNone:
      return "none";
    case TlsRefusal::kPeerAlert:
      return "peer_alert";
    case TlsRefusal::kWeRefusedServer:
      return "we_refused_server";
    case TlsRefusal::kOther:
      return "other";
  }
  return "other";
}

nlohmann::json AlertJson(const std::optional<RecordedAlert>& a) {
  if (!a) return nullptr;
  return {{"name", a->name}, {"code", a->code}};
}

// "TLSv1.2" -> 1.2, "TLSv1" -> 1.0; 0 when unknown.
double ProtocolNumber(const std::string& p) {
  if (p == "TLSv1") return 1.0;
  if (p.rfind("TLSv", 0) == 0) return std::atof(p.c_str() + 4);
  return 0;
}

CheckFailure Fail(std::string message, std::string expected, std::string actual,
                  const SourceLoc& where) {
  return {"assert.tls", std::move(message), std::move(expected), std::move(actual), where};
}

std::string ActualOutcome(const ClientResponse& r, const Refusal& refusal) {
  if (r.outcome == TransportOutcome::kTlsRejected) {
    return "TLS handshake rejected (" + (r.tls_error.empty() ? r.error : r.tls_error) + ")";
  }
  if (r.outcome == TransportOutcome::kOk) {
    std::string protocol = r.tls.protocol.empty() ? std::string("no TLS") : r.tls.protocol;
    if (refusal.kind == RefusalKind::kTlsTerminator) {
      return "TLS accepted (" + protocol + "), then " + refusal.how;
    }
    return "TLS accepted (" + protocol + ", HTTP " + std::to_string(r.status) + ")";
  }
  return std::string(TransportOutcomeName(r.outcome)) + ": " + r.error;
}

// nginx answers a client certificate it refused (ssl_verify_client on) with a completed
// handshake and 400 plus one of these pages (ngx_http_special_response.c), or with 495 /
// 496 where error_page maps its internal codes; other terminators reuse 495 and 496.
std::optional<std::string> TerminatorAnswer(const ClientResponse& r) {
  if (r.status == 495) return "HTTP 495 from the TLS terminator (SSL certificate error)";
  if (r.status == 496) return "HTTP 496 from the TLS terminator (SSL certificate required)";
  if (r.status != 400) return std::nullopt;
  for (const char* page : {"The SSL certificate error", "No required SSL certificate was sent"}) {
    if (r.body.find(page) != std::string::npos) {
      return "HTTP 400 from the TLS terminator (nginx: " + std::string(page) + ")";
    }
  }
  return std::nullopt;
}

}  // namespace

bool BoundHolds(const NumberBound& b, double actual) {
  const double eps = 1e-9;
  if (b.op == ">=") return actual >= b.value - eps;
  if (b.op == ">") return actual > b.value + eps;
  if (b.op == "<=") return actual <= b.value + eps;
  if (b.op == "<") return actual < b.value - eps;
  return actual > b.value - eps && actual < b.value + eps;
}

std::string BoundText(const NumberBound& b) {
  return b.text.find_first_of("<>=") == std::string::npos ? "== " + b.text : b.text;
}

std::optional<RecordedTls> RecordTls(const ClientRequest& q, const ClientResponse& r) {
  if (q.url.rfind("https:", 0) != 0) return std::nullopt;
  const ClientTlsFacts& f = r.tls;
  RecordedTls t;
  t.protocol = f.protocol;
  t.cipher = f.cipher;
  if (f.alert_received)
    t.alert_received = RecordedAlert{f.alert_received->code, f.alert_received->name};
  if (f.alert_sent) t.alert_sent = RecordedAlert{f.alert_sent->code, f.alert_sent->name};
  t.refusal = RefusalName(f.refusal);
  t.certificate_requested = f.certificate_requested;
  t.session_resumed = f.session_resumed;
  for (const TlsCertificateInfo& c : f.server_chain) {
    t.server_chain.push_back(
        {c.subject, c.issuer, c.sha256, c.not_before, c.not_after, c.days_left, c.sans});
  }
  t.host_matched = f.host_matched;
  t.verify_error = f.verify_error;
  t.verify_error_text = f.verify_error_text;
  t.client_cert_subject = f.client_cert_subject;
  t.client_cert_sha256 = f.client_cert_sha256;
  return t;
}

nlohmann::json TlsRecord(const ClientRequest& q, const ClientResponse& r) {
  std::optional<RecordedTls> t = RecordTls(q, r);
  if (!t) return nullptr;
  nlohmann::json chain = nlohmann::json::array();
  for (const RecordedCertificate& c : t->server_chain) {
    chain.push_back({{"subject", c.subject},
                     {"issuer", c.issuer},
                     {"sha256", c.sha256},
                     {"not_before", c.not_before},
                     {"not_after", c.not_after},
                     {"days_left", c.days_left},
                     {"sans", c.sans}});
  }
  nlohmann::json out = {{"protocol", t->protocol},
                        {"cipher", t->cipher},
                        {"alert_received", AlertJson(t->alert_received)},
                        {"alert_sent", AlertJson(t->alert_sent)},
                        {"refusal", t->refusal},
                        {"certificate_requested", t->certificate_requested},
                        {"server_chain", chain}};
  out["host_matched"] =
      t->host_matched ? nlohmann::json(*t->host_matched) : nlohmann::json(nullptr);
  if (t->session_resumed) out["session_resumed"] = true;
  if (t->verify_error != 0) {
    out["verify_error"] = {{"code", t->verify_error}, {"text", t->verify_error_text}};
  }
  if (!t->client_cert_sha256.empty()) {
    out["client_cert"] = {{"subject", t->client_cert_subject}, {"sha256", t->client_cert_sha256}};
  }
  return out;
}

Refusal ClassifyRefusal(const ClientResponse& r) {
  const ClientTlsFacts& f = r.tls;
  if (r.outcome == TransportOutcome::kOk) {
    if (std::optional<std::string> how = TerminatorAnswer(r)) {
      return {RefusalKind::kTlsTerminator, *how};
    }
    if (r.status == 401 || r.status == 403) {
      return {RefusalKind::kHttpUnauthorized, "HTTP " + std::to_string(r.status)};
    }
    return {};
  }
  if (r.outcome != TransportOutcome::kTlsRejected) return {};
  if (f.alert_received) {
    return {RefusalKind::kAlert, "TLS alert " + f.alert_received->name + " (" +
                                     std::to_string(f.alert_received->code) + ")"};
  }
  // When we refused the target's certificate, or our client sent the first alert, the
  // target never had to refuse anything.
  if (f.refusal == TlsRefusal::kWeRefusedServer || f.alert_sent) return {};
  // Our side completed the handshake: the target closed after it, before any answer (the
  // transport only calls that a TLS rejection when the target asked for our certificate).
  const std::string detail = r.tls_error.empty() ? r.error : r.tls_error;
  return {RefusalKind::kClosed, f.protocol.empty()
                                    ? "connection closed during the handshake (" + detail + ")"
                                    : "connection closed after the handshake"};
}

bool TargetRefusedHandshake(const ClientResponse& r) { return ClassifyRefusal(r).InHandshake(); }

std::vector<CheckFailure> CheckTls(const TlsExpect& e, const ClientResponse& r) {
  std::vector<CheckFailure> out;
  // Only the target refusing us counts: when we refused its certificate, it never had to.
  const Refusal refusal = ClassifyRefusal(r);
  const ClientTlsFacts& f = r.tls;
  if (!e.outcome.empty()) {
    bool ok = false;
    std::string want;
    if (e.outcome == "accepted") {
      // A terminator's certificate page means the certificate was refused, even though
      // the handshake completed.
      ok = r.outcome == TransportOutcome::kOk && refusal.kind != RefusalKind::kTlsTerminator;
      want = "TLS accepted";
    } else if (e.outcome == "rejected") {
      ok = refusal.InHandshake() || refusal.kind == RefusalKind::kTlsTerminator;
      want = "TLS rejected (in the handshake or by the TLS terminator's answer)";
    } else if (e.outcome == "handshake_refused") {
      ok = refusal.InHandshake();
      want = "TLS refused in the handshake (an alert or a closed connection)";
    } else {
      ok = refusal.kind == RefusalKind::kAlert && f.alert_received->name == e.outcome;
      want = "TLS rejected with alert " + e.outcome;
    }
    if (!ok) {
      std::string actual = ActualOutcome(r, refusal);
      out.push_back(Fail("expected " + want + ", got " + actual, want, actual, e.loc));
    }
  }
  // The fact checks need a handshake that got as far as the server's certificate.
  if (e.protocol) {
    double v = ProtocolNumber(f.protocol);
    if (v == 0 || !BoundHolds(*e.protocol, v)) {
      std::string actual = f.protocol.empty() ? "no TLS protocol negotiated" : f.protocol;
      out.push_back(Fail("expected TLS protocol " + BoundText(*e.protocol) + ", got " + actual,
                         "protocol " + BoundText(*e.protocol), actual, e.protocol->loc));
    }
  }
  const TlsCertificateInfo* leaf = f.server_chain.empty() ? nullptr : &f.server_chain.front();
  const std::string no_cert = "no server certificate seen (" + ActualOutcome(r, refusal) + ")";
  if (e.days_left) {
    if (leaf == nullptr || !BoundHolds(*e.days_left, static_cast<double>(leaf->days_left))) {
      std::string actual = leaf == nullptr ? no_cert
                                           : std::to_string(leaf->days_left) +
                                                 " days left (notAfter " + leaf->not_after + ")";
      out.push_back(Fail(
          "expected server certificate days left " + BoundText(*e.days_left) + ", got " + actual,
          "days_left " + BoundText(*e.days_left), actual, e.days_left->loc));
    }
  }
  if (e.chain_trusted) {
    bool trusted = leaf != nullptr && f.verify_error == 0;
    if (leaf == nullptr || trusted != *e.chain_trusted) {
      std::string want =
          *e.chain_trusted ? "a server chain trusted by the given CA" : "an untrusted server chain";
      std::string actual = leaf == nullptr ? no_cert
                           : trusted       ? "trusted"
                                           : "untrusted: " + f.verify_error_text;
      out.push_back(Fail("expected " + want + ", got " + actual, want, actual, e.chain_loc));
    }
  }
  if (e.host_match) {
    if (!f.host_matched || *f.host_matched != *e.host_match) {
      std::string want = *e.host_match ? "the server certificate matches the host name"
                                       : "the server certificate does not match the host name";
      std::string sans;
      if (leaf != nullptr) {
        for (const std::string& s : leaf->sans) sans += (sans.empty() ? "" : ", ") + s;
      }
      std::string actual = !f.host_matched   ? no_cert
                           : *f.host_matched ? "it matches (" + sans + ")"
                                             : "it does not (SANs: " + sans + ")";
      out.push_back(Fail("expected " + want + ", got " + actual, want, actual, e.host_loc));
    }
  }
  if (e.resumed && f.session_resumed != *e.resumed) {
    std::string want = *e.resumed ? "a resumed TLS session" : "a full TLS handshake";
    std::string actual = f.protocol.empty()  ? "no handshake (" + ActualOutcome(r, refusal) + ")"
                         : f.session_resumed ? "a resumed session"
                                             : "a full handshake";
    out.push_back(Fail("expected " + want + ", got " + actual, want, actual, e.resumed_loc));
  }
  return out;
}

}  // namespace tollgate::runner
