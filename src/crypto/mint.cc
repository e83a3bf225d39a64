#include "crypto/mint_internal.h"
#include "tollgate/base/encoding.h"

namespace tollgate::jose {

std::string JsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Members Members::FromObject(const nlohmann::json& object) {
  Members m;
  if (!object.is_object()) return m;
  for (const auto& [name, value] : object.items()) m.members_.emplace_back(name, JsonText(value));
  return m;
}

void Members::Set(std::string_view name, const nlohmann::json& value) {
  SetRaw(name, JsonText(value));
}

void Members::SetRaw(std::string_view name, std::string value_text) {
  for (auto& [n, v] : members_) {
    if (n == name) {
      v = std::move(value_text);
      return;
    }
  }
  members_.emplace_back(std::string(name), std::move(value_text));
}

void Members::Append(std::string_view name, const nlohmann::json& value) {
  members_.emplace_back(std::string(name), JsonText(value));
}

void Members::Remove(std::string_view name) {
  std::erase_if(members_, [&](const auto& m) { return m.first == name; });
}

std::optional<nlohmann::json> Members::Get(std::string_view name) const {
  for (const auto& [n, v] : members_) {
    if (n == name) {
      nlohmann::json parsed = nlohmann::json::parse(v, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) return std::nullopt;
      return parsed;
    }
  }
  return std::nullopt;
}

std::string Members::Text() const {
  std::string out = "{";
  for (const auto& [name, value] : members_) {
    if (out.size() > 1) out += ',';
    out += JsonText(name);
    out += ':';
    out += value;
  }
  return out + "}";
}

Draft BaseDraft(const MintRequest& request) {
  Draft d;
  d.header.Set("alg", AlgName(request.key->alg()));
  if (!request.key->kid().empty()) d.header.Set("kid", request.key->kid());
  if (request.header.is_object()) {
    for (const auto& [name, value] : request.header.items()) {
      if (name != "alg" && name != "kid") d.header.Set(name, value);
    }
  }
  d.claims = Members::FromObject(request.claims);
  return d;
}

std::string SigningInput(std::string_view header_text, std::string_view payload_text) {
  return Base64UrlEncode(header_text) + "." + Base64UrlEncode(payload_text);
}

StatusOr<std::string> Finish(const Jwk& key, Alg alg, const std::string& input) {
  ASSIGN_OR_RETURN(std::string signature, SignInput(key, alg, input));
  return input + "." + Base64UrlEncode(signature);
}

StatusOr<std::string> SignDraft(const Jwk& key, Alg alg, const Draft& draft) {
  return Finish(key, alg, SigningInput(draft.header.Text(), draft.claims.Text()));
}

const std::vector<MutationInfo>& Mutations() {
  static const std::vector<MutationInfo> kInfos = [] {
    std::vector<MutationInfo> out;
    for (const auto& def : MutationTable()) out.push_back(def.info);
    return out;
  }();
  return kInfos;
}

StatusOr<std::string> Mint(const MintRequest& request) {
  if (request.key == nullptr) return InvalidArgumentError("mint: no issuer key");
  if (!request.header.is_object()) return InvalidArgumentError("mint: header is not a JSON object");
  if (!request.claims.is_object())
    return InvalidArgumentError("mint: claims are not a JSON object");
  if (request.mutation.empty()) {
    return SignDraft(*request.key, request.key->alg(), BaseDraft(request));
  }
  for (const auto& def : MutationTable()) {
    if (def.info.name == request.mutation) {
      StatusOr<std::string> token = def.build(request);
      if (!token.ok()) return token.status().WithContext("mutation " + request.mutation);
      return token;
    }
  }
  std::string known;
  for (const MutationInfo& m : Mutations()) known += (known.empty() ? "" : ", ") + m.name;
  return InvalidArgumentError("unknown mutation \"" + request.mutation + "\"; known: " + known);
}

}  // namespace tollgate::jose
