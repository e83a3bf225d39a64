// Application-level revocation checks: OCSP (RFC 6960) and CRLs (RFC 5280 §5) fetched over
// the Transport and judged on the shared clock. Every failure to get a usable answer is
// `unavailable`, with the reason, so the caller's policy (fail closed or open) decides.

#include "tollgate/http/revocation.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <utility>

#include "tollgate/base/openssl.h"
#include "tollgate/base/time_format.h"

namespace tollgate::http {
namespace {

using X509Ptr = OsslPtr<X509, X509_free>;
using CrlPtr = OsslPtr<X509_CRL, X509_CRL_free>;
using StorePtr = OsslPtr<X509_STORE, X509_STORE_free>;
using OcspReqPtr = OsslPtr<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspRespPtr = OsslPtr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicPtr = OsslPtr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using CertIdPtr = OsslPtr<OCSP_CERTID, OCSP_CERTID_free>;

struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

X509Ptr ParsePem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string RevocationNameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// Seconds since the epoch of an ASN.1 time; false when it cannot be read.
bool ToEpoch(const ASN1_TIME* t, std::int64_t* out) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  *out = static_cast<std::int64_t>(timegm(&tm));
  return true;
}

std::string EpochText(std::int64_t s) {
  return FormatIso8601Seconds(Clock::TimePoint(std::chrono::seconds(s)));
}

RevocationAnswer Unavailable(RevocationMethod method, std::string subject, std::string detail) {
  return {RevocationStatus::kUnavailable, method, std::move(subject), std::move(detail)};
}

// Sends one request; on a transport failure or a non-200 answer, the reason.
StatusOr<ClientResponse> Fetch(Transport& transport, ClientRequest request,
                               const RevocationCheckOptions& options, std::string* why) {
  request.timeout = options.timeout;
  StatusOr<ClientResponse> r = transport.Send(request);
  if (!r.ok()) {
    *why = r.status().message();
    return r;
  }
  if (r->outcome != TransportOutcome::kOk) {
    *why = std::string("the responder could not be reached (") + TransportOutcomeName(r->outcome) +
           ")";
  } else if (r->status != 200) {
    *why = "the responder answered HTTP " + std::to_string(r->status);
  }
  return r;
}

const char* OcspResponseStatusText(int status) {
  switch (status) {
    case OCSP_RESPONSE_STATUS_MALFORMEDREQUEST:
      return "malformedRequest";
    case OCSP_RESPONSE_STATUS_INTERNALERROR:
      return "internalError";
    case OCSP_RESPONSE_STATUS_TRYLATER:
      return "tryLater";
    case OCSP_RESPONSE_STATUS_SIGREQUIRED:
      return "sigRequired";
    case OCSP_RESPONSE_STATUS_UNAUTHORIZED:
      return "unauthorized";
    default:
      return "an unknown status";
  }
}

RevocationAnswer AskOcsp(X509* cert, X509* issuer, const std::string& url,
                         const RevocationCheckOptions& options, const Clock& clock,
                         Transport& transport) {
  const RevocationMethod m = RevocationMethod::kOcsp;
  std::string subject = RevocationNameText(X509_get_subject_name(cert));
  CertIdPtr id(OCSP_cert_to_id(EVP_sha1(), cert, issuer));
  OcspReqPtr req(OCSP_REQUEST_new());
  if (id == nullptr || req == nullptr) return Unavailable(m, subject, OpenSslError());
  OCSP_CERTID* id_copy = OCSP_CERTID_dup(id.get());
  if (OCSP_request_add0_id(req.get(), id_copy) == nullptr) {
    OCSP_CERTID_free(id_copy);
    return Unavailable(m, subject, OpenSslError());
  }
  unsigned char* der = nullptr;
  int der_len = i2d_OCSP_REQUEST(req.get(), &der);
  if (der_len <= 0) return Unavailable(m, subject, OpenSslError());
  std::string body(reinterpret_cast<const char*>(der), static_cast<std::size_t>(der_len));
  OPENSSL_free(der);

  ClientRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/ocsp-request"},
                     {"Accept", "application/ocsp-response"}};
  request.body = std::move(body);
  std::string why;
  StatusOr<ClientResponse> r = Fetch(transport, std::move(request), options, &why);
  if (!why.empty()) return Unavailable(m, subject, "OCSP: " + why);

