// The signed API's verification: the strict signing::Verify, with each fault of the
// reference target expressed as the one rule it bends around it.

#include "mocks/signed_api.h"
#include "tollgate/base/encoding.h"

namespace tollgate::mocks {
namespace {

bool IsMacReason(const std::string& reason) {
  return reason == "signature does not match" || reason == "signature has the wrong length" ||
         reason.rfind("signature is not ", 0) == 0;
}

}  // namespace

signing::Verdict SignedApi::VerifySignature(const ServerRequest& request) const {
  signing::Profile p = EffectiveProfile();
  signing::Message m{request.method, request.path, request.query, request.headers.items(),
                     request.body};
  bool default_key = !p.headers.key_id.empty() && !request.headers.Has(p.headers.key_id) &&
                     HasFault("optional_key_id");
  if (default_key) p.headers.key_id.clear();
  // optional_key_id: a request without a key id is taken to be the first client's.
  auto keys = [this, default_key](const std::string& id) {
    return id.empty() && default_key ? std::optional<std::string>(clients_[0].second)
                                     : SecretOf(id);
  };
  std::int64_t now = ctx().clock->NowSeconds();
  const Headers& h = request.headers;

  if (!h.Has(p.headers.signature) && HasFault("optional_signature")) {
    signing::Verdict v;
    v.ok = true;
    v.params.key_id = h.Get(p.headers.key_id).value_or("");
    v.params.nonce = h.Get(p.headers.nonce).value_or("");
    return v;
  }
  // A missing timestamp or nonce read as empty (and so no window or replay check).
  if (!p.headers.timestamp.empty() && !h.Has(p.headers.timestamp) &&
      HasFault("optional_timestamp")) {
    p.headers.timestamp.clear();
  }
  if (!p.headers.nonce.empty() && !h.Has(p.headers.nonce) && HasFault("optional_nonce")) {
    p.headers.nonce.clear();
  }
  if (HasFault("honour_algorithm_label") && !p.headers.algorithm.empty()) {
    std::string label = h.Get(p.headers.algorithm).value_or("");
    if (label == "hmac-sha1" || label == "hmac-sha256" || label == "hmac-sha512") p.mac = label;
  }
  if (HasFault("accept_future_timestamps") && !p.headers.timestamp.empty()) {
    // Only the lower bound: a timestamp ahead of now is judged as if it were now.
    if (auto t = h.Get(p.headers.timestamp)) {
      try {
        now = std::max<std::int64_t>(now, std::stoll(*t));
      } catch (...) {
      }
    }
  }
  if (HasFault("lenient_encoding")) {
    if (auto sig = h.Get(p.headers.signature); sig && !signing::Decode(p, *sig)) {
      signing::Profile other = p;
      other.encoding = p.encoding == "hex" ? "base64" : "hex";
      if (auto raw = signing::Decode(other, *sig)) {
        for (auto& [n, v] : m.headers) {
          if (EqualsIgnoreCase(n, p.headers.signature)) v = signing::Encode(p, *raw);
        }
      }
    }
  }
  if (HasFault("accept_duplicate_signature")) {
    std::vector<std::string> sigs = h.GetAll(p.headers.signature);
    if (sigs.size() > 1) {
      signing::Verdict last;
      for (const std::string& s : sigs) {
        signing::Message one = m;
        std::erase_if(one.headers, [&](const auto& kv) {
          return EqualsIgnoreCase(kv.first, p.headers.signature);
        });
        one.headers.emplace_back(p.headers.signature, s);
        last = signing::Verify(p, one, keys, now);
        if (last.ok) return last;
      }
      return last;
    }
  }

  signing::Verdict v = signing::Verify(p, m, keys, now);
  if (v.ok || !IsMacReason(v.reason)) return v;
  if (HasFault("skip_mac_check")) return v.ok = true, v.reason.clear(), v;
  if (HasFault("prefix_compare")) {
    std::string presented = h.Get(p.headers.signature).value_or("");
    std::optional<std::string> secret = keys(v.params.key_id);
    auto full = secret ? signing::Sign(p, m, v.params, *secret)
                       : StatusOr<std::string>(InternalError(v.reason));
    if (full.ok() && !presented.empty() && full->rfind(presented, 0) == 0) {
      return v.ok = true, v.reason.clear(), v;
    }
  }
  if (HasFault("key_id_not_bound")) {
    for (const auto& client : clients_) {
      // Not a structured binding: clang before 16 cannot capture one in a lambda.
      const std::string& secret = client.second;
      signing::Verdict any = signing::Verify(
          p, m, [&](const std::string&) { return secret; }, now);
      if (any.ok) return any;
    }
  }
  return v;
}

}  // namespace tollgate::mocks
