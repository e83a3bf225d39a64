// The one signer and the one strict verifier of HMAC-signed requests (any profile).

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <charconv>

#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/signing.h"

namespace tollgate::signing {
namespace {

const EVP_MD* MdFor(const std::string& name) {
  if (name == "hmac-sha256" || name == "sha256") return EVP_sha256();
  if (name == "hmac-sha512" || name == "sha512") return EVP_sha512();
  if (name == "hmac-sha1" || name == "sha1") return EVP_sha1();
  return nullptr;
}

std::optional<std::string> HexDecodeLower(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

StatusOr<std::string> Mac(const std::string& mac, std::string_view key, std::string_view data) {
  const EVP_MD* md = MdFor(mac);
  if (!md) return InvalidArgumentError("unknown MAC `" + mac + "`");
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(md, key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len)) {
    return InternalError("HMAC failed");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string BodyDigest(const std::string& digest, std::string_view body) {
  const EVP_MD* md = MdFor(digest);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), out, &len, md ? md : EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Encode(const Profile& p, std::string_view raw) {
  return p.encoding == "base64" ? Base64Encode(raw) : HexEncode(raw);
}

std::optional<std::string> Decode(const Profile& p, std::string_view text) {
  return p.encoding == "base64" ? Base64Decode(text) : HexDecodeLower(text);
}

std::vector<std::pair<std::string, std::string>> SignatureHeaders(const Profile& p,
                                                                  const SignParams& s,
                                                                  const std::string& signature) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!p.headers.key_id.empty()) out.emplace_back(p.headers.key_id, s.key_id);
  if (!p.headers.timestamp.empty()) out.emplace_back(p.headers.timestamp, s.timestamp);
  if (!p.headers.nonce.empty()) out.emplace_back(p.headers.nonce, s.nonce);
  if (!p.headers.algorithm.empty()) out.emplace_back(p.headers.algorithm, p.mac);
  out.emplace_back(p.headers.signature, signature);
  return out;
}

StatusOr<std::string> Sign(const Profile& p, const Message& m, const SignParams& s,
                           std::string_view secret) {
  ASSIGN_OR_RETURN(std::string mac, Mac(p.mac, secret, CanonicalString(p, m, s)));
  return Encode(p, mac);
}

Verdict Verify(const Profile& p, const Message& m, const KeyLookup& keys, std::int64_t now) {
  Verdict v;
  auto one = [&](const std::string& name, std::string& out) -> bool {
    if (name.empty()) return true;
    std::vector<std::string> values;
    for (const auto& [n, val] : m.headers) {
      if (SameName(n, name)) values.push_back(val);
    }
    if (values.empty()) {
      v.reason = "missing " + name + " header";
      return false;
    }
    if (values.size() > 1) {
      v.reason = "duplicate " + name + " header";
      return false;
    }
    out = values.front();
    return true;
  };
  std::string signature, label;
  if (!one(p.headers.signature, signature) || !one(p.headers.key_id, v.params.key_id) ||
      !one(p.headers.timestamp, v.params.timestamp) || !one(p.headers.nonce, v.params.nonce) ||
      !one(p.headers.algorithm, label)) {
    return v;
  }
  if (!p.headers.algorithm.empty() && label != p.mac) {
    v.reason = "algorithm `" + label + "` is not the profile's " + p.mac;
    return v;
  }
  std::optional<std::string> secret = keys(v.params.key_id);
  if (!secret) {
    v.reason = "unknown key id";
    return v;
  }
  if (!p.headers.timestamp.empty()) {
    std::int64_t ts = 0;
    const std::string& t = v.params.timestamp;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), ts);
    if (ec != std::errc() || ptr != t.data() + t.size() || t.empty()) {
      v.reason = "timestamp is not Unix seconds";
      return v;
    }
    if (ts < now - p.window.count()) {
      v.reason = "timestamp older than the window";
      return v;
    }
    if (ts > now + p.window.count()) {
      v.reason = "timestamp in the future beyond the window";
      return v;
    }
  }
  std::optional<std::string> presented = Decode(p, signature);
  if (!presented) {
    v.reason = "signature is not " + p.encoding;
    return v;
  }
  auto expected = Mac(p.mac, *secret, CanonicalString(p, m, v.params));
  if (!expected.ok()) {
    v.reason = expected.status().message();
    return v;
  }
  if (presented->size() != expected->size()) {
    v.reason = "signature has the wrong length";
    return v;
  }
  if (!ConstantTimeEquals(*presented, *expected)) {
    v.reason = "signature does not match";
    return v;
  }
  v.ok = true;
  return v;
}

}  // namespace tollgate::signing
