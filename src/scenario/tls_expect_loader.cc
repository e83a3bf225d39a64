// `expect: {tls: ...}`: outcomes and the server-side checks of a target's TLS
// (docs/formats.md, Expectations).

#include "tls_expect_loader.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "tollgate/base/tls_alerts.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::scenario {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::Node;

const char kOutcomeExpected[] =
    "`accepted`, `rejected`, `handshake_refused` or a TLS alert name (e.g. handshake_failure, "
    "unknown_ca)";

// `rejected` also holds on a TLS terminator's HTTP answer; `handshake_refused` only on a
// refusal in the TLS layer, for a requirement that says "in the handshake".
const char* const kOutcomeWords[] = {"accepted", "rejected", "handshake_refused"};
const char kBoundExpected[] = "a comparison such as \">= 30\" (>=, >, <=, <, == or a number)";

std::optional<std::string> ReadOutcome(Document& doc, const Node& n) {
  std::string text = n.Text();
  std::vector<std::string> names = TlsAlertNames();
  names.insert(names.end(), std::begin(kOutcomeWords), std::end(kOutcomeWords));
  if (n.IsScalar() && std::find(names.begin(), names.end(), text) != names.end()) return text;
  doc.Error(n, "invalid value for `tls`", scenario::Describe(n), kOutcomeExpected,
            n.IsScalar() ? scenario::DidYouMean(text, names) : "");
  return std::nullopt;
}

std::optional<NumberBound> ReadBound(Document& doc, const Node& n, const std::string& key,
                                     bool version) {
  std::optional<NumberBound> b = n.IsScalar() ? ParseNumberBound(n.Text()) : std::nullopt;
  if (b && version && b->value != 1.0 && b->value != 1.1 && b->value != 1.2 && b->value != 1.3) {
    doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n),
              "a TLS version 1.0, 1.1, 1.2 or 1.3 with an optional comparison (e.g. \">= 1.2\")");
    return std::nullopt;
  }
  if (!b) {
    doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n),
              version ? "a comparison with a TLS version, e.g. \">= 1.2\"" : kBoundExpected);
    return std::nullopt;
  }
  b->loc = doc.Loc(n);
  return b;
}

std::optional<bool> ReadWord(Document& doc, const Node& n, const std::string& key, const char* yes,
                             const char* no) {
  if (n.IsScalar() && n.Text() == yes) return true;
  if (n.IsScalar() && n.Text() == no) return false;
  doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n),
            scenario::OneOf({yes, no}));
  return std::nullopt;
}

// One of `words` at `n`, for `key`; nullopt after the diagnostic.
std::optional<std::string> ReadOneOf(Document& doc, const Node& n, const std::string& key,
                                     const std::vector<std::string>& words) {
  if (n.IsScalar() && std::find(words.begin(), words.end(), n.Text()) != words.end()) {
    return n.Text();
  }
  doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n), scenario::OneOf(words),
            n.IsScalar() ? scenario::DidYouMean(n.Text(), words) : "");
  return std::nullopt;
}

const std::vector<std::string>& AuditVersions() {
  static const std::vector<std::string> kVersions = {"1.0", "1.1", "1.2", "1.3"};
  return kVersions;
}

// `protocols: {"1.0": refused, "1.3": offered}`.
void ReadAuditProtocols(Document& doc, const Node& n, TlsAuditExpect& a) {
  a.protocols_loc = doc.Loc(n);
  MapReader m(doc, n, AuditVersions(), "protocols", true,
              "a mapping of TLS versions (1.0, 1.1, 1.2, 1.3) to `offered` or `refused`");
  if (!m.ok()) return;
  for (const std::string& v : AuditVersions()) {
    if (auto w = m.Get(v)) {
      if (auto offered = ReadWord(doc, *w, v, "offered", "refused")) {
        a.protocols.emplace_back(v, *offered);
      }
    }
  }
  if (a.protocols.empty() && m.unknown().empty()) {
    doc.Error(n, "empty `protocols`", "a mapping with no version",
              "at least one of 1.0, 1.1, 1.2, 1.3");
  }
}

