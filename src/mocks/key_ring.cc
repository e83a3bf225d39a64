#include "mocks/key_ring.h"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

#include "mocks/config.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::mocks {
namespace {

bool IsAsymmetric(jose::Alg alg) { return jose::IsPublicKeyAlg(alg); }

// "k1-r3" -> "k1": rotations are numbered from the configured kid, not chained.
std::string RotationBase(const std::string& kid) {
  std::size_t dash = kid.rfind("-r");
  if (dash == std::string::npos || dash + 2 == kid.size()) return kid;
  for (std::size_t i = dash + 2; i < kid.size(); ++i) {
    if (kid[i] < '0' || kid[i] > '9') return kid;
  }
  return kid.substr(0, dash);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored.
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t comma = header.find(',', start);
    std::string_view item = Trim(header.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace

std::vector<std::string> PublicKeyAlgNames() {
  std::vector<std::string> names;
  for (const jose::AlgInfo& a : jose::SignatureAlgs()) {
    if (IsAsymmetric(a.alg)) names.push_back(a.name);
  }
  return names;
}

Terms RefusedPublicKeyAlgs() {
  const std::string none = "an unsigned token (`none`) is never acceptable";
  return {{"none", none},
          {"None", none},
          {"NONE", none},
          {"HS256", "`HS256` needs a shared secret; keys here are public keys served in a JWKS"}};
}

FieldSpec SigningKeysField() {
  return Key("keys", FieldType::kObjectList,
             "the key pairs it generates at start, the first one signing (default one RS256 "
             "key `k1`)")
      .Of({Key("kid", FieldType::kString, "the key id").Required(),
           Key("alg", FieldType::kString, "its algorithm")
               .Required()
               .OneOf(PublicKeyAlgNames())
               .Refusing(RefusedPublicKeyAlgs())})
      .Unique("kid");
}

StatusOr<std::vector<KeySpec>> ParseKeySpecs(const nlohmann::json& config,
                                             const std::string& service) {
  auto it = config.find("keys");
  if (it == config.end()) return std::vector<KeySpec>{{"k1", jose::Alg::kRS256}};
  if (it->empty()) {
    return InvalidArgumentError("service `" + service + "`: `keys` must be a non-empty list");
  }
  std::vector<KeySpec> out;
  for (const nlohmann::json& k : *it) {
    std::string alg = GetString(k, "alg", "RS256");
    out.push_back({GetString(k, "kid", ""), jose::AlgFromName(alg).value_or(jose::Alg::kRS256)});
  }
  return out;
}

StatusOr<std::unique_ptr<KeyRing>> KeyRing::Create(const std::vector<KeySpec>& specs) {
  std::vector<jose::Jwk> keys;
  for (const KeySpec& spec : specs) {
    ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::GenerateRecyclable(spec.alg, spec.kid));
    keys.push_back(std::move(key));
  }
  return std::unique_ptr<KeyRing>(new KeyRing(std::move(keys)));
}

KeyRing::KeyRing(std::vector<jose::Jwk> configured)
    : configured_(std::move(configured)),
      keys_(configured_),
      active_kid_(configured_.empty() ? "" : configured_.front().kid()) {}

jose::Jwks KeyRing::Published() const {
  std::lock_guard<std::mutex> lock(mu_);
  jose::Jwks out;
  for (const jose::Jwk& k : keys_) {
    if (k.kid() == active_kid_)
      out.keys.insert(out.keys.begin(), k);
    else
      out.keys.push_back(k);
  }
  return out;
}

std::optional<jose::Jwk> KeyRing::Signing(const std::string& kid) const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& want = kid.empty() ? active_kid_ : kid;
  for (const jose::Jwk& k : keys_) {
    if (k.kid() == want) return k;
  }
  return std::nullopt;
}

std::string KeyRing::ActiveKid() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_kid_;
}

const Terms& KeyRing::ActionTerms() {
  static const Terms kTerms = {
      {"rotate_keys",
       "publishes a new active key (`kid`, or `<kid>-rN`; same alg); the old ones stay in the "
       "set"},
      {"add_key",
       "publishes an extra key `kid` (alg given or the active one's); the signing key is "
       "unchanged"},
      {"remove_key",
       "unpublishes key `kid` and stops signing with it; if active, the first remaining takes "
       "over"},
      {"same_kid_new_key",
       "replaces key `kid` (default: the active one) with new material under the same kid"}};
  return kTerms;
}

bool KeyRing::Knows(const std::string& action) { return HasTerm(ActionTerms(), action); }

bool KeyRing::HasKidLocked(const std::string& kid) const {
  return std::any_of(keys_.begin(), keys_.end(),
                     [&](const jose::Jwk& k) { return k.kid() == kid; });
}

