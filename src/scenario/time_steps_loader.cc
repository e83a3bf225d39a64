// Steps about time: `wait:` pauses for real (bounded by --max-wait); `clock:` moves the
// shared clock of the mocks and the minter instead, so expiry is tested without sleeping.

#include "suite_parts.h"

namespace tollgate::scenario {

using scenario::Document;
using scenario::MapReader;
using scenario::Node;

namespace {

// The value itself when it is a scalar, else the one required key of its mapping.
std::optional<Node> ScalarOrKey(Document& doc, const Node& n, const std::string& step,
                                const std::string& key) {
  if (!n.IsMap()) return n;
  MapReader m(doc, n, {key}, step);
  return m.Require(key);
}

}  // namespace

std::optional<WaitStep> ReadWaitStep(Document& doc, const Node& n,
                                     const scenario::NameScope& scope) {
  if (n.IsMap() && (n.y["for"].IsDefined() || n.y["plus"].IsDefined())) {
    // `wait: {for: "${target.jwks_cache_ttl}", plus: 2s}`: a duration the target documents,
    // known only at run time, plus a margin.
    MapReader m(doc, n, {"for", "plus"}, "wait");
    if (!m.ok()) return std::nullopt;
    WaitStep wait;
    bool ok = true;
    if (auto f = m.Require("for")) {
      std::optional<Template> t = scenario::ReadTemplate(doc, *f, "for", scope);
      if (t) wait.for_ = std::move(*t);
      ok = ok && t.has_value();
    } else {
      ok = false;
    }
    if (auto p = m.Get("plus")) {
      // Signed: `plus: -1m` waits until just before a documented lifetime ends.
      std::optional<Duration> plus = scenario::ReadSignedDuration(doc, *p, "plus");
      if (plus) wait.duration = *plus;
      ok = ok && plus.has_value();
    }
    return ok ? std::optional<WaitStep>(std::move(wait)) : std::nullopt;
  }
  std::optional<Node> d = ScalarOrKey(doc, n, "wait", "duration");
  if (!d) return std::nullopt;
  std::optional<Duration> duration =
      scenario::ReadDuration(doc, *d, n.IsMap() ? "duration" : "wait");
  if (!duration) return std::nullopt;
  return WaitStep{*duration, std::nullopt};
}

std::optional<ClockStep> ReadClockStep(Document& doc, const Node& n) {
  std::optional<Node> d = ScalarOrKey(doc, n, "clock", "offset");
  if (!d) return std::nullopt;
  std::optional<Duration> offset =
      scenario::ReadSignedDuration(doc, *d, n.IsMap() ? "offset" : "clock");
  if (!offset) return std::nullopt;
  return ClockStep{*offset};
}

}  // namespace tollgate::scenario
