// `token:` steps: `mint:` a token with an issuer mock's key (any claim, lifetimes relative
// to the shared clock, a hostile `mutate`), or `fetch:` one from a token endpoint.

#include <algorithm>

#include "suite_parts.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::scenario {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::NameScope;
using scenario::Node;

// Reads `key` of `m` as a template into `out`, when present.
void ReadOptionalTemplate(Document& doc, const MapReader& m, const std::string& key,
                          const NameScope& scope, std::optional<Template>& out) {
  if (auto v = m.Get(key)) out = scenario::ReadTemplate(doc, *v, key, scope);
}

// `claims:` and `header:` are mappings of member names to values (strings are templates).
std::optional<TemplatedValue> ReadMembers(Document& doc, const Node& n, const std::string& key,
                                          const NameScope& scope) {
  if (!n.IsMap()) {
    doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n),
              "a mapping of member names to values");
    return std::nullopt;
  }
  return scenario::ReadTemplatedValue(doc, n, key, scope);
}

}  // namespace

bool ReadMint(Document& doc, const Node& n, const NameScope& scope,
              const std::vector<std::string>& requires_services, TokenStep& t) {
  MapReader m(doc, n,
              {"issuer", "audience", "scope", "subject", "client_id", "kid", "lifetime",
               "not_before", "issued_at", "claims", "header", "mutate"},
              "mint");
  if (!m.ok()) return false;
  int before = doc.errors();
  t.kind = TokenStep::Kind::kMint;
  if (auto v = m.Require("issuer")) {
    if (auto name = ReadRequiredService(doc, *v, "issuer", requires_services)) t.issuer = *name;
  }
  ReadOptionalTemplate(doc, m, "audience", scope, t.audience);
  ReadOptionalTemplate(doc, m, "scope", scope, t.scope);
  ReadOptionalTemplate(doc, m, "subject", scope, t.subject);
  ReadOptionalTemplate(doc, m, "client_id", scope, t.client_id);
  ReadOptionalTemplate(doc, m, "kid", scope, t.kid);
  ReadOptionalTemplate(doc, m, "mutate", scope, t.mutate);
  if (auto v = m.Get("mutate")) CheckTerm(doc, *v, "mutate", vocabulary::kTokenMutation, scope);
  if (auto v = m.Get("lifetime")) t.lifetime = scenario::ReadSignedDuration(doc, *v, "lifetime");
  if (auto v = m.Get("not_before"))
    t.not_before = scenario::ReadSignedDuration(doc, *v, "not_before");
  if (auto v = m.Get("issued_at")) t.issued_at = scenario::ReadSignedDuration(doc, *v, "issued_at");
  if (auto v = m.Get("claims")) t.claims = ReadMembers(doc, *v, "claims", scope);
  if (auto v = m.Get("header")) t.header = ReadMembers(doc, *v, "header", scope);
  return doc.errors() == before;
}

namespace {

bool ReadFetch(Document& doc, const Node& n, const NameScope& scope, TokenStep& t) {
  static const std::vector<std::string> kAuthMethods = {"client_secret_basic",
                                                        "client_secret_post"};
  MapReader m(
      doc, n,
      {"url", "client_id", "client_secret", "auth", "grant_type", "refresh_token", "scope", "dpop"},
      "fetch");
  if (!m.ok()) return false;
  int before = doc.errors();
  t.kind = TokenStep::Kind::kFetch;
  if (auto v = m.Require("url")) t.url = scenario::ReadTemplate(doc, *v, "url", scope);
  if (auto v = m.Require("client_id")) {
    t.fetch_client_id = scenario::ReadTemplate(doc, *v, "client_id", scope);
  }
  ReadOptionalTemplate(doc, m, "client_secret", scope, t.client_secret);
  ReadOptionalTemplate(doc, m, "grant_type", scope, t.grant_type);
  ReadOptionalTemplate(doc, m, "refresh_token", scope, t.refresh_token);
  ReadOptionalTemplate(doc, m, "scope", scope, t.fetch_scope);
  if (auto v = m.Get("dpop"))
    t.dpop = ReadDpop(doc, *v, scope, /*token_request=*/true, std::nullopt);
  if (auto v = m.Get("auth")) {
    std::optional<std::string> method = scenario::ReadString(doc, *v, "auth");
    if (method &&
        std::find(kAuthMethods.begin(), kAuthMethods.end(), *method) == kAuthMethods.end()) {
      doc.Error(*v, "invalid value for `auth`", scenario::Describe(*v),
                scenario::OneOf(kAuthMethods), scenario::DidYouMean(*method, kAuthMethods));
    } else if (method) {
      t.auth_method = *method;
    }
  }
  return doc.errors() == before;
}

}  // namespace

std::optional<TokenStep> ReadTokenStep(Document& doc, const Node& n, const NameScope& scope,
                                       const std::vector<std::string>& requires_services) {
  MapReader m(doc, n, {"mint", "fetch"}, "token", true, "a mapping with `mint:` or `fetch:`");
  if (!m.ok()) return std::nullopt;
  std::optional<Node> mint = m.Get("mint"), fetch = m.Get("fetch");
  if (mint && fetch) {
    Node first = *m.KeyNode("mint"), second = *m.KeyNode("fetch");
    if (second.mark.pos < first.mark.pos) std::swap(first, second);
    doc.Error(second, "more than one kind of `token`", scenario::Describe(second),
              "either `mint` or `fetch` (this step already has `" + first.Text() + "`)");
    return std::nullopt;
  }
  if (!mint && !fetch) {
    if (m.unknown().empty()) {
      doc.Error(n, "missing kind of `token`", "", "`mint` or `fetch` in this mapping");
    }
    return std::nullopt;
  }
  TokenStep t;
  bool ok =
      mint ? ReadMint(doc, *mint, scope, requires_services, t) : ReadFetch(doc, *fetch, scope, t);
  if (!ok) return std::nullopt;
  return t;
}

}  // namespace tollgate::scenario
