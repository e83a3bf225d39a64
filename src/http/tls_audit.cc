// AuditTls: the questions of the TLS audit, each one handshake (TlsProber), and the
// findings drawn from the answers. docs/tls-audit.md lists every finding and its source.

#include "tollgate/http/tls_audit.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cassert>
#include <csignal>

#include "http/tls_probe.h"
#include "tollgate/base/tls_alerts.h"

namespace tollgate::http {
namespace {

constexpr int kVersions[] = {TLS1_3_VERSION, TLS1_2_VERSION, TLS1_1_VERSION, TLS1_VERSION};

std::string VersionText(int v) {
  switch (v) {
    case TLS1_VERSION:
      return "1.0";
    case TLS1_1_VERSION:
      return "1.1";
    case TLS1_2_VERSION:
      return "1.2";
    case TLS1_3_VERSION:
      return "1.3";
  }
  return "?";
}

// A suite or version counts as accepted when the handshake completed, or when the server
// answered with a ServerHello (choosing the one thing we offered) and only the client
// certificate question ended the handshake afterwards.
bool Accepted(const ProbeResult& r) {
  if (r.handshake_ok) return true;
  if (!r.server_hello) return false;
  if (r.alert_sent && (r.alert_sent->code == SSL_AD_PROTOCOL_VERSION ||
                       r.alert_sent->code == SSL_AD_ILLEGAL_PARAMETER ||
                       r.alert_sent->code == SSL_AD_HANDSHAKE_FAILURE)) {
    return false;
  }
  return r.certificate_requested || r.alert_received.has_value();
}

std::string Refusal(const ProbeResult& r) {
  if (r.alert_received) return TlsAlertName(r.alert_received->code);
  if (!r.error.empty()) return r.error;
  return "refused";
}

void Add(TlsAuditResult& out, TlsSeverity s, std::string id, std::string text) {
  // Ids are a contract of `tls: {audit: {findings: ...}}`: each is in TlsAuditFindingIds.
  assert(std::any_of(TlsAuditFindingIds().begin(), TlsAuditFindingIds().end(),
                     [&](const TlsFindingId& f) { return f.id == id; }));
  out.findings.push_back(TlsFinding{s, std::move(id), std::move(text)});
}

// One TLS 1.2 suite by its OpenSSL and RFC names.
struct SuiteName {
  std::string openssl, iana;
};

// Every TLS 1.2 suite OpenSSL knows, except PSK and SRP (which need a shared secret).
std::vector<SuiteName> Tls12Suites() {
  std::vector<SuiteName> out;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return out;
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
  STACK_OF(SSL_CIPHER)* all = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; all != nullptr && i < sk_SSL_CIPHER_num(all); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(all, i);
    if (std::string_view(SSL_CIPHER_get_version(c)) == "TLSv1.3") continue;
    int kx = SSL_CIPHER_get_kx_nid(c), auth = SSL_CIPHER_get_auth_nid(c);
    if (kx == NID_kx_psk || kx == NID_kx_ecdhe_psk || kx == NID_kx_dhe_psk ||
        kx == NID_kx_rsa_psk || kx == NID_kx_srp || auth == NID_auth_psk || auth == NID_auth_srp) {
      continue;
    }
    const char* iana = SSL_CIPHER_standard_name(c);
    out.push_back({SSL_CIPHER_get_name(c), iana != nullptr ? iana : ""});
  }
  SSL_CTX_free(ctx);
  return out;
}

// The audit's state between questions.
class Audit {
 public:
  Audit(const TlsAuditOptions& o, TlsProber& p, TlsAuditResult& out)
      : o_(o), prober_(p), out_(out) {}

  Status Run() {
    RETURN_IF_ERROR(Versions());
    if (best_ == 0) {
      return UnavailableError("the host completed no handshake at TLS 1.0 to 1.3: " +
                              first_refusal_);
    }
    RETURN_IF_ERROR(Suites());
    RETURN_IF_ERROR(ClientAuth());
    RETURN_IF_ERROR(Renegotiation());
    RETURN_IF_ERROR(Resumption());
    Certificate();
    return Status::Ok();
  }

