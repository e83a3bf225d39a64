#include "tollgate/base/redact.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>

#include "tollgate/base/encoding.h"

namespace tollgate {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte of `n` hex digits at text[pos], or nullopt when they are not all hex digits.
std::optional<unsigned> HexAt(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  unsigned v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    int d = HexValue(text[pos + i]);
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<unsigned>(d);
  }
  return v;
}

// The byte a JSON escape at text[pos] (a backslash) stands for, and its length. Only ASCII
// \uXXXX escapes are decoded: a secret's other bytes travel as they are in a UTF-8 dump.
std::optional<std::pair<unsigned char, std::size_t>> JsonEscapeAt(std::string_view text,
                                                                  std::size_t pos) {
  if (pos + 1 >= text.size()) return std::nullopt;
  switch (text[pos + 1]) {
    case '"':
      return std::make_pair<unsigned char, std::size_t>('"', 2);
    case '\\':
      return std::make_pair<unsigned char, std::size_t>('\\', 2);
    case '/':
      return std::make_pair<unsigned char, std::size_t>('/', 2);
    case 'b':
      return std::make_pair<unsigned char, std::size_t>('\b', 2);
    case 'f':
      return std::make_pair<unsigned char, std::size_t>('\f', 2);
    case 'n':
      return std::make_pair<unsigned char, std::size_t>('\n', 2);
    case 'r':
      return std::make_pair<unsigned char, std::size_t>('\r', 2);
    case 't':
      return std::make_pair<unsigned char, std::size_t>('\t', 2);
    case 'u': {
      std::optional<unsigned> v = HexAt(text, pos + 2, 4);
      if (!v || *v >= 0x80) return std::nullopt;
      return std::make_pair(static_cast<unsigned char>(*v), std::size_t{6});
    }
    default:
      return std::nullopt;
  }
}

// The length of the text at `pos` that spells `secret` with any of its bytes written as
// itself, %XX (either case), '+' for a space or a JSON escape; nullopt when it does not.
// A literal '%' or '\' in the secret may also be the start of an escape, so both readings
// are tried; secrets are short, so the branching stays small.
std::optional<std::size_t> MatchEncoded(std::string_view text, std::size_t pos,
                                        std::string_view secret) {
  const std::size_t start = pos;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    if (pos >= text.size()) return std::nullopt;
    const unsigned char want = static_cast<unsigned char>(secret[i]);
    const char got = text[pos];
    if (got == '%') {
      std::optional<unsigned> v = HexAt(text, pos + 1, 2);
      if (v && *v == want) {
        if (want == '%') {
          // Both "%" and "%25" spell a '%': take whichever lets the rest match.
          if (auto rest = MatchEncoded(text, pos + 3, secret.substr(i + 1))) {
            return pos + 3 + *rest - start;
          }
        } else {
          pos += 3;
          continue;
        }
      }
    } else if (got == '\\') {
      auto esc = JsonEscapeAt(text, pos);
      if (esc && esc->first == '\\' && want < 0x80 && pos + 2 < text.size() &&
          text[pos + 2] == 'u') {
        // A \uXXXX escape escaped again (a JSON string holding JSON text): its backslash
        // doubled. Tried first, since the doubled backslash also reads as a backslash.
        std::optional<unsigned> v = HexAt(text, pos + 3, 4);
        if (v && *v == want) {
          if (auto rest = MatchEncoded(text, pos + 7, secret.substr(i + 1))) {
            return pos + 7 + *rest - start;
          }
        }
      }
      if (esc && esc->first == want) {
        if (want == '\\') {
          if (auto rest = MatchEncoded(text, pos + esc->second, secret.substr(i + 1))) {
            return pos + esc->second + *rest - start;
          }
        } else {
          pos += esc->second;
          continue;
        }
      }
    } else if (got == '+' && want == ' ') {
      ++pos;
      continue;
    }
    if (static_cast<unsigned char>(got) != want) return std::nullopt;
    ++pos;
  }
  return pos - start;
}

