// Kind `connectpay`, two-host mode: the listeners, their routes and the registered-
// certificate check (see connectpay.h).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "mocks/config.h"
#include "mocks/connectpay.h"
#include "tollgate/base/file.h"
#include "tollgate/base/forwarded_cert.h"
#include "tollgate/pki/pki.h"

namespace tollgate::mocks {
namespace {

Handled NotFound(const std::string& note) {
  return {ServerResponse::Json(404, R"({"error":"not_found"})"), note};
}

// The request as an application that believes proxies' certificate headers sees it (fault
// `trust_forwarded_cert_header`): the first such header stands in for the handshake's
// certificate, and one it cannot read crashes it, as a certificate parser would.
ServerRequest TrustForwardedCert(const ServerRequest& request) {
  for (const ForwardedCertConvention& c : ForwardedCertConventions()) {
    std::optional<std::string> value = request.headers.Get(c.header);
    if (!value) continue;
    std::optional<std::string> sha256 = ForwardedCertSha256(*value);
    if (!sha256) throw std::runtime_error("unreadable " + c.header);
    ServerRequest trusted = request;
    trusted.client_cert = PeerCertificate{};
    trusted.client_cert->sha256_fingerprint = *sha256;
    return trusted;
  }
  return request;
}

}  // namespace

Status ConnectPay::SetUpHosts(const ServiceDecl& decl) {
  RETURN_IF_ERROR(SetUpProxies(decl));
  if (server_identity_.empty() && !GetObject(decl.config, "revocation").empty()) {
    return InvalidArgumentError("service `" + decl.name +
                                "`: `revocation` needs two-host mode; expected `server_identity`");
  }
  if (server_identity_.empty() || !ctx().identity) return Status::Ok();
  auto context = [&](const std::string& what) { return "service `" + decl.name + "`: " + what; };
  auto server = ctx().identity(server_identity_, "");
  if (!server.ok()) return server.status().WithContext(context("server_identity"));
  auto client = ctx().identity(client_identity_, "");
  if (!client.ok()) return client.status().WithContext(context("client_identity"));
  for (auto& [key, reg] : registry_) {
    if (reg.registered.empty()) continue;
    auto files = ctx().identity(reg.registered, "");
    if (!files.ok()) {
      return files.status().WithContext(context("client `" + key + "` registered identity"));
    }
    reg.registered_sha256 = files->sha256;
  }
  RETURN_IF_ERROR(SetUpRevocation(decl, *client));
  // The platform's onboarding anchors and CRL are those of the client hierarchy.
  ASSIGN_OR_RETURN(anchors_pem_, ReadFile(client->ca_file));
  if (!client->crl_file.empty()) {
    // Revocation is checked for the whole chain, so the CRLs of every authority the PKI
    // generated (they sit together) are loaded, not only the issuing CA's.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(client->crl_file).parent_path(), ec)) {
      std::string path = entry.path().string();
      if (path.size() < 8 || path.compare(path.size() - 8, 8, ".crl.pem") != 0) continue;
      ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
      crls_pem_ += pem;
      if (path != client->crl_file) more_crl_files_.push_back(path);
    }
    // The chains of the path-validation matrix (identities/ID/chains/NAME/) have
    // authorities of their own, each with an empty CRL beside the chain: a host that
    // requires a CRL for every certificate of a path needs them to judge those chains.
    std::filesystem::path chains =
        std::filesystem::path(client->chain_file).parent_path().parent_path() / "chains";
    for (const std::string& name : pki::KnownChains()) {
      std::filesystem::path crl = chains / name / "crl.pem";
      if (std::filesystem::exists(crl, ec)) more_crl_files_.push_back(crl.string());
    }
    std::sort(more_crl_files_.begin(), more_crl_files_.end());
  }
  server_chain_ = server->chain_file;
  server_key_ = server->key_file;
  server_ca_file_ = server->ca_file;
  client_ca_file_ = client->ca_file;
  client_crl_file_ = client->crl_file;
  return Status::Ok();
}