 private:
  // One probe; a time-out ends the audit, so a hanging host costs one timeout.
  Status Probe(const ProbeSpec& spec, const std::string& question, ProbeResult& r) {
    r = prober_.Run(spec);
    if (r.timed_out) {
      return DeadlineExceededError(question + ": no answer within " +
                                   std::to_string(o_.timeout.count()) + " ms");
    }
    if (!r.connected) return UnavailableError(question + ": " + r.error);
    if (chain_source_.chain.empty() && !r.chain.empty()) {
      chain_source_.chain = r.chain;
      chain_source_.verify_error = r.verify_error;
      chain_source_.verify_error_text = r.verify_error_text;
      chain_source_.host_matched = r.host_matched;
    }
    return Status::Ok();
  }

  ProbeSpec Pinned(int version) const {
    ProbeSpec s;
    s.min_version = s.max_version = version;
    s.present_identity = true;
    if (version < TLS1_2_VERSION) s.ciphers = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";
    return s;
  }

  Status Versions() {
    for (int v : kVersions) {
      ProbeResult r;
      RETURN_IF_ERROR(Probe(Pinned(v), "TLS " + VersionText(v), r));
      TlsVersionProbe p{VersionText(v), Accepted(r), ""};
      if (!p.offered) p.detail = Refusal(r);
      if (p.offered && best_ == 0) best_ = v;
      if (p.offered && v == TLS1_2_VERSION) tls12_ = true;
      if (!p.offered && first_refusal_.empty()) first_refusal_ = p.detail;
      out_.versions.insert(out_.versions.begin(), p);  // 1.0 first
    }
    for (const TlsVersionProbe& p : out_.versions) {
      if ((p.version == "1.0" || p.version == "1.1") && p.offered) {
        Add(out_, TlsSeverity::kMust, p.version == "1.0" ? "protocol.tls10" : "protocol.tls11",
            "TLS " + p.version + " is offered; it must be refused (RFC 8996)");
      }
      if (p.version == "1.3" && !p.offered) {
        Add(out_, TlsSeverity::kShould, "protocol.no_tls13",
            "TLS 1.3 is not offered (RFC 9325 §3.1.1: TLS 1.3 should be supported)");
      }
    }
    return Status::Ok();
  }

