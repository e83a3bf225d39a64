#include "tollgate/base/forwarded_cert.h"

#include <algorithm>
#include <cctype>

#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"

namespace tollgate {
namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

// The DER of each certificate of a PEM text, in order.
std::vector<std::string> PemCertificates(std::string_view pem) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
    std::size_t body = pos + kBegin.size();
    std::size_t end = pem.find(kEnd, body);
    if (end == std::string_view::npos) break;
    std::string b64;
    for (char c : pem.substr(body, end - body)) {
      if (!std::isspace(static_cast<unsigned char>(c))) b64 += c;
    }
    if (auto der = Base64Decode(b64)) out.push_back(std::move(*der));
    pos = end + kEnd.size();
  }
  return out;
}

std::string Pem(const std::string& der) {
  std::string b64 = Base64Encode(der), out = std::string(kBegin) + "\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + std::string(kEnd) + "\n";
}

// The value of the RFC 2253 attribute `name` (`CN`) of a subject, or "".
std::string Attribute(const std::string& subject, const std::string& name) {
  std::size_t pos = 0;
  while (pos < subject.size()) {
    std::size_t end = subject.find(',', pos);
    if (end == std::string::npos) end = subject.size();
    std::string part = subject.substr(pos, end - pos);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

// A DER certificate is one SEQUENCE with a long-form length that spans exactly the bytes
// (a truncated or padded value is not one).
bool LooksLikeCertificate(const std::string& der) {
  if (der.size() < 64 || static_cast<unsigned char>(der[0]) != 0x30) return false;
  unsigned first = static_cast<unsigned char>(der[1]);
  if (first < 0x81 || first > 0x83) return false;
  std::size_t n = first & 0x7f, length = 0;
  for (std::size_t i = 0; i < n; ++i)
    length = (length << 8) | static_cast<unsigned char>(der[2 + i]);
  return 2 + n + length == der.size();
}

// One DER element at `pos`: its tag, and where its contents start and end. nullopt when
// the bytes are not one element (indefinite or over-long lengths included).
struct Tlv {
  unsigned char tag;
  std::size_t start, end;
};
std::optional<Tlv> ReadTlv(const std::string& der, std::size_t pos, std::size_t limit) {
  if (pos + 2 > limit) return std::nullopt;
  unsigned char tag = static_cast<unsigned char>(der[pos]);
  unsigned first = static_cast<unsigned char>(der[pos + 1]);
  std::size_t length = first, start = pos + 2;
  if (first & 0x80) {
    std::size_t n = first & 0x7f;
    if (n == 0 || n > 3 || start + n > limit) return std::nullopt;
    length = 0;
    for (std::size_t i = 0; i < n; ++i)
      length = (length << 8) | static_cast<unsigned char>(der[start + i]);
    start += n;
  }
  if (start + length > limit) return std::nullopt;
  return Tlv{tag, start, start + length};
}

// The notAfter of a DER certificate as "YYYYMMDDHHMMSS" (UTCTime years 50..99 are 19xx),
// or nullopt.
std::optional<std::string> NotAfterDigits(const std::string& der) {
  auto cert = ReadTlv(der, 0, der.size());
  if (!cert || cert->tag != 0x30) return std::nullopt;
  auto tbs = ReadTlv(der, cert->start, cert->end);
  if (!tbs || tbs->tag != 0x30) return std::nullopt;
  std::size_t pos = tbs->start;
  auto next = [&]() -> std::optional<Tlv> {
    auto t = ReadTlv(der, pos, tbs->end);
    if (t) pos = t->end;
    return t;
  };
  auto field = next();
  if (field && field->tag == 0xa0) field = next();  // [0] version, then the serial
  if (!field || field->tag != 0x02) return std::nullopt;
  for (int i = 0; i < 2; ++i) {  // signature algorithm, issuer
    if (!next()) return std::nullopt;
  }
  auto validity = next();
  if (!validity || validity->tag != 0x30) return std::nullopt;
  pos = validity->start;
  auto not_before = ReadTlv(der, pos, validity->end);
  if (!not_before) return std::nullopt;
  auto not_after = ReadTlv(der, not_before->end, validity->end);
  if (!not_after) return std::nullopt;
  std::string text = der.substr(not_after->start, not_after->end - not_after->start);
  if (text.empty() || text.back() != 'Z') return std::nullopt;
  text.pop_back();
  if (not_after->tag == 0x17 && text.size() == 12) {  // UTCTime YYMMDDHHMMSS
    text = (text.substr(0, 2) < "50" ? "20" : "19") + text;
  } else if (not_after->tag != 0x18 || text.size() != 14) {  // GeneralizedTime
    return std::nullopt;
  }
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return text;
}

std::optional<std::string> Sha256Of(const std::string& der) {
  if (!LooksLikeCertificate(der)) return std::nullopt;
  return Sha256Hex(der);
}

// One PEM certificate and nothing else around it (whitespace aside).
std::optional<std::string> StrictPem(std::string_view text) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  std::size_t last = text.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  text = text.substr(first, last - first + 1);
  if (text.substr(0, kBegin.size()) != kBegin) return std::nullopt;
  if (text.size() < kEnd.size() || text.substr(text.size() - kEnd.size()) != kEnd) {
    return std::nullopt;
  }
  std::vector<std::string> certs = PemCertificates(text);
  if (certs.size() != 1) return std::nullopt;
  return Sha256Of(certs[0]);
}

}  // namespace

