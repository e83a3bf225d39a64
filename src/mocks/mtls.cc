#include "mocks/mtls.h"

#include <algorithm>
#include <cctype>

#include "mocks/config.h"

namespace tollgate::mocks {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  s.erase(std::remove(s.begin(), s.end(), ':'), s.end());  // "AB:CD:..." as openssl prints
  return s;
}

nlohmann::json Presented(const ServerRequest& r) {
  if (!r.client_cert) return "none";
  return {{"subject", r.client_cert->subject}, {"sha256", r.client_cert->sha256_fingerprint}};
}

}  // namespace

StatusOr<std::unique_ptr<Mtls>> Mtls::Create(const ServiceDecl& decl, ServiceContext ctx) {
  std::unique_ptr<Mtls> m(new Mtls(decl, ctx));
  const nlohmann::json& c = decl.config;
  ServerTlsOptions base;
  base.cert_chain_file = GetString(c, "server_cert", "");
  base.key_file = GetString(c, "server_key", "");
  base.min_version = GetString(c, "min_version", "1.2");
  base.max_version = GetString(c, "max_version", "");
  m->one_way_ = base;
  m->one_way_.request_client_cert = false;
  m->two_way_ = base;
  m->two_way_.client_ca_file = GetString(c, "client_ca", "");
  m->two_way_.crl_file = GetString(c, "crl", "");
  m->two_way_.require_client_cert = true;
  if (GetString(c, "eku", "openssl-default") == "strict")
    m->two_way_.eku = ClientEkuPolicy::kStrict;
  for (const std::string& fp : GetStrings(c, "registered", {})) m->registered_.insert(Lower(fp));
  return m;
}

Handled Mtls::HandleTwoWay(const ServerRequest& r) const {
  if (!r.client_cert) {
    // Unreachable through the listener (it requires a certificate); kept for direct calls.
    return {ServerResponse::Json(401, R"({"error":"client_certificate_required"})"),
            "no client certificate"};
  }
  if (!registered_.empty() && !registered_.count(r.client_cert->sha256_fingerprint) &&
      !HasFault("accept_unregistered")) {
    return {ServerResponse::Json(401, R"({"error":"unregistered_certificate"})"),
            "certificate " + r.client_cert->sha256_fingerprint + " is not registered"};
  }
  nlohmann::json body = {{"listener", "two_way"}, {"client_cert", Presented(r)}};
  return {ServerResponse::Json(200, body.dump()), "accepted"};
}

Handled Mtls::HandleOneWay(const ServerRequest& r) const {
  nlohmann::json body = {{"listener", "one_way"}, {"client_cert", Presented(r)}};
  return {ServerResponse::Json(200, body.dump()), "one-way"};
}

const KindTerms& Mtls::Vocabulary() {
  using T = FieldType;
  static const KindTerms kTerms = {
      "mtls",
      /*actions=*/{},
      /*faults=*/
      {{"accept_unregistered",
        "serves a valid client certificate whose fingerprint is not `registered`"},
       {"optional_client_cert",
        "asks for a client certificate on the two-way listener but does not require one"},
       {"allow_tls11", "accepts TLS 1.1 handshakes on both listeners"}},
      /*keys=*/
      {Key("server_cert", T::kString, "PEM file: its certificate chain").Required(),
       Key("server_key", T::kString, "PEM file: its private key").Required(),
       Key("client_ca", T::kString, "PEM file: the roots client certificates must chain to")
           .Required(),
       Key("crl", T::kString, "PEM file: revoked client certificates"),
       Key("registered", T::kStringList,
           "SHA-256 fingerprints of the client certificates it serves"),
       Key("eku", T::kString,
           "client-certificate purpose check: `strict` (clientAuth required) or OpenSSL's "
           "(the default)")
           .OneOf({"strict", "openssl-default"}),
       Key("min_version", T::kString, "lowest TLS version (default 1.2)").OneOf(TlsVersionNames()),
       Key("max_version", T::kString, "highest TLS version").OneOf(TlsVersionNames())}};
  return kTerms;
}

// Faults are switched on after Create and before the listeners start, so they apply here.
std::optional<ServerTlsOptions> Mtls::ListenerTls() const {
  ServerTlsOptions o = two_way_;
  if (HasFault("optional_client_cert")) o.require_client_cert = false;
  if (HasFault("allow_tls11")) o.min_version = "1.1";
  return o;
}

std::optional<ServerTlsOptions> Mtls::OneWayTls() const {
  ServerTlsOptions o = one_way_;
  if (HasFault("allow_tls11")) o.min_version = "1.1";
  return o;
}

void Mtls::AddRoutes(ServiceRouter& router) {
  router.Add("GET", "/", [this](const ServerRequest& r) { return HandleTwoWay(r); });
}

void Mtls::AddOneWayRoutes(ServiceRouter& router) {
  router.Add("GET", "/", [this](const ServerRequest& r) { return HandleOneWay(r); });
}

}  // namespace tollgate::mocks
