#include "http/tls_context.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "tollgate/base/encoding.h"
#include "tollgate/base/file.h"
#include "tollgate/base/openssl.h"

namespace tollgate::http {
namespace {

Status FileError(const char* what, const std::string& path, const std::string& detail) {
  return InvalidArgumentError(std::string("TLS ") + what + " '" + path + "': " + detail);
}

// Strict client EKU: OpenSSL's purpose check passes a leaf with no EKU or with CA:TRUE;
// partner policy may not. Refusing here, inside verification, makes the
// client receive an unsupported_certificate alert like any other purpose failure.
int StrictEkuVerify(int preverify_ok, X509_STORE_CTX* store) {
  if (!preverify_ok || X509_STORE_CTX_get_error_depth(store) != 0) return preverify_ok;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (leaf == nullptr) return preverify_ok;
  bool has_client_auth = (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) != 0 &&
                         (X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT) != 0;
  if (!has_client_auth || X509_check_ca(leaf) != 0) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_INVALID_PURPOSE);
    return 0;
  }
  return preverify_ok;
}

}  // namespace

int ParseTlsVersion(const std::string& text) {
  if (text == "1.0") return TLS1_VERSION;
  if (text == "1.1") return TLS1_1_VERSION;
  if (text == "1.2") return TLS1_2_VERSION;
  if (text == "1.3") return TLS1_3_VERSION;
  return 0;
}

