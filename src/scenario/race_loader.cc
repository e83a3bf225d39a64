// `race:` steps: how many identical copies to release together, and which request: inline,
// or an earlier one named as `replay` names it.

#include "suite_parts.h"

namespace tollgate::scenario {

std::optional<RaceStep> ReadRaceStep(Document& doc, const Node& n, const NameScope& scope,
                                     const std::vector<SavedName>& saved, bool any_replayable,
                                     const std::vector<std::string>& requires_services) {
  if (!n.IsMap()) {
    doc.Error(n, "`race` must be a mapping", Describe(n),
              "`{copies: N, request: {...}}`, `{copies: N, token: {fetch: {...}}}`, "
              "`{copies: N, notify: {...}}` or `{copies: N, of: NAME}`");
    return std::nullopt;
  }
  MapReader m(doc, n, {"copies", "request", "token", "notify", "of"}, "race");
  RaceStep r;
  bool ok = true;
  if (auto c = m.Get("copies")) {
    if (auto v = ReadInt(doc, *c, "copies", 2, 64)) {
      r.copies = static_cast<int>(*v);
    } else {
      ok = false;
    }
  } else {
    doc.Error(n, "missing `copies` in `race`", "", "how many copies race, from 2 to 64");
    ok = false;
  }
  std::optional<Node> request = m.Get("request"), of = m.Get("of"), token = m.Get("token"),
                      notify = m.Get("notify");
  const char* const kWhat =
      "one of: an inline `request:`, `token: {fetch: ...}`, `notify:`, "
      "or `of:` an earlier request (a saved name or `previous`)";
  std::vector<std::string> given;
  for (const char* key : {"request", "token", "notify", "of"}) {
    if (m.Get(key)) given.push_back(key);
  }
  if (given.size() > 1) {
    doc.Error(*m.KeyNode(given[1]),
              "`race` takes one step to race, found `" + given[0] + "` and `" + given[1] + "`", "",
              kWhat);
    return std::nullopt;
  }
  if (given.empty()) {
    doc.Error(n, "nothing to race", "", kWhat);
    return std::nullopt;
  }
  if (token) {
    std::optional<TokenStep> t = ReadTokenStep(doc, *token, scope, requires_services);
    if (!t) return std::nullopt;
    if (t->kind != TokenStep::Kind::kFetch) {
      doc.Error(*token, "a raced token step is a `fetch`", "`mint`",
                "`token: {fetch: {...}}`: a request to a token endpoint (minting sends nothing)");
      return std::nullopt;
    }
    r.token = std::move(*t);
  } else if (notify) {
    std::optional<NotifyStep> s = ReadNotifyStep(doc, *notify, scope, requires_services);
    if (!s) return std::nullopt;
    r.notify = std::move(*s);
  } else if (request) {
    std::optional<RequestStep> q = ReadRequestStep(doc, *request, scope);
    if (!q) return std::nullopt;
    if (!q->send) {
      doc.Error(*request, "a raced request is always sent", "`send: false`",
                "no `send` here (prepare a request with `send: false` in an earlier step and "
                "race it with `of:`)");
      return std::nullopt;
    }
    r.request = std::move(*q);
  } else {
    // The same names `replay` accepts, with the same diagnostics.
    std::optional<ReplayStep> named = ReadReplayStep(doc, *of, saved, any_replayable, "race");
    if (!named) return std::nullopt;
    r.of = named->what;
  }
  if (!ok) return std::nullopt;
  return r;
}

}  // namespace tollgate::scenario
