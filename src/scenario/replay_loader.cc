// `replay:` steps: which earlier request to send again, and how many copies at once.

#include <algorithm>

#include "suite_parts.h"

namespace tollgate::scenario {

using scenario::Document;
using scenario::MapReader;
using scenario::Node;

std::optional<ReplayStep> ReadReplayStep(Document& doc, const Node& n,
                                         const std::vector<SavedName>& saved, bool any_replayable,
                                         const std::string& step) {
  ReplayStep r;
  Node what = n;
  std::optional<std::string> name;
  bool defaulted = false;
  if (n.IsMap()) {
    MapReader m(doc, n, {"of", "concurrent"}, "replay");
    if (auto c = m.Get("concurrent")) {
      if (auto v = scenario::ReadInt(doc, *c, "concurrent", 1, 64)) {
        r.concurrent = static_cast<int>(*v);
      }
    }
    if (auto of = m.Get("of")) {
      what = *of;
      name = scenario::ReadString(doc, what, "of");
      if (!name) return std::nullopt;
    } else {
      name = "previous";  // `of` defaults to the previous request
      defaulted = true;
    }
  } else {
    name = scenario::ReadString(doc, what, "replay");
    if (!name) return std::nullopt;
  }
  std::vector<std::string> candidates = {"previous"};
  for (const SavedName& s : saved) {
    if (s.replayable) candidates.push_back(s.name);
  }
  if (*name == "previous") {
    if (!any_replayable) {
      doc.Error(what, "nothing to replay", defaulted ? "" : scenario::Describe(what),
                defaulted ? "an earlier `request` step in this scenario (`of` defaults to "
                            "`previous`)"
                          : "an earlier `request` step in this scenario");
      return std::nullopt;
    }
  } else if (std::find(candidates.begin(), candidates.end(), *name) == candidates.end()) {
    auto other = std::find_if(saved.begin(), saved.end(),
                              [&](const SavedName& s) { return s.name == *name; });
    if (other != saved.end()) {
      doc.Error(what, "`" + *name + "` cannot be replayed", scenario::Describe(what),
                "a name saved by a request or replay step; `" + *name + "` was saved by a `" +
                    other->kind + "` step");
    } else {
      std::string names;
      for (std::size_t i = 1; i < candidates.size(); ++i) {
        names += (names.empty() ? "" : ", ") + candidates[i];
      }
      doc.Error(what, "unknown saved name `" + *name + "` in `" + step + "`",
                scenario::Describe(what),
                names.empty() ? "`previous` (no earlier step saves a request)"
                              : "`previous` or a request saved by an earlier step: " + names,
                scenario::DidYouMean(*name, candidates));
    }
    return std::nullopt;
  }
  r.what = *name;
  return r;
}

}  // namespace tollgate::scenario
