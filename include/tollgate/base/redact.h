#pragma once
// Secrets never reach a report, log or journal. A Redactor knows every secret value of a
// run (--secret values, client secrets, target secrets) and the header names whose values
// are secret by nature; everything written out passes through it. A secret is found in every
// encoding it travels in: raw, base64, base64url, percent-encoded (any case, any subset of
// bytes escaped, '+' for space) and JSON-escaped; and the value of a credential form field
// (e.g. a client_secret a client presents, right or wrong) is redacted whatever it is.

#include <cstddef>
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
  /// Registers a secret; its base64 and base64url forms are registered too, because they
  /// travel inside Authorization headers and tokens. Every registered form is also found
  /// percent-encoded (upper, lower or mixed-case hex, fully or partly escaped, '+' for a
  /// space) and JSON-escaped (as nlohmann::json::dump writes it, or with \uXXXX for any
  /// ASCII character), since that is how it appears in query strings, form bodies and
  /// `json:` bodies. Values shorter than 3 characters are ignored (they would redact
  /// ordinary text).
  void AddSecret(std::string_view value);
  /// Registers a form field whose value is a credential: in `NAME=value` (at the start of
  /// the text or after a character that cannot be part of a field name) the value, up to
  /// the next '&', whitespace or quote, becomes "***" whatever it is. A service that checks
  /// credentials uses this so that wrong ones are not kept either.
  void AddSecretField(std::string_view name);
  /// Every registered secret replaced by "***" in `text`.
  std::string Redact(std::string_view text) const;
  /// `text` redacted and then cut to its first `max_bytes` bytes: secrets are replaced before
  /// the cut, so one that straddles it is not half kept. When the text is cut, a tail that
  /// spells the head of a registered form (see RedactCutText) becomes "***" too, so the
  /// result may be up to 3 bytes longer than `max_bytes`. `cut`, when given, says whether
  /// anything was dropped.
  std::string RedactAndCut(std::string_view text, std::size_t max_bytes, bool* cut = nullptr) const;
  /// For a text that was cut before it came here: `text` redacted, and a tail of it that
  /// spells at least the first 3 bytes of a registered form (in any encoding Redact knows,
  /// the last escape possibly cut short) replaced by "***", since a head of a secret is a
  /// leak too.
  std::string RedactCutText(std::string_view text) const;
  /// A header value as it may be shown: Authorization-like headers keep only their scheme.
  std::string RedactHeader(std::string_view name, std::string_view value) const;
  /// True when `name` is a header whose value is always secret.
  static bool IsSecretHeader(std::string_view name);

 private:
  // The tail of `text` that spells the head of a form, replaced. Needs mu_ held.
  std::string RedactHeadTail(std::string text) const;

  mutable std::mutex mu_;
  std::set<std::string> secrets_;
  // Longest first, so a secret that contains another is replaced whole.
  std::vector<std::string> ordered_;
  std::set<std::string> fields_;
};

}  // namespace tollgate
