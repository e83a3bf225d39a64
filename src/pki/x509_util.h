#pragma once
// OpenSSL owners and the small certificate helpers the pki module shares. Private.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tollgate/base/openssl.h"
#include "tollgate/base/status.h"

namespace tollgate::pki {

using ::tollgate::BioPtr;
using ::tollgate::OsslFree;
using X509Ptr = std::unique_ptr<X509, OsslFree<X509, X509_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, OsslFree<X509_CRL, X509_CRL_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslFree<EVP_PKEY, EVP_PKEY_free>>;
using StorePtr = std::unique_ptr<X509_STORE, OsslFree<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslFree<X509_STORE_CTX, X509_STORE_CTX_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, OsslFree<X509_EXTENSION, X509_EXTENSION_free>>;

using ::tollgate::OpenSslError;

/// A new key: rsa2048, rsa1024, ec-p256 or ec-p384.
StatusOr<PkeyPtr> GenerateKey(const std::string& type);

/// RFC 2253 text of a name; "" for null.
std::string NameText(const X509_NAME* name);
/// The subject of `cert` as NameText writes it.
std::string SubjectText(const X509* cert);
/// Parses "CN=a,O=b" (no escapes) into a name.
StatusOr<std::unique_ptr<X509_NAME, OsslFree<X509_NAME, X509_NAME_free>>> ParseName(
    const std::string& text);

/// PEM of a certificate, a CRL, a private key (PKCS#8).
std::string CertPem(X509* cert);
std::string CrlPem(X509_CRL* crl);
std::string KeyPem(EVP_PKEY* key);
/// DER of a certificate.
std::string CertDer(X509* cert);
/// Every certificate in PEM text (stops at the first block that is not one).
std::vector<X509Ptr> ReadCerts(std::string_view pem);
/// Every CRL in PEM text.
std::vector<CrlPtr> ReadCrls(std::string_view pem);

/// Lower-case hex SHA-256 of the certificate's DER.
std::string CertSha256(X509* cert);

/// Writes a file with `mode` (created exclusively).
Status WriteFileMode(const std::string& path, std::string_view bytes, unsigned mode);

}  // namespace tollgate::pki