  const auto* p = reinterpret_cast<const unsigned char*>(r->body.data());
  OcspRespPtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(r->body.size())));
  if (resp == nullptr) return Unavailable(m, subject, "OCSP: the answer is not an OCSP response");
  int rs = OCSP_response_status(resp.get());
  if (rs != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return Unavailable(m, subject,
                       std::string("OCSP: the responder answered ") + OcspResponseStatusText(rs));
  }
  OcspBasicPtr basic(OCSP_response_get1_basic(resp.get()));
  if (basic == nullptr) return Unavailable(m, subject, "OCSP: no basic response");

  // Signed by the issuer itself, or by a responder the issuer delegated to (its certificate
  // in the response, issued by the issuer, with id-kp-OCSPSigning): RFC 6960 §4.2.2.2.
  // The issuer is the only anchor; the time check is ours, on the shared clock.
  StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), issuer);
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
  X509StackPtr certs(sk_X509_new_null());
  X509_up_ref(issuer);
  sk_X509_push(certs.get(), issuer);
  if (options.verify_signatures &&
      OCSP_basic_verify(basic.get(), certs.get(), store.get(), 0) != 1) {
    ERR_clear_error();
    return Unavailable(m, subject,
                       "OCSP: the response is not signed by the issuer or a responder it "
                       "authorised");
  }
  int status = -1, reason = -1;
  ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at, &this_update,
                            &next_update) != 1) {
    return Unavailable(m, subject, "OCSP: the response does not answer for this certificate");
  }
  const std::int64_t now = clock.NowSeconds();
  std::int64_t this_s = 0, next_s = 0;
  if (!ToEpoch(this_update, &this_s)) return Unavailable(m, subject, "OCSP: no thisUpdate");
  // With check_times off (a relying party's fault) out-of-date answers are believed.
  if (options.check_times && this_s > now + options.skew.count()) {
    return Unavailable(m, subject, "OCSP: thisUpdate " + EpochText(this_s) + " is in the future");
  }
  if (options.check_times && next_update != nullptr && ToEpoch(next_update, &next_s) &&
      next_s < now) {
    return Unavailable(m, subject,
                       "OCSP: the response is out of date (nextUpdate " + EpochText(next_s) + ")");
  }
  if (status == V_OCSP_CERTSTATUS_GOOD) return {RevocationStatus::kGood, m, subject, "good"};
  if (status == V_OCSP_CERTSTATUS_REVOKED) {
    std::int64_t at = 0;
    std::string when = ToEpoch(revoked_at, &at) ? " at " + EpochText(at) : "";
    return {RevocationStatus::kRevoked, m, subject, "revoked" + when};
  }
  return {RevocationStatus::kUnknown, m, subject, "the responder does not know the certificate"};
}

RevocationAnswer AskCrl(X509* cert, X509* issuer, const std::string& url,
                        const RevocationCheckOptions& options, const Clock& clock,
                        Transport& transport) {
  const RevocationMethod m = RevocationMethod::kCrl;
  std::string subject = RevocationNameText(X509_get_subject_name(cert));
  ClientRequest request;
  request.method = "GET";
  request.url = url;
  std::string why;
  StatusOr<ClientResponse> r = Fetch(transport, std::move(request), options, &why);
  if (!why.empty()) return Unavailable(m, subject, "CRL: " + why);
  if (r->body.size() > options.max_crl_bytes) {
    return Unavailable(m, subject,
                       "CRL: " + std::to_string(r->body.size()) + " bytes, more than the " +
                           std::to_string(options.max_crl_bytes) + " accepted");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(r->body.data());
  CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(r->body.size())));
  if (crl == nullptr) {
    ERR_clear_error();
    BioPtr bio(BIO_new_mem_buf(r->body.data(), static_cast<int>(r->body.size())));
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  }
  if (crl == nullptr) {
    ERR_clear_error();
    return Unavailable(m, subject, "CRL: the answer is not a CRL (DER or PEM)");
  }
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer)) != 0) {
    return Unavailable(m, subject,
                       "CRL: issued by " + RevocationNameText(X509_CRL_get_issuer(crl.get())) +
                           ", not by the certificate's issuer");
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  if (options.verify_signatures && (key == nullptr || X509_CRL_verify(crl.get(), key) != 1)) {
    ERR_clear_error();
    return Unavailable(m, subject, "CRL: the signature does not verify with the issuer's key");
  }
  const std::int64_t now = clock.NowSeconds();
  std::int64_t last = 0, next = 0;
  if (options.check_times) {
    if (ToEpoch(X509_CRL_get0_lastUpdate(crl.get()), &last) && last > now + options.skew.count()) {
      return Unavailable(m, subject, "CRL: thisUpdate " + EpochText(last) + " is in the future");
    }
    if (!ToEpoch(X509_CRL_get0_nextUpdate(crl.get()), &next)) {
      return Unavailable(m, subject, "CRL: no nextUpdate");
    }
    if (next < now) {
      return Unavailable(m, subject, "CRL: out of date (nextUpdate " + EpochText(next) + ")");
    }
  }
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_serial(crl.get(), &entry, X509_get0_serialNumber(cert)) == 1) {
    std::int64_t at = 0;
    std::string when =
        ToEpoch(X509_REVOKED_get0_revocationDate(entry), &at) ? " at " + EpochText(at) : "";
    return {RevocationStatus::kRevoked, m, subject, "revoked" + when};
  }
  return {RevocationStatus::kGood, m, subject, "good"};
}

}  // namespace

