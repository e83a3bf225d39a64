// `dpop:` of a request step and of a token fetch, `auth: {dpop}` and its `scheme`: the
// accepted forms and each kind of mistake, asserting the exact diagnostic.

#include <gtest/gtest.h>

#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate {
namespace {

std::string WithDpopRequest(const std::string& options) {
  return "suite: s/x\n"
         "scenarios:\n"
         "  - id: A\n"
         "    name: n ${m}\n"
         "    requirements: [R]\n"
         "    matrix:\n"
         "      m: [wrong_htm, two_headers]\n"
         "    steps:\n"
         "      - request:\n"
         "          url: ${target.url}/accounts\n" +
         options + "\n";
}

// The rendered diagnostics of loading `text` as x.yaml, or "loaded" when it loads.
std::string DpopErrors(const std::string& text) {
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  if (suite) return diags.empty() ? "loaded" : "loaded with diagnostics";
  return diags.RenderWithText(text);
}

// What the runner registers (a few names are enough to check against).
void RegisterDpopMutations() {
  RegisterTerms(vocabulary::kDpopMutation, {{"wrong_htm", ""},
                                            {"wrong_ath", ""},
                                            {"reused_jti", ""},
                                            {"missing_nonce", ""},
                                            {"wrong_nonce", ""},
                                            {"missing_header", ""},
                                            {"two_headers", ""},
                                            {"bearer_scheme", ""}});
}

const RequestStep& DpopRequestOf(const Suite& suite, std::size_t step = 0) {
  return std::get<RequestStep>(suite.scenarios.at(0).steps.at(step).body);
}

TEST(DpopLoader, ReadsEveryKeyAndTheDpopAuthScheme) {
  RegisterDpopMutations();
  std::string text = WithDpopRequest(
      "          auth: {dpop: \"${target.token}\", scheme: dpop}\n"
      "          dpop: {key: client, alg: EdDSA, mutation: \"${m}\", nonce: n-1, token: t,\n"
      "                 jti: j-1, htm: POST, htu: \"${target.url}/other\", skew: 30s}");
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  const RequestStep& r = DpopRequestOf(*suite);
  ASSERT_TRUE(r.auth.has_value());
  EXPECT_EQ(r.auth->kind, AuthSpec::Kind::kDpop);
  EXPECT_EQ(r.auth->token.raw(), "${target.token}");
  EXPECT_EQ(r.auth->scheme, "dpop");
  ASSERT_TRUE(r.dpop.has_value());
  const DpopSpec& d = *r.dpop;
  EXPECT_EQ(d.key, "client");
  EXPECT_EQ(d.alg, "EdDSA");
  EXPECT_EQ(d.mutation->raw(), "${m}");
  EXPECT_EQ(d.nonce->raw(), "n-1");
  EXPECT_EQ(d.token->raw(), "t");
  EXPECT_EQ(d.jti->raw(), "j-1");
  EXPECT_EQ(d.htm->raw(), "POST");
  EXPECT_EQ(d.htu->raw(), "${target.url}/other");
  EXPECT_EQ(d.skew->raw(), "30s");
  EXPECT_EQ(d.loc.line, 12);
  EXPECT_EQ(suite->dpop_keys, (std::map<std::string, std::string>{{"client", "EdDSA"}}));
}

TEST(DpopLoader, AnEmptyMappingIsACorrectProofByTheDefaultKey) {
  std::string text = WithDpopRequest("          dpop: {}");
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  const DpopSpec& d = *DpopRequestOf(*suite).dpop;
  EXPECT_EQ(d.key, "default");
  EXPECT_EQ(d.alg, "");
  EXPECT_FALSE(d.mutation.has_value());
  EXPECT_EQ(suite->dpop_keys, (std::map<std::string, std::string>{{"default", "ES256"}}));
}

TEST(DpopLoader, ATokenFetchTakesAProofToo) {
  std::string text =
      "suite: s/x\n"
      "scenarios:\n"
      "  - id: A\n"
      "    name: n\n"
      "    requirements: [R]\n"
      "    steps:\n"
      "      - token:\n"
      "          fetch: {url: \"${target.token_url}\", client_id: c, dpop: {key: client}}\n";
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  const TokenStep& t = std::get<TokenStep>(suite->scenarios.at(0).steps.at(0).body);
  ASSERT_TRUE(t.dpop.has_value());
  EXPECT_EQ(t.dpop->key, "client");
}

TEST(DpopLoader, TemplatesMayUseTheDpopRoot) {
  std::string text = WithDpopRequest(
      "          headers: {X-Jkt: \"${dpop.client.jkt}\", X-Cert: \"${pki.partner.x5t_s256}\"}");
  EXPECT_EQ(DpopErrors(text), "loaded");
}

TEST(DpopLoader, UnknownKey) {
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {kye: client}")),
            "error: unknown key `kye`\n"
            "   --> x.yaml:11:18\n"
            "    |\n"
            " 11 |           dpop: {kye: client}\n"
            "    |                  ^^^ found `kye`, expected one of: key, alg, mutation, nonce, "
            "token, jti, htm, htu, skew\n"
            "\n");
}

