// suites/connectpay/path-validation.yaml presents the chains of the PKI's path-validation
// matrix to the two-way host, each scenario's matrix a list of chains with one verdict (the
// step's `tls:` expectation). The verdicts are the matrix's, not retyped by hand: this test
// fails when a listed chain's expected verdict in PathMatrix() is not the scenario's, when
// a chain is listed twice, or when a chain of the matrix is neither listed nor one of the
// chains the suite leaves out for a stated reason.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "tollgate/pki/pki.h"
#include "tollgate/runner/vocabulary.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

// Left out of the suite; the suite file's header says why.
const std::set<std::string> kLeftOut = {"root_pathlen0_exceeded", "root_expired",
                                        "root_rsa1024",           "cross_signed_wrong_direction",
                                        "intermediate_anchor",    "leaf_duplicate_extension"};

TEST(PathValidationSuite, VerdictsAreThePathMatrixVerdicts) {
  RegisterVocabularies();
  const std::string path =
      std::string(TOLLGATE_SOURCE_DIR) + "/suites/connectpay/path-validation.yaml";
  Diagnostics diags;
  std::optional<Suite> suite = LoadSuite(path, diags);
  ASSERT_TRUE(suite) << diags.Render();

  std::map<std::string, bool> listed;  // chain -> the suite's verdict (true: accepted)
  for (const Scenario& sc : suite->scenarios) {
    ASSERT_EQ(sc.steps.size(), 1u) << sc.id << ": one handshake per case";
    const Step& step = sc.steps.front();
    ASSERT_TRUE(step.expect && step.expect->tls) << sc.id << ": no `tls:` expectation";
    const std::string& outcome = step.expect->tls->outcome;
    ASSERT_TRUE(outcome == "accepted" || outcome == "rejected") << sc.id << ": " << outcome;
    ASSERT_EQ(sc.matrix.size(), 1u) << sc.id;
    ASSERT_EQ(sc.matrix.front().first, "chain") << sc.id;
    for (const std::string& chain : sc.matrix.front().second) {
      EXPECT_TRUE(listed.emplace(chain, outcome == "accepted").second)
          << chain << " is listed twice";
    }
  }

  int compared = 0;
  for (const pki::ChainCase& c : pki::PathMatrix()) {
    auto it = listed.find(c.name);
    if (kLeftOut.count(c.name)) {
      EXPECT_EQ(it, listed.end()) << c.name << " is both listed and left out";
      continue;
    }
    if (it == listed.end()) {
      ADD_FAILURE() << c.name << " is in the matrix but not in " << path;
      continue;
    }
    EXPECT_EQ(it->second, c.accept)
        << c.name << ": the suite expects " << (it->second ? "accept" : "refuse")
        << ", the matrix says " << (c.accept ? "accept" : "refuse");
    listed.erase(it);
    ++compared;
  }
  for (const auto& [chain, verdict] : listed) ADD_FAILURE() << chain << " is not in the matrix";
  EXPECT_EQ(compared + static_cast<int>(kLeftOut.size()),
            static_cast<int>(pki::PathMatrix().size()));
}

}  // namespace
}  // namespace tollgate
