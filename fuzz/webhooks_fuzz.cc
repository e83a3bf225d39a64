// Webhook signature verification: input is a scheme name (first line), then a delivery's
// headers and body. Verify never crashes on hostile headers; and for the body and id the
// input carries, a correct signature always verifies while the corrupted variants never do.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_keys.h"
#include "fuzz_util.h"
#include "http_text.h"
#include "tollgate/crypto/webhooks.h"

namespace webhooks = tollgate::webhooks;
namespace fz = tollgate::fuzz;

namespace {

std::string SecretOf(webhooks::Scheme scheme) {
  switch (scheme) {
    case webhooks::Scheme::kStandardWebhooks:
      return fz::kStandardWebhooksSecret;
    case webhooks::Scheme::kStripe:
      return fz::kStripeSecret;
    case webhooks::Scheme::kGitHub:
      return fz::kGitHubSecret;
  }
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = fz::Text(data, size);
  auto [name, rest] = fz::SplitOnce(text, "\n");
  auto scheme = webhooks::SchemeFromName(std::string(name));
  if (!scheme) return 0;
  fz::HeaderList headers;
  std::string body;
  fz::ParseHeadersAndBody(rest, headers, body);
  const std::string secret = SecretOf(*scheme);
  constexpr std::int64_t kTolerance = 300;

  webhooks::Verdict verdict =
      webhooks::Verify(*scheme, secret, headers, body, fz::kNow, kTolerance);
  if (!verdict.ok && verdict.reason.empty()) __builtin_trap();

  // Sign this body ourselves (the delivery id taken from the input when it has one).
  std::string id = verdict.id.empty() ? "msg_fuzz" : verdict.id;
  auto good = webhooks::Sign(*scheme, {secret}, id, fz::kNow, body);
  if (!good.ok()) return 0;  // e.g. an id a header cannot carry
  if (!webhooks::Verify(*scheme, secret, good->headers, good->body, fz::kNow, kTolerance).ok) {
    __builtin_trap();
  }
  for (const char* variant : {"wrong_secret", "missing_signature", "stale_timestamp"}) {
    if (*scheme == webhooks::Scheme::kGitHub && std::string(variant) == "stale_timestamp") {
      continue;  // GitHub deliveries carry no timestamp
    }
    auto bad = webhooks::Sign(*scheme, {secret}, id, fz::kNow, body, variant);
    if (!bad.ok()) __builtin_trap();
    if (webhooks::Verify(*scheme, secret, bad->headers, bad->body, fz::kNow, kTolerance).ok) {
      __builtin_trap();
    }
  }
  return 0;
}