void ConnectPay::AddTwoHostSettings(std::vector<TargetSetting>& out) const {
  if (!two_host()) return;
  out.push_back({"token_path", token_path_, false, "the path of the token endpoint"});
  out.push_back({"certificates_path", certificates_path_, false,
                 "the path where a partner onboards its certificate bundle"});
  out.push_back({"callback_path", callback_paths_.empty() ? "" : callback_paths_.front(), false,
                 "a public callback path on the host that asks for no client certificate"});
  if (!clients_.empty()) {
    const Client& first = registry_.at(clients_.begin()->first);
    out.push_back({"identity", first.registered, false,
                   "the PKI identity (certs/pki.yaml) whose certificate that client registered"});
    if (!first.persons.empty()) {
      out.push_back({"person", first.persons.begin()->first, false,
                     "a person of that client, for person-scoped data"});
    }
  }
  // Proxy mode: each front's URL (known once it listens).
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const ProxyFront& front : fronts_) {
      auto it = front_urls_.find(front.name);
      if (it == front_urls_.end()) continue;
      out.push_back({front.name + "_url", it->second, false,
                     "a TLS-terminating proxy in front of your API that forwards the client "
                     "certificate in " +
                         front.header +
                         (front.append ? " (appending to the client's value)"
                                       : " (stripping the client's copies)")});
    }
  }
  // A second client, for the cross-client registered-certificate check.
  if (registry_.size() > 1) {
    auto it = std::next(registry_.begin());
    out.push_back({"other_identity", it->second.registered, false,
                   "the PKI identity registered by a second client"});
  }
}

std::optional<ServerTlsOptions> ConnectPay::ListenerTls() const {
  if (!two_host()) return std::nullopt;
  ServerTlsOptions o;
  o.cert_chain_file = server_chain_;
  o.key_file = server_key_;
  o.client_ca_file = client_ca_file_;
  if (!HasFault("skip_revocation")) {
    o.crl_file = client_crl_file_;
    o.more_crl_files = more_crl_files_;
  }
  o.require_client_cert = !HasFault("client_cert_optional");
  if (HasFault("broad_client_ca_list")) {
    for (int i = 1; i <= 40; ++i) {
      o.extra_client_ca_names.push_back("Unrelated Public Root CA " + std::to_string(i));
    }
  }
  o.allow_client_renegotiation = HasFault("client_renegotiation_allowed");
  o.eku = HasFault("lenient_eku") ? ClientEkuPolicy::kOpenSslDefault : ClientEkuPolicy::kStrict;
  o.verify_client_cert = !HasFault("accept_any_client_cert");
  o.check_client_cert_time = !HasFault("accept_expired_certs");
  // RFC 5280 path validation as tollgate's own verifier does it (pki::VerifyClientChain),
  // so each chain of the PKI's path-validation matrix gets the matrix's verdict.
  const bool lax = HasFault("lax_path_validation");
  o.strict_client_paths = !lax;
  o.client_verify_depth = lax ? -1 : pki::kMaxIntermediates;
  o.empty_initial_policy_set = HasFault("empty_initial_policy_set");
  // Digests and key sizes of the client chain (no MD5 or SHA-1, RSA of 2048 bits or more)
  // by OpenSSL's security level 2, whatever the system's default is.
  o.security_level = 2;
  return o;
}

std::optional<ServerTlsOptions> ConnectPay::OneWayTls() const {
  if (!two_host()) return std::nullopt;
  ServerTlsOptions o;
  o.cert_chain_file = server_chain_;
  o.key_file = server_key_;
  // The one-way host never asks (RFC 8705 §5: the mTLS endpoints are other aliases).
  o.request_client_cert = HasFault("one_way_asks_for_certificate");
  if (o.request_client_cert) o.client_ca_file = client_ca_file_;
  return o;
}

