// `race:` steps: how many identical copies to release together, and which request: inline,
// or an earlier one named as `replay` names it.

#include "suite_parts.h"

namespace tollgate::scenario {

std::optional<RaceStep> ReadRaceStep(Document& doc, const Node& n, const NameScope& scope,
                                     const std::vector<SavedName>& saved, bool any_replayable) {
  if (!n.IsMap()) {
    doc.Error(n, "`race` must be a mapping", Describe(n),
              "`{copies: N, request: {...}}` or `{copies: N, of: NAME}`");
    return std::nullopt;
  }
  MapReader m(doc, n, {"copies", "request", "of"}, "race");
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
  std::optional<Node> request = m.Get("request"), of = m.Get("of");
  if (request && of) {
    doc.Error(*m.KeyNode("of"), "`race` takes `request` or `of`, not both", "",
              "an inline `request:` or `of:` an earlier request");
    return std::nullopt;
  }
  if (!request && !of) {
    doc.Error(n, "nothing to race", "",
              "an inline `request:` or `of:` an earlier request (a saved name or `previous`)");
    return std::nullopt;
  }
  if (request) {
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