std::string_view RevocationMethodName(RevocationMethod m) {
  return m == RevocationMethod::kOcsp ? "ocsp" : "crl";
}

std::string_view RevocationStatusName(RevocationStatus s) {
  switch (s) {
    case RevocationStatus::kGood:
      return "good";
    case RevocationStatus::kRevoked:
      return "revoked";
    case RevocationStatus::kUnknown:
      return "unknown";
    case RevocationStatus::kUnavailable:
      break;
  }
  return "unavailable";
}

std::string RevocationReport::Summary() const {
  std::string out(RevocationStatusName(status));
  out += " (";
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (i > 0) out += "; ";
    out += std::string(RevocationMethodName(answers[i].method)) + ": " + answers[i].subject + " " +
           answers[i].detail;
  }
  return out + ")";
}

RevocationAnswer CheckRevocation(const std::string& cert_pem, const std::string& issuer_pem,
                                 const RevocationEndpoint& endpoint,
                                 const RevocationCheckOptions& options, Transport& transport) {
  X509Ptr cert = ParsePem(cert_pem);
  X509Ptr issuer = ParsePem(issuer_pem);
  if (cert == nullptr || issuer == nullptr) {
    ERR_clear_error();
    return Unavailable(options.method, "", "the certificate or its issuer is not PEM");
  }
  OffsetClock system;
  const Clock& clock = options.clock != nullptr ? *options.clock : system;
  const bool ocsp = options.method == RevocationMethod::kOcsp && !endpoint.ocsp_url.empty();
  if (ocsp) return AskOcsp(cert.get(), issuer.get(), endpoint.ocsp_url, options, clock, transport);
  if (endpoint.crl_url.empty()) {
    return Unavailable(options.method, RevocationNameText(X509_get_subject_name(cert.get())),
                       "the issuer publishes no revocation information");
  }
  return AskCrl(cert.get(), issuer.get(), endpoint.crl_url, options, clock, transport);
}

RevocationReport CheckPathRevocation(
    const std::string& leaf_pem, const std::vector<std::string>& chain_pems,
    const std::function<RevocationEndpoint(const std::string& issuer_subject)>& endpoint_for,
    const RevocationCheckOptions& options, Transport& transport) {
  RevocationReport report;
  std::string current = leaf_pem;
  for (const std::string& issuer_pem : chain_pems) {
    X509Ptr issuer = ParsePem(issuer_pem);
    std::string issuer_subject =
        issuer != nullptr ? RevocationNameText(X509_get_subject_name(issuer.get())) : "";
    RevocationAnswer a =
        CheckRevocation(current, issuer_pem, endpoint_for(issuer_subject), options, transport);
    report.answers.push_back(a);
    if (a.status != RevocationStatus::kGood) {
      report.status = a.status;
      return report;
    }
    current = issuer_pem;
  }
  return report;
}

}  // namespace tollgate::http