const std::vector<ForwardedCertConvention>& ForwardedCertConventions() {
  static const std::vector<ForwardedCertConvention> kConventions = {
      {"envoy", "X-Forwarded-Client-Cert", CertEncoding::kXfcc,
       "Envoy's XFCC (forward_client_cert_details with Hash, Cert and Subject)"},
      {"nginx", "X-SSL-Client-Cert", CertEncoding::kUrlPem,
       "nginx `$ssl_client_escaped_cert`, with X-SSL-Client-Verify, -DN, -CN and -NotAfter"},
      {"haproxy", "X-SSL-Client-Cert", CertEncoding::kDerBase64,
       "HAProxy `%[ssl_c_der,base64]`, with X-SSL-Client-Verify, -DN, -CN and -NotAfter"},
      {"traefik", "X-Forwarded-Tls-Client-Cert", CertEncoding::kDerBase64,
       "Traefik's passTLSClientCert, with X-Forwarded-Tls-Client-Cert-Info"},
      {"rfc9440", "Client-Cert", CertEncoding::kSfBinary,
       "RFC 9440 Client-Cert, with Client-Cert-Chain for the intermediates"},
  };
  return kConventions;
}

const ForwardedCertConvention* FindForwardedCertConvention(std::string_view name) {
  for (const ForwardedCertConvention& c : ForwardedCertConventions()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const std::vector<std::string>& ForwardedCertHeaderNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> out;
    auto add = [&](const std::string& name) {
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    };
    for (const ForwardedCertConvention& c : ForwardedCertConventions()) add(c.header);
    for (const char* companion :
         {"X-SSL-Client-Verify", "X-SSL-Client-DN", "X-SSL-Client-CN", "X-SSL-Client-NotAfter",
          "X-Forwarded-Tls-Client-Cert-Info", "Client-Cert-Chain"}) {
      add(companion);
    }
    return out;
  }();
  return kNames;
}

std::vector<std::string> SplitXfccElements(std::string_view value) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  auto flush = [&] {
    std::size_t first = current.find_first_not_of(" \t");
    if (first != std::string::npos) {
      std::size_t last = current.find_last_not_of(" \t");
      out.push_back(current.substr(first, last - first + 1));
    }
    current.clear();
  };
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (quoted && c == '\\' && i + 1 < value.size()) {
      current += c;
      current += value[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      flush();
      continue;
    }
    current += c;
  }
  flush();
  return out;
}

namespace {
const std::vector<std::pair<std::string, CertEncoding>>& Encodings() {
  static const std::vector<std::pair<std::string, CertEncoding>> kEncodings = {
      {"pem", CertEncoding::kPem},
      {"url_pem", CertEncoding::kUrlPem},
      {"der_b64", CertEncoding::kDerBase64},
      {"xfcc", CertEncoding::kXfcc},
      {"sf_binary", CertEncoding::kSfBinary}};
  return kEncodings;
}
}  // namespace

std::vector<std::string> CertEncodingNames() {
  std::vector<std::string> out;
  for (const auto& [name, e] : Encodings()) out.push_back(name);
  return out;
}

std::optional<CertEncoding> CertEncodingByName(std::string_view name) {
  for (const auto& [n, e] : Encodings()) {
    if (n == name) return e;
  }
  return std::nullopt;
}

