// Canonicalisation of the request parts a signature covers (AWS SigV4 rules for path,
// query and header values), and the canonical string of a profile in its two layouts.

#include <algorithm>

#include "tollgate/base/encoding.h"
#include "tollgate/crypto/signing.h"

namespace tollgate::signing {
namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Decodes %XX, leaving a malformed escape as written (a signer must not fail on odd input:
// the verifier sees the same bytes and canonicalises them the same way).
std::string LenientDecode(std::string_view s) {
  auto d = PercentDecode(s);
  return d ? *d : std::string(s);
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string CanonicalPath(std::string_view path) {
  // Remove dot segments (RFC 3986 §5.2.4) on the segment list; keep a trailing slash.
  std::vector<std::string> out;
  std::size_t i = 0;
  bool trailing = !path.empty() && path.back() == '/';
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string seg(path.substr(i, j - i));
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      if (j == path.size()) trailing = true;
    } else if (seg == ".") {
      if (j == path.size()) trailing = true;
    } else if (!seg.empty()) {
      out.push_back(UriEncode(LenientDecode(seg), false));
    }
    i = j + 1;
  }
  std::string result;
  for (const std::string& s : out) result += "/" + s;
  if (result.empty() || trailing) result += "/";
  return result;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    std::size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    std::string_view part = query.substr(i, j - i);
    if (!part.empty()) {
      std::size_t eq = part.find('=');
      std::string_view k = part.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? "" : part.substr(eq + 1);
      params.emplace_back(UriEncode(LenientDecode(k), false), UriEncode(LenientDecode(v), false));
    }
    i = j + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::optional<std::string> HeaderValue(const std::vector<std::pair<std::string, std::string>>& h,
                                       std::string_view name) {
  std::optional<std::string> out;
  for (const auto& [n, v] : h) {
    if (Lower(n) != Lower(name)) continue;
    out = out ? *out + "," + CanonicalHeaderValue(v) : CanonicalHeaderValue(v);
  }
  return out;
}

std::string CanonicalString(const Profile& p, const Message& m, const SignParams& s) {
  auto component = [&](const std::string& c) -> std::pair<std::string, std::string> {
    if (c == "method") {
      std::string up = m.method;
      for (char& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      return {"@method", up};
    }
    if (c == "path") return {"@path", CanonicalPath(m.path)};
    if (c == "query") {
      std::string q = CanonicalQuery(m.query);
      return {"@query", p.layout == "rfc9421" ? "?" + q : q};
    }
    if (c == "host") return {"@authority", Lower(HeaderValue(m.headers, "host").value_or(""))};
    if (c == "body_digest") return {"body_digest", Encode(p, BodyDigest(p.body_digest, m.body))};
    if (c == "timestamp") return {"timestamp", s.timestamp};
    if (c == "nonce") return {"nonce", s.nonce};
    if (c == "key_id") return {"key_id", s.key_id};
    std::string name = Lower(c.substr(7));  // header:NAME
    return {name, HeaderValue(m.headers, name).value_or("")};
  };
  std::string out;
  if (p.layout == "rfc9421") {
    // RFC 9421 §2.5: one `"name": value` line per component, then @signature-params.
    std::string inner;
    for (const std::string& c : p.components) {
      auto [name, value] = component(c);
      out += "\"" + name + "\": " + value + "\n";
      inner += (inner.empty() ? "\"" : " \"") + name + "\"";
    }
    std::string params = "(" + inner + ");created=" + s.timestamp;
    if (!s.nonce.empty()) params += ";nonce=\"" + s.nonce + "\"";
    params += ";keyid=\"" + s.key_id + "\"";
    return out + "\"@signature-params\": " + params;
  }
  bool first = true;
  for (const std::string& c : p.components) {
    auto [name, value] = component(c);
    if (c.rfind("header:", 0) == 0) value = name + ":" + value;
    out += (first ? "" : p.separator) + value;
    first = false;
  }
  return out;
}

}  // namespace tollgate::signing
