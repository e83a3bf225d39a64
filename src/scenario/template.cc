#include "tollgate/scenario/template.h"

#include <algorithm>
#include <string_view>

#include "tollgate/base/encoding.h"
#include "tollgate/scenario/diagnostics.h"

namespace tollgate {
namespace {

const std::vector<std::string>& FunctionNames() {
  static const std::vector<std::string> kNames = {"uuid", "now", "base64"};
  return kNames;
}

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-'; }

std::string Quote(std::string_view text) { return "`" + std::string(text) + "`"; }

// Recursive-descent parser of one `${...}` expression. Borrows `raw` for its lifetime.
// Every Parse* returns nullopt after recording the first error in error().
class ExprParser {
 public:
  ExprParser(std::string_view raw, std::size_t open) : s_(raw), open_(open), pos_(open + 2) {}

  // Parses the whole `${ expr }` and leaves pos() after the closing brace.
  std::optional<TemplateExpr> ParseTop() {
    SkipSpaces();
    if (AtEnd()) return Unterminated();
    if (s_[pos_] == '}') {
      return Fail(pos_, "an empty `${}`", "a name, a function call or a quoted literal");
    }
    std::optional<TemplateExpr> e = ParseExpr(/*in_call=*/false);
    if (!e) return std::nullopt;
    SkipSpaces();
    if (AtEnd()) return Unterminated();
    if (s_[pos_] != '}') return Fail(pos_, Quote(s_.substr(pos_, 1)), "`}`");
    ++pos_;
    return e;
  }

  std::size_t pos() const { return pos_; }
  const TemplateError& error() const { return error_; }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  void SkipSpaces() {
    while (!AtEnd() && s_[pos_] == ' ') ++pos_;
  }

  std::nullopt_t Fail(std::size_t at, std::string found, std::string expected,
                      std::string help = "") {
    TemplateError e;
    e.offset = static_cast<int>(at);
    e.expr_offset = static_cast<int>(open_);
    std::size_t close = s_.find('}', open_);
    e.expr_length =
        static_cast<int>((close == std::string_view::npos ? s_.size() : close + 1) - open_);
    e.found = std::move(found);
    e.expected = std::move(expected);
    e.help = std::move(help);
    error_ = std::move(e);
    return std::nullopt;
  }

  std::nullopt_t Unterminated() {
    return Fail(s_.size(), "end of text", "`}` to close the `${` at byte " + std::to_string(open_));
  }

  std::optional<TemplateExpr> ParseExpr(bool in_call) {
    SkipSpaces();
    if (AtEnd()) return Unterminated();
    char c = s_[pos_];
    if (c == '\'' || c == '"') return ParseLiteral();
    if (!IsNameStart(c)) {
      return Fail(pos_, Quote(s_.substr(pos_, 1)),
                  in_call ? "an argument: a name, a function call or a quoted literal"
                          : "a name, a function call or a quoted literal");
    }
    std::size_t start = pos_;
    std::string name = ReadName();
    if (!AtEnd() && s_[pos_] == '(') return ParseCall(std::move(name), start);
    return ParsePath(std::move(name), start, in_call);
  }

