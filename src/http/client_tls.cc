#include "http/client_tls.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "http/tls_context.h"
#include "tollgate/base/openssl.h"
#include "tollgate/base/tls_alerts.h"

namespace tollgate::http {
namespace {

// SSL_CTX ex_data slot holding the TlsCapture, for the verify callback (which only gets
// the X509_STORE_CTX).
int CaptureIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

std::vector<std::string> SubjectAltNames(X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) {
      const ASN1_IA5STRING* s = n->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(s->data), s->length));
    } else if (n->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = n->d.iPAddress;
      char buf[INET6_ADDRSTRLEN] = {0};
      int family = ip->length == 4 ? AF_INET : ip->length == 16 ? AF_INET6 : 0;
      if (family != 0 && inet_ntop(family, ip->data, buf, sizeof buf) != nullptr) {
        out.push_back(std::string("IP:") + buf);
      }
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

TlsCertificateInfo Describe(X509* cert, const Clock* clock) {
  PeerCertificate base = DescribeCertificate(cert);
  TlsCertificateInfo out;
  out.subject = std::move(base.subject);
  out.issuer = std::move(base.issuer);
  out.sha256 = std::move(base.sha256_fingerprint);
  out.not_before = IsoTime(X509_get0_notBefore(cert));
  out.not_after = IsoTime(X509_get0_notAfter(cert));
  std::time_t now =
      clock != nullptr ? std::chrono::system_clock::to_time_t(clock->Now()) : std::time(nullptr);
  ASN1_TIME* now_asn1 = ASN1_TIME_set(nullptr, now);
  int days = 0, secs = 0;
  if (now_asn1 != nullptr && ASN1_TIME_diff(&days, &secs, now_asn1, X509_get0_notAfter(cert))) {
    out.days_left = days;                           // whole days, truncated toward zero
    if (days == 0 && secs < 0) out.days_left = -1;  // expired less than a day ago
  }
  ASN1_TIME_free(now_asn1);
  out.sans = SubjectAltNames(cert);
  return out;
}

bool HostMatches(X509* leaf, const std::string& host) {
  if (host.empty()) return false;
  unsigned char addr[16];
  if (inet_pton(AF_INET, host.c_str(), addr) == 1 || inet_pton(AF_INET6, host.c_str(), addr) == 1) {
    return X509_check_ip_asc(leaf, host.c_str(), 0) == 1;
  }
  return X509_check_host(leaf, host.c_str(), host.size(), 0, nullptr) == 1;
}

void CaptureChain(STACK_OF(X509) * chain, TlsCapture* cap) {
  if (chain == nullptr || !cap->facts.server_chain.empty()) return;
  const Clock* clock = cap->options != nullptr ? cap->options->clock : nullptr;
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    cap->facts.server_chain.push_back(Describe(sk_X509_value(chain, i), clock));
  }
  if (sk_X509_num(chain) > 0)
    cap->facts.host_matched = HostMatches(sk_X509_value(chain, 0), cap->host);
}

TlsCapture* CaptureOf(SSL* ssl) {
  if (ssl == nullptr) return nullptr;
  return static_cast<TlsCapture*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), CaptureIndex()));
}

// Keeps OpenSSL's verdict; only records the chain as presented and the first error.
int OnVerify(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  TlsCapture* cap = CaptureOf(ssl);
  if (cap == nullptr) return preverify_ok;
  CaptureChain(X509_STORE_CTX_get0_untrusted(store), cap);
  if (!preverify_ok && cap->facts.verify_error == 0) {
    cap->facts.verify_error = X509_STORE_CTX_get_error(store);
    cap->facts.verify_error_text = X509_verify_cert_error_string(cap->facts.verify_error);
  }
  return preverify_ok;
}

// Alerts as records, in both directions: this sees TLS 1.3 alerts after decryption, and a
// client-certificate refusal that arrives after our Finished, which error text may not.
void OnMessage(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len,
               SSL* /*ssl*/, void* arg) {
  if (arg == nullptr || len < 1) return;
  auto* cap = static_cast<TlsCapture*>(arg);
  const auto* b = static_cast<const unsigned char*>(buf);
  if (content_type == SSL3_RT_HANDSHAKE && !write_p && b[0] == SSL3_MT_CERTIFICATE_REQUEST) {
    cap->facts.certificate_requested = true;
    return;
  }
  if (content_type != SSL3_RT_ALERT || len < 2) return;
  if (b[0] != SSL3_AL_FATAL) return;
  std::optional<TlsAlert>& slot = write_p ? cap->facts.alert_sent : cap->facts.alert_received;
  if (!slot) slot = TlsAlert{b[1], TlsAlertName(b[1]), true};
}

void OnInfo(const SSL* ssl, int where, int /*ret*/) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  CaptureEstablished(const_cast<SSL*>(ssl), CaptureOf(const_cast<SSL*>(ssl)));
}

bool IsLegacy(const std::string& v) { return v == "1.0" || v == "1.1"; }

