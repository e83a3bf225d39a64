#include "http/tls_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "http/tls_context.h"
#include "tollgate/base/file.h"
#include "tollgate/base/openssl.h"
#include "tollgate/base/tls_alerts.h"

namespace tollgate::http {
namespace {

using Deadline = std::chrono::steady_clock::time_point;

int MsLeft(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Waits until `fd` is ready for `events` or the deadline passes; false on the deadline.
bool WaitFor(int fd, short events, Deadline deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    int rc = ::poll(&p, 1, MsLeft(deadline));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;  // let the next I/O call report the error
  }
}

class Socket {
 public:
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

  // Non-blocking connect to host:port, bounded by the deadline. "" on success.
  std::string Connect(const std::string& host, unsigned short port, Deadline deadline,
                      bool* timed_out) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
    if (rc != 0) return "cannot resolve " + host + ": " + ::gai_strerror(rc);
    std::string error = "no address for " + host;
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
      int fd =
          ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
        error = std::string("connect: ") + std::strerror(errno);
        ::close(fd);
        continue;
      }
      if (!WaitFor(fd, POLLOUT, deadline)) {
        *timed_out = true;
        error = "connect timed out";
        ::close(fd);
        break;
      }
      int so_error = 0;
      socklen_t len = sizeof so_error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      if (so_error != 0) {
        error = std::string("connect: ") + std::strerror(so_error);
        ::close(fd);
        continue;
      }
      fd_ = fd;
      error.clear();
      break;
    }
    ::freeaddrinfo(res);
    return error;
  }

 private:
  int fd_ = -1;
};

// Per-SSL ex_data slot holding the ProbeResult the callbacks write into.
int ResultIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

ProbeResult* ResultOf(SSL* ssl) {
  return static_cast<ProbeResult*>(SSL_get_ex_data(ssl, ResultIndex()));
}

void OnMessage(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len,
               SSL* ssl, void* /*arg*/) {
  ProbeResult* r = ResultOf(ssl);
  if (r == nullptr || len < 1) return;
  const auto* b = static_cast<const unsigned char*>(buf);
  if (content_type == SSL3_RT_HANDSHAKE && !write_p) {
    if (b[0] == SSL3_MT_SERVER_HELLO) r->server_hello = true;
    if (b[0] == SSL3_MT_CERTIFICATE_REQUEST) r->certificate_requested = true;
    return;
  }
  if (content_type != SSL3_RT_ALERT || len < 2) return;
  SeenAlert alert{b[0], b[1]};
  if (write_p) {
    if (b[0] == SSL3_AL_FATAL && !r->alert_sent) r->alert_sent = alert;
  } else if (!r->alert_received ||
             (r->alert_received->level != SSL3_AL_FATAL && b[0] == SSL3_AL_FATAL)) {
    if (b[1] != SSL_AD_CLOSE_NOTIFY) r->alert_received = alert;
  }
}

// Called when a CertificateRequest arrives, with or without an identity to send: the CA
// names are read here, while the handshake still holds them.
int OnCertificateRequest(SSL* ssl, void* /*arg*/) {
  ProbeResult* r = ResultOf(ssl);
  if (r == nullptr) return 1;
  r->certificate_requested = true;
  const STACK_OF(X509_NAME)* names = SSL_get0_peer_CA_list(ssl);
  if (names == nullptr) names = SSL_get_client_CA_list(ssl);
  r->ca_names.clear();
  for (int i = 0; names != nullptr && i < sk_X509_NAME_num(names); ++i) {
    r->ca_names.push_back(NameText(sk_X509_NAME_value(names, i)));
  }
  return 1;
}

// Records OpenSSL's verdict on the server chain but never aborts: the audit reports an
// untrusted chain as a finding and goes on asking its questions.
int OnVerify(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  ProbeResult* r = ssl != nullptr ? ResultOf(ssl) : nullptr;
  if (r != nullptr && !preverify_ok && r->verify_error == 0) {
    r->verify_error = X509_STORE_CTX_get_error(store);
    r->verify_error_text = X509_verify_cert_error_string(r->verify_error);
  }
  return 1;
}