  std::string ReadName() {
    std::size_t start = pos_;
    while (!AtEnd() && IsNameChar(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  std::optional<TemplateExpr> ParseLiteral() {
    char quote = s_[pos_];
    std::size_t start = pos_;
    std::size_t end = s_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) {
      return Fail(s_.size(), "end of text",
                  "the closing " + Quote(std::string(1, quote)) + " of the literal at byte " +
                      std::to_string(start));
    }
    TemplateExpr e;
    e.kind = TemplateExpr::Kind::kLiteral;
    e.text = std::string(s_.substr(start + 1, end - start - 1));
    e.offset = static_cast<int>(start);
    pos_ = end + 1;
    return e;
  }

  std::optional<TemplateExpr> ParsePath(std::string name, std::size_t start, bool in_call) {
    TemplateExpr e;
    e.kind = TemplateExpr::Kind::kPath;
    e.offset = static_cast<int>(start);
    e.path.push_back(std::move(name));
    while (!AtEnd() && s_[pos_] == '.') {
      ++pos_;
      std::size_t seg_start = pos_;
      while (!AtEnd() && IsNameChar(s_[pos_])) ++pos_;
      if (pos_ == seg_start) {
        if (AtEnd()) return Unterminated();
        return Fail(pos_, Quote(s_.substr(pos_, 1)), "a name after `.`");
      }
      e.path.emplace_back(s_.substr(seg_start, pos_ - seg_start));
    }
    bool is_env = e.path[0] == "env";
    if (is_env && e.path.size() == 1) {
      if (AtEnd()) return Unterminated();
      return Fail(pos_, Quote(s_.substr(pos_, 1)), "`.NAME` after `env` (an environment variable)");
    }
    if (is_env && e.path.size() > 2) {
      return Fail(start, Quote(s_.substr(start, pos_ - start)),
                  "`env.NAME` with no further segments");
    }
    if (s_.substr(pos_, 2) == ":-") {
      if (!is_env) {
        return Fail(pos_, "`:-`", "`}` (a `:-default` is only allowed after `env.NAME`)");
      }
      pos_ += 2;
      // The default runs to the closing brace (or, inside a call, to `,` or `)`).
      std::size_t end = s_.find_first_of(in_call ? ",)}" : "}", pos_);
      if (end == std::string_view::npos) return Unterminated();
      e.env_default = std::string(s_.substr(pos_, end - pos_));
      pos_ = end;
    }
    return e;
  }

  std::optional<TemplateExpr> ParseCall(std::string name, std::size_t start) {
    const auto& known = FunctionNames();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string close = ClosestMatch(name, known);
      return Fail(start, "function " + Quote(name), "one of: uuid, now, base64",
                  close.empty() ? "" : "did you mean `" + close + "`?");
    }
    TemplateExpr e;
    e.kind = TemplateExpr::Kind::kCall;
    e.text = name;
    e.offset = static_cast<int>(start);
    ++pos_;  // '('
    SkipSpaces();
    if (!AtEnd() && s_[pos_] == ')') {
      ++pos_;
    } else {
      while (true) {
        std::optional<TemplateExpr> arg = ParseExpr(/*in_call=*/true);
        if (!arg) return std::nullopt;
        e.args.push_back(std::move(*arg));
        SkipSpaces();
        if (AtEnd()) return Unterminated();
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_] == ')') {
          ++pos_;
          break;
        }
        return Fail(pos_, Quote(s_.substr(pos_, 1)), "`,` or `)`");
      }
    }
    std::size_t n = e.args.size();
    if (name != "base64" && n != 0) {
      return Fail(start, std::to_string(n) + (n == 1 ? " argument" : " arguments"),
                  "no arguments: `" + name + "()`");
    }
    if (name == "base64" && n == 0) {
      return Fail(start, "no arguments", "at least one argument: `base64(expr, ...)`");
    }
    return e;
  }

  std::string_view s_;
  std::size_t open_;
  std::size_t pos_;
  TemplateError error_;
};

StatusOr<std::string> EvalExpr(const TemplateExpr& e, const Scope& scope) {
  switch (e.kind) {
    case TemplateExpr::Kind::kLiteral:
      return e.text;
    case TemplateExpr::Kind::kPath: {
      if (e.path.size() == 2 && e.path[0] == "env") {
        std::optional<std::string> v = scope.Env(e.path[1]);
        if (v) return *v;
        if (e.env_default) return *e.env_default;
        return NotFoundError("environment variable `" + e.path[1] + "` is not set");
      }
      return scope.Lookup(e.path);
    }
    case TemplateExpr::Kind::kCall: {
      if (e.text == "uuid") return scope.NewUuid();
      if (e.text == "now") return std::to_string(scope.NowSeconds());
      std::string joined;
      for (const TemplateExpr& arg : e.args) {
        ASSIGN_OR_RETURN(std::string v, EvalExpr(arg, scope));
        joined += v;
      }
      return Base64Encode(joined);
    }
  }
  return InternalError("unknown template expression kind");
}

void CollectRoots(const TemplateExpr& e, std::vector<std::pair<std::string, int>>& out) {
  if (e.kind == TemplateExpr::Kind::kPath) out.emplace_back(e.path[0], e.offset);
  for (const TemplateExpr& arg : e.args) CollectRoots(arg, out);
}

void CollectPaths(const TemplateExpr& e,
                  std::vector<std::pair<std::vector<std::string>, int>>& out) {
  if (e.kind == TemplateExpr::Kind::kPath) out.emplace_back(e.path, e.offset);
  for (const TemplateExpr& arg : e.args) CollectPaths(arg, out);
}

void CollectCalls(const TemplateExpr& e, std::vector<std::pair<std::string, int>>& out) {
  if (e.kind == TemplateExpr::Kind::kCall) out.emplace_back(e.text, e.offset);
  for (const TemplateExpr& arg : e.args) CollectCalls(arg, out);
}

}  // namespace

