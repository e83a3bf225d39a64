// Standard Webhooks, Stripe and GitHub webhook signatures (reference: the schemes' own
// documentation; vectors in webhooks_test.cc).

#include "tollgate/crypto/webhooks.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/signing.h"

namespace tollgate::webhooks {
namespace {

constexpr std::int64_t kSkew = 600;  // stale/future variants: well outside any tolerance

bool Same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> Header(const std::vector<std::pair<std::string, std::string>>& h,
                                  std::string_view name) {
  for (const auto& [n, v] : h) {
    if (Same(n, name)) return v;
  }
  return std::nullopt;
}

StatusOr<std::string> StandardKey(const std::string& secret) {
  std::string_view s = secret;
  if (s.rfind("whsec_", 0) == 0) s.remove_prefix(6);
  auto key = Base64Decode(s);
  if (!key) return InvalidArgumentError("a Standard Webhooks secret is whsec_ followed by base64");
  return *key;
}

StatusOr<std::string> Hmac(std::string_view key, std::string_view data) {
  return signing::Mac("hmac-sha256", key, data);
}

std::optional<std::int64_t> ParseSeconds(const std::string& t) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

std::string Reserialize(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return body + " ";
  std::string out = j.dump(1);  // other whitespace: same JSON, other bytes
  return out == body ? j.dump() : out;
}

}  // namespace

namespace {

std::vector<std::string> Names(const std::vector<NamedItem>& items) {
  std::vector<std::string> names;
  for (const NamedItem& i : items) names.push_back(i.name);
  return names;
}

}  // namespace

const std::vector<NamedItem>& Schemes() {
  static const std::vector<NamedItem> kSchemes = {
      {"standard-webhooks",
       "webhook-id, -timestamp and -signature: v1, base64 HMAC-SHA256 of "
       "id.timestamp.body (Standard Webhooks)"},
      {"stripe", "Stripe-Signature: t=timestamp, v1=hex HMAC-SHA256 of timestamp.body"},
      {"github", "X-Hub-Signature-256: sha256=hex HMAC-SHA256 of the body, no timestamp"}};
  return kSchemes;
}

const std::vector<std::string>& SchemeNames() {
  static const std::vector<std::string> kNames = Names(Schemes());
  return kNames;
}

std::optional<Scheme> SchemeFromName(const std::string& name) {
  if (name == "standard-webhooks") return Scheme::kStandardWebhooks;
  if (name == "stripe") return Scheme::kStripe;
  if (name == "github") return Scheme::kGitHub;
  return std::nullopt;
}

const std::vector<NamedItem>& Variants() {
  static const std::vector<NamedItem> kVariants = {
      {"reserialized_body", "signed over the raw body, sent re-serialised (whitespace changed)"},
      {"stale_timestamp", "signed consistently, 10 minutes in the past"},
      {"future_timestamp", "signed consistently, 10 minutes in the future"},
      {"wrong_secret", "signed with another secret"},
      {"missing_signature", "the signature header left out"}};
  return kVariants;
}

const std::vector<std::string>& VariantNames() {
  static const std::vector<std::string> kNames = Names(Variants());
  return kNames;
}

StatusOr<Delivery> Sign(Scheme scheme, const std::vector<std::string>& secrets,
                        const std::string& id, std::int64_t timestamp, const std::string& body,
                        const std::string& variant) {
  if (secrets.empty()) return InvalidArgumentError("webhook signing needs at least one secret");
  if (!variant.empty() &&
      std::find(VariantNames().begin(), VariantNames().end(), variant) == VariantNames().end()) {
    return InvalidArgumentError("unknown webhook variant `" + variant +
                                "` (expected reserialized_body, stale_timestamp, "
                                "future_timestamp, wrong_secret, missing_signature)");
  }
  std::int64_t ts = timestamp + (variant == "stale_timestamp"    ? -kSkew
                                 : variant == "future_timestamp" ? kSkew
                                                                 : 0);
  std::string t = std::to_string(ts);
  std::vector<std::string> sigs;
  for (const std::string& configured : secrets) {
    std::string secret = variant == "wrong_secret" ? configured + "-wrong" : configured;
    switch (scheme) {
      case Scheme::kStandardWebhooks: {
        ASSIGN_OR_RETURN(std::string key, StandardKey(configured));
        if (variant == "wrong_secret") key += "x";
        ASSIGN_OR_RETURN(std::string mac, Hmac(key, id + "." + t + "." + body));
        sigs.push_back("v1," + Base64Encode(mac));
        break;
      }
      case Scheme::kStripe: {
        ASSIGN_OR_RETURN(std::string mac, Hmac(secret, t + "." + body));
        sigs.push_back("v1=" + HexEncode(mac));
        break;
      }
      case Scheme::kGitHub: {
        ASSIGN_OR_RETURN(std::string mac, Hmac(secret, body));
        sigs.push_back("sha256=" + HexEncode(mac));
        break;
      }
    }
  }
  Delivery d;
  d.body = variant == "reserialized_body" ? Reserialize(body) : body;
  d.headers.emplace_back("Content-Type", "application/json");
  bool drop = variant == "missing_signature";
  switch (scheme) {
    case Scheme::kStandardWebhooks: {
      std::string joined;
      for (const std::string& s : sigs) joined += (joined.empty() ? "" : " ") + s;
      d.headers.emplace_back("webhook-id", id);
      d.headers.emplace_back("webhook-timestamp", t);
      if (!drop) d.headers.emplace_back("webhook-signature", joined);
      break;
    }
    case Scheme::kStripe: {
      std::string v = "t=" + t;
      for (const std::string& s : sigs) v += "," + s;
      if (!drop) d.headers.emplace_back("Stripe-Signature", v);
      break;
    }
    case Scheme::kGitHub: {
      // One signature header only: GitHub has no rotation list; the first secret signs.
      d.headers.emplace_back("X-GitHub-Delivery", id);
      if (!drop) d.headers.emplace_back("X-Hub-Signature-256", sigs.front());
      break;
    }
  }
  return d;
}

Verdict Verify(Scheme scheme, const std::string& secret,
               const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& body, std::int64_t now, std::int64_t tolerance) {
  Verdict v;
  auto fresh = [&](const std::string& t) -> bool {
    auto ts = ParseSeconds(t);
    if (!ts) return v.reason = "timestamp is not Unix seconds", false;
    if (*ts < now - tolerance) return v.reason = "timestamp too old", false;
    if (*ts > now + tolerance) return v.reason = "timestamp too new", false;
    return true;
  };
  std::vector<std::string> candidates;  // presented signatures, decoded
  std::string expected;
  switch (scheme) {
    case Scheme::kStandardWebhooks: {
      auto id = Header(headers, "webhook-id");
      auto t = Header(headers, "webhook-timestamp");
      auto sig = Header(headers, "webhook-signature");
      if (!id || !t || !sig) return v.reason = "missing webhook-id, -timestamp or -signature", v;
      v.id = *id;
      if (!fresh(*t)) return v;
      auto key = StandardKey(secret);
      if (!key.ok()) return v.reason = key.status().message(), v;
      auto mac = Hmac(*key, *id + "." + *t + "." + body);
      if (!mac.ok()) return v.reason = mac.status().message(), v;
      expected = *mac;
      std::size_t i = 0;
      while (i < sig->size()) {
        std::size_t j = sig->find(' ', i);
        if (j == std::string::npos) j = sig->size();
        std::string entry = sig->substr(i, j - i);
        if (entry.rfind("v1,", 0) == 0) {
          if (auto raw = Base64Decode(entry.substr(3))) candidates.push_back(*raw);
        }
        i = j + 1;
      }
      break;
    }
    case Scheme::kStripe: {
      auto header = Header(headers, "Stripe-Signature");
      if (!header) return v.reason = "missing Stripe-Signature", v;
      std::string t;
      std::size_t i = 0;
      while (i < header->size()) {
        std::size_t j = header->find(',', i);
        if (j == std::string::npos) j = header->size();
        std::string item = header->substr(i, j - i);
        if (item.rfind("t=", 0) == 0) t = item.substr(2);
        if (item.rfind("v1=", 0) == 0) {
          signing::Profile hex;
          if (auto raw = signing::Decode(hex, item.substr(3))) candidates.push_back(*raw);
        }
        i = j + 1;
      }
      if (t.empty()) return v.reason = "Stripe-Signature has no t=", v;
      if (!fresh(t)) return v;
      auto mac = Hmac(secret, t + "." + body);
      if (!mac.ok()) return v.reason = mac.status().message(), v;
      expected = *mac;
      break;
    }
    case Scheme::kGitHub: {
      auto sig = Header(headers, "X-Hub-Signature-256");
      v.id = Header(headers, "X-GitHub-Delivery").value_or("");
      if (!sig) return v.reason = "missing X-Hub-Signature-256", v;
      if (sig->rfind("sha256=", 0) == 0) {
        signing::Profile hex;
        if (auto raw = signing::Decode(hex, sig->substr(7))) candidates.push_back(*raw);
      }
      auto mac = Hmac(secret, body);
      if (!mac.ok()) return v.reason = mac.status().message(), v;
      expected = *mac;
      break;
    }
  }
  if (candidates.empty()) return v.reason = "no signature in a known format", v;
  for (const std::string& c : candidates) {
    if (ConstantTimeEquals(c, expected)) return v.ok = true, v;
  }
  v.reason = "no signature matches";
  return v;
}

}  // namespace tollgate::webhooks
