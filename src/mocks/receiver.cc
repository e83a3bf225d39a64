#include "mocks/receiver.h"

#include "mocks/config.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::mocks {

Receiver::Receiver(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx),
      status_(GetInt(decl.config, "status", 200)),
      body_(GetString(decl.config, "body", R"({"received":true})")) {
  if (auto it = decl.config.find("headers"); it != decl.config.end() && it->is_object()) {
    for (const auto& [name, value] : it->items()) {
      headers_.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  // The environment loader has checked the schema (scheme one of the known names).
  if (auto it = decl.config.find("verify"); it != decl.config.end() && it->is_object()) {
    auto scheme = webhooks::SchemeFromName(GetString(*it, "scheme", ""));
    if (scheme) {
      Verify v{*scheme, GetString(*it, "secret", ""), 300};
      if (auto d = ParseDuration(GetString(*it, "tolerance", ""))) {
        v.tolerance = std::chrono::duration_cast<std::chrono::seconds>(*d).count();
      }
      if (ctx.redactor) ctx.redactor->AddSecret(v.secret);
      verify_ = v;
    }
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
  static const KindTerms kTerms = {"receiver",
                                   /*actions=*/{},
                                   /*faults=*/{}};
  return kTerms;
}

}  // namespace tollgate::mocks
