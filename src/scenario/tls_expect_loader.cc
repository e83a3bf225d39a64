// `expect: {tls: ...}`: outcomes and the server-side checks of a target's TLS
// (docs/formats.md, Expectations).

#include "tls_expect_loader.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "tollgate/base/tls_alerts.h"

namespace tollgate::scenario {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::Node;

const char kOutcomeExpected[] =
    "`accepted`, `rejected`, `handshake_refused` or a TLS alert name (e.g. handshake_failure, "
    "unknown_ca)";

// `rejected` also holds on a TLS terminator's HTTP answer; `handshake_refused` only on a
// refusal in the TLS layer, for a requirement that says "in the handshake".
const char* const kOutcomeWords[] = {"accepted", "rejected", "handshake_refused"};
const char kBoundExpected[] = "a comparison such as \">= 30\" (>=, >, <=, <, == or a number)";

std::optional<std::string> ReadOutcome(Document& doc, const Node& n) {
  std::string text = n.Text();
  std::vector<std::string> names = TlsAlertNames();
  names.insert(names.end(), std::begin(kOutcomeWords), std::end(kOutcomeWords));
  if (n.IsScalar() && std::find(names.begin(), names.end(), text) != names.end()) return text;
  doc.Error(n, "invalid value for `tls`", scenario::Describe(n), kOutcomeExpected,
            n.IsScalar() ? scenario::DidYouMean(text, names) : "");
  return std::nullopt;
}

std::optional<NumberBound> ReadBound(Document& doc, const Node& n, const std::string& key,
                                     bool version) {
  std::optional<NumberBound> b = n.IsScalar() ? ParseNumberBound(n.Text()) : std::nullopt;
  if (b && version && b->value != 1.0 && b->value != 1.1 && b->value != 1.2 && b->value != 1.3) {
    doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n),
              "a TLS version 1.0, 1.1, 1.2 or 1.3 with an optional comparison (e.g. \">= 1.2\")");
    return std::nullopt;
  }
  if (!b) {
    doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n),
              version ? "a comparison with a TLS version, e.g. \">= 1.2\"" : kBoundExpected);
    return std::nullopt;
  }
  b->loc = doc.Loc(n);
  return b;
}

std::optional<bool> ReadWord(Document& doc, const Node& n, const std::string& key, const char* yes,
                             const char* no) {
  if (n.IsScalar() && n.Text() == yes) return true;
  if (n.IsScalar() && n.Text() == no) return false;
  doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n),
            scenario::OneOf({yes, no}));
  return std::nullopt;
}

}  // namespace

std::optional<NumberBound> ParseNumberBound(const std::string& text) {
  NumberBound b;
  b.text = text;
  std::size_t i = 0;
  for (const char* op : {">=", "<=", "==", ">", "<"}) {
    std::string o = op;
    if (text.compare(0, o.size(), o) == 0) {
      b.op = o;
      i = o.size();
      break;
    }
  }
  while (i < text.size() && text[i] == ' ') ++i;
  if (i >= text.size()) return std::nullopt;
  const char* start = text.c_str() + i;
  char* end = nullptr;
  b.value = std::strtod(start, &end);
  if (end == start || *end != '\0' || *start == '+' || *start == ' ') return std::nullopt;
  return b;
}

std::optional<TlsExpect> ReadTlsExpect(Document& doc, const Node& n) {
  TlsExpect t;
  t.loc = doc.Loc(n);
  if (!n.IsMap()) {
    std::optional<std::string> outcome = ReadOutcome(doc, n);
    if (!outcome) return std::nullopt;
    t.outcome = *outcome;
    return t;
  }
  int before = doc.errors();
  MapReader m(doc, n, {"outcome", "protocol", "server_cert"}, "tls");
  if (!m.ok()) return std::nullopt;
  if (auto v = m.Get("outcome")) {
    if (auto o = ReadOutcome(doc, *v)) t.outcome = *o;
  }
  if (auto v = m.Get("protocol")) t.protocol = ReadBound(doc, *v, "protocol", true);
  if (auto v = m.Get("server_cert")) {
    MapReader c(doc, *v, {"days_left", "chain", "host"}, "server_cert");
    if (c.ok()) {
      if (auto d = c.Get("days_left")) t.days_left = ReadBound(doc, *d, "days_left", false);
      if (auto d = c.Get("chain")) {
        t.chain_trusted = ReadWord(doc, *d, "chain", "trusted", "untrusted");
        t.chain_loc = doc.Loc(*d);
      }
      if (auto d = c.Get("host")) {
        t.host_match = ReadWord(doc, *d, "host", "match", "mismatch");
        t.host_loc = doc.Loc(*d);
      }
    }
  }
  if (doc.errors() > before) return std::nullopt;
  if (t.outcome.empty() && !t.protocol && !t.days_left && !t.chain_trusted && !t.host_match) {
    doc.Error(n, "empty `tls` expectation", "a mapping with nothing to check",
              "at least one of: outcome, protocol, server_cert");
    return std::nullopt;
  }
  return t;
}

}  // namespace tollgate::scenario
