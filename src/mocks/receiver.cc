#include "mocks/receiver.h"

#include "mocks/config.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::mocks {

Receiver::Receiver(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx),
      status_(GetInt(decl.config, "status", 200)),
      body_(GetString(decl.config, "body", R"({"received":true})")) {
  for (const auto& [name, value] : GetObject(decl.config, "headers").items()) {
    headers_.emplace_back(name, value.get<std::string>());
  }
  const nlohmann::json& verify = GetObject(decl.config, "verify");
  // The loader has checked `scheme` against the same names (Vocabulary().keys).
  if (auto scheme = webhooks::SchemeFromName(GetString(verify, "scheme", ""))) {
    Verify v{*scheme, GetString(verify, "secret", ""),
             GetSeconds(verify, "tolerance", std::chrono::seconds(300)).count()};
    if (ctx.redactor) ctx.redactor->AddSecret(v.secret);
    verify_ = v;
  }
}

Handled Receiver::Handle(const ServerRequest& request) {
  std::string note = "recorded";
  if (verify_) {
    webhooks::Verdict v =
        webhooks::Verify(verify_->scheme, verify_->secret, request.headers.items(), request.body,
                         ctx().clock->NowSeconds(), verify_->tolerance);
    if (v.ok && !v.id.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!seen_ids_.insert(v.id).second) v = {false, "duplicate id " + v.id, v.id};
    }
    if (!v.ok) {
      return {ServerResponse::Json(401, nlohmann::json{{"error", "invalid_signature"}}.dump()),
              "rejected: " + v.reason};
    }
    note = "verified";
  }
  ServerResponse r;
  r.status = status_;
  r.body = body_;
  bool has_type = false;
  for (const auto& [name, value] : headers_) {
    r.headers.Add(name, value);
    has_type = has_type || EqualsIgnoreCase(name, "content-type");
  }
  if (!has_type) r.headers.Add("Content-Type", "application/json");
  return Handled{std::move(r), note};
}

void Receiver::AddRoutes(ServiceRouter& router) {
  router.AddPrefix("*", "/", [this](const ServerRequest& r) { return Handle(r); });
}

const KindTerms& Receiver::Vocabulary() {
  using T = FieldType;
  static const KindTerms kTerms = {
      "receiver",
      /*actions=*/{},
      /*faults=*/{},
      /*keys=*/
      {Key("status", T::kStatusCode, "the status of every answer (default 200)"),
       Key("body", T::kString, "the body of every answer (default `{\"received\":true}`)"),
       Key("headers", T::kStringMap, "headers added to every answer"),
       Key("verify", T::kObject,
           "check webhook signatures: a delivery that fails, or repeats an accepted id, gets "
           "401 (journal note `verified` or `rejected: <reason>`)")
           .Of({Key("scheme", T::kString, "the signature scheme")
                    .Required()
                    .OneOf(webhooks::SchemeNames()),
                Key("secret", T::kString, "the signing secret (redacted)").Required(),
                Key("tolerance", T::kDuration, "how old a timestamp may be (default 5m)")})}};
  return kTerms;
}

}  // namespace tollgate::mocks
