// HMAC request signing: input is a signing profile as one line of JSON (empty: the
// default profile), a request line "METHOD TARGET", headers and a body. Verify never
// crashes on a hostile request; and whenever the profile is usable, a request the signer
// signed verifies (canonicalisation agrees with itself on any method, path, query,
// header and body bytes), while the same request with a changed body does not (when the
// profile covers the body digest).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_keys.h"
#include "fuzz_util.h"
#include "http_text.h"
#include "tollgate/crypto/signing.h"

namespace signing = tollgate::signing;
namespace fz = tollgate::fuzz;

namespace {

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Header names the signer writes must be present, distinct, and outside the signed
// components, for a round trip to be possible at all.
bool RoundTrips(const signing::Profile& p) {
  const std::vector<std::string> names = {p.headers.signature, p.headers.timestamp, p.headers.nonce,
                                          p.headers.key_id};
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) return false;
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      if (SameName(names[i], names[j])) return false;
    }
    if (!p.headers.algorithm.empty() && SameName(names[i], p.headers.algorithm)) return false;
  }
  for (const std::string& c : p.components) {
    if (c.rfind("header:", 0) != 0) continue;
    std::string h = c.substr(7);
    for (const std::string& n : names) {
      if (SameName(h, n)) return false;
    }
    if (SameName(h, p.headers.algorithm)) return false;
  }
  return p.window.count() >= 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = fz::Text(data, size);
  auto [profile_line, rest] = fz::SplitOnce(text, "\n");
  auto [request_line, message] = fz::SplitOnce(rest, "\n");

  signing::Profile profile;
  if (!profile_line.empty()) {
    nlohmann::json j = nlohmann::json::parse(profile_line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return 0;
    auto parsed = signing::ProfileFromJson(j);
    if (!parsed.ok()) return 0;
    profile = *parsed;
    // What a profile writes, it reads back.
    auto again = signing::ProfileFromJson(profile.ToJson());
    if (!again.ok() || again->ToJson() != profile.ToJson()) __builtin_trap();
  }

  signing::Message m;
  auto [method, target] = fz::SplitOnce(request_line, " ");
  m.method = std::string(method);
  auto [path, query] = fz::SplitOnce(target, "?");
  m.path = std::string(path);
  m.query = std::string(query);
  fz::ParseHeadersAndBody(message, m.headers, m.body);

  (void)signing::CanonicalPath(m.path);
  (void)signing::CanonicalQuery(m.query);
  auto keys = [](const std::string& key_id) -> std::optional<std::string> {
    if (key_id == fz::kHmacKeyId) return std::string(fz::kHmacSecret);
    return std::nullopt;
  };
  signing::Verdict verdict = signing::Verify(profile, m, keys, fz::kNow);
  if (!verdict.ok && verdict.reason.empty()) __builtin_trap();

  if (!RoundTrips(profile)) return 0;
  signing::Message signed_m = m;
  std::erase_if(signed_m.headers, [&](const auto& h) {
    return SameName(h.first, profile.headers.signature) ||
           SameName(h.first, profile.headers.timestamp) ||
           SameName(h.first, profile.headers.nonce) || SameName(h.first, profile.headers.key_id) ||
           SameName(h.first, profile.headers.algorithm);
  });
  signing::SignParams params{fz::kHmacKeyId, std::to_string(fz::kNow), "nonce-fuzz"};
  auto signature = signing::Sign(profile, signed_m, params, fz::kHmacSecret);
  if (!signature.ok()) return 0;
  for (auto& h : signing::SignatureHeaders(profile, params, *signature)) {
    signed_m.headers.push_back(std::move(h));
  }
  signing::Verdict good = signing::Verify(profile, signed_m, keys, fz::kNow);
  if (!good.ok) __builtin_trap();
  if (profile.Covers("body_digest")) {
    signed_m.body += "x";
    if (signing::Verify(profile, signed_m, keys, fz::kNow).ok) __builtin_trap();
  }
  return 0;
}