std::string EncodeForwardedCert(CertEncoding encoding, const ForwardedCertSource& cert) {
  std::vector<std::string> certs = PemCertificates(cert.chain_pem);
  if (certs.empty()) return "";
  const std::string& der = certs.front();
  std::string pem = Pem(der);
  switch (encoding) {
    case CertEncoding::kPem: {
      std::string one_line = pem.substr(0, pem.size() - 1);
      std::replace(one_line.begin(), one_line.end(), '\n', ' ');
      return one_line;
    }
    case CertEncoding::kUrlPem:
      return PercentEncode(pem);
    case CertEncoding::kDerBase64:
      return Base64Encode(der);
    case CertEncoding::kXfcc:
      return "Hash=" + Sha256Hex(der) + ";Cert=\"" + PercentEncode(pem) + "\";Subject=\"" +
             cert.subject + "\"";
    case CertEncoding::kSfBinary:
      return ":" + Base64Encode(der) + ":";
  }
  return "";
}

std::vector<std::pair<std::string, std::string>> ForwardedCertHeaders(
    const ForwardedCertConvention& convention, const ForwardedCertSource& cert) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string value = EncodeForwardedCert(convention.encoding, cert);
  if (value.empty()) return out;
  out.emplace_back(convention.header, value);
  if (convention.header == "X-SSL-Client-Cert") {
    out.emplace_back("X-SSL-Client-Verify", "SUCCESS");
    out.emplace_back("X-SSL-Client-DN", cert.subject);
    out.emplace_back("X-SSL-Client-CN", Attribute(cert.subject, "CN"));
    if (auto not_after = ForwardedCertNotAfter(cert.chain_pem)) {
      out.emplace_back("X-SSL-Client-NotAfter", *not_after);
    }
  } else if (convention.name == "traefik") {
    out.emplace_back("X-Forwarded-Tls-Client-Cert-Info",
                     PercentEncode("Subject=\"" + cert.subject + "\""));
  } else if (convention.name == "rfc9440") {
    std::vector<std::string> certs = PemCertificates(cert.chain_pem);
    std::string chain;
    for (std::size_t i = 1; i < certs.size(); ++i) {
      chain += (chain.empty() ? ":" : ", :") + Base64Encode(certs[i]) + ":";
    }
    if (!chain.empty()) out.emplace_back("Client-Cert-Chain", chain);
  }
  return out;
}

std::optional<std::string> ForwardedCertNotAfter(std::string_view chain_pem) {
  std::vector<std::string> certs = PemCertificates(chain_pem);
  if (certs.empty()) return std::nullopt;
  std::optional<std::string> digits = NotAfterDigits(certs.front());
  if (!digits) return std::nullopt;
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int month = std::stoi(digits->substr(4, 2)), day = std::stoi(digits->substr(6, 2));
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  // OpenSSL's ASN1_TIME_print, which nginx's $ssl_client_v_end is: "%b %e %T %Y GMT".
  return std::string(kMonths[month - 1]) + " " + (day < 10 ? " " : "") + std::to_string(day) + " " +
         digits->substr(8, 2) + ":" + digits->substr(10, 2) + ":" + digits->substr(12, 2) + " " +
         digits->substr(0, 4) + " GMT";
}

std::optional<std::string> ForwardedCertSha256(std::string_view value) {
  if (value.size() > kMaxForwardedCertBytes) return std::nullopt;
  std::string_view v = value;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  // Envoy XFCC: the Cert field of the first element (the closest proxy adds its own last).
  if (v.substr(0, 5) == "Hash=" || v.find("Cert=\"") != std::string_view::npos) {
    std::size_t cert = v.find("Cert=\"");
    if (cert == std::string_view::npos) return std::nullopt;
    std::size_t start = cert + 6, end = v.find('"', start);
    if (end == std::string_view::npos) return std::nullopt;
    auto pem = PercentDecode(v.substr(start, end - start));
    if (!pem) return std::nullopt;
    return StrictPem(*pem);
  }
  if (v.front() == ':') {  // RFC 8941 byte sequence
    if (v.size() < 3 || v.back() != ':') return std::nullopt;
    auto der = Base64Decode(v.substr(1, v.size() - 2));
    if (!der) return std::nullopt;
    return Sha256Of(*der);
  }
  if (v.substr(0, kBegin.size()) == kBegin) return StrictPem(v);
  if (v.find('%') != std::string_view::npos) {
    auto pem = PercentDecode(v);
    if (!pem) return std::nullopt;
    if (pem->rfind(kBegin, 0) == 0) return StrictPem(*pem);
    auto der = Base64Decode(*pem);  // Traefik escapes base64 DER
    if (!der) return std::nullopt;
    return Sha256Of(*der);
  }
  auto der = Base64Decode(v);
  if (!der) return std::nullopt;
  return Sha256Of(*der);
}

}  // namespace tollgate