// How many leading bytes of `secret` the text from `pos` to its very end spells, as
// MatchEncoded reads it, a last escape cut short (a '%' and one hex digit, or a backslash, 'u'
// and two zeros) counting as the byte it
// began; nullopt when the text goes on with anything else or spells the whole secret (that
// is Redact's business).
std::optional<std::size_t> SpellsHead(std::string_view text, std::size_t pos,
                                      std::string_view secret) {
  for (std::size_t i = 0; i < secret.size(); ++i) {
    if (pos >= text.size()) return i;
    const unsigned char want = static_cast<unsigned char>(secret[i]);
    const char got = text[pos];
    const std::size_t left = text.size() - pos;
    if (got == '%') {
      if (left < 3) {
        // "%" or "%X" at the very end: the start of an escape of `want`.
        if (left == 1 || HexValue(text[pos + 1]) == static_cast<int>(want >> 4)) return i + 1;
      } else if (std::optional<unsigned> v = HexAt(text, pos + 1, 2); v && *v == want) {
        if (want != '%') {
          pos += 3;
          continue;
        }
        if (auto rest = SpellsHead(text, pos + 3, secret.substr(i + 1))) return i + 1 + *rest;
      }
    } else if (got == '\\') {
      std::optional<std::pair<unsigned char, std::size_t>> esc = JsonEscapeAt(text, pos);
      if (esc && esc->first == want) {
        if (want != '\\') {
          pos += esc->second;
          continue;
        }
        if (auto rest = SpellsHead(text, pos + esc->second, secret.substr(i + 1))) {
          return i + 1 + *rest;
        }
      } else if (!esc && left < 6) {
        // A JSON escape cut short: a backslash, then perhaps 'u' and the first digits of `want`.
        bool head = left == 1;
        if (left >= 2 && text[pos + 1] == 'u') {
          char full[5];
          std::snprintf(full, sizeof(full), "%04x", static_cast<unsigned>(want));
          head = want < 0x80;
          for (std::size_t k = 2; head && k < left; ++k) {
            head = std::tolower(static_cast<unsigned char>(text[pos + k])) == full[k - 2];
          }
        } else if (left >= 2) {
          // The two-byte escapes (b f n r t " backslash /) are never cut short.
          head = false;
        }
        if (head) return i + 1;
      }
    } else if (got == '+' && want == ' ') {
      ++pos;
      continue;
    }
    if (static_cast<unsigned char>(got) != want) return std::nullopt;
    ++pos;
  }
  return std::nullopt;
}

bool IsFieldNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '[' || c == ']';
}

// `name=value` with the value replaced, wherever `name` is a whole field name.
void RedactField(std::string& text, std::string_view name) {
  const std::string key = std::string(name) + "=";
  std::size_t pos = 0;
  while ((pos = text.find(key, pos)) != std::string::npos) {
    std::size_t value = pos + key.size();
    if (pos > 0 && IsFieldNameChar(text[pos - 1])) {
      pos = value;
      continue;
    }
    std::size_t end = value;
    while (end < text.size() && text[end] != '&' && text[end] != '"' && text[end] != '\'' &&
           !std::isspace(static_cast<unsigned char>(text[end]))) {
      ++end;
    }
    if (end > value) text.replace(value, end - value, kRedacted);
    pos = value + (end > value ? kRedacted.size() : 0);
  }
}

}  // namespace

