#include "tollgate/scenario/tags.h"

#include <algorithm>
#include <optional>

namespace tollgate {

struct TagExpr::Node {
  enum class Op { kTag, kNot, kAnd, kOr };
  Op op = Op::kTag;
  std::string tag;
  std::shared_ptr<const Node> left, right;  // kNot uses left only
};

namespace {

using NodePtr = std::shared_ptr<const TagExpr::Node>;

bool IsTagChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':' || c == '/';
}

struct Token {
  enum class Kind { kWord, kOpen, kClose, kEnd, kBad };
  Kind kind = Kind::kEnd;
  std::string text;
  std::size_t pos = 0;
};

// Recursive descent over the tokens of one expression; records the first error.
class TagParser {
 public:
  explicit TagParser(const std::string& text) : text_(text) { Advance(); }

  std::optional<NodePtr> ParseAll() {
    std::optional<NodePtr> n = ParseOr();
    if (!n) return std::nullopt;
    if (tok_.kind != Token::Kind::kEnd) return Fail("`and`, `or` or the end");
    return n;
  }

  const Status& error() const { return error_; }

 private:
  void Advance() {
    std::size_t i = next_;
    while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t')) ++i;
    tok_ = Token{};
    tok_.pos = i;
    if (i >= text_.size()) {
      tok_.kind = Token::Kind::kEnd;
    } else if (text_[i] == '(' || text_[i] == ')') {
      tok_.kind = text_[i] == '(' ? Token::Kind::kOpen : Token::Kind::kClose;
      tok_.text = text_.substr(i, 1);
      ++i;
    } else if (IsTagChar(text_[i])) {
      std::size_t start = i;
      while (i < text_.size() && IsTagChar(text_[i])) ++i;
      tok_.kind = Token::Kind::kWord;
      tok_.text = text_.substr(start, i - start);
    } else {
      tok_.kind = Token::Kind::kBad;
      tok_.text = text_.substr(i, 1);
      ++i;
    }
    next_ = i;
  }

  bool IsKeyword(const char* word) const {
    return tok_.kind == Token::Kind::kWord && tok_.text == word;
  }

  std::nullopt_t Fail(const std::string& expected) {
    std::string found = tok_.kind == Token::Kind::kEnd ? "the end" : "`" + tok_.text + "`";
    error_ = InvalidArgumentError("tag expression `" + text_ + "`: at column " +
                                  std::to_string(tok_.pos + 1) + ": expected " + expected +
                                  ", found " + found);
    return std::nullopt;
  }

  static NodePtr Binary(TagExpr::Node::Op op, NodePtr l, NodePtr r) {
    auto n = std::make_shared<TagExpr::Node>();
    n->op = op;
    n->left = std::move(l);
    n->right = std::move(r);
    return n;
  }

  std::optional<NodePtr> ParseOr() {
    std::optional<NodePtr> left = ParseAnd();
    if (!left) return std::nullopt;
    while (IsKeyword("or")) {
      Advance();
      std::optional<NodePtr> right = ParseAnd();
      if (!right) return std::nullopt;
      left = Binary(TagExpr::Node::Op::kOr, *left, *right);
    }
    return left;
  }

  std::optional<NodePtr> ParseAnd() {
    std::optional<NodePtr> left = ParseNot();
    if (!left) return std::nullopt;
    while (IsKeyword("and")) {
      Advance();
      std::optional<NodePtr> right = ParseNot();
      if (!right) return std::nullopt;
      left = Binary(TagExpr::Node::Op::kAnd, *left, *right);
    }
    return left;
  }

  std::optional<NodePtr> ParseNot() {
    if (IsKeyword("not")) {
      Advance();
      std::optional<NodePtr> inner = ParseNot();
      if (!inner) return std::nullopt;
      auto n = std::make_shared<TagExpr::Node>();
      n->op = TagExpr::Node::Op::kNot;
      n->left = *inner;
      return NodePtr(n);
    }
    return ParsePrimary();
  }

  std::optional<NodePtr> ParsePrimary() {
    const char* expected = "a tag name, `not` or `(`";
    if (tok_.kind == Token::Kind::kOpen) {
      Advance();
      std::optional<NodePtr> inner = ParseOr();
      if (!inner) return std::nullopt;
      if (tok_.kind != Token::Kind::kClose) return Fail("`)`");
      Advance();
      return inner;
    }
    if (tok_.kind != Token::Kind::kWord || IsKeyword("and") || IsKeyword("or")) {
      return Fail(expected);
    }
    auto n = std::make_shared<TagExpr::Node>();
    n->op = TagExpr::Node::Op::kTag;
    n->tag = tok_.text;
    Advance();
    return NodePtr(n);
  }

  const std::string& text_;
  std::size_t next_ = 0;
  Token tok_;
  Status error_;
};

bool Eval(const TagExpr::Node& n, const std::vector<std::string>& tags) {
  switch (n.op) {
    case TagExpr::Node::Op::kTag:
      return std::find(tags.begin(), tags.end(), n.tag) != tags.end();
    case TagExpr::Node::Op::kNot:
      return !Eval(*n.left, tags);
    case TagExpr::Node::Op::kAnd:
      return Eval(*n.left, tags) && Eval(*n.right, tags);
    case TagExpr::Node::Op::kOr:
      return Eval(*n.left, tags) || Eval(*n.right, tags);
  }
  return false;
}

}  // namespace

StatusOr<TagExpr> TagExpr::Parse(const std::string& text) {
  TagParser parser(text);
  std::optional<NodePtr> root = parser.ParseAll();
  if (!root) return parser.error();
  TagExpr e;
  e.root_ = std::move(*root);
  return e;
}

bool TagExpr::Matches(const std::vector<std::string>& tags) const {
  if (!root_) return true;  // a default-constructed expression selects everything
  return Eval(*root_, tags);
}

}  // namespace tollgate
