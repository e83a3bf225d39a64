// `notify:` steps: the platform's notification to a partner connector (Sage-style). The
// token is a `mint` (every option of `token: {mint}` applies, `mutate` included); the
// custom header, the AuthorisationID and the body have documented defaults. `webhook:`
// signs the notification with a webhook scheme (or one of its corrupted variants).

#include "suite_parts.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::scenario {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::NameScope;
using scenario::Node;

// `header: {name, value}`: the partner's custom header. Leaving `header` out sends none.
bool ReadHeader(Document& doc, const Node& n, const NameScope& scope, NotifyStep& out) {
  MapReader m(doc, n, {"name", "value"}, "header");
  if (!m.ok()) return false;
  if (auto v = m.Require("name")) out.header_name = scenario::ReadTemplate(doc, *v, "name", scope);
  if (auto v = m.Require("value"))
    out.header_value = scenario::ReadTemplate(doc, *v, "value", scope);
  return out.header_name && out.header_value;
}

// `webhook: {scheme, secret | secrets, variant, id}`.
bool ReadWebhook(Document& doc, const Node& n, const NameScope& scope, NotifyStep& out) {
  MapReader m(doc, n, {"scheme", "secret", "secrets", "variant", "id"}, "webhook");
  if (!m.ok()) return false;
  int before = doc.errors();
  WebhookSign w;
  w.loc = doc.Loc(n);
  if (auto v = m.Require("scheme")) {
    if (auto s = scenario::ReadString(doc, *v, "scheme")) {
      w.scheme = *s;
      CheckTerm(doc, *v, "scheme", vocabulary::kWebhookScheme, scope);
    }
  }
  auto secret = m.Get("secret");
  auto secrets = m.Get("secrets");
  if (secret && secrets) {
    doc.Error(*m.KeyNode("secrets"), "both `secret` and `secrets`",
              scenario::Describe(*m.KeyNode("secrets")),
              "either one `secret` or a list of `secrets` (one signature each)");
  } else if (secret) {
    if (auto t = scenario::ReadTemplate(doc, *secret, "secret", scope)) w.secrets.push_back(*t);
  } else if (secrets) {
    if (!secrets->IsSeq() || scenario::Items(*secrets).empty()) {
      doc.Error(*secrets, "invalid value for `secrets`", scenario::Describe(*secrets),
                "a non-empty list of secrets (templates)");
    } else {
      for (const Node& item : scenario::Items(*secrets)) {
        if (auto t = scenario::ReadTemplate(doc, item, "secrets", scope)) w.secrets.push_back(*t);
      }
    }
  } else {
    doc.Error(n, "missing `secret` in `webhook`", scenario::Describe(n),
              "`secret: ...` or `secrets: [...]` (the signing secret(s))");
  }
  if (auto v = m.Get("variant")) {
    if (auto s = scenario::ReadString(doc, *v, "variant")) {
      CheckTerm(doc, *v, "variant", vocabulary::kWebhookVariant, scope);
      if (*s != "none") w.variant = *s;
    }
  }
  if (auto v = m.Get("id")) w.id = scenario::ReadTemplate(doc, *v, "id", scope);
  // GitHub signs without a timestamp and sends one signature: those variants would be no
  // defect at all, so they are refused rather than silently sent correct.
  if (w.scheme == "github" && (w.variant == "stale_timestamp" || w.variant == "future_timestamp")) {
    doc.Error(*m.Get("variant"), "variant `" + w.variant + "` does not apply to `github`",
              scenario::Describe(*m.Get("variant")),
              "reserialized_body, wrong_secret, missing_signature or duplicate_id (GitHub "
              "signatures carry no timestamp)");
  }
  if (w.scheme == "github" && w.secrets.size() > 1) {
    doc.Error(*m.Get("secrets"), "several `secrets` for `github`",
              scenario::Describe(*m.Get("secrets")),
              "one secret (GitHub sends a single signature; no rotation list)");
  }
  if (doc.errors() > before) return false;
  out.webhook = std::move(w);
  return true;
}

}  // namespace

std::optional<NotifyStep> ReadNotifyStep(Document& doc, const Node& n, const NameScope& scope,
                                         const std::vector<std::string>& requires_services) {
  MapReader m(doc, n,
              {"url", "token", "bearer", "header", "id", "resource_type", "additional_data", "body",
               "timeout", "webhook"},
              "notify");
  if (!m.ok()) return std::nullopt;
  int before = doc.errors();
  NotifyStep s;
  if (auto v = m.Require("url")) {
    if (auto t = scenario::ReadTemplate(doc, *v, "url", scope)) s.url = *t;
  }
  if (auto v = m.Get("token")) {
    TokenStep t;
    if (ReadMint(doc, *v, scope, requires_services, t)) s.token = std::move(t);
  }
  if (auto v = m.Get("bearer")) {
    if (s.token) {
      doc.Error(*m.KeyNode("bearer"), "both `token` and `bearer`",
                scenario::Describe(*m.KeyNode("bearer")),
                "either a token to mint (`token`) or one to send as it is (`bearer`)");
    } else {
      s.bearer = scenario::ReadTemplate(doc, *v, "bearer", scope);
    }
  }
  if (auto v = m.Get("header")) ReadHeader(doc, *v, scope, s);
  if (auto v = m.Get("id")) s.id = scenario::ReadTemplate(doc, *v, "id", scope);
  if (auto v = m.Get("resource_type")) {
    s.resource_type = scenario::ReadTemplate(doc, *v, "resource_type", scope);
  }
  if (auto v = m.Get("additional_data")) {
    if (!v->IsMap()) {
      doc.Error(*v, "invalid value for `additional_data`", scenario::Describe(*v),
                "a mapping (the body's `additionalData` object)");
    } else {
      s.additional_data = scenario::ReadTemplatedValue(doc, *v, "additional_data", scope);
    }
  }
  if (auto v = m.Get("body")) s.body = scenario::ReadTemplatedValue(doc, *v, "body", scope);
  if (auto v = m.Get("timeout")) s.timeout = scenario::ReadDuration(doc, *v, "timeout");
  if (auto v = m.Get("webhook")) ReadWebhook(doc, *v, scope, s);
  if (doc.errors() > before) return std::nullopt;
  return s;
}

}  // namespace tollgate::scenario