StatusOr<SslCtxPtr> MakeServerSslContext(const ServerTlsOptions& options) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return InternalError("SSL_CTX_new: " + OpenSslError());
  SSL_CTX* c = ctx.get();

  const std::string version = options.min_version.empty() ? "1.2" : options.min_version;
  int min_version = ParseTlsVersion(version);
  if (min_version == 0) {
    return InvalidArgumentError("TLS min_version '" + version + "': expected 1.0, 1.1, 1.2 or 1.3");
  }
  int max_version = 0;  // 0: the highest supported
  if (!options.max_version.empty()) {
    max_version = ParseTlsVersion(options.max_version);
    if (max_version == 0) {
      return InvalidArgumentError("TLS max_version '" + options.max_version +
                                  "': expected 1.0, 1.1, 1.2 or 1.3");
    }
    if (max_version < min_version) {
      return InvalidArgumentError("TLS max_version '" + options.max_version +
                                  "' is below min_version '" + version + "'");
    }
  }
  if (options.security_level >= 0) {
    SSL_CTX_set_security_level(c, options.security_level);
  } else if (min_version < TLS1_2_VERSION) {
    // OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 signatures) at security level 1 and above; a
    // mock that must speak them on purpose drops to level 0.
    SSL_CTX_set_security_level(c, 0);
  }
  SSL_CTX_set_min_proto_version(c, min_version);
  SSL_CTX_set_max_proto_version(c, max_version);
  if (!options.ciphers.empty() && SSL_CTX_set_cipher_list(c, options.ciphers.c_str()) != 1) {
    return InvalidArgumentError("TLS ciphers '" + options.ciphers + "': " + OpenSslError());
  }
  if (!options.tls13_ciphers.empty() &&
      SSL_CTX_set_ciphersuites(c, options.tls13_ciphers.c_str()) != 1) {
    return InvalidArgumentError("TLS tls13_ciphers '" + options.tls13_ciphers +
                                "': " + OpenSslError());
  }
  SSL_CTX_set_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE);
  // OpenSSL 3 refuses client-initiated renegotiation unless told otherwise.
  SSL_CTX_set_options(c, options.allow_client_renegotiation ? SSL_OP_ALLOW_CLIENT_RENEGOTIATION
                                                            : SSL_OP_NO_RENEGOTIATION);

  if (options.cert_chain_file.empty() || !IsReadable(options.cert_chain_file)) {
    return FileError("certificate chain", options.cert_chain_file, "cannot be read");
  }
  if (SSL_CTX_use_certificate_chain_file(c, options.cert_chain_file.c_str()) != 1) {
    return FileError("certificate chain", options.cert_chain_file, OpenSslError());
  }
  if (options.key_file.empty() || !IsReadable(options.key_file)) {
    return FileError("key", options.key_file, "cannot be read");
  }
  if (SSL_CTX_use_PrivateKey_file(c, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return FileError("key", options.key_file, OpenSslError());
  }
  if (SSL_CTX_check_private_key(c) != 1) {
    return FileError("key", options.key_file,
                     "does not match the certificate in '" + options.cert_chain_file + "'");
  }

  if (!options.client_ca_file.empty() && options.request_client_cert) {
    const std::string& ca = options.client_ca_file;
    if (!IsReadable(ca)) return FileError("client CA", ca, "cannot be read");
    if (SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr) != 1) {
      return FileError("client CA", ca, OpenSslError());
    }
    // The CA names go into CertificateRequest so clients with several identities pick the
    // right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str());
    for (const std::string& cn : options.extra_client_ca_names) {
      if (names == nullptr) names = sk_X509_NAME_new_null();
      X509_NAME* name = X509_NAME_new();
      if (name == nullptr || names == nullptr ||
          X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                     0) != 1 ||
          sk_X509_NAME_push(names, name) == 0) {
        X509_NAME_free(name);
        if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
        return InvalidArgumentError("TLS extra client CA name `" + cn + "`: " + OpenSslError());
      }
    }
    if (names != nullptr) SSL_CTX_set_client_CA_list(c, names);
    if (!options.crl_file.empty()) {
      const std::string& crl = options.crl_file;
      if (!IsReadable(crl)) return FileError("CRL", crl, "cannot be read");
      X509_STORE* store = SSL_CTX_get_cert_store(c);
      X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
      if (lookup == nullptr || X509_load_crl_file(lookup, crl.c_str(), X509_FILETYPE_PEM) <= 0) {
        return FileError("CRL", crl, OpenSslError());
      }
      for (const std::string& more : options.more_crl_files) {
        if (!IsReadable(more)) return FileError("CRL", more, "cannot be read");
        if (X509_load_crl_file(lookup, more.c_str(), X509_FILETYPE_PEM) <= 0) {
          return FileError("CRL", more, OpenSslError());
        }
      }
      X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    if (!options.check_client_cert_time) {
      X509_STORE_set_flags(SSL_CTX_get_cert_store(c), X509_V_FLAG_NO_CHECK_TIME);
    }
    if (options.strict_client_paths) {
      X509_STORE* store = SSL_CTX_get_cert_store(c);
      X509_STORE_set_flags(
          store, X509_V_FLAG_X509_STRICT | X509_V_FLAG_POLICY_CHECK | X509_V_FLAG_PARTIAL_CHAIN);
      // RFC 5280 §6.1.1(c): the user-initial-policy-set is any-policy. OpenSSL starts from
      // an empty set, which fails every chain that requires an explicit policy.
      if (!options.empty_initial_policy_set) {
        X509_VERIFY_PARAM_add0_policy(X509_STORE_get0_param(store), OBJ_nid2obj(NID_any_policy));
      }
    }
    if (options.client_verify_depth >= 0) {
      SSL_CTX_set_verify_depth(c, options.client_verify_depth);
    }
    SSL_CTX_set_purpose(c, X509_PURPOSE_SSL_CLIENT);
    int mode = SSL_VERIFY_PEER;
    if (options.require_client_cert) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    if (!options.verify_client_cert) {
      SSL_CTX_set_verify(c, mode, [](int, X509_STORE_CTX*) { return 1; });
    } else {
      SSL_CTX_set_verify(c, mode,
                         options.eku == ClientEkuPolicy::kStrict ? StrictEkuVerify : nullptr);
    }
    // Without a session id context, resuming a session that carried a client certificate
    // fails the handshake.
    static const unsigned char kSessionContext[] = "tollgate";
    SSL_CTX_set_session_id_context(c, kSessionContext, sizeof kSessionContext - 1);
  } else if (options.require_client_cert && options.request_client_cert) {
    return InvalidArgumentError("TLS require_client_cert needs a client_ca_file");
  } else if (!options.crl_file.empty() && options.request_client_cert) {
    return InvalidArgumentError("TLS crl_file needs a client_ca_file");
  }
  ERR_clear_error();
  return ctx;
}

std::string NameText(const X509_NAME* name) {
  if (name == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "";
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

std::string IsoTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

PeerCertificate DescribeCertificate(X509* cert) {
  PeerCertificate out;
  if (cert == nullptr) return out;
  out.subject = NameText(X509_get_subject_name(cert));
  out.issuer = NameText(X509_get_issuer_name(cert));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) == 1) {
    out.sha256_fingerprint = HexEncode(std::string_view(reinterpret_cast<const char*>(md), md_len));
  }
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio != nullptr) {
    if (PEM_write_bio_X509(bio, cert) == 1) {
      char* data = nullptr;
      long len = BIO_get_mem_data(bio, &data);
      out.pem.assign(data, static_cast<std::size_t>(len));
    }
    BIO_free(bio);
  }
  return out;
}

std::optional<PeerCertificate> PeerCertificateOf(SSL* ssl) {
  if (ssl == nullptr) return std::nullopt;
  X509* cert = SSL_get1_peer_certificate(ssl);  // owned: freed below
  if (cert == nullptr) return std::nullopt;
  PeerCertificate out = DescribeCertificate(cert);
  X509_free(cert);
  return out;
}

}  // namespace tollgate::http
