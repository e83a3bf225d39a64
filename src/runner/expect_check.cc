#include "runner/expect_check.h"

#include <re2/re2.h>

#include "runner/tls_facts.h"
#include "tollgate/scenario/template.h"

namespace tollgate::runner {
namespace {

std::string Quote(const std::string& s) { return "`" + s + "`"; }

// Status patterns written as templates (a target setting) resolved to codes or classes.
StatusOr<StatusExpect> Resolve(const StatusExpect& in, const CaseScope& scope) {
  StatusExpect out = in;
  for (StatusPattern& p : out.any_of) {
    if (p.template_text.empty()) continue;
    ASSIGN_OR_RETURN(Template t, Template::Parse(p.template_text, in.loc));
    ASSIGN_OR_RETURN(std::string text, t.Evaluate(scope));
    std::optional<StatusPattern> resolved = StatusPattern::Parse(text);
    if (!resolved) {
      return InvalidArgumentError("status `" + p.template_text + "` is `" + text +
                                  "`, not a status code or class");
    }
    p = *resolved;
  }
  return out;
}

std::string StatusText(const StatusExpect& s) {
  std::string out;
  for (std::size_t i = 0; i < s.any_of.size(); ++i) {
    if (i) out += i + 1 == s.any_of.size() ? " or " : ", ";
    out += s.any_of[i].ToString();
  }
  return out;
}

bool StatusMatches(const StatusExpect& s, int status) {
  for (const StatusPattern& p : s.any_of) {
    if (p.Matches(status)) return true;
  }
  return false;
}

CheckFailure Failure(std::string type, std::string message, std::string expected,
                     std::string actual, const SourceLoc& where) {
  return {std::move(type), std::move(message), std::move(expected), std::move(actual), where};
}

// Matchers over a list of named values (headers, JSON pointers).
Status CheckNamed(const std::vector<std::pair<std::string, Matcher>>& matchers,
                  const std::function<std::optional<std::string>(const std::string&)>& get,
                  const char* type, const char* what, const CaseScope& scope,
                  std::vector<CheckFailure>& out) {
  for (const auto& [name, m] : matchers) {
    ASSIGN_OR_RETURN(auto mismatch, MatchValue(m, get(name), scope));
    if (mismatch) {
      out.push_back(Failure(type,
                            std::string("expected ") + what + " " + name + " " + mismatch->first +
                                ", got " + mismatch->second,
                            mismatch->first, mismatch->second, m.loc));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string DescribeOutcome(const ClientResponse& r) {
  switch (r.outcome) {
    case TransportOutcome::kOk:
      return "status " + std::to_string(r.status);
    case TransportOutcome::kTlsRejected:
      return "TLS handshake rejected (" + (r.tls_error.empty() ? r.error : r.tls_error) + ")";
    default:
      return std::string(TransportOutcomeName(r.outcome)) + " (" + r.error + ")";
  }
}

namespace {

// The expectation, or one of its alternatives, asks whether the target refused.
bool AsksAboutRefusal(const Expect& e) {
  if (e.rejected || (e.tls && !e.tls->outcome.empty())) return true;
  for (const Expect& alt : e.one_of) {
    if (AsksAboutRefusal(alt)) return true;
  }
  return false;
}

}  // namespace

std::optional<RefusedNote> RefusalNote(const Expect& expect, const ClientResponse& response) {
  if (!AsksAboutRefusal(expect)) return std::nullopt;
  Refusal refusal = ClassifyRefusal(response);
  if (refusal.kind == RefusalKind::kNone) return std::nullopt;
  return RefusedNote{refusal.how};
}

StatusOr<std::optional<std::pair<std::string, std::string>>> MatchValue(
    const Matcher& m, const std::optional<std::string>& actual, const CaseScope& scope) {
  using Result = std::optional<std::pair<std::string, std::string>>;
  std::string shown = actual ? Quote(*actual) : "nothing (absent)";
  std::string neg = m.negated ? "not " : "";
  if (m.kind == Matcher::Kind::kExists) {
    bool want = m.operand.value.is_boolean() ? m.operand.value.get<bool>() : true;
    if (m.negated) want = !want;
    if (actual.has_value() == want) return Result();
    return Result({want ? "to exist" : "to be absent", shown});
  }
  ASSIGN_OR_RETURN(nlohmann::json operand, EvaluateJson(m.operand.value, scope, m.operand.loc));
  std::string want = JsonToText(operand);
  bool ok = false;
  std::string expected;
  switch (m.kind) {
    case Matcher::Kind::kEquals:
      ok = actual && *actual == want;
      expected = neg + "to equal " + Quote(want);
      break;
    case Matcher::Kind::kContains:
      ok = actual && actual->find(want) != std::string::npos;
      expected = neg + "to contain " + Quote(want);
      break;
    case Matcher::Kind::kMatches: {
      RE2 re(want, RE2::Quiet);
      if (!re.ok()) return InvalidArgumentError("bad pattern " + Quote(want) + ": " + re.error());
      ok = actual && RE2::PartialMatch(*actual, re);
      expected = neg + "to match " + Quote(want);
      break;
    }
    case Matcher::Kind::kExists:
      break;
  }
  if (m.negated) ok = actual.has_value() ? !ok : true;
  if (ok) return Result();
  return Result({expected, shown});
}

StatusOr<std::vector<CheckFailure>> CheckResponse(const Expect& expect, const ClientResponse& r,
                                                  const CaseScope& scope) {
  std::vector<CheckFailure> out;
  std::optional<StatusExpect> status;
  if (expect.status) {
    ASSIGN_OR_RETURN(status, Resolve(*expect.status, scope));
  }
  bool answered = r.outcome == TransportOutcome::kOk;
  if (status && !(answered && StatusMatches(*status, r.status))) {
    std::string want = StatusText(*status);
    out.push_back(Failure("assert.status",
                          "expected status " + want + ", got " + DescribeOutcome(r), want,
                          DescribeOutcome(r), status->loc));
  }
  if (expect.rejected) {
    const Refusal refusal = ClassifyRefusal(r);
    bool rejected = refusal.kind != RefusalKind::kNone;
    if (rejected != *expect.rejected) {
      std::string want = *expect.rejected ? "rejected (refused in the TLS handshake, by the TLS "
                                            "terminator's answer, 401 or 403)"
                                          : "not rejected";
      std::string actual = rejected ? "refused: " + refusal.how : DescribeOutcome(r);
      out.push_back(Failure("assert.rejected", "expected " + want + ", got " + actual, want, actual,
                            expect.rejected_loc));
    }
  }
  if (expect.tls) {
    for (CheckFailure& f : CheckTls(*expect.tls, r)) out.push_back(std::move(f));
  }
  if (answered) {
    RETURN_IF_ERROR(CheckNamed(
        expect.headers, [&](const std::string& n) { return r.headers.Get(n); }, "assert.header",
        "header", scope, out));
    if (!expect.json.empty()) {
      nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
      RETURN_IF_ERROR(CheckNamed(
          expect.json,
          [&](const std::string& pointer) -> std::optional<std::string> {
            if (body.is_discarded()) return std::nullopt;
            try {
              nlohmann::json::json_pointer p(pointer);
              if (!body.contains(p)) return std::nullopt;
              return JsonToText(body.at(p));
            } catch (const nlohmann::json::exception&) {
              return std::nullopt;
            }
          },
          "assert.json", "JSON", scope, out));
    }
    for (const Matcher& m : expect.body) {
      ASSIGN_OR_RETURN(auto mismatch, MatchValue(m, r.body, scope));
      if (mismatch) {
        std::string actual = mismatch->second.size() > 200
                                 ? mismatch->second.substr(0, 200) + "...`"
                                 : mismatch->second;
        out.push_back(Failure("assert.body", "expected body " + mismatch->first + ", got " + actual,
                              mismatch->first, actual, m.loc));
      }
    }
  } else if (!expect.headers.empty() || !expect.json.empty() || !expect.body.empty()) {
    if (!expect.status) {  // already explained by the status failure otherwise
      out.push_back(Failure("assert.response",
                            "expected an HTTP response, got " + DescribeOutcome(r),
                            "an HTTP response", DescribeOutcome(r), expect.loc));
    }
  }
  if (expect.duration) {
    double ms = r.timings.total_ms;
    const DurationExpect& d = *expect.duration;
    if ((d.max && ms > d.max->count()) || (d.min && ms < d.min->count())) {
      std::string want = (d.min ? ">= " + std::to_string(d.min->count()) + " ms " : "") +
                         (d.max ? "<= " + std::to_string(d.max->count()) + " ms" : "");
      std::string got = std::to_string(static_cast<long long>(ms)) + " ms";
      out.push_back(Failure("assert.duration", "expected duration " + want + ", got " + got, want,
                            got, d.loc));
    }
  }
  if (!expect.one_of.empty()) {
    std::vector<std::string> reasons;
    bool any = false;
    for (const Expect& alt : expect.one_of) {
      ASSIGN_OR_RETURN(std::vector<CheckFailure> f, CheckResponse(alt, r, scope));
      if (f.empty()) {
        any = true;
        break;
      }
      reasons.push_back(f.front().message);
    }
    if (!any) {
      std::string all;
      for (const std::string& s : reasons) all += (all.empty() ? "" : "; ") + s;
      out.push_back(Failure("assert.one_of",
                            "expected one of " + std::to_string(expect.one_of.size()) +
                                " alternatives to hold, none did: " + all,
                            "one of the alternatives", DescribeOutcome(r), expect.one_of_loc));
    }
  }
  return out;
}

StatusOr<std::vector<CheckFailure>> CheckConcurrent(const Expect& expect,
                                                    const std::vector<ClientResponse>& copies,
                                                    const CaseScope& scope) {
  std::vector<CheckFailure> out;
  Expect per_copy = expect;
  per_copy.exactly_one.reset();
  std::optional<StatusExpect> exactly_one;
  if (expect.exactly_one) {
    ASSIGN_OR_RETURN(exactly_one, Resolve(*expect.exactly_one, scope));
  }
  std::string statuses;
  int matching = 0;
  for (const ClientResponse& r : copies) {
    bool match =
        exactly_one && r.outcome == TransportOutcome::kOk && StatusMatches(*exactly_one, r.status);
    statuses += (statuses.empty() ? "" : ", ") +
                (r.outcome == TransportOutcome::kOk ? std::to_string(r.status)
                                                    : std::string(TransportOutcomeName(r.outcome)));
    if (match) {
      ++matching;
      continue;  // the one allowed success is not held to the others' expectations
    }
    ASSIGN_OR_RETURN(std::vector<CheckFailure> f, CheckResponse(per_copy, r, scope));
    for (CheckFailure& c : f) out.push_back(std::move(c));
  }
  if (exactly_one && matching != 1) {
    std::string want = "exactly 1 of " + std::to_string(copies.size()) + " copies with status " +
                       StatusText(*exactly_one);
    std::string got = std::to_string(matching) + " (statuses: " + statuses + ")";
    out.push_back(Failure("assert.exactly_one", "expected " + want + ", got " + got, want, got,
                          expect.exactly_one->loc));
  }
  return out;
}

StatusOr<std::vector<CheckFailure>> CheckJournal(const Expect& expect,
                                                 const std::vector<JournalEntry>& entries,
                                                 const CaseScope& scope) {
  std::vector<CheckFailure> out;
  int n = static_cast<int>(entries.size());
  if (expect.count) {
    const CountExpect& c = *expect.count;
    bool ok = (!c.exactly || n == *c.exactly) && (!c.min || n >= *c.min) && (!c.max || n <= *c.max);
    if (!ok) {
      std::string want = c.exactly ? std::to_string(*c.exactly)
                                   : (c.min ? ">= " + std::to_string(*c.min) : std::string()) +
                                         (c.min && c.max ? " and " : "") +
                                         (c.max ? "<= " + std::to_string(*c.max) : std::string());
      out.push_back(Failure("assert.count",
                            "expected " + want + " matching requests, got " + std::to_string(n),
                            want, std::to_string(n), c.loc));
    }
  }
  for (const JournalEntry& e : entries) {
    auto get = [&](const std::string& name) -> std::optional<std::string> {
      for (const auto& [k, v] : e.headers) {
        if (EqualsIgnoreCase(k, name)) return v;
      }
      return std::nullopt;
    };
    RETURN_IF_ERROR(
        CheckNamed(expect.headers, get, "assert.header", "received header", scope, out));
    for (const Matcher& m : expect.body) {
      ASSIGN_OR_RETURN(auto mismatch, MatchValue(m, e.body, scope));
      if (mismatch) {
        out.push_back(
            Failure("assert.body",
                    "expected received body " + mismatch->first + ", got " + mismatch->second,
                    mismatch->first, mismatch->second, m.loc));
      }
    }
  }
  return out;
}

}  // namespace tollgate::runner
