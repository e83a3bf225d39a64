#pragma once
// Server-side TLS material with plain OpenSSL (no Asio here, so this stays cheap to
// compile): the SSL_CTX a listener hands to its sessions, and the facts about a client
// certificate that handlers and journals see.

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

#include "tollgate/base/status.h"
#include "tollgate/http/message.h"
#include "tollgate/http/server.h"

namespace tollgate::http {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

/// Builds a server SSL_CTX from PEM files: certificate chain, key, minimum version and
/// the client-certificate policy. InvalidArgument naming the file or value on failure.
StatusOr<SslCtxPtr> MakeServerSslContext(const ServerTlsOptions& options);

/// Parses "1.0".."1.3" into an OpenSSL protocol version; 0 when unknown.
int ParseTlsVersion(const std::string& text);

/// Subject and issuer (RFC 2253), SHA-256 fingerprint (lower-case hex) and PEM of `cert`
/// (borrowed for the call).
PeerCertificate DescribeCertificate(X509* cert);

/// The client certificate of an established connection, if one was presented.
std::optional<PeerCertificate> PeerCertificateOf(SSL* ssl);

/// An X.509 name as RFC 2253 text ("CN=partner,O=tollgate"); "" for none.
std::string NameText(const X509_NAME* name);
/// An ASN.1 time as ISO 8601 UTC ("2026-12-07T05:00:00Z"); "" when unreadable.
std::string IsoTime(const ASN1_TIME* t);

}  // namespace tollgate::http
