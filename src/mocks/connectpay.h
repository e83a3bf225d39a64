#pragma once
// Kind `connectpay`: the reference target of the two-host profile (ConnectPay).
// This part serves the generic APIs protected by HTTP Basic
// (Authorization: Basic base64(ClientKey:ClientSecret), RFC 7617) and answers Basic on the
// Bearer-only data APIs with a Bearer challenge. Every refusal is 401 with a challenge and
// the same body whether the key is unknown or the secret wrong; malformed values are
// refused, never a 5xx.
//
// Faults (each breaks exactly one rule, so the suites can be shown to catch it):
//   accept_any_secret        a known key passes with any secret
//   accept_unknown_key       an unknown key passes (with any secret)
//   accept_empty_key         "base64(:secret)" passes as if the key matched
//   omit_challenge           401 without WWW-Authenticate
//   malformed_500            malformed Basic values crash the handler (500)
//   reject_lowercase_scheme  only "Basic" is accepted, not "basic"
//   basic_on_bearer_path     Basic credentials open the Bearer-only data APIs
//   distinct_unknown_key_body  an unknown key gets a different answer than a wrong secret
//
// Two-host mode (`server_identity` set and a PKI available; connectpay_hosts.cc): the
// main listener is the two-way host (client certificate required, strict EKU, CRLs for the
// whole path, RFC 5280 path validation as pki::VerifyClientChain does it) serving the
// token endpoint, the Bearer data APIs (one scope each) and certificate onboarding; a
// second, one-way listener serves the Basic generic APIs and the public callbacks. Neither host
// serves the other's routes (404). Every two-way request must present a certificate registered for
// some client; the token endpoint needs the one registered for the authenticating client (MT-16)
// and binds the token to it. Two-host faults:
//   accept_any_client_cert   the two-way host asks for a certificate but verifies nothing
//   skip_revocation          no CRL: a revoked certificate is accepted
//   accept_expired_certs     validity dates are not checked (expired, not yet valid pass)
//   lenient_eku              OpenSSL's default purpose check: no-EKU and CA:TRUE leaves pass
//   lax_path_validation      OpenSSL's default path validation: no strict X.509, no policy
//                            evaluation, 100 intermediates (the matrix's allow-list rows pass)
//   empty_initial_policy_set policies evaluated from an empty initial set, not any-policy
//   skip_registered_check    any trusted certificate is taken for any client
//   token_without_certificate_binding  a token works with another certificate
//   no_scope_check           a token opens every data API whatever its scopes
//   person_scopes_merged     a person gets the scopes of every person of the client
//   cert_api_on_one_way      data APIs and the token endpoint answer on the one-way host
//   generic_on_two_way       the Basic generic APIs also answer on the two-way host
//   accept_unordered_bundle  onboarding skips the order check (reversed bundles pass)
//   accept_any_bundle        onboarding registers any bundle unchecked
//   no_bundle_size_limit     an oversized bundle is parsed instead of refused with 413
//   callbacks_need_credentials  the public callbacks demand credentials (401)
//   trust_forwarded_cert_header  a forwarded-certificate header the client sent (as a
//                            TLS-terminating proxy would set it) stands in for the
//                            handshake's certificate on both hosts; an unreadable one is a 500
//
// Proxy mode (`proxies:` in two-host mode; connectpay_proxy.cc): each entry is a
// TLS-terminating front (its own listener, offered as target.NAME_url) that asks for a client
// certificate, verifies it as the two-way host does (but lets a request without one through)
// and forwards the request over loopback HTTP to the application behind it (a listener of its
// own, NAME_app), setting the configured header from the handshake's verified certificate.
// `incoming: strip` removes every client copy of every forwarded-certificate convention and
// of the header first; `incoming: append` (Envoy XFCC, forward_client_cert_details
// APPEND_FORWARD) appends its element to the client's XFCC value, and drops that value when
// no certificate was presented. The application takes the client's certificate from the
// header alone (the token endpoint and the data APIs, as on the two-way host): exactly one
// value in strip mode, the last XFCC element in append mode. Proxy faults:
//   proxy_does_not_strip     the front forwards client copies untouched and adds its own
//                            only when a certificate was presented
//   app_reads_first_header   the application takes the first value or XFCC element
//
// Revocation at the application level (`revocation:` in two-host mode;
// connectpay_revocation.cc): on every request of the two-way host the certificate's status
// is asked of an `ocsp` service (by OCSP or from its CRL, as configured or switched by the
// `revocation_method` action), the leaf and the issuing CA, when the leaf was issued by the
// client identity's CA (other chains have no responder and keep to the handshake's CRLs). A
// revoked certificate or one of unknown status is refused with 401; one whose status cannot
// be had (responder down, slow, tryLater, unauthorized, a forged or out-of-date answer) with
// 503 when `unavailable: fail_closed` (the default), served when `fail_open`. Faults:
//   revocation_not_checked   the status is never asked
//   revocation_fail_open     served when the status cannot be had, despite fail_closed
//   revocation_checked_at_handshake_only  a resumed TLS session is served unchecked
//   accepts_unknown_status   a certificate of unknown status is served
//   accepts_unverified_response  OCSP answers and CRLs are believed unverified
//   accepts_stale_response   out-of-date OCSP answers and CRLs are believed

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tollgate/base/forwarded_cert.h"
#include "tollgate/http/client.h"
#include "tollgate/http/revocation.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe: the configuration is immutable after SetUpHosts; issued tokens are
/// guarded by a mutex.
class ConnectPay : public MockService {
 public:
  ConnectPay(const ServiceDecl& decl, ServiceContext ctx);
  /// Resolves the PKI files of two-host mode (nothing to do without `server_identity` or
  /// without a PKI). InvalidArgument/NotFound name the service and the identity.
  Status SetUpHosts(const ServiceDecl& decl);
  void AddRoutes(ServiceRouter& router) override;
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  std::vector<TargetSetting> TargetSettings() const override;
  std::optional<ServerTlsOptions> ListenerTls() const override;
  std::optional<ServerTlsOptions> OneWayTls() const override;
  void AddOneWayRoutes(ServiceRouter& router) override;
  std::string TrustFile() const override { return server_ca_file_; }
  bool two_host() const { return !server_chain_.empty(); }

