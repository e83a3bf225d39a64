#include "tollgate/runner/vocabulary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "runner/sign_steps.h"
#include "tollgate/base/clock.h"
#include "tollgate/base/redact.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/crypto/webhooks.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/mocks/service.h"
#include "tollgate/scenario/service_schema.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {
namespace {

std::vector<std::string> Registered(const std::string& vocabulary) {
  std::shared_ptr<const Terms> terms = FindTerms(vocabulary);
  return terms ? TermNames(*terms) : std::vector<std::string>{};
}

TEST(Vocabularies, ComeFromTheModulesThatOwnThem) {
  RegisterVocabularies();
  std::vector<std::string> mutations;
  for (const jose::MutationInfo& m : jose::Mutations()) mutations.push_back(m.name);
  EXPECT_EQ(Registered(vocabulary::kTokenMutation), mutations);
  EXPECT_EQ(Registered(vocabulary::kSignMutation), TermNames(runner::SignMutations()));
  EXPECT_EQ(Registered(vocabulary::kWebhookScheme), webhooks::SchemeNames());
  for (const std::string& v : webhooks::VariantNames()) {
    EXPECT_THAT(Registered(vocabulary::kWebhookVariant), ::testing::Contains(v));
  }
  std::vector<std::string> algs;
  for (const jose::AlgInfo& a : jose::SignatureAlgs()) algs.push_back(a.name);
  EXPECT_EQ(Registered(vocabulary::kJwsAlgorithm), algs);
  EXPECT_THAT(algs, ::testing::Not(::testing::Contains("none")));
  for (const KindTerms& kind : AllKindTerms()) {
    ASSERT_TRUE(FindServiceKind(kind.kind)) << kind.kind;
    EXPECT_EQ(FindServiceKind(kind.kind)->fields.size(), kind.keys.size()) << kind.kind;
    EXPECT_EQ(Registered(vocabulary::MockActions(kind.kind)), TermNames(kind.actions));
    for (const Term& f : kind.faults) {
      EXPECT_THAT(Registered(vocabulary::Faults(kind.kind)), ::testing::Contains(f.name));
      EXPECT_FALSE(f.summary.empty()) << kind.kind << ": " << f.name;
    }
    // Every kind can listen on TLS, and then has the TLS faults.
    EXPECT_THAT(Registered(vocabulary::Faults(kind.kind)),
                ::testing::Contains("expired_certificate"));
  }
}

// The table of a kind is what its Control() accepts: every action in it is known (a bad
// argument may still be refused), and a name outside it is refused as unknown.
TEST(Vocabularies, EachKindsActionTableIsWhatItsServiceAccepts) {
  OffsetClock clock;
  Redactor redactor;
  int kinds_with_actions = 0;
  for (const KindTerms& kind : AllKindTerms()) {
    if (kind.actions.empty()) continue;
    ++kinds_with_actions;
    ServiceDecl decl;
    decl.name = "svc";
    decl.kind = kind.kind;
    decl.config = nlohmann::json::object();
    auto service = CreateService(decl, ServiceContext{&clock, &redactor, {}, {}, {}});
    ASSERT_TRUE(service.ok()) << kind.kind << ": " << service.status().ToString();
    for (const Term& action : kind.actions) {
      nlohmann::json args = {{"kid", "new-kid"}, {"ms", 0}, {"seconds", 1}};
      Status st = (*service)->Control(action.name, args);
      EXPECT_THAT(st.message(), ::testing::Not(::testing::HasSubstr("has no action")))
          << kind.kind << ": " << action.name;
    }
    Status unknown = (*service)->Control("no_such_action", nlohmann::json::object());
    EXPECT_THAT(unknown.message(), ::testing::HasSubstr("has no action `no_such_action`"));
    (*service)->Restore();
  }
  EXPECT_GE(kinds_with_actions, 2);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The type column of a key: its type, and what it may hold when the schema says.
std::string TypeCell(const FieldSpec& f) {
  std::string list, kinds;
  for (const std::string& c : f.choices) {
    list += (list.empty() ? "`" : ", `") + c + "`";
    kinds += (kinds.empty() ? "`" : " or `") + c + "`";
  }
  if (f.type == FieldType::kServiceRef) return "a service of kind " + kinds + " declared above";
  std::string type = FieldTypeName(f.type);
  if (!f.unique.empty()) type += ", `" + f.unique + "` unique";
  if (list.empty()) return type;
  return f.type == FieldType::kStringList ? "list of " + list : "one of " + list;
}

// One row per key, nested keys under their parent's path (`trust.issuer`,
// `clients.<name>.secret`, `keys[].kid`).
void KeyRows(std::string& out, const std::string& prefix, const std::vector<FieldSpec>& keys) {
  for (const FieldSpec& f : keys) {
    std::string path = prefix + f.name;
    out += "| `" + path + "` | " + TypeCell(f) + " | " + (f.required ? "yes" : "") + " | " +
           f.summary + " |\n";
    if (f.type == FieldType::kObject) KeyRows(out, path + ".", f.fields);
    if (f.type == FieldType::kObjectMap) KeyRows(out, path + ".<name>.", f.fields);
    if (f.type == FieldType::kObjectList) KeyRows(out, path + "[].", f.fields);
  }
}

void KeyTable(std::string& out, const std::vector<FieldSpec>& keys) {
  out += "| key | type | required | what it means |\n|---|---|---|---|\n";
  KeyRows(out, "", keys);
  out += "\n";
}

void Table(std::string& out, const char* what, const Terms& terms) {
  out += "| " + std::string(what) + " | what it does |\n|---|---|\n";
  for (const Term& t : terms) out += "| `" + t.name + "` | " + t.summary + " |\n";
  out += "\n";
}

// docs/mock-kinds.md as the tables say it should read.
std::string RenderMockKinds() {
  std::string out =
      "# Mock kinds: config keys, actions and faults\n\n"
      "Generated from the tables each mock kind keeps in its own source file (its\n"
      "`Vocabulary()`); the unit test `Vocabularies.MockKindsPageIsGeneratedFromTheTables`\n"
      "fails when this page and the tables differ, and rewrites it when run with\n"
      "`TOLLGATE_UPDATE_GOLDEN=1`. The environment loader checks every service's keys\n"
      "against its kind's table, and `tollgate validate` checks every action of a `mock:`\n"
      "step and every fault of an environment's `faults:` or a profile's fault map against\n"
      "them. Which scenarios catch each fault: the fault maps in\n"
      "`suites/*/requirements.yaml` and [profiles.md](profiles.md). The environment file\n"
      "itself: [formats.md](formats.md#environments).\n\n"
      "## Keys every kind takes\n\n"
      "Besides `kind` (required) and `faults` (a list of the kind's faults to switch on):\n\n";
  KeyTable(out, CommonServiceFields());
  for (const KindTerms& kind : AllKindTerms()) {
    out += "## `" + kind.kind + "`\n\n";
    if (kind.keys.empty()) {
      out += "No keys of its own.\n\n";
    } else {
      KeyTable(out, kind.keys);
    }
    if (kind.actions.empty()) {
      out += "No `mock:` actions.\n\n";
    } else {
      Table(out, "action", kind.actions);
    }
    if (kind.faults.empty()) {
      out += "No faults of its own.\n\n";
    } else {
      Table(out, "fault", kind.faults);
    }
  }
  out += "## Every kind listening on TLS (`tls:`)\n\n";
  Table(out, "fault", mocks::TlsFaultTerms());
  out +=
      "## The token verifier's faults\n\n"
      "Kinds that verify tokens with the shared verifier (`gateway`) have these faults "
      "too; each\nreproduces a known verifier defect.\n\n";
  Table(out, "fault", mocks::VerifierFaultTerms());
  out.pop_back();
  return out;
}

TEST(Vocabularies, MockKindsPageIsGeneratedFromTheTables) {
  std::string path = std::string(TOLLGATE_SOURCE_DIR) + "/docs/mock-kinds.md";
  std::string want = RenderMockKinds();
  if (std::getenv("TOLLGATE_UPDATE_GOLDEN") != nullptr)
    std::ofstream(path, std::ios::binary) << want;
  EXPECT_EQ(ReadAll(path), want) << "regenerate with TOLLGATE_UPDATE_GOLDEN=1";
}

// The fault tables of docs/profiles.md name only faults some kind has.
TEST(Vocabularies, ProfileDocsNameOnlyRealFaults) {
  std::set<std::string> known;
  for (const KindTerms& kind : AllKindTerms()) {
    for (const Term& t : kind.faults) known.insert(t.name);
  }
  for (const Term& t : mocks::TlsFaultTerms()) known.insert(t.name);
  std::istringstream doc(ReadAll(std::string(TOLLGATE_SOURCE_DIR) + "/docs/profiles.md"));
  std::string line;
  bool in_fault_table = false;
  int rows = 0;
  const std::regex row(R"(^\| `([a-z0-9_]+)` \|)");
  while (std::getline(doc, line)) {
    if (line.rfind("| fault |", 0) == 0) {
      in_fault_table = true;
      continue;
    }
    if (line.empty() || line[0] != '|') in_fault_table = false;
    std::smatch m;
    if (in_fault_table && std::regex_search(line, m, row)) {
      ++rows;
      EXPECT_TRUE(known.count(m[1].str())) << "docs/profiles.md names fault `" << m[1] << "`";
    }
  }
  EXPECT_GE(rows, 20);
}

}  // namespace
}  // namespace tollgate
