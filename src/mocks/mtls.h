#pragma once
// Kind `mtls`: a TLS endpoint with a client-certificate policy (docs/mock-kinds.md).
// Two listeners: the two-way one (services.NAME.url) asks for and requires a client
// certificate chaining to `client_ca`, checks revocation against `crl` when given (a
// missing CRL fails closed) and the EKU (`openssl-default` or `strict`); its handler then
// refuses, with 401, a valid certificate whose SHA-256 fingerprint is not `registered`.
// The one-way listener (services.NAME.one_way_url) never sends a CertificateRequest.
// Both answer GET / with the presented certificate's subject and fingerprint (or "none").
// The journal records the presented certificate of every request, and every refused
// handshake as an entry with method "TLS".
//
// Faults (each breaks exactly one rule, so the suites can be shown to catch it):
//   accept_unregistered   a valid certificate that is not registered is served (200)
//   optional_client_cert  the two-way listener asks for a certificate but does not require it
//   allow_tls11           both listeners accept TLS 1.1 (security level 0)

#include <optional>
#include <set>
#include <string>

#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe: immutable after construction.
class Mtls : public MockService {
 public:
  /// InvalidArgument for a bad `eku` or missing files.
  static StatusOr<std::unique_ptr<Mtls>> Create(const ServiceDecl& decl, ServiceContext ctx);

  void AddRoutes(ServiceRouter& router) override;
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  std::optional<ServerTlsOptions> ListenerTls() const override;
  std::optional<ServerTlsOptions> OneWayTls() const override;
  void AddOneWayRoutes(ServiceRouter& router) override;

  /// The two-way handler, public so it can be unit-tested without a socket.
  Handled HandleTwoWay(const ServerRequest& request) const;
  /// The one-way handler.
  Handled HandleOneWay(const ServerRequest& request) const;

 private:
  Mtls(const ServiceDecl& decl, ServiceContext ctx) : MockService(decl.name, decl.kind, ctx) {}

  ServerTlsOptions two_way_;
  ServerTlsOptions one_way_;
  std::set<std::string> registered_;  // lower-case hex SHA-256; empty: any trusted cert
};

}  // namespace tollgate::mocks
