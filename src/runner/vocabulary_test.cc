#include "tollgate/runner/vocabulary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runner/sign_steps.h"
#include "tollgate/base/clock.h"
#include "tollgate/base/redact.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/crypto/webhooks.h"
#include "tollgate/mocks/service.h"
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
  for (const KindTerms& kind : AllKindTerms()) {
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

}  // namespace
}  // namespace tollgate