std::optional<Handled> ConnectPay::RefuseUnregistered(const ServerRequest& request) const {
  if (HasFault("skip_registered_check")) return std::nullopt;
  if (request.client_cert) {
    for (const auto& [key, reg] : registry_) {
      if (!reg.registered_sha256.empty() &&
          reg.registered_sha256 == request.client_cert->sha256_fingerprint) {
        return std::nullopt;
      }
    }
  }
  return Handled{ServerResponse::Json(401, R"({"error":"unregistered_certificate"})"),
                 request.client_cert ? "certificate " + request.client_cert->sha256_fingerprint +
                                           " is registered for no client"
                                     : "no client certificate"};
}

void ConnectPay::AddTwoWayRoutes(ServiceRouter& router) {
  // Every request of the two-way host must come with a registered certificate.
  auto guarded = [this](auto handler) {
    return [this, handler](const ServerRequest& sent) -> Handled {
      const ServerRequest& r =
          HasFault("trust_forwarded_cert_header") ? TrustForwardedCert(sent) : sent;
      if (auto refused = RefuseUnregistered(r)) return *refused;
      if (auto refused = RefuseRevoked(r)) return *refused;
      return handler(r);
    };
  };
  router.Add("POST", token_path_,
             guarded([this](const ServerRequest& r) { return HandleToken(r); }));
  for (const auto& [path, scope] : data_scopes_) {
    std::string s = scope;
    router.Add("*", path,
               guarded([this, s](const ServerRequest& r) { return HandleData(r, s, true); }));
  }
  router.Add("POST", certificates_path_,
             guarded([this](const ServerRequest& r) { return HandleCertificates(r); }));
  for (const std::string& p : basic_paths_) {
    router.Add("*", p, [this](const ServerRequest& r) {
      if (HasFault("generic_on_two_way")) return HandleBasic(r);
      return NotFound("generic API on the two-way host");
    });
  }
}

void ConnectPay::AddOneWayRoutes(ServiceRouter& router) {
  if (!two_host()) return;
  for (const std::string& p : basic_paths_) {
    router.Add("*", p, [this](const ServerRequest& r) { return HandleBasic(r); });
  }
  for (const std::string& p : callback_paths_) {
    router.Add("POST", p, [this](const ServerRequest& r) { return HandleCallback(r); });
  }
  // The certificate APIs are absent here; a broken target answers them anyway.
  auto absent = [this](std::function<Handled(const ServerRequest&)> api) {
    return [this, api](const ServerRequest& r) {
      if (HasFault("cert_api_on_one_way")) return api(r);
      // An application that believes a forwarded certificate takes the request for one
      // that came through the two-way host.
      if (HasFault("trust_forwarded_cert_header")) {
        ServerRequest trusted = TrustForwardedCert(r);
        if (trusted.client_cert) {
          if (auto refused = RefuseUnregistered(trusted)) return *refused;
          return api(trusted);
        }
      }
      return NotFound("certificate API on the one-way host");
    };
  };
  router.Add("POST", token_path_,
             absent([this](const ServerRequest& r) { return HandleToken(r); }));
  for (const auto& [path, scope] : data_scopes_) {
    std::string s = scope;
    router.Add("*", path,
               absent([this, s](const ServerRequest& r) { return HandleData(r, s, false); }));
  }
}

Handled ConnectPay::HandleCallback(const ServerRequest& request) const {
  // Public callbacks need no credentials: the sender is the bank's partner, not a client.
  if (HasFault("callbacks_need_credentials") && !request.headers.Has("Authorization")) {
    return {ServerResponse::Json(401, R"({"error":"unauthorized"})"),
            "callback without credentials"};
  }
  return {ServerResponse::Json(202, R"({"received":true})"),
          "callback of " + std::to_string(request.body.size()) + " bytes"};
}

}  // namespace tollgate::mocks
