// `notify:` steps: the platform's notification to a partner connector (Sage-style). The
// token is a `mint` (every option of `token: {mint}` applies, `mutate` included); the
// custom header, the AuthorisationID and the body have documented defaults.

#include "suite_parts.h"

namespace tollgate::internal {
namespace {

using yaml::Document;
using yaml::MapReader;
using yaml::NameScope;
using yaml::Node;

// `header: {name, value}`: the partner's custom header. Leaving `header` out sends none.
bool ReadHeader(Document& doc, const Node& n, const NameScope& scope, NotifyStep& out) {
  MapReader m(doc, n, {"name", "value"}, "header");
  if (!m.ok()) return false;
  if (auto v = m.Require("name")) out.header_name = yaml::ReadTemplate(doc, *v, "name", scope);
  if (auto v = m.Require("value")) out.header_value = yaml::ReadTemplate(doc, *v, "value", scope);
  return out.header_name && out.header_value;
}

}  // namespace

std::optional<NotifyStep> ReadNotifyStep(Document& doc, const Node& n, const NameScope& scope,
                                         const std::vector<std::string>& requires_services) {
  MapReader m(doc, n,
              {"url", "token", "bearer", "header", "id", "resource_type", "additional_data", "body",
               "timeout"},
              "notify");
  if (!m.ok()) return std::nullopt;
  int before = doc.errors();
  NotifyStep s;
  if (auto v = m.Require("url")) {
    if (auto t = yaml::ReadTemplate(doc, *v, "url", scope)) s.url = *t;
  }
  if (auto v = m.Get("token")) {
    TokenStep t;
    if (ReadMint(doc, *v, scope, requires_services, t)) s.token = std::move(t);
  }
  if (auto v = m.Get("bearer")) {
    if (s.token) {
      doc.Error(*m.KeyNode("bearer"), "both `token` and `bearer`", yaml::Describe(*m.KeyNode("bearer")),
                "either a token to mint (`token`) or one to send as it is (`bearer`)");
    } else {
      s.bearer = yaml::ReadTemplate(doc, *v, "bearer", scope);
    }
  }
  if (auto v = m.Get("header")) ReadHeader(doc, *v, scope, s);
  if (auto v = m.Get("id")) s.id = yaml::ReadTemplate(doc, *v, "id", scope);
  if (auto v = m.Get("resource_type")) {
    s.resource_type = yaml::ReadTemplate(doc, *v, "resource_type", scope);
  }
  if (auto v = m.Get("additional_data")) {
    if (!v->IsMap()) {
      doc.Error(*v, "invalid value for `additional_data`", yaml::Describe(*v),
                "a mapping (the body's `additionalData` object)");
    } else {
      s.additional_data = yaml::ReadTemplatedValue(doc, *v, "additional_data", scope);
    }
  }
  if (auto v = m.Get("body")) s.body = yaml::ReadTemplatedValue(doc, *v, "body", scope);
  if (auto v = m.Get("timeout")) s.timeout = yaml::ReadDuration(doc, *v, "timeout");
  if (doc.errors() > before) return std::nullopt;
  return s;
}

}  // namespace tollgate::internal
