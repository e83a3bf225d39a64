// Kind `connectpay`, two-host mode: revocation checked at the application level (see
// connectpay.h). The guide checks "at the application level (... if it not revoked)": each
// request of the two-way host asks the client identity's responder (an `ocsp` service)
// about the certificate that came with it, on a full handshake and on a resumed session
// alike, since a session resumed after a revocation must not be served.

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mocks/config.h"
#include "mocks/connectpay.h"
#include "tollgate/base/file.h"
#include "tollgate/base/openssl.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::mocks {
namespace {

using RevocationX509Ptr = OsslPtr<X509, X509_free>;

RevocationX509Ptr RevocationParsePem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return nullptr;
  return RevocationX509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string RevocationSubject(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0,
                     XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// `leaf_pem` was issued (and signed) by `ca_pem`.
bool RevocationIssuedBy(const std::string& leaf_pem, const std::string& ca_pem) {
  RevocationX509Ptr leaf = RevocationParsePem(leaf_pem);
  RevocationX509Ptr ca = RevocationParsePem(ca_pem);
  bool ok = leaf != nullptr && ca != nullptr &&
            X509_check_issued(ca.get(), leaf.get()) == X509_V_OK &&
            X509_verify(leaf.get(), X509_get0_pubkey(ca.get())) == 1;
  ERR_clear_error();
  return ok;
}

std::optional<http::RevocationMethod> RevocationMethodNamed(const std::string& name) {
  if (name == "ocsp") return http::RevocationMethod::kOcsp;
  if (name == "crl") return http::RevocationMethod::kCrl;
  return std::nullopt;
}

// The longest `timeout`: a handler thread waits at most this for the responder.
constexpr std::chrono::milliseconds kRevocationMaxTimeout{10'000};

}  // namespace

Status ConnectPay::SetUpRevocation(const ServiceDecl& decl, const pki::IdentityFiles& client) {
  const nlohmann::json& cfg = GetObject(decl.config, "revocation");
  if (cfg.empty()) return Status::Ok();
  const std::string where = "service `" + decl.name + "`: revocation";
  Revocation r;
  r.responder = GetString(cfg, "responder", "");
  r.method = RevocationMethodNamed(GetString(cfg, "method", "ocsp"))
                 .value_or(http::RevocationMethod::kOcsp);
  r.fail_open = GetString(cfg, "unavailable", "fail_closed") == "fail_open";
  if (auto it = cfg.find("timeout"); it != cfg.end() && it->is_string()) {
    std::optional<Duration> d = ParseDuration(it->get<std::string>());
    if (!d || *d <= Duration::zero() || *d > kRevocationMaxTimeout) {
      return InvalidArgumentError(where + ".timeout: `" + it->get<std::string>() +
                                  "` is not allowed; expected a duration above 0 and at most 10s");
    }
    r.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  }
  if (client.authorities.empty()) {
    return InvalidArgumentError(where + ": client identity `" + client_identity_ +
                                "` is self-signed; no CA publishes its revocation");
  }
  for (const pki::AuthorityFiles& a : client.authorities) {
    ASSIGN_OR_RETURN(std::string pem, ReadFile(a.cert_file));
    RevocationX509Ptr cert = RevocationParsePem(pem);
    if (cert == nullptr) return InternalError(where + ": cannot read " + a.cert_file);
    r.subjects.push_back(RevocationSubject(cert.get()));
    r.path_pems.push_back(std::move(pem));
    r.names.push_back(a.name);
  }
  InitHttpClientLibrary();
  revocation_http_ = std::make_unique<HttpClient>();
  revocation_ = std::move(r);
  return Status::Ok();
}

std::optional<Handled> ConnectPay::RefuseRevoked(const ServerRequest& request) const {
  if (!revocation_ || !request.client_cert || request.client_cert->pem.empty()) {
    return std::nullopt;
  }
  if (HasFault("revocation_not_checked")) return std::nullopt;
  // A target that checks revocation once, in its handshake hook, never sees a resumed
  // session's certificate again.
  if (request.tls_session_resumed && HasFault("revocation_checked_at_handshake_only")) {
    return std::nullopt;
  }
  const Revocation& rv = *revocation_;
  // Only the client identity's CA publishes at the responder; chains of other authorities
  // (the path-validation matrix) keep to the handshake's CRLs.
  if (!RevocationIssuedBy(request.client_cert->pem, rv.path_pems.front())) return std::nullopt;
  const std::string base = ctx().service_url ? ctx().service_url(rv.responder) : "";
  if (base.empty()) {
    return Handled{ServerResponse::Json(503, R"({"error":"certificate_status_unavailable"})"),
                   "revocation responder `" + rv.responder + "` has no URL"};
  }
  // The responder's layout: OCSP for every CA at /ocsp; the issuing CA's CRL at /crl, the
  // CRL of each authority above it at /crl/NAME.
  auto endpoint_for = [&](const std::string& issuer_subject) {
    http::RevocationEndpoint e{base + "/ocsp", base + "/crl"};
    for (std::size_t i = 1; i < rv.subjects.size(); ++i) {
      if (rv.subjects[i] == issuer_subject) e.crl_url = base + "/crl/" + rv.names[i];
    }
    return e;
  };
  http::RevocationCheckOptions options;
  {
    std::lock_guard<std::mutex> lock(mu_);
    options.method = method_override_.value_or(rv.method);
  }
  options.timeout = rv.timeout;
  options.clock = ctx().clock;
  options.verify_signatures = !HasFault("accepts_unverified_response");
  options.check_times = !HasFault("accepts_stale_response");
  http::RevocationReport report = http::CheckPathRevocation(
      request.client_cert->pem, rv.path_pems, endpoint_for, options, *revocation_http_);
  const std::string note = std::string(request.tls_session_resumed ? "resumed session: " : "") +
                           "revocation " + report.Summary();
  switch (report.status) {
    case http::RevocationStatus::kGood:
      return std::nullopt;
    case http::RevocationStatus::kRevoked:
      return Handled{ServerResponse::Json(401, R"({"error":"certificate_revoked"})"), note};
    case http::RevocationStatus::kUnknown:
      if (HasFault("accepts_unknown_status")) return std::nullopt;
      return Handled{ServerResponse::Json(401, R"({"error":"certificate_status_unknown"})"), note};
    case http::RevocationStatus::kUnavailable:
      if (rv.fail_open || HasFault("revocation_fail_open")) return std::nullopt;
      return Handled{ServerResponse::Json(503, R"({"error":"certificate_status_unavailable"})"),
                     note};
  }
  return std::nullopt;
}

Status ConnectPay::Control(const std::string& action, const nlohmann::json& args) {
  const std::string where = "service `" + name() + "`: " + action;
  if (action != "revocation_method") {
    return InvalidArgumentError("service `" + name() + "` (kind connectpay) has no action `" +
                                action + "`; expected revocation_method");
  }
  if (!revocation_) {
    return FailedPreconditionError(where + ": no `revocation:` configured");
  }
  std::string method = args.is_object() && args.contains("method") && args["method"].is_string()
                           ? args["method"].get<std::string>()
                           : "";
  std::optional<http::RevocationMethod> m = RevocationMethodNamed(method);
  if (!m) {
    return InvalidArgumentError(where + ": method `" + method + "` is not allowed; expected one " +
                                "of ocsp, crl");
  }
  std::lock_guard<std::mutex> lock(mu_);
  method_override_ = m;
  return Status::Ok();
}

void ConnectPay::Restore() {
  std::lock_guard<std::mutex> lock(mu_);
  method_override_.reset();
}

}  // namespace tollgate::mocks