// Drives a non-blocking OpenSSL call until it completes, fails or the deadline passes.
// Returns the call's last return value (> 0 success).
template <typename Op>
int Drive(SSL* ssl, int fd, Deadline deadline, bool* timed_out, Op op) {
  for (;;) {
    ERR_clear_error();
    int rc = op();
    if (rc > 0) return rc;
    int err = SSL_get_error(ssl, rc);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events == 0) return rc;
    if (!WaitFor(fd, events, deadline)) {
      *timed_out = true;
      return rc;
    }
  }
}

std::string DescribeFailure(const ProbeResult& r) {
  if (r.alert_received) {
    return "server sent alert " + TlsAlertName(r.alert_received->code) + " (" +
           std::to_string(r.alert_received->code) + ")";
  }
  if (r.alert_sent) {
    return "we sent alert " + TlsAlertName(r.alert_sent->code) + " (" +
           std::to_string(r.alert_sent->code) + ")";
  }
  if (r.timed_out) return "no answer in time";
  std::string err = OpenSslError();
  return err.empty() ? "connection closed" : err;
}

void CaptureChain(SSL* ssl, const Clock* clock, const std::string& host, ProbeResult& r) {
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  if (chain == nullptr || !r.chain.empty()) return;
  std::time_t now =
      clock != nullptr ? std::chrono::system_clock::to_time_t(clock->Now()) : std::time(nullptr);
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    PeerCertificate d = DescribeCertificate(cert);
    TlsChainEntry e{d.subject, d.issuer, d.sha256_fingerprint, IsoTime(X509_get0_notAfter(cert))};
    ASN1_TIME* now_asn1 = ASN1_TIME_set(nullptr, now);
    int days = 0, secs = 0;
    if (now_asn1 != nullptr &&
        ASN1_TIME_diff(&days, &secs, now_asn1, X509_get0_notAfter(cert)) == 1) {
      e.days_left = days == 0 && secs < 0 ? -1 : days;
    }
    ASN1_TIME_free(now_asn1);
    r.chain.push_back(std::move(e));
  }
  if (sk_X509_num(chain) > 0) {
    X509* leaf = sk_X509_value(chain, 0);
    unsigned char addr[16];
    bool ip =
        inet_pton(AF_INET, host.c_str(), addr) == 1 || inet_pton(AF_INET6, host.c_str(), addr) == 1;
    r.host_matched = ip ? X509_check_ip_asc(leaf, host.c_str(), 0) == 1
                        : X509_check_host(leaf, host.c_str(), host.size(), 0, nullptr) == 1;
  }
}

// Sends GET / and reads the answer until the server closes, 16 KiB or the deadline. The
// status is 0 when no HTTP answer came (an alert, a close).
void Request(SSL* ssl, int fd, const std::string& host, Deadline deadline, ProbeResult& r) {
  std::string req = "GET / HTTP/1.1\r\nHost: " + host +
                    "\r\nUser-Agent: tollgate-tls-audit\r\nConnection: close\r\n\r\n";
  int rc = Drive(ssl, fd, deadline, &r.timed_out,
                 [&] { return SSL_write(ssl, req.data(), static_cast<int>(req.size())); });
  if (rc <= 0) return;
  char buf[4096];
  while (r.http_head.size() < 16384) {
    rc = Drive(ssl, fd, deadline, &r.timed_out, [&] { return SSL_read(ssl, buf, sizeof buf); });
    if (rc <= 0) break;
    r.http_head.append(buf, static_cast<std::size_t>(rc));
  }
  if (r.http_head.rfind("HTTP/1.", 0) == 0 && r.http_head.size() >= 12) {
    r.http_status = std::atoi(r.http_head.substr(9, 3).c_str());
  }
}

