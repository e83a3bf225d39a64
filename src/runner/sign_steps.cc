#include "runner/sign_steps.h"

#include <algorithm>

#include "tollgate/crypto/signing.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::runner {
namespace {

struct UrlParts {
  std::string before_path;  // scheme://authority
  std::string authority;
  std::string path;
  std::string query;
};

UrlParts SplitUrl(const std::string& url) {
  UrlParts u;
  std::size_t scheme = url.find("://");
  std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  std::size_t path = url.find_first_of("/?", start);
  if (path == std::string::npos) path = url.size();
  u.before_path = url.substr(0, path);
  u.authority = url.substr(start, path - start);
  std::string rest = url.substr(path);
  std::size_t q = rest.find('?');
  u.path = rest.substr(0, q);
  if (q != std::string::npos) u.query = rest.substr(q + 1);
  return u;
}

std::string JoinUrl(const UrlParts& u) {
  return u.before_path + u.path + (u.query.empty() ? "" : "?" + u.query);
}

void SetHeader(ClientRequest& q, const std::string& name, const std::string& value) {
  for (auto& [n, v] : q.headers) {
    if (EqualsIgnoreCase(n, name)) {
      v = value;
      return;
    }
  }
  q.headers.emplace_back(name, value);
}

std::string Str(const nlohmann::json& spec, const char* key, std::string def = "") {
  auto it = spec.find(key);
  if (it == spec.end()) return def;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

const Terms& SignMutations() {
  static const Terms kMutations = {
      {"tamper_body", "one byte of the body changed after signing"},
      {"tamper_method", "the method changed after signing (POST and PUT swapped)"},
      {"tamper_path", "`/x` appended to the path after signing"},
      {"tamper_query", "`tampered=1` added to the query after signing"},
      {"tamper_header", "the first signed header changed after signing"},
      {"tamper_host", "the Host header changed after signing"},
      {"drop_signature", "the signature header left out"},
      {"drop_timestamp", "no timestamp: signed without one, header left out"},
      {"drop_nonce", "no nonce: signed without one, header left out"},
      {"drop_key_id", "no key id: signed without one, header left out"},
      {"duplicate_signature", "a second signature header, made with a wrong key, sent first"},
      {"swap_encoding", "the MAC sent in the other encoding (hex for base64 and back)"},
      {"truncate_mac", "the signature cut to half its length"},
      {"downgrade_algorithm", "signed with HMAC-SHA1 and labelled so"},
      {"wrong_key", "signed with a key other than the client's secret"}};
  return kMutations;
}

StatusOr<std::string> ApplySign(const nlohmann::json& spec, ClientRequest& q, const RunContext& run,
                                const std::string& fresh_nonce) {
  if (!spec.is_object()) return InvalidArgumentError("`sign` must be a mapping");
  static const std::vector<std::string> kKeys = {"profile",          "key_id",    "secret", "nonce",
                                                 "timestamp_offset", "timestamp", "mutate"};
  for (const auto& [k, v] : spec.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) {
      return InvalidArgumentError("`sign`: unknown key `" + k +
                                  "` (expected profile, key_id, secret, nonce, timestamp_offset, "
                                  "timestamp, mutate)");
    }
  }
  nlohmann::json pj = spec.value("profile", nlohmann::json::object());
  if (pj.is_string()) {
    pj = nlohmann::json::parse(pj.get<std::string>(), nullptr, false);
    if (pj.is_discarded())
      return InvalidArgumentError("`sign.profile`: not a mapping nor JSON text of one");
  }
  auto profile = signing::ProfileFromJson(pj);
  if (!profile.ok()) return InvalidArgumentError("`sign.profile`: " + profile.status().message());
  signing::Profile& p = *profile;
  std::string secret = Str(spec, "secret");
  if (secret.empty()) return InvalidArgumentError("`sign.secret` is required");
  run.redactor->AddSecret(secret);
  std::string mutate = Str(spec, "mutate");
  if (!mutate.empty() && !HasTerm(SignMutations(), mutate)) {
    std::string list;
    for (const Term& m : SignMutations()) list += (list.empty() ? "" : ", ") + m.name;
    return InvalidArgumentError("`sign.mutate`: unknown mutation `" + mutate +
                                "` (expected one of " + list + ")");
  }

  signing::SignParams s;
  s.key_id = Str(spec, "key_id");
  s.nonce = Str(spec, "nonce", fresh_nonce);
  std::int64_t ts = run.clock->NowSeconds();
  if (spec.contains("timestamp_offset")) {
    auto off = ParseSignedDuration(Str(spec, "timestamp_offset"));
    if (!off)
      return InvalidArgumentError(
          "`sign.timestamp_offset`: expected a signed duration such as -301s");
    ts += std::chrono::duration_cast<std::chrono::seconds>(*off).count();
  }
  s.timestamp = spec.contains("timestamp") ? Str(spec, "timestamp") : std::to_string(ts);
  // A dropped header is a client that never sent it: its value is empty in what it signed.
  if (mutate == "drop_timestamp") s.timestamp.clear();
  if (mutate == "drop_nonce") s.nonce.clear();
  if (mutate == "drop_key_id") s.key_id.clear();

  UrlParts u = SplitUrl(q.url);
  bool has_host = false;
  for (const auto& [n, v] : q.headers) has_host = has_host || EqualsIgnoreCase(n, "Host");
  signing::Message m{q.method, u.path, u.query, q.headers, q.body};
  if (!has_host) m.headers.emplace_back("Host", u.authority);

  std::string mac_name = mutate == "downgrade_algorithm" ? "hmac-sha1" : p.mac;
  std::string key = mutate == "wrong_key" ? secret + "-not-the-key" : secret;
  ASSIGN_OR_RETURN(std::string raw, signing::Mac(mac_name, key, signing::CanonicalString(p, m, s)));
  std::string sig = signing::Encode(p, raw);
  if (mutate == "truncate_mac") sig = sig.substr(0, sig.size() / 2);
  if (mutate == "swap_encoding") {
    signing::Profile other = p;
    other.encoding = p.encoding == "hex" ? "base64" : "hex";
    sig = signing::Encode(other, raw);
  }
  for (auto [name, value] : signing::SignatureHeaders(p, s, sig)) {
    if (name == p.headers.algorithm) value = mac_name;
    if ((mutate == "drop_signature" && name == p.headers.signature) ||
        (mutate == "drop_timestamp" && name == p.headers.timestamp) ||
        (mutate == "drop_nonce" && name == p.headers.nonce) ||
        (mutate == "drop_key_id" && name == p.headers.key_id)) {
      continue;
    }
    if (mutate == "duplicate_signature" && name == p.headers.signature) {
      auto other = signing::Mac(p.mac, secret + "-not-the-key", signing::CanonicalString(p, m, s));
      q.headers.emplace_back(name, signing::Encode(p, other.value()));
    }
    q.headers.emplace_back(name, value);
  }

  // Tampering after signing: the request differs from what was signed in one part.
  if (mutate == "tamper_body") {
    if (q.body.empty()) {
      q.body = " ";
    } else {
      char& c = q.body[q.body.size() / 2];
      c = c == '1' ? '2' : '1';
    }
  } else if (mutate == "tamper_method") {
    q.method = q.method == "POST" ? "PUT" : "POST";
  } else if (mutate == "tamper_path") {
    u.path += "/x";
    q.url = JoinUrl(u);
  } else if (mutate == "tamper_query") {
    u.query += (u.query.empty() ? "" : "&") + std::string("tampered=1");
    q.url = JoinUrl(u);
  } else if (mutate == "tamper_header") {
    // The first header the profile signs; Content-Type when it signs none (then the change
    // goes unnoticed, which is the defect a profile that covers no header has).
    auto it = std::find_if(p.components.begin(), p.components.end(),
                           [](const std::string& c) { return c.rfind("header:", 0) == 0; });
    std::string name = it == p.components.end() ? "Content-Type" : it->substr(7);
    SetHeader(q, name, signing::HeaderValue(q.headers, name).value_or("") + "-tampered");
  } else if (mutate == "tamper_host") {
    std::size_t colon = u.authority.rfind(':');
    SetHeader(q, "Host",
              "tampered.example" + (colon == std::string::npos ? "" : u.authority.substr(colon)));
  }
  return "signed as " + s.key_id + (mutate.empty() ? "" : " (mutation " + mutate + ")");
}

}  // namespace tollgate::runner