// `missing_certificate: certificate_required` (every version probed) or a mapping per
// version: `refused`, `accepted` or an alert name.
void ReadMissingCertificate(Document& doc, const Node& n, TlsAuditExpect& a) {
  a.missing_certificate_loc = doc.Loc(n);
  std::vector<std::string> answers = {"refused", "accepted"};
  for (const std::string& alert : TlsAlertNames()) answers.push_back(alert);
  auto read_answer = [&](const Node& v, const std::string& key) -> std::optional<std::string> {
    if (v.IsScalar() && std::find(answers.begin(), answers.end(), v.Text()) != answers.end()) {
      return v.Text();
    }
    doc.Error(v, "invalid value for `" + key + "`", scenario::Describe(v),
              "`refused`, `accepted` or a TLS alert name (e.g. certificate_required)",
              v.IsScalar() ? scenario::DidYouMean(v.Text(), answers) : "");
    return std::nullopt;
  };
  if (!n.IsMap()) {
    if (auto w = read_answer(n, "missing_certificate")) a.missing_certificate.emplace_back("", *w);
    return;
  }
  MapReader m(doc, n, {"1.2", "1.3"}, "missing_certificate", true,
              "an answer, or a mapping of TLS versions (1.2, 1.3) to answers");
  if (!m.ok()) return;
  for (const char* v : {"1.2", "1.3"}) {
    if (auto w = m.Get(v)) {
      if (auto answer = read_answer(*w, v)) a.missing_certificate.emplace_back(v, *answer);
    }
  }
}

// `findings: {must: "== 0", should: "<= 1", absent: [client_auth.optional]}`.
void ReadAuditFindings(Document& doc, const Node& n, TlsAuditExpect& a) {
  MapReader m(doc, n, {"must", "should", "absent"}, "findings");
  if (!m.ok()) return;
  if (auto v = m.Get("must")) a.must_findings = ReadBound(doc, *v, "must", false);
  if (auto v = m.Get("should")) a.should_findings = ReadBound(doc, *v, "should", false);
  if (auto v = m.Get("absent")) {
    a.absent_findings_loc = doc.Loc(*v);
    if (!v->IsSeq()) {
      doc.Error(*v, "invalid value for `absent`", scenario::Describe(*v),
                "a list of finding ids (docs/tls-audit.md)");
      return;
    }
    std::shared_ptr<const Terms> ids = FindTerms(vocabulary::kTlsAuditFinding);
    for (const Node& item : scenario::Items(*v)) {
      std::optional<std::string> id = scenario::ReadString(doc, item, "absent");
      if (!id) continue;
      if (ids && !HasTerm(*ids, *id)) {
        std::vector<std::string> names = TermNames(*ids);
        doc.Error(item, "unknown TLS audit finding `" + *id + "`", "`" + *id + "`",
                  "a finding id: " + scenario::OneOf(names), scenario::DidYouMean(*id, names));
        continue;
      }
      a.absent_findings.push_back(*id);
    }
  }
  if (!a.must_findings && !a.should_findings && a.absent_findings.empty() && m.unknown().empty() &&
      !m.Get("absent")) {
    doc.Error(n, "empty `findings`", "a mapping with nothing to check",
              "at least one of: must, should, absent");
  }
}