  Status Suites() {
    if (tls12_) {
      for (const SuiteName& suite : Tls12Suites()) {
        // No identity: the ServerHello answers the question, and a server that requires a
        // certificate then ends the handshake early, which keeps the many probes cheap.
        ProbeSpec s = Pinned(TLS1_2_VERSION);
        s.present_identity = false;
        s.ciphers = suite.openssl + ":@SECLEVEL=0";
        ProbeResult r;
        RETURN_IF_ERROR(Probe(s, "TLS 1.2 suite " + suite.openssl, r));
        ++out_.tls12_suites_probed;
        if (!Accepted(r)) continue;
        TlsSuiteVerdict v;
        v.name = suite.openssl;
        v.iana = suite.iana;
        v.verdict = ClassifyTls12Suite(v.name, &v.source);
        if (v.verdict == "weak") {
          Add(out_, TlsSeverity::kMust, "cipher.weak",
              "TLS 1.2 suite " + v.name + " is accepted: " + v.source);
        } else if (v.verdict == "legacy") {
          Add(out_, TlsSeverity::kShould, "cipher.not_recommended",
              "TLS 1.2 suite " + v.name + " is accepted: " + v.source);
        }
        out_.tls12_suites.push_back(std::move(v));
      }
    }
    if (best_ == TLS1_3_VERSION) {
      for (const char* suite :
           {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"}) {
        ProbeSpec s = Pinned(TLS1_3_VERSION);
        s.present_identity = false;
        s.tls13_ciphers = suite;
        ProbeResult r;
        RETURN_IF_ERROR(Probe(s, std::string("TLS 1.3 suite ") + suite, r));
        if (Accepted(r)) out_.tls13_suites.push_back(suite);
      }
    }
    return Status::Ok();
  }

  Status ClientAuth() {
    std::vector<int> versions{best_};
    if (best_ == TLS1_3_VERSION && tls12_) versions.push_back(TLS1_2_VERSION);
    int with_identity_status = 0;
    if (prober_.has_identity()) {
      ProbeSpec s = Pinned(best_);
      s.send_request = true;
      ProbeResult r;
      RETURN_IF_ERROR(Probe(s, "request with the identity", r));
      with_identity_status = r.http_status;
      if (r.certificate_requested) CaNames(r);
    }
    for (int v : versions) {
      ProbeSpec s = Pinned(v);
      s.present_identity = false;
      s.send_request = true;
      ProbeResult r;
      RETURN_IF_ERROR(Probe(s, "TLS " + VersionText(v) + " without a certificate", r));
      if (r.certificate_requested) CaNames(r);
      MissingCertAnswer a;
      a.version = VersionText(v);
      if (r.alert_received && r.alert_received->level == SSL3_AL_FATAL) {
        a.alert = TlsAlertName(r.alert_received->code);
        a.alert_code = r.alert_received->code;
      }
      a.http_status = r.http_status;
      ClientAuthMode mode = ClientAuthMode::kUnknown;
      if (!r.certificate_requested && r.handshake_ok) {
        mode = ClientAuthMode::kNone;
      } else if (!r.certificate_requested) {
        out_.notes.push_back("TLS " + a.version + " without a certificate: " + Refusal(r));
      } else if (a.alert_code >= 0 || (!r.handshake_ok)) {
        mode = ClientAuthMode::kRequired;
      } else if (RefusedOverHttp(r, with_identity_status)) {
        mode = ClientAuthMode::kRequired;  // a terminator's HTTP answer (nginx: 400)
      } else if (r.http_status == 0 && !r.timed_out) {
        mode = ClientAuthMode::kRequired;  // closed right after the handshake
      } else {
        mode = ClientAuthMode::kOptional;
        a.accepted = true;
      }
      if (v == best_) out_.client_auth = mode;
      if (r.certificate_requested) out_.missing_cert.push_back(a);
      if (mode == ClientAuthMode::kRequired && v == TLS1_3_VERSION &&
          a.alert_code == SSL_AD_HANDSHAKE_FAILURE) {
        Add(out_, TlsSeverity::kInfo, "client_auth.generic_alert",
            "TLS 1.3 without a certificate is refused with handshake_failure (40), not "
            "certificate_required (116, RFC 8446 §4.4.2.4)");
      }
    }
    if (out_.client_auth == ClientAuthMode::kOptional) {
      Add(out_, TlsSeverity::kShould, "client_auth.optional",
          "a client certificate is asked for but not required: the handshake and the request "
          "go through without one");
    }
    if (out_.client_auth == ClientAuthMode::kRequired ||
        out_.client_auth == ClientAuthMode::kOptional) {
      if (static_cast<int>(out_.ca_names.size()) > o_.max_ca_names) {
        Add(out_, TlsSeverity::kShould, "client_auth.broad_ca_list",
            "the CertificateRequest names " + std::to_string(out_.ca_names.size()) +
                " acceptable CAs (more than " + std::to_string(o_.max_ca_names) +
                "): the client CA list should hold only the partner issuing CAs");
      } else if (out_.ca_names.empty()) {
        Add(out_, TlsSeverity::kInfo, "client_auth.no_ca_names",
            "the CertificateRequest names no acceptable CA: clients cannot pick an identity");
      }
    }
    return Status::Ok();
  }

  static bool RefusedOverHttp(const ProbeResult& r, int with_identity_status) {
    bool refusal_status = r.http_status == 400 || r.http_status == 401 || r.http_status == 403 ||
                          r.http_status == 495 || r.http_status == 496;
    if (!refusal_status) return false;
    // nginx's page names the certificate; otherwise the same request with the identity must
    // have been answered differently, or a plain 404/403 of the application would count.
    if (r.http_head.find("SSL certificate") != std::string::npos) return true;
    return with_identity_status != 0 && with_identity_status != r.http_status;
  }

  void CaNames(const ProbeResult& r) {
    if (out_.ca_names.empty()) out_.ca_names = r.ca_names;
  }

  // A full TLS 1.2 handshake is needed: with the identity where one is required.
  bool CanHandshake(std::string* why) const {
    if (out_.client_auth == ClientAuthMode::kRequired && !prober_.has_identity()) {
      *why = "needs an identity (--identity or --cert): the host requires a client certificate";
      return false;
    }
    return true;
  }

  Status Renegotiation() {
    std::string why;
    if (!tls12_) {
      out_.renegotiation_detail = "not checked: TLS 1.2 is not offered (TLS 1.3 has none)";
      return Status::Ok();
    }
    if (!CanHandshake(&why)) {
      out_.renegotiation_detail = "not checked: " + why;
      return Status::Ok();
    }
    ProbeSpec s = Pinned(TLS1_2_VERSION);
    s.renegotiate = true;
    ProbeResult r = prober_.Run(s);
    if (!r.connected) return UnavailableError("renegotiation: " + r.error);
    if (!r.handshake_ok) {
      out_.renegotiation_detail = "not checked: the TLS 1.2 handshake failed: " + Refusal(r);
      return Status::Ok();
    }
    out_.renegotiation_refused = r.renegotiated != true;
    out_.renegotiation_detail = r.renegotiation_detail;
    if (r.renegotiated == true) {
      Add(out_, r.secure_renegotiation ? TlsSeverity::kShould : TlsSeverity::kMust,
          "renegotiation.client_initiated",
          std::string("the server accepts a client-initiated renegotiation") +
              (r.secure_renegotiation ? " (secure, RFC 5746)"
                                      : " without secure renegotiation (RFC 5746)"));
    }
    return Status::Ok();
  }

  Status Resumption() {
    std::string why;
    if (!CanHandshake(&why)) {
      out_.resumption_detail = "not checked: " + why;
      return Status::Ok();
    }
    ProbeSpec first = Pinned(best_);
    first.keep_session = true;
    ProbeResult a;
    RETURN_IF_ERROR(Probe(first, "resumption (first handshake)", a));
    if (!a.handshake_ok || a.session == nullptr || !SSL_SESSION_is_resumable(a.session.get())) {
      out_.resumed = false;
      out_.resumption_detail = "the server issued no resumable session";
      return Status::Ok();
    }
    bool had_identity = prober_.has_identity() && a.certificate_requested;
    ProbeSpec second = Pinned(best_);
    second.present_identity = false;
    second.resume = a.session.get();
    second.send_request = true;
    ProbeResult b;
    RETURN_IF_ERROR(Probe(second, "resumption (second handshake)", b));
    out_.resumed = b.handshake_ok && b.reused;
    std::string established = had_identity ? "established as " + IdentityName()
                                           : "established "
                                             "without a "
                                             "certificate";
    if (*out_.resumed) {
      out_.resumption_detail = "resumed a session " + established +
                               " while presenting no certificate (HTTP " +
                               std::to_string(b.http_status) + ")";
      if (had_identity) {
        Add(out_, TlsSeverity::kInfo, "resumption.identity_carried",
            "a client-authenticated session (" + IdentityName() +
                ") was resumed by a client that presented no certificate: the server must "
                "bind the session to that identity (HTTP " +
                std::to_string(b.http_status) + " on the resumed connection)");
      }
    } else {
      out_.resumption_detail =
          "not resumed: a full handshake was made for a session " + established;
    }
    return Status::Ok();
  }

  std::string IdentityName() const {
    return o_.identity.empty() ? "the given certificate" : "identity " + o_.identity;
  }

  void Certificate() {
    out_.chain = chain_source_.chain;
    if (out_.chain.empty()) {
      out_.notes.push_back("no server certificate was seen");
      return;
    }
    out_.chain_trusted = chain_source_.verify_error == 0;
    out_.chain_error = chain_source_.verify_error_text;
    out_.host_matched = chain_source_.host_matched;
    const TlsChainEntry& leaf = out_.chain.front();
    if (!*out_.chain_trusted) {
      Add(out_, TlsSeverity::kMust, "certificate.untrusted",
          "the server chain does not verify" +
              std::string(o_.ca_file.empty() ? " against the system trust store"
                                             : " against " + o_.ca_file) +
              ": " + out_.chain_error);
    }
    if (!*out_.host_matched) {
      Add(out_, TlsSeverity::kMust, "certificate.host",
          "the server certificate does not name " +
              (o_.server_name.empty() ? o_.host : o_.server_name) + " (RFC 6125)");
    }
    if (leaf.days_left < 0) {
      Add(out_, TlsSeverity::kMust, "certificate.expired",
          "the server certificate expired on " + leaf.not_after);
    } else if (leaf.days_left < o_.min_days_left) {
      Add(out_, TlsSeverity::kShould, "certificate.expires_soon",
          "the server certificate has " + std::to_string(leaf.days_left) +
              " days left (fewer than " + std::to_string(o_.min_days_left) + ")");
    }
  }

  const TlsAuditOptions& o_;
  TlsProber& prober_;
  TlsAuditResult& out_;
  int best_ = 0;
  bool tls12_ = false;
  std::string first_refusal_;
  ProbeResult chain_source_;
};

}  // namespace

std::string_view TlsSeverityName(TlsSeverity s) {
  switch (s) {
    case TlsSeverity::kMust:
      return "must";
    case TlsSeverity::kShould:
      return "should";
    case TlsSeverity::kInfo:
      return "info";
  }
  return "?";
}

std::string_view ClientAuthModeName(ClientAuthMode m) {
  switch (m) {
    case ClientAuthMode::kUnknown:
      return "unknown";
    case ClientAuthMode::kNone:
      return "none";
    case ClientAuthMode::kOptional:
      return "optional";
    case ClientAuthMode::kRequired:
      return "required";
  }
  return "?";
}

bool TlsAuditResult::HasMustFinding() const {
  for (const TlsFinding& f : findings) {
    if (f.severity == TlsSeverity::kMust) return true;
  }
  return false;
}

std::string ParseAuditUrl(const std::string& url, std::string& host, unsigned short& port) {
  const std::string scheme = "https://";
  if (url.rfind(scheme, 0) != 0) {
    return "URL `" + url + "`: expected https://HOST[:PORT] (the audit speaks TLS only)";
  }
  std::string rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find_first_of("/?#"));
  std::string port_text;
  bool has_port = false;
  if (!rest.empty() && rest[0] == '[') {  // [IPv6]:port
    std::size_t close = rest.find(']');
    if (close == std::string::npos) return "URL `" + url + "`: unclosed `[` in the host";
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return "URL `" + url + "`: expected `:PORT` after `]`";
      has_port = true;
      port_text = rest.substr(close + 2);
    }
  } else {
    std::size_t colon = rest.rfind(':');
    host = rest.substr(0, colon);
    if (colon != std::string::npos) {
      has_port = true;
      port_text = rest.substr(colon + 1);
    }
  }
  if (host.empty() || host.find('@') != std::string::npos) {
    return "URL `" + url + "`: expected a host name or address after https://";
  }
  port = 443;
  if (has_port) {
    bool digits = !port_text.empty() && port_text.size() <= 5 &&
                  port_text.find_first_not_of("0123456789") == std::string::npos;
    long value = digits ? std::stol(port_text) : 0;
    if (value < 1 || value > 65535) {
      return "URL `" + url + "`: port `" + port_text + "` is not a number from 1 to 65535";
    }
    port = static_cast<unsigned short>(value);
  }
  return "";
}

