// Kind `connectpay`, proxy mode: TLS-terminating fronts that forward the verified client
// certificate in a header, and the application behind each that believes only that header
// (see connectpay.h).

#include <algorithm>
#include <cctype>

#include "mocks/config.h"
#include "mocks/connectpay.h"
#include "tollgate/pki/pki.h"

namespace tollgate::mocks {
namespace {

// Fields that belong to one connection, not to the request a proxy forwards (RFC 9110
// §7.6.1), and those the forwarding client sets itself.
bool ProxyHopByHop(const std::string& name) {
  for (const char* h : {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
                        "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Expect"}) {
    if (EqualsIgnoreCase(name, h)) return true;
  }
  return false;
}

bool ProxyIsForwardedCertHeader(const std::string& name, const std::string& configured) {
  if (EqualsIgnoreCase(name, configured)) return true;
  for (const std::string& h : ForwardedCertHeaderNames()) {
    if (EqualsIgnoreCase(name, h)) return true;
  }
  return false;
}

// A header name is an RFC 9110 token.
bool ProxyIsHeaderName(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// A front's name becomes a listener and the setting NAME_url: lower-case letters, digits, _.
bool ProxyIsSettingName(const std::string& s) {
  if (s.empty() || !std::islower(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Most XFCC elements the application reads (one per proxy on the way).
constexpr std::size_t kProxyMaxXfccElements = 16;

Handled ProxyRefusal(int status, const std::string& error, const std::string& note) {
  return {ServerResponse::Json(status, R"({"error":")" + error + R"("})"), note};
}

}  // namespace

Status ConnectPay::SetUpProxies(const ServiceDecl& decl) {
  const nlohmann::json& proxies = GetObject(decl.config, "proxies");
  for (const auto& [name, config] : proxies.items()) {
    // The loader checked the keys' types and values; these rules span keys or name shapes.
    // (A copy: clang before 16 cannot capture a structured binding.)
    const std::string proxy = name;
    auto bad = [&decl, proxy](const std::string& what) {
      std::string where = decl.loc.ToString();
      return InvalidArgumentError((where.empty() ? "" : where + ": ") + "service `" + decl.name +
                                  "`: proxy `" + proxy + "`: " + what);
    };
    if (!ProxyIsSettingName(name)) {
      return bad(
          "invalid proxy name; expected lower-case letters, digits and `_`, starting with a "
          "letter (it is offered as the setting NAME_url)");
    }
    ProxyFront front;
    front.name = name;
    std::string convention = GetString(config, "convention", "");
    front.convention = FindForwardedCertConvention(convention);
    if (front.convention == nullptr) {
      std::string known;
      for (const ForwardedCertConvention& c : ForwardedCertConventions()) {
        known += (known.empty() ? "" : ", ") + c.name;
      }
      return bad("unknown convention `" + convention + "`; expected one of " + known);
    }
    front.header = GetString(config, "header", front.convention->header);
    if (!ProxyIsHeaderName(front.header)) {
      return bad("invalid header `" + front.header +
                 "`; expected a header name (letters, digits and !#$%&'*+-.^_`|~)");
    }
    std::string incoming = GetString(config, "incoming", "strip");
    front.append = incoming == "append";
    if (front.append && front.convention->encoding != CertEncoding::kXfcc) {
      return bad("`incoming: append` with convention `" + convention +
                 "`; expected convention `envoy` (only XFCC has elements to append to) or "
                 "`incoming: strip`");
    }
    fronts_.push_back(std::move(front));
  }
  return Status::Ok();
}

ServerTlsOptions ConnectPay::FrontTls() const {
  // The front verifies as the two-way host does when the application is healthy: the
  // application's faults are its own, not the proxy's.
  ServerTlsOptions o;
  o.cert_chain_file = server_chain_;
  o.key_file = server_key_;
  o.client_ca_file = client_ca_file_;
  o.crl_file = client_crl_file_;
  o.more_crl_files = more_crl_files_;
  o.request_client_cert = true;
  o.require_client_cert = false;  // a request without one reaches the application bare
  o.eku = ClientEkuPolicy::kStrict;
  o.strict_client_paths = true;
  o.client_verify_depth = pki::kMaxIntermediates;
  o.security_level = 2;
  return o;
}

std::vector<MockService::Listener> ConnectPay::ExtraListeners() {
  std::vector<Listener> out;
  if (!two_host() || fronts_.empty()) return out;
  if (!http_) {
    InitHttpClientLibrary();
    http_ = std::make_unique<HttpClient>();
  }
  for (const ProxyFront& front : fronts_) {
    // The application first: its front forwards to it.
    out.push_back({front.name + "_app", std::nullopt,
                   [this, &front](ServiceRouter& router) { AddProxiedAppRoutes(front, router); }});
    out.push_back({front.name, FrontTls(),
                   [this, &front](ServiceRouter& router) { AddFrontRoutes(front, router); }});
  }
  return out;
}

void ConnectPay::ListenerStarted(const std::string& listener, const std::string& url) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const ProxyFront& front : fronts_) {
    if (listener == front.name + "_app") app_urls_[front.name] = url;
    if (listener == front.name) front_urls_[front.name] = url;
  }
}

std::vector<std::pair<std::string, std::string>> ConnectPay::FrontHeaders(
    const ProxyFront& front, const ServerRequest& request) const {
  const bool keep_client_copies = HasFault("proxy_does_not_strip");
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> client_xfcc;
  for (const auto& [name, value] : request.headers.items()) {
    if (ProxyHopByHop(name)) continue;
    if (front.append && EqualsIgnoreCase(name, front.header)) {
      client_xfcc.push_back(value);
      continue;
    }
    if (!front.append && !keep_client_copies && ProxyIsForwardedCertHeader(name, front.header))
      continue;
    out.emplace_back(name, value);
  }
  // Only a certificate the handshake verified is forwarded (the server core refuses one
  // that does not verify).
  std::optional<ForwardedCertSource> cert;
  if (request.client_cert && !request.client_cert->pem.empty()) {
    cert = ForwardedCertSource{request.client_cert->pem, request.client_cert->subject};
  }
  if (front.append) {
    // Envoy APPEND_FORWARD: on an mTLS connection the client's XFCC value gets this proxy's
    // element appended; on any other the value is not forwarded at all.
    std::string value;
    if (cert || keep_client_copies) {
      for (const std::string& v : client_xfcc) value += (value.empty() ? "" : ",") + v;
    }
    if (cert) {
      value += (value.empty() ? "" : ",") + EncodeForwardedCert(CertEncoding::kXfcc, *cert);
    }
    if (!value.empty()) out.emplace_back(front.header, value);
    return out;
  }
  if (cert) {
    for (auto& [name, value] : ForwardedCertHeaders(*front.convention, *cert)) {
      out.emplace_back(name == front.convention->header ? front.header : name, value);
    }
  }
  return out;
}

std::variant<ServerRequest, Handled> ConnectPay::ProxiedRequest(
    const ProxyFront& front, const ServerRequest& request) const {
  const bool first = HasFault("app_reads_first_header");
  std::vector<std::string> values = request.headers.GetAll(front.header);
  std::string value;
  if (front.append) {
    std::string joined;
    for (const std::string& v : values) {
      if (v.size() > kProxyMaxXfccElements * kMaxForwardedCertBytes) {
        return ProxyRefusal(400, "invalid_request", front.header + " is too long");
      }
      joined += (joined.empty() ? "" : ",") + v;
    }
    std::vector<std::string> elements = SplitXfccElements(joined);
    if (elements.size() > kProxyMaxXfccElements) {
      return ProxyRefusal(400, "invalid_request",
                          std::to_string(elements.size()) + " " + front.header + " elements");
    }
    if (!elements.empty()) value = first ? elements.front() : elements.back();
  } else {
    if (values.size() > 1 && !first) {
      return ProxyRefusal(400, "invalid_request",
                          std::to_string(values.size()) + " " + front.header + " values");
    }
    if (!values.empty()) value = values.front();
  }
  if (value.empty()) {
    return ProxyRefusal(401, "no_client_certificate",
                        "no certificate forwarded in " + front.header);
  }
  std::optional<std::string> sha256 = ForwardedCertSha256(value);
  if (!sha256) return ProxyRefusal(400, "invalid_request", "unreadable " + front.header);
  ServerRequest proxied = request;
  proxied.client_cert = PeerCertificate{};
  proxied.client_cert->sha256_fingerprint = *sha256;
  return proxied;
}

void ConnectPay::AddProxiedAppRoutes(const ProxyFront& front, ServiceRouter& router) {
  // The token endpoint and the data APIs of the two-way host, for the certificate the
  // front forwarded.
  auto proxied = [this, &front](auto handler) {
    return [this, &front, handler](const ServerRequest& sent) -> Handled {
      std::variant<ServerRequest, Handled> r = ProxiedRequest(front, sent);
      if (auto* refused = std::get_if<Handled>(&r)) return *refused;
      const ServerRequest& request = std::get<ServerRequest>(r);
      if (auto refused = RefuseUnregistered(request)) return *refused;
      return handler(request);
    };
  };
  router.Add("POST", token_path_,
             proxied([this](const ServerRequest& r) { return HandleToken(r); }));
  for (const auto& [path, scope] : data_scopes_) {
    std::string s = scope;
    router.Add("*", path,
               proxied([this, s](const ServerRequest& r) { return HandleData(r, s, true); }));
  }
}

void ConnectPay::AddFrontRoutes(const ProxyFront& front, ServiceRouter& router) {
  router.AddPrefix("*", "/", [this, &front](const ServerRequest& request) -> Handled {
    std::string app;
    {
      std::lock_guard<std::mutex> lock(mu_);
      app = app_urls_[front.name];
    }
    ClientRequest forward;
    forward.method = request.method;
    forward.url = app + request.target;
    forward.headers = FrontHeaders(front, request);
    forward.body = request.body;
    forward.timeout = std::chrono::milliseconds(5'000);
    StatusOr<ClientResponse> answer = http_->Send(forward);
    if (!answer.ok() || answer->outcome != TransportOutcome::kOk) {
      return ProxyRefusal(502, "bad_gateway",
                          "the application did not answer: " +
                              (answer.ok() ? std::string(TransportOutcomeName(answer->outcome))
                                           : answer.status().message()));
    }
    ServerResponse response;
    response.status = answer->status;
    for (const auto& [name, value] : answer->headers.items()) {
      if (!ProxyHopByHop(name)) response.headers.Add(name, value);
    }
    response.body = std::move(answer->body);
    std::string sent = request.client_cert
                           ? "certificate " + request.client_cert->sha256_fingerprint
                           : "no certificate";
    return {std::move(response), "forwarded to the application (" + sent + ")"};
  });
}

}  // namespace tollgate::mocks