  /// Two-host handlers (connectpay_tokens.cc, connectpay_onboarding.cc), public so they
  /// can be unit-tested without a socket. `two_way` tells which host received the request.
  Handled HandleToken(const ServerRequest& request) const;
  Handled HandleData(const ServerRequest& request, const std::string& scope, bool two_way) const;
  Handled HandleCertificates(const ServerRequest& request) const;
  Handled HandleCallback(const ServerRequest& request) const;
  /// 401 unless the presented certificate is registered for some client.
  std::optional<Handled> RefuseUnregistered(const ServerRequest& request) const;

  /// Proxy mode: a front and the application behind it (connectpay_proxy.cc).
  struct ProxyFront {
    std::string name;  // its listener; target.NAME_url
    const ForwardedCertConvention* convention = nullptr;
    std::string header;   // the header it sets and the application reads
    bool append = false;  // `incoming: append` (XFCC)
  };
  const std::vector<ProxyFront>& proxy_fronts() const { return fronts_; }
  std::vector<Listener> ExtraListeners() override;
  void ListenerStarted(const std::string& listener, const std::string& url) override;
  /// The header fields `front` forwards for a request it received (hop-by-hop fields
  /// dropped, client copies stripped or appended to, its own from the verified certificate).
  std::vector<std::pair<std::string, std::string>> FrontHeaders(const ProxyFront& front,
                                                                const ServerRequest& request) const;
  /// The application behind `front`: the request with the client certificate taken from
  /// the forwarded header, or the refusal (401 without one, 400 for duplicates or an
  /// unreadable value).
  std::variant<ServerRequest, Handled> ProxiedRequest(const ProxyFront& front,
                                                      const ServerRequest& request) const;

