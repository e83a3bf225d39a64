#pragma once
// Located access to YAML for the loaders: every read that goes wrong becomes a Diagnostic
// pointing at the node (file, 1-based line and column, caret length) with what was found
// and what was expected. yaml-cpp's exceptions stop here.

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tollgate/scenario/diagnostics.h"
#include "tollgate/scenario/model.h"
#include "tollgate/scenario/template.h"

namespace tollgate::scenario {

/// A YAML node plus the mark to point at. yaml-cpp gives an empty value (`key:`) the mark
/// of whatever token follows, so such nodes carry their key's mark instead.
struct Node {
  YAML::Node y;
  YAML::Mark mark;

  bool IsNull() const { return !y.IsDefined() || y.IsNull(); }
  bool IsScalar() const { return y.IsDefined() && y.IsScalar(); }
  bool IsMap() const { return y.IsDefined() && y.IsMap(); }
  bool IsSeq() const { return y.IsDefined() && y.IsSequence(); }
  /// The scalar's text ("" for other nodes).
  std::string Text() const { return IsScalar() ? y.Scalar() : std::string(); }
  /// True for an unquoted scalar (YAML resolves its type: numbers, booleans, null).
  bool IsPlain() const { return IsScalar() && y.Tag() == "?"; }
};

/// Which names may start a template path at one place of a file.
struct NameScope {
  std::vector<std::string> names;
  /// uuid() and now() need the runner's random source and clock; files evaluated at load
  /// time (environments) cannot use them.
  bool allow_clock_functions = true;
  /// Replaces "one of: <names>" in the diagnostic when not empty.
  std::string expected;
  /// The values of the scenario's matrix variables as written, to check a value that must
  /// be a vocabulary term where the file gives a variable (`mutate: ${mutation}`).
  const std::vector<std::pair<std::string, std::vector<Node>>>* matrix = nullptr;
};

/// One YAML file being loaded: its text (to place carets), its path and where problems
/// go. Borrows `diags` for its lifetime. Not thread-safe.
class Document {
 public:
  Document(std::string path, std::string text, Diagnostics& diags);

  /// Parses the text; false (after one "invalid YAML" diagnostic) when it is not YAML.
  bool Parse();
  /// The top node (null for an empty file).
  Node root() const;
  const std::string& path() const { return path_; }
  /// How many diagnostics this document has added.
  int errors() const { return errors_; }

  /// Where the node starts.
  SourceLoc Loc(const Node& n) const;
  /// Columns the node spans on its first line (whole scalar with its quotes), at least 1.
  int Length(const Node& n) const;
  /// Location and caret length of bytes [offset, offset + length) of a scalar's value,
  /// when its source line holds them verbatim; else the node's start and length 1.
  std::pair<SourceLoc, int> Span(const Node& n, int offset, int length) const;

  /// Adds a diagnostic underlining the node.
  void Error(const Node& at, std::string title, std::string found = "", std::string expected = "",
             std::string help = "");
  /// Adds a diagnostic at an explicit place.
  void ErrorAt(SourceLoc loc, int length, std::string title, std::string found = "",
               std::string expected = "", std::string help = "");

 private:
  std::string_view Line(int line0) const;

  std::string path_;
  std::string text_;
  std::vector<std::string_view> lines_;
  Diagnostics& diags_;
  YAML::Node root_;
  int errors_ = 0;
};

/// "`abc`" for a scalar, "a mapping", "a list" or "nothing".
std::string Describe(const Node& n);
/// "one of: a, b, c".
std::string OneOf(const std::vector<std::string>& names);
/// "did you mean `x`?" for the closest candidate, or "".
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);
/// The items of a sequence node.
std::vector<Node> Items(const Node& seq);

/// Checks a mapping: only `allowed` keys (others reported unless `report_unknown` is
/// false), no duplicates. `key` is the key the mapping sits under ("" for the top).
/// Borrows `doc` for its lifetime.
class MapReader {
 public:
  MapReader(Document& doc, const Node& node, std::vector<std::string> allowed,
            const std::string& key, bool report_unknown = true,
            const std::string& expected = "a mapping");

  /// False when the node is not a mapping (already reported).
  bool ok() const { return ok_; }
  /// The value under `key`, if present and allowed.
  std::optional<Node> Get(const std::string& key) const;
  /// The key node itself, if present (for diagnostics about the key).
  std::optional<Node> KeyNode(const std::string& key) const;
  /// The value under `key`, reporting "missing required key" when absent.
  std::optional<Node> Require(const std::string& key);
  /// Every entry (key, value) in file order, unknown keys included.
  const std::vector<std::pair<Node, Node>>& entries() const { return entries_; }
  /// Entries whose key is not allowed, in file order.
  const std::vector<std::pair<Node, Node>>& unknown() const { return unknown_; }

 private:
  Document& doc_;
  Node node_;
  std::vector<std::string> allowed_;  // empty: any key
  bool ok_ = false;
  std::vector<std::pair<Node, Node>> entries_;
  std::vector<std::pair<Node, Node>> unknown_;
  std::vector<std::string> suggested_;  // keys a misspelt key was matched to
};

// Typed reads. `key` names the field in the title ("invalid value for `key`"); each
// returns nullopt after reporting what was found and what was expected.

std::optional<std::string> ReadString(Document& doc, const Node& n, const std::string& key);
std::optional<long long> ReadInt(Document& doc, const Node& n, const std::string& key,
                                 long long min, long long max);
std::optional<bool> ReadBool(Document& doc, const Node& n, const std::string& key);
std::optional<Duration> ReadDuration(Document& doc, const Node& n, const std::string& key);
/// A duration with an optional sign ("-5m", "+2h", "90s"): an offset on the shared clock.
std::optional<Duration> ReadSignedDuration(Document& doc, const Node& n, const std::string& key);
/// A list of strings, non-empty when asked.
std::optional<std::vector<std::string>> ReadStringList(Document& doc, const Node& n,
                                                       const std::string& key, bool non_empty);
/// A string that names things in templates: [A-Za-z_][A-Za-z0-9_]*.
std::optional<std::string> ReadIdentifier(Document& doc, const Node& n, const std::string& key);

/// A scalar parsed as a Template whose path roots are all in `scope`.
std::optional<Template> ReadTemplate(Document& doc, const Node& n, const std::string& key,
                                     const NameScope& scope);
/// Any value, as JSON; every string in it must be a valid Template over `scope`.
std::optional<TemplatedValue> ReadTemplatedValue(Document& doc, const Node& n,
                                                 const std::string& key, const NameScope& scope);

}  // namespace tollgate::scenario