void Renegotiate(SSL* ssl, int fd, Deadline deadline, ProbeResult& r) {
  if (SSL_renegotiate(ssl) != 1) {
    r.renegotiated = false;
    r.renegotiation_detail = "our library refused to start it: " + OpenSslError();
    return;
  }
  r.alert_received.reset();
  bool timed_out = false;
  int rc = Drive(ssl, fd, deadline, &timed_out, [&] { return SSL_do_handshake(ssl); });
  if (rc > 0) {
    // The handshake call returns once our ClientHello is out; a read makes the server's
    // answer (a new handshake, or a no_renegotiation alert) arrive.
    char byte;
    std::string req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    Drive(ssl, fd, deadline, &timed_out,
          [&] { return SSL_write(ssl, req.data(), static_cast<int>(req.size())); });
    rc = Drive(ssl, fd, deadline, &timed_out, [&] { return SSL_peek(ssl, &byte, 1); });
  }
  bool done = SSL_renegotiate_pending(ssl) == 0 && rc > 0 && !r.alert_received;
  r.renegotiated = done;
  if (done) {
    r.renegotiation_detail = "the server completed a renegotiation the client started";
  } else if (r.alert_received) {
    r.renegotiation_detail = "refused: server sent " + TlsAlertName(r.alert_received->code) + " (" +
                             std::to_string(r.alert_received->code) + ")";
  } else if (timed_out) {
    r.renegotiation_detail = "refused: no answer to the renegotiation in time";
  } else {
    r.renegotiation_detail = "refused: the connection failed or closed";
  }
}

}  // namespace

std::string ProtocolName(int version) {
  switch (version) {
    case TLS1_VERSION:
      return "TLSv1";
    case TLS1_1_VERSION:
      return "TLSv1.1";
    case TLS1_2_VERSION:
      return "TLSv1.2";
    case TLS1_3_VERSION:
      return "TLSv1.3";
  }
  return "?";
}

TlsProber::TlsProber(const TlsAuditOptions& options) : options_(options) {
  server_name_ = options.server_name.empty() ? options.host : options.server_name;
}

TlsProber::~TlsProber() { SSL_CTX_free(ctx_); }

StatusOr<std::unique_ptr<TlsProber>> TlsProber::Create(const TlsAuditOptions& options) {
  std::unique_ptr<TlsProber> p(new TlsProber(options));
  ERR_clear_error();
  p->ctx_ = SSL_CTX_new(TLS_client_method());
  if (p->ctx_ == nullptr) return InternalError("SSL_CTX_new: " + OpenSslError());
  SSL_CTX* c = p->ctx_;
  if (!options.ca_file.empty()) {
    if (!IsReadable(options.ca_file)) {
      return InvalidArgumentError("CA file '" + options.ca_file + "' cannot be read");
    }
    if (SSL_CTX_load_verify_locations(c, options.ca_file.c_str(), nullptr) != 1) {
      return InvalidArgumentError("CA file '" + options.ca_file + "': " + OpenSslError());
    }
  } else {
    SSL_CTX_set_default_verify_paths(c);
  }
  if (!options.cert_file.empty()) {
    const std::string& key = options.key_file.empty() ? options.cert_file : options.key_file;
    if (!IsReadable(options.cert_file)) {
      return InvalidArgumentError("certificate file '" + options.cert_file + "' cannot be read");
    }
    if (!IsReadable(key)) return InvalidArgumentError("key file '" + key + "' cannot be read");
    // Checked once here on a scratch SSL, at security level 0 so that a deliberately weak
    // identity loads; each probe loads the files on its own SSL.
    SSL_CTX_set_security_level(c, 0);
    SSL* scratch = SSL_new(c);
    bool ok = scratch != nullptr &&
              SSL_use_certificate_chain_file(scratch, options.cert_file.c_str()) == 1;
    std::string cert_error = ok ? "" : OpenSslError();
    bool key_ok = ok && SSL_use_PrivateKey_file(scratch, key.c_str(), SSL_FILETYPE_PEM) == 1 &&
                  SSL_check_private_key(scratch) == 1;
    std::string key_error = key_ok ? "" : OpenSslError();
    SSL_free(scratch);
    if (!ok) {
      return InvalidArgumentError("certificate file '" + options.cert_file + "': " + cert_error);
    }
    if (!key_ok) {
      return InvalidArgumentError("key file '" + key + "' does not load or match '" +
                                  options.cert_file + "': " + key_error);
    }
  }
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, OnVerify);
  SSL_CTX_set_msg_callback(c, OnMessage);
  SSL_CTX_set_cert_cb(c, OnCertificateRequest, nullptr);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  ERR_clear_error();
  return p;
}