TEST(DpopLoader, NotAMapping) {
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: client")),
            "error: invalid value for `dpop`\n"
            "   --> x.yaml:11:17\n"
            "    |\n"
            " 11 |           dpop: client\n"
            "    |                 ^^^^^^ found `client`, expected a mapping: `key`, `alg`, "
            "`mutation`, `nonce`, `token`, `jti`, `htm`, `htu`, `skew` (all optional; `{}` for a "
            "correct proof by the key `default`)\n"
            "\n");
}

TEST(DpopLoader, BadKeyName) {
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {key: my.key}")),
            "error: invalid value for `key`\n"
            "   --> x.yaml:11:23\n"
            "    |\n"
            " 11 |           dpop: {key: my.key}\n"
            "    |                       ^^^^^^ found `my.key`, expected a key name of letters, "
            "digits, `_` and `-` (the same name is the same key in every case of the run)\n"
            "\n");
}

TEST(DpopLoader, SymmetricAlgorithm) {
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {alg: HS256}")),
            "error: invalid value for `alg`\n"
            "   --> x.yaml:11:23\n"
            "    |\n"
            " 11 |           dpop: {alg: HS256}\n"
            "    |                       ^^^^^ found `HS256`, expected one of: ES256, ES384, "
            "EdDSA, RS256, PS256 (a DPoP key signs; HS256 and none cannot)\n"
            "    = help: did you mean `ES256`?\n"
            "\n");
}

TEST(DpopLoader, MisspeltAlgorithm) {
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {alg: ES265}")),
            "error: invalid value for `alg`\n"
            "   --> x.yaml:11:23\n"
            "    |\n"
            " 11 |           dpop: {alg: ES265}\n"
            "    |                       ^^^^^ found `ES265`, expected one of: ES256, ES384, "
            "EdDSA, RS256, PS256 (a DPoP key signs; HS256 and none cannot)\n"
            "\n");
}

TEST(DpopLoader, UnknownMutationWithDidYouMean) {
  RegisterDpopMutations();
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {mutation: wrong_hmt}")),
            "error: unknown DPoP mutation `wrong_hmt`\n"
            "   --> x.yaml:11:28\n"
            "    |\n"
            " 11 |           dpop: {mutation: wrong_hmt}\n"
            "    |                            ^^^^^^^^^ found `wrong_hmt`, expected one of: "
            "wrong_htm, wrong_ath, reused_jti, missing_nonce, wrong_nonce, missing_header, "
            "two_headers, bearer_scheme\n"
            "    = help: did you mean `wrong_htm`?\n"
            "\n");
}