void Redactor::AddSecret(std::string_view value) {
  if (value.size() < 3) return;
  std::vector<std::string> forms = {std::string(value), Base64Encode(value),
                                    Base64UrlEncode(value)};
  // Inside a longer base64 text (a token's claims, a Basic credential with a user name) the
  // secret starts at any byte offset, so its encoding depends on that offset modulo 3 and
  // its first and last characters mix with the neighbouring bytes. The characters made of
  // the secret's bits alone are the same wherever it sits: register them for each offset.
  // Short runs are left out: a few base64 characters occur by chance in any token.
  constexpr std::size_t kMinEmbedded = 8;
  for (std::size_t shift = 0; shift < 3; ++shift) {
    const std::string padded = std::string(shift, '\0') + std::string(value);
    const std::size_t begin = (8 * shift + 5) / 6;             // first char of secret bits only
    const std::size_t end = (8 * (shift + value.size())) / 6;  // one past the last such char
    if (end <= begin || end - begin < kMinEmbedded) continue;
    for (std::string encoded : {Base64Encode(padded), Base64UrlEncode(padded)}) {
      forms.push_back(encoded.substr(begin, end - begin));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& form : forms) {
    if (secrets_.insert(form).second) ordered_.push_back(form);
  }
  std::sort(ordered_.begin(), ordered_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::AddSecretField(std::string_view name) {
  if (name.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  fields_.insert(std::string(name));
}

std::string Redactor::Redact(std::string_view text) const {
  std::string out(text);
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& field : fields_) RedactField(out, field);
  for (const std::string& secret : ordered_) {
    const unsigned char first = static_cast<unsigned char>(secret[0]);
    std::string result;
    std::size_t copied = 0;
    std::size_t pos = 0;
    while (pos < out.size()) {
      const char c = out[pos];
      // Cheap filter: a match starts with the first byte itself or an escape of it.
      if (static_cast<unsigned char>(c) == first || c == '%' || c == '\\' ||
          (c == '+' && first == ' ')) {
        if (std::optional<std::size_t> len = MatchEncoded(out, pos, secret)) {
          result.append(out, copied, pos - copied);
          result += kRedacted;
          pos += *len;
          copied = pos;
          continue;
        }
      }
      ++pos;
    }
    if (copied > 0) {
      result.append(out, copied, std::string::npos);
      out = std::move(result);
    }
  }
  return out;
}

std::string Redactor::RedactHeadTail(std::string text) const {
  // The smallest head worth hiding is as long as the shortest secret worth registering.
  constexpr std::size_t kMinHead = 3;
  std::size_t from = text.size();
  for (const std::string& secret : ordered_) {
    // An encoded byte takes at most 6 bytes (a JSON u-escape), so a head starts no earlier.
    std::size_t window = 6 * secret.size();
    std::size_t pos = text.size() > window ? text.size() - window : 0;
    for (; pos < from; ++pos) {
      std::optional<std::size_t> head = SpellsHead(text, pos, secret);
      if (head && *head >= std::min(kMinHead, secret.size())) {
        from = pos;
        break;
      }
    }
  }
  if (from < text.size()) text.replace(from, std::string::npos, kRedacted);
  return text;
}

std::string Redactor::RedactAndCut(std::string_view text, std::size_t max_bytes, bool* cut) const {
  std::size_t longest = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!ordered_.empty()) longest = ordered_.front().size();
  }
  // Only what can reach the kept part is redacted (a body may be a megabyte): a secret that
  // begins before the cut ends within 6 bytes per byte of it.
  std::size_t window = max_bytes + 6 * longest + 6;
  std::string out = Redact(text.substr(0, window));
  // Secrets (and credential fields) shrink as they are replaced: widen until the kept part
  // is full or the text is all there.
  while (out.size() <= max_bytes && window < text.size()) {
    window *= 2;
    out = Redact(text.substr(0, window));
  }
  bool was_cut = out.size() > max_bytes || text.size() > window;
  if (cut != nullptr) *cut = was_cut;
  if (!was_cut) return out;
  if (out.size() > max_bytes) out.resize(max_bytes);
  std::lock_guard<std::mutex> lock(mu_);
  return RedactHeadTail(std::move(out));
}

std::string Redactor::RedactCutText(std::string_view text) const {
  std::string out = Redact(text);
  std::lock_guard<std::mutex> lock(mu_);
  return RedactHeadTail(std::move(out));
}

bool Redactor::IsSecretHeader(std::string_view name) {
  static constexpr std::string_view kNames[] = {"authorization", "proxy-authorization", "cookie",
                                                "set-cookie", "x-api-key"};
  return std::any_of(std::begin(kNames), std::end(kNames),
                     [&](std::string_view n) { return IEquals(n, name); });
}

std::string Redactor::RedactHeader(std::string_view name, std::string_view value) const {
  if (!IsSecretHeader(name)) return Redact(value);
  // Keep the scheme ("Basic", "Bearer"): it is not secret and it is what a reader needs.
  std::size_t space = value.find(' ');
  if (space == std::string_view::npos || space == 0) return std::string(kRedacted);
  return std::string(value.substr(0, space)) + " " + std::string(kRedacted);
}

}  // namespace tollgate
