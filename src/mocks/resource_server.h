#pragma once
// Kind `resource_server`: the reference target of the sender-constrained profile. A
// resource server (RFC 6750, RFC 9449, RFC 8705, FAPI 2.0 Security Profile §5.3.3) that
// serves only sender-constrained access tokens of its trusted issuer:
//   GET /accounts, POST /payments   the protected API (JSON answers)
// Each request: exactly one Authorization header (scheme `DPoP` or `Bearer`, any case) and
// at most one `DPoP` header; the access token, a JWT of the trusted issuer (keys fetched
// over HTTP: RemoteJwks), is checked for signature, iss, aud and exp on the shared clock;
// then its binding:
//   cnf.jkt       scheme DPoP and a proof that verifies (VerifyDpopProof: htm, htu as the
//                 server is reached, ath of the token, the token's jkt, the server nonce on
//                 nonce paths, iat within the skew, jti once); the Bearer scheme is a
//                 downgrade and refused
//   cnf.x5t#S256  the TLS client certificate's leaf thumbprint (RFC 8705 §3.1) equals it
//   neither       refused: only sender-constrained tokens (FAPI 2.0 SP §5.3.3.2)
// Answers: 200; 401 `WWW-Authenticate: DPoP error="invalid_dpop_proof"|"use_dpop_nonce"|
// "invalid_token", algs="..."` for DPoP-bound tokens (with `DPoP-Nonce` for use_dpop_nonce),
// `Bearer error="invalid_token"` otherwise (RFC 6750 §3.1, RFC 8705 §3); 400
// invalid_request for two Authorization or DPoP headers. Its listener is HTTPS with an
// optional client certificate chaining to the PKI's client hierarchy (plain HTTP without a
// PKI, as in unit tests).
//
// Faults (each breaks exactly one rule): see Vocabulary().

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mocks/remote_jwks.h"
#include "tollgate/crypto/dpop.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe: configuration is immutable; the key cache and replay cache lock.
class ResourceServer : public MockService {
 public:
  /// Reads trust {issuer, audience} (required), leeway, realm, dpop {algorithms,
  /// iat_skew, nonce_paths, nonce_lifetime}, server_identity, client_identity.
  static StatusOr<std::unique_ptr<ResourceServer>> Create(const ServiceDecl& decl,
                                                          ServiceContext ctx);

  void AddRoutes(ServiceRouter& router) override;
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  /// issuer, audience, token_url, accounts_path, payments_path, dpop_algs, dpop_iat_skew,
  /// dpop_nonce_paths, client_identity.
  std::vector<TargetSetting> TargetSettings() const override;
  std::optional<ServerTlsOptions> ListenerTls() const override;
  std::string TrustFile() const override { return server_ca_file_; }

  /// The protected API, public so it can be unit-tested without a socket.
  Handled Handle(const ServerRequest& request);
  /// The server nonce now (RFC 9449 §9): what a DPoP-Nonce header carries.
  std::string CurrentNonce() const;

 private:
  ResourceServer(const ServiceDecl& decl, ServiceContext ctx);
  Status SetUpTls(const ServiceDecl& decl);
  RemoteJwks& Remote();
  // The `htu` a proof for `request` must name: public_url (or the scheme and Host the
  // request came with) and its path.
  std::string RequestUri(const ServerRequest& request) const;
  std::string NonceFor(long long epoch) const;
  bool NonceAccepted(const std::string& nonce) const;
  bool NeedsNonce(const std::string& path) const;
  // The 401 with a challenge of `scheme` ("DPoP" or "Bearer").
  Handled Refuse(int status, const std::string& scheme, const std::string& error,
                 const std::string& description, const std::string& note,
                 bool with_nonce = false) const;
  std::string DpopChallengeFor(const std::string& error, const std::string& description) const;
  std::optional<Handled> CheckCertificate(const ServerRequest& request, const std::string& x5t,
                                          const std::string& scheme) const;
  Handled Serve(const ServerRequest& request, const nlohmann::json& claims) const;

  std::string trust_issuer_;  // service name
  std::string audience_;
  std::chrono::seconds leeway_{60};
  std::string realm_;
  std::string public_url_;
  std::vector<jose::Alg> dpop_algorithms_{jose::Alg::kES256, jose::Alg::kPS256, jose::Alg::kEdDSA,
                                          jose::Alg::kRS256};
  std::chrono::seconds iat_skew_{60};
  std::vector<std::string> nonce_paths_;
  std::chrono::seconds nonce_lifetime_{300};
  std::string nonce_secret_;  // random per process
  std::string server_identity_;
  std::string client_identity_;
  std::string server_chain_, server_key_, server_ca_file_, client_ca_file_;
  // Thumbprints (base64url SHA-256 of the DER) of the client leaf's authorities: only the
  // accept_issuer_thumbprint fault compares them.
  std::set<std::string> authority_thumbprints_;

  jose::DpopReplayCache replay_;
  std::once_flag remote_once_;
  std::unique_ptr<RemoteJwks> remote_;
};

}  // namespace tollgate::mocks