ProbeResult TlsProber::Run(const ProbeSpec& spec) {
  ProbeResult r;
  ++handshakes_;
  Deadline deadline = std::chrono::steady_clock::now() + options_.timeout;
  Socket sock;
  r.error = sock.Connect(options_.host, options_.port, deadline, &r.timed_out);
  if (!r.error.empty()) return r;
  r.connected = true;

  std::unique_ptr<SSL, decltype(&SSL_free)> holder(SSL_new(ctx_), &SSL_free);
  SSL* ssl = holder.get();
  if (ssl == nullptr) {
    r.error = "SSL_new: " + OpenSslError();
    return r;
  }
  SSL_set_ex_data(ssl, ResultIndex(), &r);
  // Level 0: the audit must be able to offer what a server should refuse.
  SSL_set_security_level(ssl, 0);
  SSL_set_min_proto_version(ssl, spec.min_version);
  SSL_set_max_proto_version(ssl, spec.max_version);
  if (!spec.ciphers.empty() && SSL_set_cipher_list(ssl, spec.ciphers.c_str()) != 1) {
    r.error = "cipher list '" + spec.ciphers + "': " + OpenSslError();
    return r;
  }
  if (!spec.tls13_ciphers.empty() && SSL_set_ciphersuites(ssl, spec.tls13_ciphers.c_str()) != 1) {
    r.error = "TLS 1.3 suites '" + spec.tls13_ciphers + "': " + OpenSslError();
    return r;
  }
  if (spec.present_identity && has_identity()) {
    const std::string& key = options_.key_file.empty() ? options_.cert_file : options_.key_file;
    if (SSL_use_certificate_chain_file(ssl, options_.cert_file.c_str()) != 1 ||
        SSL_use_PrivateKey_file(ssl, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      r.error = "identity: " + OpenSslError();
      return r;
    }
  }
  unsigned char ip[16];
  bool is_ip = inet_pton(AF_INET, server_name_.c_str(), ip) == 1 ||
               inet_pton(AF_INET6, server_name_.c_str(), ip) == 1;
  if (!is_ip) SSL_set_tlsext_host_name(ssl, server_name_.c_str());
  if (spec.resume != nullptr) SSL_set_session(ssl, spec.resume);
  SSL_set_fd(ssl, sock.fd());
  SSL_set_connect_state(ssl);

  int rc = Drive(ssl, sock.fd(), deadline, &r.timed_out, [&] { return SSL_connect(ssl); });
  CaptureChain(ssl, options_.clock, server_name_, r);
  if (rc <= 0) {
    r.error = DescribeFailure(r);
    return r;
  }
  r.handshake_ok = true;
  r.protocol = SSL_get_version(ssl);
  if (const char* name = SSL_get_cipher_name(ssl)) r.cipher = name;
  r.reused = SSL_session_reused(ssl) == 1;
  r.secure_renegotiation = SSL_get_secure_renegotiation_support(ssl) == 1;
  if (spec.renegotiate) {
    Renegotiate(ssl, sock.fd(), deadline, r);
  } else if (spec.send_request || spec.keep_session) {
    Request(ssl, sock.fd(), server_name_, deadline, r);
  }
  if (spec.keep_session) r.session.reset(SSL_get1_session(ssl));
  // A quiet close: the answer (or the alert) is in, nothing else is waited for.
  SSL_set_quiet_shutdown(ssl, 1);
  SSL_shutdown(ssl);
  return r;
}

}  // namespace tollgate::http
