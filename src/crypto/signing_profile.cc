// Signing profiles as data: read from the JSON form of their YAML, written back for the
// target settings a reference target offers.

#include <algorithm>
#include <cctype>

#include "tollgate/crypto/signing.h"

namespace tollgate::signing {
namespace {

// "300", "300s", "5m", "1h" -> seconds; nullopt otherwise. (Crypto does not depend on the
// scenario module's duration parser, and windows are whole seconds.)
std::optional<std::int64_t> WindowSeconds(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  if (s.empty()) return std::nullopt;
  std::int64_t unit = 1;
  char last = s.back();
  if (last == 's' || last == 'm' || last == 'h') {
    unit = last == 's' ? 1 : last == 'm' ? 60 : 3600;
    s.pop_back();
  }
  if (s.empty() ||
      !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  return std::stoll(s) * unit;
}

Status Choice(const nlohmann::json& j, const char* key, std::initializer_list<const char*> allowed,
              std::string& out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  std::string list;
  for (const char* a : allowed) {
    if (it->is_string() && it->get<std::string>() == a) {
      out = a;
      return Status::Ok();
    }
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return InvalidArgumentError(std::string("signing profile `") + key + "`: expected one of " +
                              list + ", found " + it->dump());
}

}  // namespace

const std::vector<std::string>& KnownComponents() {
  static const std::vector<std::string> kNames = {"method",      "path",      "query", "host",
                                                  "body_digest", "timestamp", "nonce", "key_id"};
  return kNames;
}

bool Profile::Covers(const std::string& component) const {
  return std::find(components.begin(), components.end(), component) != components.end();
}

nlohmann::json Profile::ToJson() const {
  return {{"components", components},
          {"separator", separator},
          {"layout", layout},
          {"mac", mac},
          {"body_digest", body_digest},
          {"encoding", encoding},
          {"headers",
           {{"signature", headers.signature},
            {"timestamp", headers.timestamp},
            {"nonce", headers.nonce},
            {"key_id", headers.key_id},
            {"algorithm", headers.algorithm}}},
          {"window", window.count()}};
}

StatusOr<Profile> ProfileFromJson(const nlohmann::json& j) {
  if (!j.is_object())
    return InvalidArgumentError("a signing profile must be a mapping, found " + j.dump());
  static const std::vector<std::string> kKeys = {"components",  "separator", "layout",  "mac",
                                                 "body_digest", "encoding",  "headers", "window"};
  for (const auto& [k, v] : j.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) {
      return InvalidArgumentError("signing profile: unknown key `" + k +
                                  "` (expected components, separator, layout, mac, body_digest, "
                                  "encoding, headers, window)");
    }
  }
  Profile p;
  if (auto it = j.find("components"); it != j.end()) {
    if (!it->is_array() || it->empty()) {
      return InvalidArgumentError("signing profile `components`: expected a non-empty list");
    }
    p.components.clear();
    for (const auto& c : *it) {
      std::string name = c.is_string() ? c.get<std::string>() : c.dump();
      bool known = std::find(KnownComponents().begin(), KnownComponents().end(), name) !=
                   KnownComponents().end();
      if (!known && !(name.rfind("header:", 0) == 0 && name.size() > 7)) {
        return InvalidArgumentError("signing profile component `" + name +
                                    "`: expected method, path, query, host, body_digest, "
                                    "timestamp, nonce, key_id or header:NAME");
      }
      p.components.push_back(name);
    }
  }
  if (auto it = j.find("separator"); it != j.end()) {
    if (!it->is_string())
      return InvalidArgumentError("signing profile `separator`: expected a string");
    p.separator = it->get<std::string>();
  }
  RETURN_IF_ERROR(Choice(j, "layout", {"plain", "rfc9421"}, p.layout));
  RETURN_IF_ERROR(Choice(j, "mac", {"hmac-sha256", "hmac-sha512"}, p.mac));
  RETURN_IF_ERROR(Choice(j, "body_digest", {"sha256", "sha512"}, p.body_digest));
  RETURN_IF_ERROR(Choice(j, "encoding", {"hex", "base64"}, p.encoding));
  if (auto it = j.find("headers"); it != j.end()) {
    if (!it->is_object())
      return InvalidArgumentError("signing profile `headers`: expected a mapping");
    for (const auto& [k, v] : it->items()) {
      std::string* slot = k == "signature"   ? &p.headers.signature
                          : k == "timestamp" ? &p.headers.timestamp
                          : k == "nonce"     ? &p.headers.nonce
                          : k == "key_id"    ? &p.headers.key_id
                          : k == "algorithm" ? &p.headers.algorithm
                                             : nullptr;
      if (!slot) {
        return InvalidArgumentError("signing profile `headers`: unknown key `" + k +
                                    "` (expected signature, timestamp, nonce, key_id, algorithm)");
      }
      if (!v.is_string())
        return InvalidArgumentError("signing profile `headers." + k + "`: expected a string");
      *slot = v.get<std::string>();
    }
  }
  if (p.headers.signature.empty()) {
    return InvalidArgumentError(
        "signing profile `headers.signature`: a signature header name is required");
  }
  if (auto it = j.find("window"); it != j.end()) {
    auto s = WindowSeconds(*it);
    if (!s || *s <= 0) {
      return InvalidArgumentError(
          "signing profile `window`: expected a positive duration such as "
          "300s or 5m, found " +
          it->dump());
    }
    p.window = std::chrono::seconds(*s);
  }
  if (p.layout == "rfc9421") {
    for (const std::string& c : p.components) {
      if (c == "body_digest" || c == "timestamp" || c == "nonce" || c == "key_id") {
        return InvalidArgumentError("signing profile component `" + c +
                                    "`: the rfc9421 layout carries it in the signature "
                                    "parameters, not as a component");
      }
    }
  }
  return p;
}

}  // namespace tollgate::signing