TEST(DpopLoader, UnknownMutationInAMatrixValue) {
  RegisterDpopMutations();
  std::string text = WithDpopRequest("          dpop: {mutation: \"${m}\"}");
  text.replace(text.find("two_headers"), 11, "two_header");
  EXPECT_EQ(
      DpopErrors(text),
      "error: unknown DPoP mutation `two_header`\n"
      "  --> x.yaml:7:22\n"
      "   |\n"
      " 7 |       m: [wrong_htm, two_header]\n"
      "   |                      ^^^^^^^^^^ found `two_header`, expected one of: wrong_htm, "
      "wrong_ath, reused_jti, missing_nonce, wrong_nonce, missing_header, two_headers, "
      "bearer_scheme\n"
      "   = help: did you mean `two_headers`? (a value of `m`, used as `mutation` on line 11)\n"
      "\n");
}

TEST(DpopLoader, NonceMutationWithoutANonce) {
  RegisterDpopMutations();
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {mutation: wrong_nonce}")),
            "error: `wrong_nonce` needs a `nonce`\n"
            "   --> x.yaml:11:28\n"
            "    |\n"
            " 11 |           dpop: {mutation: wrong_nonce}\n"
            "    |                            ^^^^^^^^^^^ expected `nonce` beside it: the server's "
            "DPoP-Nonce the proof leaves out or changes\n"
            "\n");
}

TEST(DpopLoader, BadHtmAndSkew) {
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {htm: get, skew: soon}")),
            "error: invalid value for `htm`\n"
            "   --> x.yaml:11:23\n"
            "    |\n"
            " 11 |           dpop: {htm: get, skew: soon}\n"
            "    |                       ^^^ found `get`, expected an HTTP method in capitals, "
            "such as GET or POST\n"
            "\n"
            "error: invalid value for `skew`\n"
            "   --> x.yaml:11:34\n"
            "    |\n"
            " 11 |           dpop: {htm: get, skew: soon}\n"
            "    |                                  ^^^^ found `soon`, expected a duration such as "
            "60s or 5m: the target's iat window each side of now\n"
            "\n");
}

TEST(DpopLoader, ATokenRequestHasNoTokenToDowngrade) {
  RegisterDpopMutations();
  std::string text =
      "suite: s/x\n"
      "scenarios:\n"
      "  - id: A\n"
      "    name: n\n"
      "    requirements: [R]\n"
      "    steps:\n"
      "      - token:\n"
      "          fetch: {url: u, client_id: c, dpop: {mutation: bearer_scheme}}\n";
  EXPECT_EQ(DpopErrors(text),
            "error: invalid value for `mutation`\n"
            "  --> x.yaml:8:58\n"
            "   |\n"
            " 8 |           fetch: {url: u, client_id: c, dpop: {mutation: bearer_scheme}}\n"
            "   |                                                          ^^^^^^^^^^^^^ found "
            "`bearer_scheme`, expected a mutation of the proof: a token request sends no access "
            "token to downgrade\n"
            "\n");
}

TEST(DpopLoader, OneKeyNameWithTwoAlgorithms) {
  std::string text = WithDpopRequest(
      "          dpop: {key: client, alg: ES256}\n"
      "      - request:\n"
      "          url: ${target.url}/b\n"
      "          dpop: {key: client}\n"
      "  - id: B\n"
      "    name: b\n"
      "    requirements: [R]\n"
      "    steps:\n"
      "      - request:\n"
      "          url: ${target.url}/c\n"
      "          dpop: {key: client, alg: PS256}");
  EXPECT_EQ(DpopErrors(text),
            "error: DPoP key `client` with two algorithms\n"
            "   --> x.yaml:21:36\n"
            "    |\n"
            " 21 |           dpop: {key: client, alg: PS256}\n"
            "    |                                    ^^^^^ found `PS256`, expected `ES256`, as on "
            "line 11 (a key name is one key for the whole run)\n"
            "    = help: give this key another name, or the same `alg`\n"
            "\n");
}