std::optional<TlsAuditExpect> ReadAuditExpect(Document& doc, const Node& n) {
  TlsAuditExpect a;
  a.loc = doc.Loc(n);
  int before = doc.errors();
  MapReader m(doc, n,
              {"client_auth", "protocols", "tls12_suites", "ca_names", "missing_certificate",
               "renegotiation", "resumption", "findings"},
              "audit");
  if (!m.ok()) return std::nullopt;
  if (auto v = m.Get("client_auth")) {
    a.client_auth_loc = doc.Loc(*v);
    a.client_auth =
        ReadOneOf(doc, *v, "client_auth", {"none", "optional", "required"}).value_or("");
  }
  if (auto v = m.Get("protocols")) ReadAuditProtocols(doc, *v, a);
  if (auto v = m.Get("tls12_suites")) {
    a.tls12_suites_loc = doc.Loc(*v);
    a.tls12_suites =
        ReadOneOf(doc, *v, "tls12_suites", {"recommended", "acceptable", "legacy"}).value_or("");
  }
  if (auto v = m.Get("ca_names")) a.ca_names = ReadBound(doc, *v, "ca_names", false);
  if (auto v = m.Get("missing_certificate")) ReadMissingCertificate(doc, *v, a);
  if (auto v = m.Get("renegotiation")) {
    a.renegotiation_loc = doc.Loc(*v);
    a.renegotiation_refused = ReadWord(doc, *v, "renegotiation", "refused", "accepted");
  }
  if (auto v = m.Get("resumption")) {
    a.resumption_loc = doc.Loc(*v);
    a.resumed = ReadWord(doc, *v, "resumption", "resumed", "not_resumed");
  }
  if (auto v = m.Get("findings")) ReadAuditFindings(doc, *v, a);
  if (doc.errors() > before) return std::nullopt;
  if (m.entries().empty()) {
    doc.Error(n, "empty `audit` expectation", "a mapping with nothing to check",
              "at least one of: client_auth, protocols, tls12_suites, ca_names, "
              "missing_certificate, renegotiation, resumption, findings");
    return std::nullopt;
  }
  return a;
}

}  // namespace

std::optional<NumberBound> ParseNumberBound(const std::string& text) {
  NumberBound b;
  b.text = text;
  std::size_t i = 0;
  for (const char* op : {">=", "<=", "==", ">", "<"}) {
    std::string o = op;
    if (text.compare(0, o.size(), o) == 0) {
      b.op = o;
      i = o.size();
      break;
    }
  }
  while (i < text.size() && text[i] == ' ') ++i;
  if (i >= text.size()) return std::nullopt;
  const char* start = text.c_str() + i;
  char* end = nullptr;
  b.value = std::strtod(start, &end);
  if (end == start || *end != '\0' || *start == '+' || *start == ' ') return std::nullopt;
  return b;
}

std::optional<TlsExpect> ReadTlsExpect(Document& doc, const Node& n) {
  TlsExpect t;
  t.loc = doc.Loc(n);
  if (!n.IsMap()) {
    std::optional<std::string> outcome = ReadOutcome(doc, n);
    if (!outcome) return std::nullopt;
    t.outcome = *outcome;
    return t;
  }
  int before = doc.errors();
  MapReader m(doc, n, {"outcome", "protocol", "server_cert", "audit", "resumed"}, "tls");
  if (!m.ok()) return std::nullopt;
  if (auto v = m.Get("outcome")) {
    if (auto o = ReadOutcome(doc, *v)) t.outcome = *o;
  }
  if (auto v = m.Get("protocol")) t.protocol = ReadBound(doc, *v, "protocol", true);
  if (auto v = m.Get("server_cert")) {
    MapReader c(doc, *v, {"days_left", "chain", "host"}, "server_cert");
    if (c.ok()) {
      if (auto d = c.Get("days_left")) t.days_left = ReadBound(doc, *d, "days_left", false);
      if (auto d = c.Get("chain")) {
        t.chain_trusted = ReadWord(doc, *d, "chain", "trusted", "untrusted");
        t.chain_loc = doc.Loc(*d);
      }
      if (auto d = c.Get("host")) {
        t.host_match = ReadWord(doc, *d, "host", "match", "mismatch");
        t.host_loc = doc.Loc(*d);
      }
    }
  }
  if (auto v = m.Get("audit")) t.audit = ReadAuditExpect(doc, *v);
  if (auto v = m.Get("resumed")) {
    t.resumed = ReadBool(doc, *v, "resumed");
    t.resumed_loc = doc.Loc(*v);
  }
  if (doc.errors() > before) return std::nullopt;
  if (t.outcome.empty() && !t.protocol && !t.days_left && !t.chain_trusted && !t.host_match &&
      !t.audit && !t.resumed) {
    doc.Error(n, "empty `tls` expectation", "a mapping with nothing to check",
              "at least one of: outcome, protocol, server_cert, audit, resumed");
    return std::nullopt;
  }
  return t;
}

}  // namespace tollgate::scenario
