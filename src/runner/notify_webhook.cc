#include "runner/notify_webhook.h"

#include "tollgate/crypto/webhooks.h"
#include "tollgate/http/message.h"

namespace tollgate::runner {

StatusOr<nlohmann::json> SignNotify(const WebhookSign& w, const RunContext& run,
                                    const CaseScope& scope, ClientRequest& q,
                                    std::string& last_id) {
  auto scheme = webhooks::SchemeFromName(w.scheme);
  if (!scheme) return InvalidArgumentError("unknown webhook scheme `" + w.scheme + "`");
  std::vector<std::string> secrets;
  for (const Template& t : w.secrets) {
    ASSIGN_OR_RETURN(std::string secret, t.Evaluate(scope));
    if (!secret.empty()) run.redactor->AddSecret(secret);
    secrets.push_back(std::move(secret));
  }
  std::string id;
  if (w.variant == "duplicate_id") {
    if (last_id.empty()) {
      return FailedPreconditionError(
          "webhook variant `duplicate_id` reuses the id of an earlier correctly signed `notify` "
          "(no variant) in the same case, and there is none");
    }
    id = last_id;
  } else if (w.id) {
    ASSIGN_OR_RETURN(id, w.id->Evaluate(scope));
  } else {
    id = "msg_" + scope.NewUuid();
  }
  // duplicate_id is a correct signature over a repeated id: the crypto variant is none.
  std::string variant = w.variant == "duplicate_id" ? "" : w.variant;
  std::int64_t now = run.clock->NowSeconds();
  auto signed_delivery = webhooks::Sign(*scheme, secrets, id, now, q.body, variant);
  if (!signed_delivery.ok()) {
    return signed_delivery.status().WithContext("webhook " + w.scheme);
  }
  for (auto& [name, value] : signed_delivery->headers) {
    if (EqualsIgnoreCase(name, "Content-Type")) continue;  // the notification has its own
    q.headers.emplace_back(std::move(name), std::move(value));
  }
  q.body = std::move(signed_delivery->body);
  // Only a correct delivery is one a receiver would have accepted, so duplicate_id repeats it.
  if (w.variant.empty()) last_id = id;
  return nlohmann::json{{"scheme", w.scheme},
                        {"id", id},
                        {"timestamp", now},
                        {"variant", w.variant.empty() ? "none" : w.variant}};
}

}  // namespace tollgate::runner
