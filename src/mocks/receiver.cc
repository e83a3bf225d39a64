#include "mocks/receiver.h"

#include "mocks/config.h"

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
}

void Receiver::AddRoutes(ServiceRouter& router) {
  router.AddPrefix("*", "/", [this](const ServerRequest&) {
    ServerResponse r;
    r.status = status_;
    r.body = body_;
    bool has_type = false;
    for (const auto& [name, value] : headers_) {
      r.headers.Add(name, value);
      has_type = has_type || EqualsIgnoreCase(name, "content-type");
    }
    if (!has_type) r.headers.Add("Content-Type", "application/json");
    return Handled{std::move(r), "recorded"};
  });
}

}  // namespace tollgate::mocks
