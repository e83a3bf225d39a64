#pragma once
// The minter's tools, shared by mint.cc (correct tokens) and mutations.cc (hostile ones).
// Headers and claims are kept as JSON text, member by member, because the hostile variants
// need what a JSON object cannot hold: repeated names, exact spellings. Private.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tollgate/crypto/jose.h"

namespace tollgate::jose {

/// Compact JSON text of `value` (invalid UTF-8 replaced rather than thrown).
std::string JsonText(const nlohmann::json& value);

/// A JSON object as an ordered list of (name, raw JSON value text) pairs.
class Members {
 public:
  /// The members of a JSON object, in its (sorted) order.
  static Members FromObject(const nlohmann::json& object);
  /// Replaces the value of the first member called `name`, or appends the member.
  void Set(std::string_view name, const nlohmann::json& value);
  /// Like Set, with the value given as raw JSON text (e.g. a number too big for a double).
  void SetRaw(std::string_view name, std::string value_text);
  /// Appends a member even if one with that name exists already.
  void Append(std::string_view name, const nlohmann::json& value);
  /// Removes every member called `name`.
  void Remove(std::string_view name);
  /// The first member called `name`, parsed; nullopt when absent.
  std::optional<nlohmann::json> Get(std::string_view name) const;
  /// `{"name":value,...}` with no whitespace.
  std::string Text() const;

 private:
  std::vector<std::pair<std::string, std::string>> members_;
};

/// A token before signing: header and claims.
struct Draft {
  Members header;
  Members claims;
};

/// The issuer's correct token: header "alg" and "kid" from the key, then the request's extra
/// members; claims as requested.
Draft BaseDraft(const MintRequest& request);
/// base64url(header) "." base64url(payload).
std::string SigningInput(std::string_view header_text, std::string_view payload_text);
/// Signs `input` with `key` under `alg` and appends "." and the signature.
StatusOr<std::string> Finish(const Jwk& key, Alg alg, const std::string& input);
/// SigningInput + Finish for a draft.
StatusOr<std::string> SignDraft(const Jwk& key, Alg alg, const Draft& draft);

/// One mutation: what the user sees and how it is built.
struct MutationDef {
  MutationInfo info;
  std::function<StatusOr<std::string>(const MintRequest&)> build;
};
/// Every mutation, in the order Mutations() lists them (mutations.cc).
const std::vector<MutationDef>& MutationTable();

}  // namespace tollgate::jose
