// `forwarded_cert:` of a request step: the accepted forms (fields) and each kind of
// mistake, asserting the exact diagnostic.

#include <gtest/gtest.h>

#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

std::string WithRequest(const std::string& forwarded) {
  return "suite: s/x\n"
         "scenarios:\n"
         "  - id: A\n"
         "    name: n ${c}\n"
         "    requirements: [R]\n"
         "    matrix:\n"
         "      c: [envoy, nginx]\n"
         "    steps:\n"
         "      - request:\n"
         "          url: ${target.url}/t\n"
         "          forwarded_cert: " +
         forwarded + "\n";
}

// The rendered diagnostics of loading `text` as x.yaml, or "loaded" when it loads.
std::string Errors(const std::string& text) {
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  if (suite) return diags.empty() ? "loaded" : "loaded with diagnostics";
  return diags.RenderWithText(text);
}

const ForwardedCertSpec& Spec(const Suite& suite) {
  return *std::get<RequestStep>(suite.scenarios.at(0).steps.at(0).body).forwarded_cert;
}

TEST(ForwardedCertLoader, ReadsAConventionWithIdentityVariantAndShape) {
  std::string text = WithRequest(
      "{convention: \"${c}\", identity: partner, variant: unregistered, shape: duplicate}");
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  const ForwardedCertSpec& f = Spec(*suite);
  ASSERT_TRUE(f.convention.has_value());
  EXPECT_EQ(f.convention->raw(), "${c}");
  EXPECT_FALSE(f.header.has_value());
  EXPECT_EQ(f.identity->raw(), "partner");
  EXPECT_EQ(f.variant->raw(), "unregistered");
  EXPECT_EQ(f.shape.raw(), "duplicate");
  EXPECT_EQ(f.loc.line, 11);
}

TEST(ForwardedCertLoader, ReadsAHeaderOfTheTargetsOwnWithItsEncoding) {
  std::string text = WithRequest("{header: X-Client-Certificate, as: der_b64}");
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  const ForwardedCertSpec& f = Spec(*suite);
  EXPECT_EQ(f.header->raw(), "X-Client-Certificate");
  EXPECT_EQ(f.as->raw(), "der_b64");
  EXPECT_EQ(f.shape.raw(), "valid");
  EXPECT_FALSE(f.identity.has_value());
}

TEST(ForwardedCertLoader, UnknownConventionWithDidYouMean) {
  EXPECT_EQ(Errors(WithRequest("{convention: envoi}")),
            "error: unknown forwarded-certificate convention `envoi`\n"
            "   --> x.yaml:11:40\n"
            "    |\n"
            " 11 |           forwarded_cert: {convention: envoi}\n"
            "    |                                        ^^^^^ found `envoi`, expected one of: "
            "envoy, nginx, haproxy, traefik, rfc9440\n"
            "    = help: did you mean `envoy`?\n"
            "\n");
}

TEST(ForwardedCertLoader, UnknownConventionInAMatrixValue) {
  std::string text = WithRequest("{convention: \"${c}\"}");
  text.replace(text.find("[envoy, nginx]"), 14, "[envoy, ngnix]");
  EXPECT_EQ(Errors(text),
            "error: unknown forwarded-certificate convention `ngnix`\n"
            "  --> x.yaml:7:18\n"
            "   |\n"
            " 7 |       c: [envoy, ngnix]\n"
            "   |                  ^^^^^ found `ngnix`, expected one of: envoy, nginx, haproxy, "
            "traefik, rfc9440\n"
            "   = help: (a value of `c`, used as `convention` on line 11)\n"
            "\n");
}

TEST(ForwardedCertLoader, UnknownShapeAndEncoding) {
  EXPECT_EQ(Errors(WithRequest("{header: X-Cert, as: pem_url, shape: huge}")),
            "error: unknown certificate encoding `pem_url`\n"
            "   --> x.yaml:11:48\n"
            "    |\n"
            " 11 |           forwarded_cert: {header: X-Cert, as: pem_url, shape: huge}\n"
            "    |                                                ^^^^^^^ found `pem_url`, "
            "expected one of: pem, url_pem, der_b64, xfcc, sf_binary\n"
            "\n"
            "error: unknown forwarded-certificate shape `huge`\n"
            "   --> x.yaml:11:64\n"
            "    |\n"
            " 11 |           forwarded_cert: {header: X-Cert, as: pem_url, shape: huge}\n"
            "    |                                                                ^^^^ found "
            "`huge`, expected one of: valid, duplicate, oversize, malformed\n"
            "\n");
}

TEST(ForwardedCertLoader, ConventionOrHeaderButNotBoth) {
  EXPECT_EQ(Errors(WithRequest("{convention: nginx, header: X-Cert}")),
            "error: more than one forwarded header\n"
            "   --> x.yaml:11:47\n"
            "    |\n"
            " 11 |           forwarded_cert: {convention: nginx, header: X-Cert}\n"
            "    |                                               ^^^^^^ found `header`, expected "
            "either `convention` or `header`\n"
            "\n");
  EXPECT_EQ(Errors(WithRequest("{identity: partner}")),
            "error: missing forwarded header\n"
            "   --> x.yaml:11:27\n"
            "    |\n"
            " 11 |           forwarded_cert: {identity: partner}\n"
            "    |                           ^ expected `convention` (one of: envoy, nginx, "
            "haproxy, traefik, rfc9440) or `header` in this mapping\n"
            "\n");
}

TEST(ForwardedCertLoader, AsNeedsAHeaderAndVariantAnIdentity) {
  EXPECT_EQ(Errors(WithRequest("{convention: nginx, as: pem, variant: expired}")),
            "error: `as` needs a `header`\n"
            "   --> x.yaml:11:47\n"
            "    |\n"
            " 11 |           forwarded_cert: {convention: nginx, as: pem, variant: expired}\n"
            "    |                                               ^^ expected `header` beside it (a "
            "convention has its own encoding)\n"
            "\n"
            "error: `variant` needs an `identity`\n"
            "   --> x.yaml:11:56\n"
            "    |\n"
            " 11 |           forwarded_cert: {convention: nginx, as: pem, variant: expired}\n"
            "    |                                                        ^^^^^^^ expected "
            "`identity` beside it\n"
            "\n");
}

TEST(ForwardedCertLoader, InvalidHeaderNameAndUnknownKey) {
  EXPECT_EQ(Errors(WithRequest("{header: \"X Cert\", shap: oversize}")),
            "error: unknown key `shap`\n"
            "   --> x.yaml:11:46\n"
            "    |\n"
            " 11 |           forwarded_cert: {header: \"X Cert\", shap: oversize}\n"
            "    |                                              ^^^^ found `shap`, expected one "
            "of: convention, header, as, identity, variant, shape\n"
            "    = help: did you mean `shape`?\n"
            "\n"
            "error: invalid header name\n"
            "   --> x.yaml:11:36\n"
            "    |\n"
            " 11 |           forwarded_cert: {header: \"X Cert\", shap: oversize}\n"
            "    |                                    ^^^^^^^^ found `X Cert`, expected letters, "
            "digits and !#$%&'*+-.^_`|~ (RFC 9110 token)\n"
            "\n");
}

}  // namespace
}  // namespace tollgate
