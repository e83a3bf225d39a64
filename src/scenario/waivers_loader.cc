// Waiver files (docs/waivers.md): a list of {scenario, reason, expires}.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tollgate/base/file.h"
#include "tollgate/scenario/waivers.h"
#include "yaml_reader.h"

namespace tollgate {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::Node;

std::optional<Waiver> ReadWaiver(Document& doc, const Node& n) {
  int before = doc.errors();
  MapReader m(doc, n, {"scenario", "reason", "expires"}, "waivers", true,
              "a mapping with `scenario:`, `reason:` and `expires:`");
  if (!m.ok()) return std::nullopt;
  Waiver w;
  w.loc = doc.Loc(n);
  if (auto v = m.Require("scenario")) {
    if (auto s = scenario::ReadString(doc, *v, "scenario")) w.scenario = *s;
  }
  if (auto v = m.Require("reason")) {
    auto s = scenario::ReadString(doc, *v, "reason");
    if (s && s->find_first_not_of(" \t") == std::string::npos) {
      doc.Error(*v, "invalid value for `reason`", "an empty reason",
                "why the failure is accepted (a ticket, a date of fix)");
    } else if (s) {
      w.reason = *s;
    }
  }
  if (auto v = m.Require("expires")) {
    if (v->IsScalar() && IsIsoDate(v->Text())) {
      w.expires = v->Text();
    } else {
      doc.Error(*v, "invalid value for `expires`", scenario::Describe(*v),
                "a date YYYY-MM-DD (the last day the waiver applies)");
    }
  }
  if (doc.errors() > before) return std::nullopt;
  return w;
}

}  // namespace

bool IsIsoDate(const std::string& t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  const int y = std::stoi(t.substr(0, 4)), mo = std::stoi(t.substr(5, 2)),
            d = std::stoi(t.substr(8, 2));
  if (mo < 1 || mo > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
}

std::optional<Waivers> ParseWaivers(const std::string& text, const std::string& path,
                                    Diagnostics& diags) {
  Document doc(path, text, diags);
  if (!doc.Parse()) return std::nullopt;
  Waivers out;
  out.file = path;
  MapReader top(doc, doc.root(), {"waivers"}, "", true, "a mapping with `waivers:`");
  if (top.ok()) {
    if (auto n = top.Require("waivers")) {
      if (!n->IsSeq()) {
        doc.Error(*n, "invalid value for `waivers`", scenario::Describe(*n), "a list of waivers");
      }
      for (const Node& item : scenario::Items(*n)) {
        std::optional<Waiver> w = ReadWaiver(doc, item);
        if (!w) continue;
        auto first = std::find_if(out.waivers.begin(), out.waivers.end(),
                                  [&](const Waiver& x) { return x.scenario == w->scenario; });
        if (first != out.waivers.end()) {
          MapReader m(doc, item, {}, "waivers");
          doc.Error(*m.Get("scenario"), "duplicate waiver for `" + w->scenario + "`",
                    "`" + w->scenario + "` again", "one waiver per scenario",
                    "the first is on line " + std::to_string(first->loc.line));
          continue;
        }
        out.waivers.push_back(std::move(*w));
      }
    }
  }
  if (doc.errors() > 0) return std::nullopt;
  return out;
}

std::optional<Waivers> LoadWaivers(const std::string& path, Diagnostics& diags) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    Diagnostic d;
    d.title = text.status().message();
    d.loc.file = path;
    diags.Add(std::move(d));
    return std::nullopt;
  }
  return ParseWaivers(*text, path, diags);
}

}  // namespace tollgate