TEST(DpopLoader, AuthWithTwoKindsOrABadScheme) {
  EXPECT_EQ(DpopErrors(WithDpopRequest("          auth: {bearer: a, dpop: b}")),
            "error: more than one kind of `auth`\n"
            "   --> x.yaml:11:29\n"
            "    |\n"
            " 11 |           auth: {bearer: a, dpop: b}\n"
            "    |                             ^^^^ found `dpop`, expected one of `basic`, "
            "`bearer`, `dpop` (this auth already has `bearer`)\n"
            "\n");
  EXPECT_EQ(DpopErrors(WithDpopRequest("          auth: {dpop: b, scheme: \"D Po P\"}")),
            "error: invalid value for `scheme`\n"
            "   --> x.yaml:11:35\n"
            "    |\n"
            " 11 |           auth: {dpop: b, scheme: \"D Po P\"}\n"
            "    |                                   ^^^^^^^^ found `D Po P`, expected an "
            "authentication scheme (RFC 9110 token), e.g. `dpop` or `BEARER`\n"
            "\n");
  EXPECT_EQ(DpopErrors(WithDpopRequest("          auth: {scheme: dpop}")),
            "error: missing kind of `auth`\n"
            "   --> x.yaml:11:17\n"
            "    |\n"
            " 11 |           auth: {scheme: dpop}\n"
            "    |                 ^ expected `basic`, `bearer` or `dpop` in this mapping\n"
            "\n");
}

TEST(DpopLoader, AthMutationsNeedAnAccessToken) {
  RegisterDpopMutations();
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {mutation: wrong_ath}")),
            "error: `wrong_ath` needs an access token\n"
            "   --> x.yaml:11:28\n"
            "    |\n"
            " 11 |           dpop: {mutation: wrong_ath}\n"
            "    |                            ^^^^^^^^^ expected `auth: {dpop: TOKEN}` on this "
            "request, or `token` beside it: the token whose `ath` the proof spoils\n"
            "\n");
  // Through a matrix variable, at the value.
  std::string text = WithDpopRequest("          dpop: {mutation: \"${m}\"}");
  text.replace(text.find("two_headers"), 11, "wrong_ath");
  EXPECT_EQ(DpopErrors(text),
            "error: `wrong_ath` needs an access token\n"
            "  --> x.yaml:7:22\n"
            "   |\n"
            " 7 |       m: [wrong_htm, wrong_ath]\n"
            "   |                      ^^^^^^^^^ expected `auth: {dpop: TOKEN}` on this request, "
            "or `token` beside it: the token whose `ath` the proof spoils\n"
            "   = help: (a value of `m`, used as `mutation` on line 11)\n"
            "\n");
  // A token in `auth` or beside it is enough.
  EXPECT_EQ(DpopErrors(WithDpopRequest("          auth: {bearer: t}\n"
                                       "          dpop: {mutation: wrong_ath}")),
            "loaded");
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {mutation: wrong_ath, token: t}")),
            "loaded");
}

TEST(DpopLoader, BearerSchemeNeedsTheTokenInAuth) {
  RegisterDpopMutations();
  EXPECT_EQ(DpopErrors(WithDpopRequest("          auth: {basic: {user: u, password: p}}\n"
                                       "          dpop: {mutation: bearer_scheme}")),
            "error: `bearer_scheme` needs an access token in `auth`\n"
            "   --> x.yaml:12:28\n"
            "    |\n"
            " 12 |           dpop: {mutation: bearer_scheme}\n"
            "    |                            ^^^^^^^^^^^^^ expected `auth: {dpop: TOKEN}` on this "
            "request: the token it sends as Bearer\n"
            "\n");
  EXPECT_EQ(DpopErrors(WithDpopRequest("          auth: {dpop: t}\n"
                                       "          dpop: {mutation: bearer_scheme}")),
            "loaded");
}

TEST(DpopLoader, NonceMutationInAMatrixValueWithoutANonce) {
  RegisterDpopMutations();
  std::string text = WithDpopRequest("          dpop: {mutation: \"${m}\"}");
  text.replace(text.find("two_headers"), 11, "missing_nonce");
  EXPECT_EQ(DpopErrors(text),
            "error: `missing_nonce` needs a `nonce`\n"
            "  --> x.yaml:7:22\n"
            "   |\n"
            " 7 |       m: [wrong_htm, missing_nonce]\n"
            "   |                      ^^^^^^^^^^^^^ expected `nonce` beside it: the server's "
            "DPoP-Nonce the proof leaves out or changes\n"
            "   = help: (a value of `m`, used as `mutation` on line 11)\n"
            "\n");
}

