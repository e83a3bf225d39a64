#pragma once
// Secrets never reach a report, log or journal. A Redactor knows every secret value of a
// run (--secret values, client secrets, target secrets) and the header names whose values
// are secret by nature; everything written out passes through it.

#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate {

/// The replacement text for a secret.
inline constexpr std::string_view kRedacted = "***";

/// Replaces known secret values with "***". Thread-safe.
class Redactor {
 public:
  /// Registers a secret; its base64 and URL-encoded forms are registered too, because
  /// they travel inside Authorization headers and form bodies. Values shorter than 3
  /// characters are ignored (they would redact ordinary text).
  void AddSecret(std::string_view value);
  /// Every registered secret replaced by "***" in `text`.
  std::string Redact(std::string_view text) const;
  /// A header value as it may be shown: Authorization-like headers keep only their scheme.
  std::string RedactHeader(std::string_view name, std::string_view value) const;
  /// True when `name` is a header whose value is always secret.
  static bool IsSecretHeader(std::string_view name);

 private:
  mutable std::mutex mu_;
  std::set<std::string> secrets_;
  // Longest first, so a secret that contains another is replaced whole.
  std::vector<std::string> ordered_;
};

}  // namespace tollgate
