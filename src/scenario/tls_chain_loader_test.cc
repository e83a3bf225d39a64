// `tls: {chain: NAME}` of a request step: a chain of the PKI's path-validation matrix
// presented instead of the identity's own certificate. Names are checked against the
// registered vocabulary (the runner's unit tests and tests/e2e/diagnostics cover that);
// here, the field and the rule that it excludes `variant`.

#include <gtest/gtest.h>

#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

std::string WithTls(const std::string& tls) {
  return "suite: s/x\n"
         "scenarios:\n"
         "  - id: A\n"
         "    name: n\n"
         "    requirements: [R]\n"
         "    steps:\n"
         "      - request:\n"
         "          url: ${target.url}/t\n"
         "          tls: " +
         tls + "\n";
}

TEST(TlsChainLoader, ReadsTheChainBesideTheIdentity) {
  std::string text = WithTls("{identity: partner, chain: pathlen0_exceeded}");
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  const RequestStep& r = std::get<RequestStep>(suite->scenarios.at(0).steps.at(0).body);
  ASSERT_TRUE(r.tls.chain.has_value());
  EXPECT_EQ(r.tls.chain->raw(), "pathlen0_exceeded");
  EXPECT_EQ(r.tls.identity->raw(), "partner");
  EXPECT_FALSE(r.tls.variant.has_value());
}

TEST(TlsChainLoader, ChainAndVariantTogetherAreRefused) {
  std::string text = WithTls("{identity: partner, variant: expired, chain: baseline}");
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  EXPECT_FALSE(suite.has_value());
  EXPECT_EQ(diags.RenderWithText(text),
            "error: `chain` and `variant` both given\n"
            "  --> x.yaml:9:54\n"
            "   |\n"
            " 9 |           tls: {identity: partner, variant: expired, chain: baseline}\n"
            "   |                                                      ^^^^^ expected one of "
            "them: a matrix chain replaces the identity's certificate\n"
            "\n");
}

}  // namespace
}  // namespace tollgate
