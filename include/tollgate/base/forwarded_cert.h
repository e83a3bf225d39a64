#pragma once
// Forwarded client certificates: the headers TLS-terminating proxies use to hand the
// client's certificate to the application behind them, each with its value encoding. One
// table serves the `forwarded_cert:` request option (which forges them) and the reference
// target (whose `trust_forwarded_cert_header` fault believes them).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate {

/// How a header carries the certificate.
enum class CertEncoding {
  kPem,        // `pem`: the PEM text with its line breaks as spaces (a header is one line)
  kUrlPem,     // `url_pem`: the PEM percent-encoded (nginx $ssl_client_escaped_cert)
  kDerBase64,  // `der_b64`: base64 of the DER on one line (HAProxy, Traefik)
  kXfcc,       // `xfcc`: Envoy's Hash=<sha256>;Cert="<url-encoded PEM>";Subject="..."
  kSfBinary,   // `sf_binary`: an RFC 8941 byte sequence, :base64(DER): (RFC 9440)
};

/// A proxy convention: the header with the certificate and its companions.
struct ForwardedCertConvention {
  std::string name;    // `envoy`, `nginx`, ...
  std::string header;  // the certificate's header
  CertEncoding encoding;
  std::string summary;  // the proxy and its setting, one line
};

/// Every convention, in a fixed order.
const std::vector<ForwardedCertConvention>& ForwardedCertConventions();
/// The convention called `name`, or nullptr.
const ForwardedCertConvention* FindForwardedCertConvention(std::string_view name);
/// Every header name a convention sets (certificate headers and companions), each once:
/// what a proxy that strips client copies removes.
const std::vector<std::string>& ForwardedCertHeaderNames();
/// The elements of an XFCC value (Envoy: one per proxy, comma-separated, the closest
/// proxy's last), split at commas outside double quotes; empty elements dropped.
std::vector<std::string> SplitXfccElements(std::string_view value);
/// The encodings' names (`pem`, `url_pem`, `der_b64`, `xfcc`, `sf_binary`).
std::vector<std::string> CertEncodingNames();
/// The encoding called `name`.
std::optional<CertEncoding> CertEncodingByName(std::string_view name);

/// The certificate facts a forged header is made from.
struct ForwardedCertSource {
  std::string chain_pem;  // leaf first, then intermediates
  std::string subject;    // RFC 2253, of the leaf
};

/// The header fields a proxy of `convention` would add for `cert`: the certificate's own
/// header, then the companions the convention defines (X-SSL-Client-Verify/-DN/-CN/-NotAfter,
/// X-Forwarded-Tls-Client-Cert-Info, Client-Cert-Chain). Empty when the chain holds no
/// certificate. X-SSL-Client-NotAfter carries the leaf's notAfter as nginx's
/// `$ssl_client_v_end` prints it (ForwardedCertNotAfter), for both X-SSL-Client-* conventions.
std::vector<std::pair<std::string, std::string>> ForwardedCertHeaders(
    const ForwardedCertConvention& convention, const ForwardedCertSource& cert);
/// The leaf's notAfter in nginx's `$ssl_client_v_end` format (OpenSSL's ASN1_TIME_print,
/// `%b %e %H:%M:%S %Y GMT`: "Dec  7 10:00:00 2027 GMT", the day padded with a space);
/// nullopt when the chain holds no readable certificate.
std::optional<std::string> ForwardedCertNotAfter(std::string_view chain_pem);
/// The value of a certificate header in `encoding` (the leaf only).
std::string EncodeForwardedCert(CertEncoding encoding, const ForwardedCertSource& cert);

/// Most bytes a forwarded certificate value is decoded from (nginx's default header
/// buffer); longer values are refused unread, so a hostile header costs bounded work.
inline constexpr std::size_t kMaxForwardedCertBytes = 8 * 1024;
/// The length of the `oversize` value the `forwarded_cert:` option sends: over
/// kMaxForwardedCertBytes, under the server core's default header limit (16 KiB).
inline constexpr std::size_t kOversizeForwardedCertBytes = 12 * 1024;

/// The lower-case hex SHA-256 of the leaf a header value carries, in any of the encodings;
/// nullopt when the value is over kMaxForwardedCertBytes or holds no certificate. Strict:
/// text around a certificate makes the value malformed.
std::optional<std::string> ForwardedCertSha256(std::string_view value);

}  // namespace tollgate