const std::vector<TlsFindingId>& TlsAuditFindingIds() {
  static const std::vector<TlsFindingId> kIds = {
      {"protocol.tls10", "TLS 1.0 is offered (must: RFC 8996)"},
      {"protocol.tls11", "TLS 1.1 is offered (must: RFC 8996)"},
      {"protocol.no_tls13", "TLS 1.3 is not offered (should: RFC 9325)"},
      {"cipher.weak", "a weak TLS 1.2 suite is accepted (must)"},
      {"cipher.not_recommended", "a legacy TLS 1.2 suite is accepted (should)"},
      {"client_auth.generic_alert",
       "TLS 1.3 without a certificate gets handshake_failure, not certificate_required (info)"},
      {"client_auth.optional", "a client certificate is asked for but not required (should)"},
      {"client_auth.broad_ca_list", "the CertificateRequest names too many CAs (should)"},
      {"client_auth.no_ca_names", "the CertificateRequest names no CA (info)"},
      {"renegotiation.client_initiated", "a client-initiated renegotiation is accepted"},
      {"resumption.identity_carried",
       "a client-authenticated session is resumed without a certificate (info)"},
      {"certificate.untrusted", "the server chain does not verify (must)"},
      {"certificate.host", "the server certificate does not name the host (must)"},
      {"certificate.expired", "the server certificate has expired (must)"},
      {"certificate.expires_soon", "the server certificate expires soon (should)"},
  };
  return kIds;
}

