#include "runner/tls_audit_expect.h"

#include <algorithm>

#include "runner/tls_facts.h"

namespace tollgate::runner {
namespace {

CheckFailure AuditFailure(const std::string& what, const std::string& expected,
                          const std::string& actual, const SourceLoc& where) {
  return {"assert.tls_audit", "TLS audit: expected " + what + " " + expected + ", got " + actual,
          what + " " + expected, actual, where};
}

// recommended < acceptable < legacy < weak; the table's order.
int SuiteRank(const std::string& verdict) {
  static const char* const kOrder[] = {"recommended", "acceptable", "legacy", "weak"};
  for (int i = 0; i < 4; ++i) {
    if (verdict == kOrder[i]) return i;
  }
  return 4;
}

std::string Joined(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// "certificate_required", "accepted", "refused (HTTP 400)".
std::string AnswerText(const http::MissingCertAnswer& a) {
  if (a.accepted) return "accepted (HTTP " + std::to_string(a.http_status) + ")";
  if (!a.alert.empty()) return a.alert;
  if (a.http_status != 0) return "refused (HTTP " + std::to_string(a.http_status) + ")";
  return "refused (connection closed)";
}

bool AnswerMatches(const std::string& want, const http::MissingCertAnswer& a) {
  if (want == "accepted") return a.accepted;
  if (want == "refused") return !a.accepted;
  return a.alert == want;
}

void CheckMissingCertificate(const TlsAuditExpect& e, const http::TlsAuditResult& r,
                             std::vector<CheckFailure>& out) {
  for (const auto& [version, want] : e.missing_certificate) {
    int seen = 0;
    for (const http::MissingCertAnswer& a : r.missing_cert) {
      if (!version.empty() && a.version != version) continue;
      ++seen;
      if (!AnswerMatches(want, a)) {
        out.push_back(AuditFailure("without a certificate at TLS " + a.version, want, AnswerText(a),
                                   e.missing_certificate_loc));
      }
    }
    // No CertificateRequest at that version: nothing was asked, so nothing was refused.
    if (seen == 0 && want != "accepted") {
      std::string at = version.empty() ? "" : " at TLS " + version;
      out.push_back(AuditFailure("without a certificate" + at, want,
                                 "no CertificateRequest" + at + " (client auth " +
                                     std::string(http::ClientAuthModeName(r.client_auth)) + ")",
                                 e.missing_certificate_loc));
    }
  }
}

void CheckFindings(const TlsAuditExpect& e, const http::TlsAuditResult& r,
                   std::vector<CheckFailure>& out) {
  auto check_count = [&](const std::optional<NumberBound>& bound, http::TlsSeverity severity) {
    if (!bound) return;
    std::vector<std::string> ids;
    for (const http::TlsFinding& f : r.findings) {
      if (f.severity == severity) ids.push_back(f.id);
    }
    if (!BoundHolds(*bound, static_cast<double>(ids.size()))) {
      std::string name(http::TlsSeverityName(severity));
      out.push_back(AuditFailure(
          name + " findings", BoundText(*bound),
          std::to_string(ids.size()) + (ids.empty() ? "" : " (" + Joined(ids) + ")"), bound->loc));
    }
  };
  check_count(e.must_findings, http::TlsSeverity::kMust);
  check_count(e.should_findings, http::TlsSeverity::kShould);
  for (const std::string& id : e.absent_findings) {
    for (const http::TlsFinding& f : r.findings) {
      if (f.id == id) {
        out.push_back(
            AuditFailure("finding", id + " absent", "present: " + f.text, e.absent_findings_loc));
        break;
      }
    }
  }
}

}  // namespace

StatusOr<http::TlsAuditOptions> AuditOptionsFor(const ClientRequest& q,
                                                std::chrono::milliseconds timeout,
                                                const Clock* clock) {
  http::TlsAuditOptions o;
  if (std::string why = http::ParseAuditUrl(q.url, o.host, o.port); !why.empty()) {
    return InvalidArgumentError("tls audit: " + why);
  }
  o.ca_file = q.tls.ca_file;
  o.cert_file = q.tls.cert_file;
  o.key_file = q.tls.key_file;
  o.timeout = timeout;
  o.clock = clock;
  return o;
}

std::vector<CheckFailure> CheckTlsAudit(const TlsAuditExpect& e, const http::TlsAuditResult& r) {
  std::vector<CheckFailure> out;
  if (!e.client_auth.empty() && http::ClientAuthModeName(r.client_auth) != e.client_auth) {
    std::string actual(http::ClientAuthModeName(r.client_auth));
    if (r.client_auth == http::ClientAuthMode::kUnknown && !r.notes.empty()) {
      actual += " (" + Joined(r.notes, "; ") + ")";
    }
    out.push_back(AuditFailure("client auth", e.client_auth, actual, e.client_auth_loc));
  }
  for (const auto& [version, offered] : e.protocols) {
    auto it = std::find_if(r.versions.begin(), r.versions.end(),
                           [&](const http::TlsVersionProbe& p) { return p.version == version; });
    if (it == r.versions.end()) {
      out.push_back(AuditFailure("TLS " + version, offered ? "offered" : "refused", "not probed",
                                 e.protocols_loc));
    } else if (it->offered != offered) {
      out.push_back(AuditFailure("TLS " + version, offered ? "offered" : "refused",
                                 it->offered ? "offered" : "refused (" + it->detail + ")",
                                 e.protocols_loc));
    }
  }
  if (!e.tls12_suites.empty()) {
    std::vector<std::string> worse;
    for (const http::TlsSuiteVerdict& s : r.tls12_suites) {
      if (SuiteRank(s.verdict) > SuiteRank(e.tls12_suites)) {
        worse.push_back(s.name + " (" + s.verdict + ")");
      }
    }
    if (!worse.empty()) {
      out.push_back(AuditFailure("every TLS 1.2 suite accepted at least", e.tls12_suites,
                                 Joined(worse), e.tls12_suites_loc));
    }
  }
  if (e.ca_names && !BoundHolds(*e.ca_names, static_cast<double>(r.ca_names.size()))) {
    out.push_back(AuditFailure("CA names in the CertificateRequest", BoundText(*e.ca_names),
                               std::to_string(r.ca_names.size()), e.ca_names->loc));
  }
  CheckMissingCertificate(e, r, out);
  if (e.renegotiation_refused) {
    std::string want = *e.renegotiation_refused ? "refused" : "accepted";
    if (!r.renegotiation_refused) {
      out.push_back(AuditFailure("client-initiated renegotiation", want, r.renegotiation_detail,
                                 e.renegotiation_loc));
    } else if (*r.renegotiation_refused != *e.renegotiation_refused) {
      out.push_back(AuditFailure("client-initiated renegotiation", want,
                                 (*r.renegotiation_refused ? "refused" : "accepted") +
                                     std::string(r.renegotiation_detail.empty() ? "" : ": ") +
                                     r.renegotiation_detail,
                                 e.renegotiation_loc));
    }
  }
  if (e.resumed) {
    std::string want = *e.resumed ? "resumed" : "not_resumed";
    if (!r.resumed || *r.resumed != *e.resumed) {
      out.push_back(
          AuditFailure("session resumption", want, r.resumption_detail, e.resumption_loc));
    }
  }
  CheckFindings(e, r, out);
  return out;
}

std::string TlsAuditSummary(const http::TlsAuditResult& r) {
  std::vector<std::string> parts;
  parts.push_back("client auth " + std::string(http::ClientAuthModeName(r.client_auth)));
  std::vector<std::string> versions;
  for (const http::TlsVersionProbe& p : r.versions) {
    versions.push_back(p.version + (p.offered ? " offered" : " refused"));
  }
  if (!versions.empty()) parts.push_back("TLS " + Joined(versions));
  if (r.tls12_suites_probed > 0) {
    std::string worst;
    for (const http::TlsSuiteVerdict& s : r.tls12_suites) {
      if (worst.empty() || SuiteRank(s.verdict) > SuiteRank(worst)) worst = s.verdict;
    }
    parts.push_back(std::to_string(r.tls12_suites.size()) + " of " +
                    std::to_string(r.tls12_suites_probed) + " TLS 1.2 suites accepted" +
                    (worst.empty() ? "" : " (worst: " + worst + ")"));
  }
  if (r.client_auth != http::ClientAuthMode::kNone) {
    parts.push_back(std::to_string(r.ca_names.size()) + " CA name" +
                    (r.ca_names.size() == 1 ? "" : "s"));
  }
  std::vector<std::string> answers;
  for (const http::MissingCertAnswer& a : r.missing_cert) {
    answers.push_back(a.version + " " + AnswerText(a));
  }
  if (!answers.empty()) parts.push_back("without a certificate: " + Joined(answers));
  if (r.renegotiation_refused) {
    parts.push_back(std::string("renegotiation ") +
                    (*r.renegotiation_refused ? "refused" : "accepted"));
  }
  if (r.resumed) parts.push_back(*r.resumed ? "session resumed" : "session not resumed");
  int counts[3] = {0, 0, 0};
  for (const http::TlsFinding& f : r.findings) ++counts[static_cast<int>(f.severity)];
  std::vector<std::string> ids;
  for (const http::TlsFinding& f : r.findings) ids.push_back(f.id);
  parts.push_back("findings: " + std::to_string(counts[0]) + " must, " + std::to_string(counts[1]) +
                  " should, " + std::to_string(counts[2]) + " info" +
                  (ids.empty() ? "" : " (" + Joined(ids) + ")"));
  parts.push_back(std::to_string(r.handshakes) + " handshakes");
  return Joined(parts, "; ");
}

}  // namespace tollgate::runner