TEST(DpopLoader, ReusedJtiNeedsAnEarlierProofInTheScenario) {
  RegisterDpopMutations();
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {mutation: reused_jti}\n"
                                       "      - request:\n"
                                       "          url: ${target.url}/b\n"
                                       "          dpop: {}")),
            "error: `reused_jti` needs an earlier proof\n"
            "   --> x.yaml:11:28\n"
            "    |\n"
            " 11 |           dpop: {mutation: reused_jti}\n"
            "    |                            ^^^^^^^^^^ expected a step with `dpop:` before this "
            "one in the scenario (its proof's jti is the one replayed), or `jti` beside it\n"
            "\n");
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {}\n"
                                       "      - request:\n"
                                       "          url: ${target.url}/b\n"
                                       "          dpop: {mutation: reused_jti}")),
            "loaded");
  EXPECT_EQ(DpopErrors(WithDpopRequest("          dpop: {mutation: reused_jti, jti: j-1}")),
            "loaded");
}

TEST(DpopLoader, DpopAndPkiTemplatePathsAreCheckedAtLoad) {
  EXPECT_EQ(DpopErrors(WithDpopRequest("          headers: {X-Jkt: \"${dpop.client.jtk}\"}")),
            "error: invalid `dpop` path in template\n"
            "   --> x.yaml:11:31\n"
            "    |\n"
            " 11 |           headers: {X-Jkt: \"${dpop.client.jtk}\"}\n"
            "    |                               ^^^^^^^^^^^^^^^ found `dpop.client.jtk`, "
            "expected `dpop.KEY.jkt` or `dpop.KEY.jwk`\n"
            "    = help: did you mean `jwk`?\n"
            "\n");
  EXPECT_EQ(DpopErrors(WithDpopRequest("          headers: {X-T: \"${pki.partner.x5t}\"}")),
            "error: invalid `pki` path in template\n"
            "   --> x.yaml:11:29\n"
            "    |\n"
            " 11 |           headers: {X-T: \"${pki.partner.x5t}\"}\n"
            "    |                             ^^^^^^^^^^^^^^^ found `pki.partner.x5t`, expected "
            "`pki.IDENTITY.bundle.NAME`, `pki.IDENTITY.x5t_s256` or "
            "`pki.IDENTITY.issuer_x5t_s256`\n"
            "\n");
  EXPECT_EQ(DpopErrors(WithDpopRequest(
                "          headers: {A: \"${dpop.k.jwk}\", B: \"${pki.partner.issuer_x5t_s256}\",\n"
                "                    C: \"${pki.partner.bundle.ordered}\"}")),
            "loaded");
}

TEST(DpopLoader, ARacedTokenFetchsProofCountsForTheKeyAndForReusedJti) {
  RegisterDpopMutations();
  std::string text =
      "suite: s/x\n"
      "scenarios:\n"
      "  - id: A\n"
      "    name: n\n"
      "    requirements: [R]\n"
      "    steps:\n"
      "      - race:\n"
      "          copies: 2\n"
      "          token: {fetch: {url: u, client_id: c, dpop: {key: client, alg: EdDSA}}}\n"
      "      - request:\n"
      "          url: u\n"
      "          dpop: {key: client, mutation: reused_jti}\n";
  Diagnostics diags;
  std::optional<Suite> suite = ParseSuite(text, "x.yaml", diags);
  ASSERT_TRUE(suite.has_value()) << diags.RenderWithText(text);
  EXPECT_EQ(suite->dpop_keys, (std::map<std::string, std::string>{{"client", "EdDSA"}}));
}

}  // namespace
}  // namespace tollgate