StatusOr<Template> Template::Parse(std::string raw, SourceLoc loc) {
  return Parse(std::move(raw), std::move(loc), nullptr);
}

StatusOr<Template> Template::Parse(std::string raw, SourceLoc loc, TemplateError* error) {
  Template t;
  std::string literal;
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw.compare(i, 3, "$${") == 0) {
      literal += "${";
      i += 3;
    } else if (raw.compare(i, 2, "${") == 0) {
      if (!literal.empty()) t.parts_.push_back(Part{std::move(literal), std::nullopt});
      literal.clear();
      ExprParser parser(raw, i);
      std::optional<TemplateExpr> expr = parser.ParseTop();
      if (!expr) {
        const TemplateError& f = parser.error();
        std::string message;
        if (!loc.file.empty()) message = loc.ToString() + ": ";
        message += "bad template at byte " + std::to_string(f.offset) + ": expected " + f.expected +
                   ", found " + f.found;
        if (!f.help.empty()) message += " (" + f.help + ")";
        if (error != nullptr) *error = f;
        return InvalidArgumentError(std::move(message));
      }
      t.parts_.push_back(Part{"", std::move(expr)});
      i = parser.pos();
    } else {
      literal += raw[i++];
    }
  }
  if (!literal.empty()) t.parts_.push_back(Part{std::move(literal), std::nullopt});
  t.raw_ = std::move(raw);
  t.loc_ = std::move(loc);
  return t;
}

Template Template::Literal(std::string text) {
  Template t;
  std::string raw;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "${") == 0) raw += '$';
    raw += text[i];
  }
  t.raw_ = std::move(raw);
  if (!text.empty()) t.parts_.push_back(Part{std::move(text), std::nullopt});
  return t;
}

StatusOr<std::string> Template::Evaluate(const Scope& scope) const {
  std::string out;
  for (const Part& part : parts_) {
    if (!part.expr) {
      out += part.literal;
      continue;
    }
    ASSIGN_OR_RETURN(std::string v, EvalExpr(*part.expr, scope));
    out += v;
  }
  return out;
}

bool Template::is_literal() const {
  for (const Part& part : parts_) {
    if (part.expr) return false;
  }
  return true;
}

std::vector<std::pair<std::string, int>> Template::Roots() const {
  std::vector<std::pair<std::string, int>> out;
  for (const Part& part : parts_) {
    if (part.expr) CollectRoots(*part.expr, out);
  }
  return out;
}

std::vector<std::pair<std::vector<std::string>, int>> Template::Paths() const {
  std::vector<std::pair<std::vector<std::string>, int>> out;
  for (const Part& part : parts_) {
    if (part.expr) CollectPaths(*part.expr, out);
  }
  return out;
}

std::vector<std::pair<std::string, int>> Template::Functions() const {
  std::vector<std::pair<std::string, int>> out;
  for (const Part& part : parts_) {
    if (part.expr) CollectCalls(*part.expr, out);
  }
  return out;
}

}  // namespace tollgate