Status KeyRing::Apply(const std::string& action, const nlohmann::json& args) {
  // Key generation (RSA especially) is slow; it runs under the lock on purpose, so a
  // concurrent JWKS fetch sees the ring either before or after the action, never between.
  std::lock_guard<std::mutex> lock(mu_);
  auto find = [&](const std::string& kid) {
    return std::find_if(keys_.begin(), keys_.end(),
                        [&](const jose::Jwk& k) { return k.kid() == kid; });
  };
  jose::Alg active_alg = configured_.front().alg();
  if (auto it = find(active_kid_); it != keys_.end()) active_alg = it->alg();

  if (action == "rotate_keys") {
    std::string kid = ArgString(args, "kid").value_or("");
    if (kid.empty()) {
      std::string base =
          RotationBase(active_kid_.empty() ? configured_.front().kid() : active_kid_);
      do {
        kid = base + "-r" + std::to_string(++rotations_);
      } while (HasKidLocked(kid));
    } else if (HasKidLocked(kid)) {
      return InvalidArgumentError("rotate_keys: key `" + kid + "` already exists");
    }
    ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::GenerateRecyclable(active_alg, kid));
    keys_.insert(keys_.begin(), std::move(key));
    active_kid_ = kid;
    return Status::Ok();
  }
  if (action == "add_key") {
    std::string kid = ArgString(args, "kid").value_or("");
    if (kid.empty()) return InvalidArgumentError("add_key needs `kid`");
    if (HasKidLocked(kid)) return InvalidArgumentError("add_key: key `" + kid + "` already exists");
    jose::Alg alg = active_alg;
    if (auto name = ArgString(args, "alg")) {
      std::optional<jose::Alg> parsed = jose::AlgFromName(*name);
      if (!parsed || !IsAsymmetric(*parsed)) {
        return InvalidArgumentError("add_key: alg `" + *name + "` is not an asymmetric JWS alg");
      }
      alg = *parsed;
    }
    ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::GenerateRecyclable(alg, kid));
    keys_.push_back(std::move(key));
    return Status::Ok();
  }
  if (action == "remove_key") {
    std::string kid = ArgString(args, "kid").value_or("");
    auto it = find(kid);
    if (it == keys_.end()) {
      return InvalidArgumentError("remove_key: no key `" + kid + "` is published");
    }
    retired_.push_back(std::move(*it));
    keys_.erase(it);
    if (kid == active_kid_) active_kid_ = keys_.empty() ? "" : keys_.front().kid();
    return Status::Ok();
  }
  if (action == "same_kid_new_key") {
    std::string kid = ArgString(args, "kid").value_or(active_kid_);
    auto it = find(kid);
    if (it == keys_.end()) {
      return InvalidArgumentError("same_kid_new_key: no key `" + kid + "` is published");
    }
    ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::GenerateRecyclable(it->alg(), kid));
    retired_.push_back(std::move(*it));
    *it = std::move(key);
    return Status::Ok();
  }
  return InvalidArgumentError("unknown key action `" + action + "`");
}

void KeyRing::Restore() {
  std::lock_guard<std::mutex> lock(mu_);
  for (jose::Jwk& key : keys_) retired_.push_back(std::move(key));
  keys_ = configured_;
  active_kid_ = configured_.empty() ? "" : configured_.front().kid();
  rotations_ = 0;
}

ServerResponse JwksResponse(const std::string& body, std::chrono::seconds max_age,
                            const ServerRequest& request) {
  // Strong: the tag changes with every byte of the body (RFC 9110 §8.8.1).
  std::string etag = "\"" + Sha256Hex(body).substr(0, 32) + "\"";
  ServerResponse r;
  if (auto inm = request.headers.Get("If-None-Match"); inm && NoneMatchHits(*inm, etag)) {
    r.status = 304;
  } else {
    r = ServerResponse::Json(200, body);
  }
  r.headers.Add("Cache-Control", "max-age=" + std::to_string(max_age.count()));
  r.headers.Add("ETag", etag);
  return r;
}

std::optional<std::string> ArgString(const nlohmann::json& args, const char* key) {
  if (!args.is_object()) return std::nullopt;
  auto it = args.find(key);
  if (it == args.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return std::nullopt;
}

std::optional<long long> ArgInt(const nlohmann::json& args, const char* key) {
  if (!args.is_object()) return std::nullopt;
  auto it = args.find(key);
  if (it == args.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoll(s);
  }
  return std::nullopt;
}

std::string RandomToken(std::size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    // No entropy means no safe token; refusing is better than a guessable one.
    throw std::runtime_error("RAND_bytes failed");
  }
  return Base64UrlEncode(bytes);
}

}  // namespace tollgate::mocks
