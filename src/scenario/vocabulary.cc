#include "tollgate/scenario/vocabulary.h"

#include <map>
#include <mutex>

namespace tollgate {
namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const Terms>> tables;
};

Registry& Tables() {
  static Registry* registry = new Registry;
  return *registry;
}

}  // namespace

namespace vocabulary {
std::string MockActions(const std::string& kind) { return kind + " action"; }
std::string Faults(const std::string& kind) { return kind + " fault"; }
}  // namespace vocabulary

void RegisterTerms(const std::string& vocabulary, Terms terms) {
  Registry& r = Tables();
  std::lock_guard<std::mutex> lock(r.mu);
  r.tables[vocabulary] = std::make_shared<const Terms>(std::move(terms));
}

std::shared_ptr<const Terms> FindTerms(const std::string& vocabulary) {
  Registry& r = Tables();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.tables.find(vocabulary);
  return it == r.tables.end() ? nullptr : it->second;
}

std::vector<std::string> TermNames(const Terms& terms) {
  std::vector<std::string> names;
  names.reserve(terms.size());
  for (const Term& t : terms) names.push_back(t.name);
  return names;
}

bool HasTerm(const Terms& terms, const std::string& name) {
  for (const Term& t : terms) {
    if (t.name == name) return true;
  }
  return false;
}

}  // namespace tollgate