const std::vector<RecommendedSuite>& RecommendedTls12Suites() {
  static const std::vector<RecommendedSuite> kTable = {
      {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256",
       "RFC 9325 §4.2 (BCP 195)"},
      {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
       "RFC 9325 §4.2 (BCP 195); FAPI 1.0 Advanced §8.5"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384",
       "RFC 9325 §4.2 (BCP 195)"},
      {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
       "RFC 9325 §4.2 (BCP 195); FAPI 1.0 Advanced §8.5"},
      {"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256",
       "FAPI 1.0 Advanced §8.5"},
      {"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384",
       "FAPI 1.0 Advanced §8.5"},
  };
  return kTable;
}

std::string ClassifyTls12Suite(std::string_view name, std::string* source) {
  std::string ignored;
  std::string& why = source != nullptr ? *source : ignored;
  for (const RecommendedSuite& s : RecommendedTls12Suites()) {
    if (s.openssl == name) {
      why = std::string(s.source);
      return "recommended";
    }
  }
  auto has = [&](std::string_view part) { return name.find(part) != std::string_view::npos; };
  if (has("NULL")) {
    why = "no encryption or no authentication (RFC 9325 §4.1)";
    return "weak";
  }
  if (has("ADH") || has("AECDH") || has("EXP")) {
    why = "anonymous or export key exchange (RFC 9325 §4.1)";
    return "weak";
  }
  if (has("RC4")) {
    why = "RC4 (RFC 7465)";
    return "weak";
  }
  if (has("DES") || has("IDEA") || has("MD5")) {
    why = "DES, 3DES, IDEA or MD5: below 112 bits of security (RFC 9325 §4.1)";
    return "weak";
  }
  bool forward_secret = name.rfind("ECDHE-", 0) == 0 || name.rfind("DHE-", 0) == 0;
  bool aead = has("GCM") || has("CHACHA20") || has("CCM");
  if (forward_secret && aead) {
    why = "forward-secret AEAD, not in the recommended table (RFC 9325 §4.2)";
    return "acceptable";
  }
  why = !forward_secret ? "no forward secrecy (RFC 9325 §4.2)" : "CBC, not an AEAD (RFC 9325 §4.2)";
  return "legacy";
}

StatusOr<TlsAuditResult> AuditTls(const TlsAuditOptions& options) {
  if (options.host.empty()) return InvalidArgumentError("no host to audit");
  if (options.timeout.count() <= 0) return InvalidArgumentError("the timeout must be positive");
  // A server that resets the connection mid-write would otherwise end the process with
  // SIGPIPE (OpenSSL writes to the socket with write(2)); a process left at the default
  // disposition gets it ignored, as libcurl does for its own transfers.
  struct sigaction old {};
  if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) {
    std::signal(SIGPIPE, SIG_IGN);
  }
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<TlsProber> prober, TlsProber::Create(options));
  TlsAuditResult out;
  out.host = options.host;
  out.port = options.port;
  out.identity = options.cert_file.empty()  ? ""
                 : options.identity.empty() ? options.cert_file
                                            : options.identity;
  Audit audit(options, *prober, out);
  RETURN_IF_ERROR(audit.Run());
  out.handshakes = prober->handshakes();
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return out;
}

}  // namespace tollgate::http
