#pragma once
// `${...}` templates. A template is parsed once, when its file loads (a bad template is a
// load error with a position), and evaluated many times against a Scope at run time.
//
// Grammar inside ${ }:
//   expr     := path | call | 'literal' | "literal"
//   path     := name ('.' segment)*            e.g. target.url, n.response.json.id
//               env.NAME:-default              (default when the variable is unset)
//   call     := uuid() | now() | base64(expr, ...)   base64 of the concatenated args

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tollgate/base/source.h"
#include "tollgate/base/status.h"

namespace tollgate {

/// What a template is evaluated against. Implemented by the runner.
class Scope {
 public:
  virtual ~Scope() = default;
  /// The value of a dotted path split into segments, or NotFound with a message saying
  /// which segment is unknown.
  virtual StatusOr<std::string> Lookup(const std::vector<std::string>& path) const = 0;
  /// A fresh UUID (v4). The runner's random source, so tests can fix it.
  virtual std::string NewUuid() const = 0;
  /// Unix seconds on the shared clock.
  virtual long long NowSeconds() const = 0;
  /// The process environment (injectable for tests).
  virtual std::optional<std::string> Env(const std::string& name) const = 0;
};

/// One parsed expression inside ${ }.
struct TemplateExpr {
  enum class Kind { kPath, kLiteral, kCall };
  Kind kind = Kind::kLiteral;
  std::vector<std::string> path;           // kPath
  std::optional<std::string> env_default;  // kPath under env. with ":-"
  std::string text;                        // kLiteral value, or kCall function name
  std::vector<TemplateExpr> args;          // kCall
  int offset = 0;                          // byte offset of the expression in the raw string
};

/// Where and why a template failed to parse, for located diagnostics.
struct TemplateError {
  int offset = 0;        // byte offset of the problem in the raw string
  int expr_offset = 0;   // byte offset of the `${` that holds the problem
  int expr_length = 0;   // bytes from that `${` to its `}` (or to the end when unterminated)
  std::string found;     // e.g. "`}`", "end of text"
  std::string expected;  // e.g. "a name, a function call or a quoted literal"
  std::string help;      // e.g. "did you mean `base64`?", or empty
};

/// A string with ${...} parts, parsed. Immutable after parsing; thread-safe to evaluate.
class Template {
 public:
  Template() = default;
  /// Parses `raw`; `loc` is where the raw string starts in its file, for errors.
  static StatusOr<Template> Parse(std::string raw, SourceLoc loc = {});
  /// As above; on failure also fills `*error` (when not null) with the located details.
  static StatusOr<Template> Parse(std::string raw, SourceLoc loc, TemplateError* error);
  /// A template with no ${...}: `text` as is (raw() is `text` with `${` escaped as `$${`).
  static Template Literal(std::string text);

  /// The text with every expression evaluated.
  StatusOr<std::string> Evaluate(const Scope& scope) const;

  const std::string& raw() const { return raw_; }
  const SourceLoc& loc() const { return loc_; }
  bool empty() const { return raw_.empty(); }
  /// True when the template has no ${...} at all.
  bool is_literal() const;
  /// The first path segment of every path expression (to check names at load time),
  /// with the byte offset of each.
  std::vector<std::pair<std::string, int>> Roots() const;
  /// Every path expression in full (`target.audience` as {"target", "audience"}), calls'
  /// arguments included, with the byte offset of each: what a file needs defined.
  std::vector<std::pair<std::vector<std::string>, int>> Paths() const;
  /// The name of every function call (uuid, now, base64), with the byte offset of each.
  std::vector<std::pair<std::string, int>> Functions() const;

 private:
  struct Part {
    std::string literal;  // used when expr is empty
    std::optional<TemplateExpr> expr;
  };
  std::string raw_;
  SourceLoc loc_;
  std::vector<Part> parts_;
};

}  // namespace tollgate