CURLcode OnSslCtx(CURL* /*curl*/, void* ssl_ctx, void* user) {
  auto* cap = static_cast<TlsCapture*>(user);
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  const ClientTlsOptions& o = *cap->options;
  ERR_clear_error();
  int level = o.security_level;
  if (level < 0 && (IsLegacy(o.min_version) || IsLegacy(o.max_version))) level = 0;
  // Before the certificate is loaded: at level 1 and above OpenSSL refuses to load an
  // RSA-1024 or SHA-1 certificate at all ("ee key too small").
  if (level >= 0) SSL_CTX_set_security_level(ctx, level);
  if (!o.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, o.ciphers.c_str()) != 1) {
    cap->setup_error = "TLS ciphers '" + o.ciphers + "': " + OpenSslError();
    return CURLE_SSL_CIPHER;
  }
  if (!o.tls13_ciphers.empty() && SSL_CTX_set_ciphersuites(ctx, o.tls13_ciphers.c_str()) != 1) {
    cap->setup_error = "TLS tls13_ciphers '" + o.tls13_ciphers + "': " + OpenSslError();
    return CURLE_SSL_CIPHER;
  }
  if (!o.cert_file.empty()) {
    // The chain goes out exactly as the file has it: no completion from the trust store.
    SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
    if (SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1) {
      cap->setup_error = "TLS cert_file '" + o.cert_file + "': " + OpenSslError();
      return CURLE_SSL_CERTPROBLEM;
    }
    const std::string& key = o.key_file.empty() ? o.cert_file : o.key_file;
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      cap->setup_error = "TLS key_file '" + key + "': " + OpenSslError();
      return CURLE_SSL_CERTPROBLEM;
    }
    PeerCertificate mine = DescribeCertificate(SSL_CTX_get0_certificate(ctx));
    cap->facts.client_cert_subject = mine.subject;
    cap->facts.client_cert_sha256 = mine.sha256_fingerprint;
  }
  // Without peer verification libcurl loads no trust anchors, yet a suite that looks at a
  // broken certificate (`insecure: true`) still asks whether the chain is trusted: load
  // them here so OpenSSL's verdict (kept, not enforced) is against the given CA.
  if (!o.verify_peer && !o.ca_file.empty() &&
      SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr) != 1) {
    cap->setup_error = "TLS ca_file '" + o.ca_file + "': " + OpenSslError();
    return CURLE_SSL_CACERT_BADFILE;
  }
  SSL_CTX_set_ex_data(ctx, CaptureIndex(), cap);
  SSL_CTX_set_msg_callback(ctx, OnMessage);
  SSL_CTX_set_msg_callback_arg(ctx, cap);
  SSL_CTX_set_info_callback(ctx, OnInfo);
  SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), OnVerify);
  return CURLE_OK;
}

}  // namespace

void TlsCapture::Reset(const ClientTlsOptions* o, std::string url_host) {
  options = o;
  host = std::move(url_host);
  setup_error.clear();
  facts = ClientTlsFacts{};
}

void InstallClientTls(void* curl, TlsCapture* capture) {
  CURL* h = static_cast<CURL*>(curl);
  curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, OnSslCtx);
  curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, capture);
}

void CaptureEstablished(SSL* ssl, TlsCapture* cap) {
  if (ssl == nullptr || cap == nullptr) return;
  if (cap->facts.protocol.empty()) cap->facts.protocol = SSL_get_version(ssl);
  if (SSL_session_reused(ssl) == 1) cap->facts.session_resumed = true;
  if (cap->facts.cipher.empty()) {
    const char* name = SSL_get_cipher_name(ssl);
    if (name != nullptr) cap->facts.cipher = name;
  }
  CaptureChain(SSL_get_peer_cert_chain(ssl), cap);
}

std::string TlsSettingsKey(const ClientTlsOptions& o) {
  std::string key;
  for (const std::string* part : {&o.ca_file, &o.cert_file, &o.key_file, &o.min_version,
                                  &o.max_version, &o.ciphers, &o.tls13_ciphers}) {
    key += *part;
    key += '\x1f';
  }
  key += std::to_string(o.security_level);
  key += o.verify_peer ? "P" : "p";
  key += o.verify_host ? "H" : "h";
  // A session group gets handles of its own: their session caches hold only its sessions.
  key += '\x1f';
  key += o.session_group;
  return key;
}

void DecideRefusal(ClientTlsFacts& facts, bool verify_peer, int curl_code) {
  if (facts.alert_received && facts.alert_received->code != 0) {
    facts.refusal = TlsRefusal::kPeerAlert;
  } else if ((verify_peer && facts.verify_error != 0) ||
             curl_code == CURLE_PEER_FAILED_VERIFICATION) {
    facts.refusal = TlsRefusal::kWeRefusedServer;
  } else {
    facts.refusal = TlsRefusal::kOther;
  }
}

std::string DescribeTlsRefusal(const ClientTlsFacts& f) {
  switch (f.refusal) {
    case TlsRefusal::kPeerAlert:
      return "peer sent alert " + f.alert_received->name + " (" +
             std::to_string(f.alert_received->code) + ")";
    case TlsRefusal::kWeRefusedServer: {
      std::string reason = !f.verify_error_text.empty() ? f.verify_error_text
                           : f.host_matched == false    ? "host name mismatch"
                                                        : "verification failed";
      return "we refused the server's certificate: " + reason;
    }
    case TlsRefusal::kOther:
      if (f.alert_sent) {
        return "we sent alert " + f.alert_sent->name + " (" + std::to_string(f.alert_sent->code) +
               ")";
      }
      // Our side finished the handshake, so nothing but the server closing ended it.
      if (!f.protocol.empty()) return "connection closed after the handshake";
      return "";
    case TlsRefusal::kNone:
      return "";
  }
  return "";
}

}  // namespace tollgate::http
