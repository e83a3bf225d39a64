#pragma once
// Webhook signing schemes a platform uses to sign its notifications, and their corrupted
// variants, so tollgate can certify a partner's receiver (sign) or check a platform's
// sender (verify):
//   standard-webhooks  webhook-id/-timestamp/-signature: "v1,<b64 HMAC-SHA256(id.ts.body)>",
//                      key = base64 of the secret after "whsec_"; space-separated list
//   stripe             Stripe-Signature: t=<ts>,v1=<hex HMAC-SHA256(t.body)>, keyed with
//                      the whole secret string
//   github             X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body)>; no timestamp,
//                      X-GitHub-Delivery carries the id

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tollgate/base/status.h"

namespace tollgate::webhooks {

enum class Scheme { kStandardWebhooks, kStripe, kGitHub };

/// A scheme or variant name and what it means.
struct NamedItem {
  std::string name;
  std::string description;
};

/// "standard-webhooks", "stripe", "github"; nullopt otherwise.
std::optional<Scheme> SchemeFromName(const std::string& name);
/// The schemes SchemeFromName accepts, described.
const std::vector<NamedItem>& Schemes();
/// Their names.
const std::vector<std::string>& SchemeNames();

/// A notification as sent: headers and the exact body bytes.
struct Delivery {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// The named corrupted variants (besides "" for a correct delivery):
///   reserialized_body  signed over the raw body, sent re-serialised (whitespace changed)
///   stale_timestamp    signed consistently, 10 minutes in the past
///   future_timestamp   signed consistently, 10 minutes in the future
///   wrong_secret       signed with another secret
///   missing_signature  the signature header left out
/// Several `secrets` give one signature per secret (key rotation: dual signatures).
const std::vector<NamedItem>& Variants();
/// Their names.
const std::vector<std::string>& VariantNames();

/// Signs `body` as notification `id` at Unix time `timestamp`. InvalidArgument for an
/// unknown variant, no secret, or a Standard Webhooks secret that is not whsec_+base64.
StatusOr<Delivery> Sign(Scheme scheme, const std::vector<std::string>& secrets,
                        const std::string& id, std::int64_t timestamp, const std::string& body,
                        const std::string& variant = "");

/// The verdict of a receiver; `reason` says why not.
struct Verdict {
  bool ok = false;
  std::string reason;
  std::string id;  // the delivery id the headers name ("" when none)
};

/// Verifies a delivery: required headers, timestamp within ±tolerance of `now` (not for
/// github: it has none), any listed signature matching (constant time).
Verdict Verify(Scheme scheme, const std::string& secret,
               const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& body, std::int64_t now, std::int64_t tolerance_seconds);

}  // namespace tollgate::webhooks
