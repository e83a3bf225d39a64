// Values that must name a term another module owns (tollgate/scenario/vocabulary.h).

#include <cctype>

#include "suite_parts.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::scenario {
namespace {

// Vocabularies up to this size are listed whole in a diagnostic; longer ones by the
// kNearest names nearest to the mistake.
constexpr std::size_t kWholeList = 12;
constexpr std::size_t kNearest = 5;

// The variable of a value that is exactly `${name}`, or "".
std::string SoleVariable(const std::string& text) {
  if (text.size() < 4 || text.compare(0, 2, "${") != 0 || text.back() != '}') return "";
  std::string inner = text.substr(2, text.size() - 3);
  while (!inner.empty() && inner.front() == ' ') inner.erase(inner.begin());
  while (!inner.empty() && inner.back() == ' ') inner.pop_back();
  if (inner.empty() || !(std::isalpha(static_cast<unsigned char>(inner[0])) || inner[0] == '_')) {
    return "";
  }
  for (char c : inner) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return "";
  }
  return inner;
}

void Report(scenario::Document& doc, const scenario::Node& at, const std::string& value,
            const std::string& vocabulary, const Terms& terms, const std::string& via) {
  std::vector<std::string> names = TermNames(terms);
  std::string help = scenario::DidYouMean(value, names);
  if (!via.empty()) help += (help.empty() ? "" : " ") + via;
  // A long vocabulary would be cut off mid-list: name the nearest few instead.
  std::string expected = scenario::OneOf(names);
  if (names.size() > kWholeList) {
    std::string nearest;
    for (const std::string& name : NearestNames(value, names, kNearest)) {
      nearest += (nearest.empty() ? "" : ", ") + name;
    }
    expected = "one of " + std::to_string(names.size()) + " " + vocabulary +
               " names (the nearest: " + nearest + ")";
  }
  doc.Error(at, "unknown " + vocabulary + " `" + value + "`", scenario::Describe(at), expected,
            help);
}

}  // namespace

void CheckTerm(scenario::Document& doc, const scenario::Node& n, const std::string& key,
               const std::string& vocabulary, const scenario::NameScope& scope) {
  std::shared_ptr<const Terms> terms = FindTerms(vocabulary);
  if (terms) CheckTerm(doc, n, key, vocabulary, *terms, scope);
}

void CheckTerm(scenario::Document& doc, const scenario::Node& n, const std::string& key,
               const std::string& vocabulary, const Terms& terms,
               const scenario::NameScope& scope) {
  if (!n.IsScalar()) return;
  const std::string text = n.Text();
  if (text.find('$') == std::string::npos) {
    if (!HasTerm(terms, text)) Report(doc, n, text, vocabulary, terms, "");
    return;
  }
  std::string variable = SoleVariable(text);
  if (variable.empty() || scope.matrix == nullptr) return;
  for (const auto& [name, values] : *scope.matrix) {
    if (name != variable) continue;
    for (const scenario::Node& v : values) {
      if (!v.IsScalar() || HasTerm(terms, v.Text())) continue;
      Report(doc, v, v.Text(), vocabulary, terms,
             "(a value of `" + variable + "`, used as `" + key + "` on line " +
                 std::to_string(doc.Loc(n).line) + ")");
    }
  }
}

}  // namespace tollgate::scenario