  /// Application-level revocation (connectpay_revocation.cc): the refusal of a two-way
  /// request whose certificate is revoked, of unknown status or (fail closed) of a status
  /// that cannot be had; nullopt to serve it.
  std::optional<Handled> RefuseRevoked(const ServerRequest& request) const;
  /// `revocation_method {method: ocsp|crl}`; InvalidArgument names what it takes.
  Status Control(const std::string& action, const nlohmann::json& args) override;
  /// The configured revocation method again.
  void Restore() override;

  /// The generic-API handler, public so it can be unit-tested without a socket.
  Handled HandleBasic(const ServerRequest& request) const;
  /// The Bearer-only data-API handler.
  Handled HandleBearerOnly(const ServerRequest& request) const;

 private:
  void AddTwoHostSettings(std::vector<TargetSetting>& out) const;
  void AddTwoWayRoutes(ServiceRouter& router);
  Status SetUpProxies(const ServiceDecl& decl);
  Status SetUpRevocation(const ServiceDecl& decl, const pki::IdentityFiles& client);
  void AddFrontRoutes(const ProxyFront& front, ServiceRouter& router);
  void AddProxiedAppRoutes(const ProxyFront& front, ServiceRouter& router);
  ServerTlsOptions FrontTls() const;
  /// The client key of valid Basic credentials of the request; "" when none.
  std::string BasicClient(const ServerRequest& request) const;
  Handled Unauthorized(const std::string& scheme, const std::string& note,
                       const std::string& error) const;

  struct Client {
    std::string registered;                                // PKI identity
    std::string registered_sha256;                         // its leaf, once resolved
    std::map<std::string, std::set<std::string>> persons;  // person -> allowed scopes
  };
  struct Token {
    std::string client, person, cert_sha256;
    std::set<std::string> scopes;
    long long expires_at = 0;
  };

  std::string realm_;
  std::map<std::string, std::string> clients_;  // key -> secret
  std::map<std::string, Client> registry_;      // key -> registration
  std::vector<std::string> basic_paths_;
  std::vector<std::string> bearer_paths_;
  std::map<std::string, std::string> data_scopes_;  // data API path -> scope ("" none)
  std::vector<std::string> callback_paths_;
  std::string token_path_, certificates_path_;
  std::size_t max_bundle_bytes_ = 16 * 1024;
  int token_ttl_seconds_ = 600;
  // Two-host mode: PKI files.
  std::string server_identity_, client_identity_;
  std::string server_chain_, server_key_, server_ca_file_, client_ca_file_, client_crl_file_;
  std::vector<std::string> more_crl_files_;
  std::string anchors_pem_, crls_pem_;

  // Application-level revocation: the responder's layout for the client identity's path.
  struct Revocation {
    std::string responder;  // the `ocsp` service
    http::RevocationMethod method = http::RevocationMethod::kOcsp;
    bool fail_open = false;
    std::chrono::milliseconds timeout{1000};
    std::vector<std::string> path_pems;  // the issuing CA, then its issuers to the root
    std::vector<std::string> names;      // their authority names, in the same order
    std::vector<std::string> subjects;   // their subjects (RFC 2253), in the same order
  };
  std::optional<Revocation> revocation_;
  std::unique_ptr<HttpClient> revocation_http_;
  std::optional<http::RevocationMethod> method_override_;  // revocation_method action (mu_)

  // Proxy mode.
  std::vector<ProxyFront> fronts_;
  std::unique_ptr<HttpClient> http_;               // the fronts' forwarding client
  std::map<std::string, std::string> app_urls_;    // front -> its application's URL (mu_)
  std::map<std::string, std::string> front_urls_;  // front -> its URL (mu_)

  mutable std::mutex mu_;
  mutable std::map<std::string, Token> tokens_;  // access token -> grant
  mutable std::uint64_t issued_ = 0;
};

}  // namespace tollgate::mocks
