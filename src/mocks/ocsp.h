#pragma once
// Kind `ocsp`: the revocation responder of one issuing CA of the PKI and of its issuers up
// to the root. It serves each CA's CRL (the CRL distribution point) and answers OCSP (RFC
// 6960, HTTP binding of its appendix A: POST application/ocsp-request, GET base64), good /
// revoked / unknown from the CA's CRL plus serials revoked at run time, signed by the CA
// that issued the certificate asked about (RFC 6960 §4.2.2.2: the issuer is always an
// authorised responder), so a revoked intermediate is answered by its root. thisUpdate, nextUpdate
// and producedAt come from the shared clock. Its `mock:` actions break one thing each: a stale or
// badly signed CRL, a responder that is down, slow, says tryLater or unauthorized, answers unknown,
// signs with a key nobody authorised, or serves a response whose times have passed.
//
// `responder_down` answers 503 with `Connection: close` on both the CRL and the OCSP
// paths, for the reason kind `jwks` gives: the server core cannot drop a connection from a
// handler, and closing the listener would lose the port the certificates name.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "tollgate/base/openssl.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe.
class OcspResponder : public MockService {
 public:
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  /// The longest `responder_slow` delay: a handler thread is held that long.
  static constexpr std::chrono::milliseconds kMaxSlow{30'000};
  /// A larger OCSP request (body, or the base64 of a GET) is refused with 413.
  static constexpr std::size_t kMaxRequestBytes = 16 * 1024;
  /// At most this many certificates asked about in one request (else malformedRequest).
  static constexpr int kMaxSingleRequests = 32;
  /// At most this many serials revoked at run time, which bounds the CRL it serves.
  static constexpr std::size_t kMaxRuntimeRevocations = 1024;

  /// Reads `identity` (whose issuing CA it speaks for) and `next_update`; needs the PKI.
  static StatusOr<std::unique_ptr<OcspResponder>> Create(const ServiceDecl& decl,
                                                         ServiceContext ctx);
  ~OcspResponder() override;

  void AddRoutes(ServiceRouter& router) override;
  /// crl_url and ocsp_url.
  std::vector<TargetSetting> TargetSettings() const override;
  /// crl_stale, crl_bad_signature, responder_down, responder_slow {ms}, try_later,
  /// unauthorized, unknown_status, wrong_responder, stale_produced_at,
  /// revoke {serial, issuer?} | {variant, identity?} | {authority}, restore.
  Status Control(const std::string& action, const nlohmann::json& args) override;
  /// Serving normally again; forgets run-time revocations; wakes slowed requests.
  void Restore() override;

  /// GET /crl (DER, application/pkix-crl) and GET /crl.pem: the issuing CA's CRL;
  /// GET /crl/NAME and /crl/NAME.pem: the CRL of authority NAME of its path.
  Handled HandleCrl(const ServerRequest& request);
  /// POST / and /ocsp (application/ocsp-request), GET /ocsp/BASE64.
  Handled HandleOcsp(const ServerRequest& request);

 private:
  using X509Ptr = OsslPtr<X509, X509_free>;
  using PkeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;

  // One authority of the path: its certificate, key and the CRL the PKI wrote.
  struct Ca {
    std::string name;
    X509Ptr cert;
    PkeyPtr key;
    std::map<std::string, std::time_t> revoked;  // upper-case hex serial -> when
  };
  using Revocations = std::map<std::string, std::map<std::string, std::time_t>>;  // by CA

  struct State {
    bool crl_stale = false;
    bool crl_bad_signature = false;
    bool down = false;
    bool try_later = false;
    bool unauthorized = false;
    bool unknown_status = false;
    bool wrong_responder = false;
    bool stale = false;
    std::chrono::milliseconds slow{0};
    Revocations runtime_revoked;  // CA name -> upper-case hex serial -> when
    std::size_t runtime_count = 0;
  };

  OcspResponder(const ServiceDecl& decl, ServiceContext ctx);
  Status Load(const std::string& identity);
  // The CA and serial a `revoke` names.
  StatusOr<std::pair<std::string, std::string>> RevocationOf(const nlohmann::json& args) const;
  const Ca* FindCa(const std::string& name) const;
  // Waits out `responder_slow` (real time, bounded; Restore ends it) and returns the state.
  State Snapshot();
  std::string BuildCrl(const Ca& ca, const State& s, bool pem) const;
  Handled OcspAnswer(const std::string& der_request, const State& s) const;

  std::string identity_;
  std::chrono::seconds next_update_{3600};
  std::vector<Ca> cas_;  // the issuing CA first, then its issuers up to the root
  X509Ptr wrong_cert_;   // a self-signed responder nobody authorised
  PkeyPtr wrong_key_;

  mutable std::mutex mu_;
  std::condition_variable wake_;  // Restore() and the destructor end `responder_slow` waits
  std::uint64_t generation_ = 0;
  State state_;
};

}  // namespace tollgate::mocks
