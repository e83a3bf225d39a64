// `tollgate jwt mint` and `tollgate jwt verify`: the crypto module on the command line, for
// people building or debugging a relying party.

#include "cli/jwt_command.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "tollgate/base/file.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/http/client.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::cli {
namespace {

// "K=V" with V as JSON when it parses (numbers, arrays, true), else as a string.
bool ParseAssignment(const std::string& text, std::string& key, nlohmann::json& value) {
  std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  key = text.substr(0, eq);
  std::string raw = text.substr(eq + 1);
  value = nlohmann::json::parse(raw, nullptr, false);
  if (value.is_discarded() || value.is_string()) value = raw;
  return true;
}

}  // namespace

int JwtMintCommand(const JwtMintArgs& a) {
  if (a.list_mutations) {
    for (const jose::MutationInfo& m : jose::Mutations()) {
      std::cout << m.name << (m.accepted_by_correct_target ? "  (positive control)" : "") << "  "
                << m.description << "\n";
    }
    return kExitOk;
  }
  auto alg = jose::AlgFromName(a.alg);
  if (!alg || *alg == jose::Alg::kNone) {
    return Fail(kExitUsage, "--alg takes RS256, RS384, RS512, PS256, ES256, ES384, EdDSA or HS256");
  }
  std::optional<jose::Jwk> key;
  if (!a.key_file.empty()) {
    StatusOr<std::string> text = ReadFile(a.key_file);
    if (!text.ok()) return Fail(kExitInvalid, "key file: " + text.status().message());
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    auto parsed = !j.is_discarded() && j.is_object() ? jose::Jwk::FromJson(j)
                                                     : jose::Jwk::FromPem(*text, a.kid, *alg);
    if (!parsed.ok()) return Fail(kExitInvalid, a.key_file + ": " + parsed.status().message());
    key = *parsed;
  } else {
    auto generated = jose::Jwk::Generate(*alg, a.kid);
    if (!generated.ok()) return Fail(kExitHarness, generated.status().message());
    key = *generated;
  }
  jose::Jwks published;
  published.keys.push_back(*key);
  if (!a.jwks_out.empty()) {
    std::ofstream out(a.jwks_out);
    out << published.ToPublicJson().dump(2) << "\n";
    if (!out) return Fail(kExitHarness, "cannot write " + a.jwks_out);
  }
  OffsetClock clock;
  long long now = clock.NowSeconds();
  auto ttl = ParseDuration(a.ttl);
  if (!ttl) return Fail(kExitUsage, "--ttl takes a duration such as 1h, found `" + a.ttl + "`");
  nlohmann::json claims = {
      {"iat", now}, {"exp", now + std::chrono::duration_cast<std::chrono::seconds>(*ttl).count()}};
  if (!a.iss.empty()) claims["iss"] = a.iss;
  if (!a.aud.empty()) claims["aud"] = a.aud;
  if (!a.sub.empty()) claims["sub"] = a.sub;
  if (!a.scope.empty()) claims["scope"] = a.scope;
  for (const std::string& c : a.claims) {
    std::string k;
    nlohmann::json v;
    if (!ParseAssignment(c, k, v)) return Fail(kExitUsage, "--claim takes K=V, found `" + c + "`");
    claims[k] = v;
  }
  nlohmann::json header = {{"typ", a.typ}};
  for (const std::string& h : a.headers) {
    std::string k;
    nlohmann::json v;
    if (!ParseAssignment(h, k, v)) return Fail(kExitUsage, "--header takes K=V, found `" + h + "`");
    header[k] = v;
  }
  jose::MintRequest req;
  req.key = &*key;
  req.issuer_keys = &published;
  req.header = header;
  req.claims = claims;
  req.mutation = a.mutate;
  req.attacker_url = a.attacker_url;
  req.now = now;
  auto token = jose::Mint(req);
  if (!token.ok()) return Fail(kExitUsage, token.status().message());
  std::cout << *token << "\n";
  return kExitOk;
}

int JwtVerifyCommand(const JwtVerifyArgs& a) {
  std::string token = a.token;
  if (token == "-") std::getline(std::cin, token);
  std::string jwks_text;
  if (a.jwks.rfind("http://", 0) == 0 || a.jwks.rfind("https://", 0) == 0) {
    InitHttpClientLibrary();
    HttpClient client;
    ClientRequest q;
    q.url = a.jwks;
    auto r = client.Send(q);
    if (!r.ok()) return Fail(kExitUsage, r.status().message());
    if (r->outcome != TransportOutcome::kOk || r->status != 200) {
      return Fail(kExitHarness,
                  "could not fetch the JWKS from " + a.jwks + ": " +
                      (r->outcome == TransportOutcome::kOk ? "status " + std::to_string(r->status)
                                                           : r->error));
    }
    jwks_text = r->body;
  } else {
    StatusOr<std::string> text = ReadFile(a.jwks);
    if (!text.ok()) return Fail(kExitInvalid, "JWKS file: " + text.status().message());
    jwks_text = *text;
  }
  auto keys = jose::Jwks::Parse(jwks_text);
  if (!keys.ok()) return Fail(kExitInvalid, a.jwks + ": " + keys.status().message());
  // Unusable keys are ignored (RFC 7517 §5); on stderr, so stdout stays the verdict.
  if (a.verbose) {
    for (const std::string& why : keys->skipped) std::cerr << "note: skipped " << why << "\n";
  }
  jose::ValidationPolicy policy;
  policy.issuers = a.issuers;
  policy.audiences = a.audiences;
  if (!a.algs.empty()) {
    policy.algorithms.clear();
    for (const std::string& name : a.algs) {
      auto alg = jose::AlgFromName(name);
      if (!alg || *alg == jose::Alg::kNone)
        return Fail(kExitUsage, "--alg: unknown algorithm `" + name + "`");
      policy.algorithms.push_back(*alg);
    }
  }
  if (!a.typ.empty()) policy.typ = a.typ;
  if (!a.scope.empty()) policy.required_scope = a.scope;
  if (!a.require.empty()) policy.required_claims = a.require;
  auto leeway = ParseDuration(a.leeway);
  if (!leeway) return Fail(kExitUsage, "--leeway takes a duration such as 60s");
  policy.leeway_seconds = std::chrono::duration_cast<std::chrono::seconds>(*leeway).count();
  OffsetClock clock;
  jose::VerifyResult result = jose::VerifyJwt(token, *keys, policy, clock);
  if (!result.ok) {
    std::cout << "rejected: " << result.rejection.code << ": " << result.rejection.message << "\n";
    if (result.rejection.code == "unknown_kid" && !keys->skipped.empty() && !a.verbose) {
      std::cerr << "note: " << keys->skipped.size() << " key(s) of the JWKS skipped as unusable; "
                << "-v shows why\n";
    }
    return kExitFailed;
  }
  nlohmann::json out = {
      {"valid", true}, {"header", result.ok->header}, {"claims", result.ok->claims}};
  std::cout << out.dump(2) << "\n";
  return kExitOk;
}

}  // namespace tollgate::cli
