#include "runner/token_steps.h"

#include <fmt/format.h>

#include "runner/case_run.h"
#include "runner/expect_check.h"
#include "runner/tls_facts.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::runner {
namespace {

StatusOr<std::optional<std::string>> EvalOpt(const std::optional<Template>& t,
                                             const CaseScope& scope) {
  if (!t) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string v, t->Evaluate(scope));
  return std::optional<std::string>(std::move(v));
}

long long Seconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

// Where jku/x5u mutations point: the first receiver of the environment, so a suite can
// assert the target never fetched it.
std::string AttackerUrl(const RunContext& run) {
  if (run.env) {
    for (const std::string& name : run.env->ServiceNames()) {
      if (run.env->Kind(name) == "receiver") return run.env->Url(name);
    }
  }
  return "http://127.0.0.1:9";
}

void DecodeJwt(const std::string& token, nlohmann::json& out) {
  auto parts = jose::ParseCompact(token);
  if (!parts.ok()) return;
  out["header"] = parts->header;
  nlohmann::json claims = nlohmann::json::parse(parts->payload, nullptr, false);
  if (!claims.is_discarded()) out["claims"] = claims;
}

}  // namespace

StatusOr<nlohmann::json> MintToken(const TokenStep& step, const RunContext& run,
                                   const CaseScope& scope) {
  MockService* service = run.env ? run.env->Service(step.issuer) : nullptr;
  if (!service) return NotFoundError("no running service `" + step.issuer + "` to mint with");
  const KeyHolder* keys = service->keys();
  if (!keys) {
    return InvalidArgumentError("service `" + step.issuer + "` (kind " + service->kind() +
                                ") does not sign tokens");
  }
  ASSIGN_OR_RETURN(auto kid, EvalOpt(step.kid, scope));
  std::optional<jose::Jwk> key = keys->SigningKey(kid.value_or(""));
  if (!key)
    return NotFoundError("issuer `" + step.issuer + "` has no key `" + kid.value_or("") + "`");
  long long now = run.clock->NowSeconds();
  nlohmann::json claims = nlohmann::json::object();
  claims["iss"] = keys->Issuer();
  ASSIGN_OR_RETURN(auto subject, EvalOpt(step.subject, scope));
  ASSIGN_OR_RETURN(auto client_id, EvalOpt(step.client_id, scope));
  claims["sub"] = subject ? *subject : client_id ? *client_id : "tollgate-client";
  if (client_id) claims["client_id"] = *client_id;
  ASSIGN_OR_RETURN(auto audience, EvalOpt(step.audience, scope));
  if (audience) claims["aud"] = *audience;
  ASSIGN_OR_RETURN(auto scope_value, EvalOpt(step.scope, scope));
  if (scope_value) claims["scope"] = *scope_value;
  long long iat = now + (step.issued_at ? Seconds(*step.issued_at) : 0);
  claims["iat"] = iat;
  if (step.not_before) claims["nbf"] = now + Seconds(*step.not_before);
  claims["exp"] = now + (step.lifetime ? Seconds(*step.lifetime) : keys->TokenTtl().count());
  claims["jti"] = scope.NewUuid();
  if (step.claims) {
    ASSIGN_OR_RETURN(nlohmann::json extra,
                     EvaluateJson(step.claims->value, scope, step.claims->loc));
    for (const auto& [k, v] : extra.items()) {
      if (v.is_null())
        claims.erase(k);
      else
        claims[k] = v;
    }
  }
  nlohmann::json header = {{"typ", keys->TokenType()}};
  if (step.header) {
    ASSIGN_OR_RETURN(nlohmann::json extra,
                     EvaluateJson(step.header->value, scope, step.header->loc));
    for (const auto& [k, v] : extra.items()) header[k] = v;
  }
  jose::Jwks published = keys->PublishedKeys();
  jose::MintRequest req;
  req.key = &*key;
  req.issuer_keys = &published;
  req.header = header;
  req.claims = claims;
  ASSIGN_OR_RETURN(auto mutation, EvalOpt(step.mutate, scope));
  req.mutation = mutation.value_or("");
  req.attacker_url = AttackerUrl(run);
  req.now = now;
  if (auto it = run.target_settings.find("leeway"); it != run.target_settings.end()) {
    if (auto d = ParseDuration(it->second)) req.leeway_seconds = Seconds(*d);
  }
  ASSIGN_OR_RETURN(std::string token, jose::Mint(req));
  nlohmann::json out = {{"token", token}, {"access_token", token}, {"mutation", req.mutation}};
  DecodeJwt(token, out);
  return out;
}

StatusOr<ClientRequest> BuildTokenRequest(const TokenStep& step, const CaseScope& scope) {
  ClientRequest q;
  q.method = "POST";
  ASSIGN_OR_RETURN(q.url, step.url->Evaluate(scope));
  ASSIGN_OR_RETURN(auto grant, EvalOpt(step.grant_type, scope));
  ASSIGN_OR_RETURN(auto id, EvalOpt(step.fetch_client_id, scope));
  ASSIGN_OR_RETURN(auto secret, EvalOpt(step.client_secret, scope));
  ASSIGN_OR_RETURN(auto fetch_scope, EvalOpt(step.fetch_scope, scope));
  ASSIGN_OR_RETURN(auto refresh, EvalOpt(step.refresh_token, scope));
  std::vector<std::pair<std::string, std::string>> form;
  form.emplace_back("grant_type", grant.value_or("client_credentials"));
  if (fetch_scope) form.emplace_back("scope", *fetch_scope);
  if (refresh) form.emplace_back("refresh_token", *refresh);
  if (step.auth_method == "client_secret_post") {
    if (id) form.emplace_back("client_id", *id);
    if (secret) form.emplace_back("client_secret", *secret);
  } else {
    // RFC 6749 §2.3.1: form-urlencode id and secret before base64.
    q.headers.emplace_back("Authorization",
                           "Basic " + Base64Encode(PercentEncode(id.value_or("")) + ":" +
                                                   PercentEncode(secret.value_or(""))));
  }
  for (const auto& [k, v] : form) {
    q.body += (q.body.empty() ? "" : "&") + PercentEncode(k) + "=" + PercentEncode(v);
  }
  q.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  q.headers.emplace_back("Accept", "application/json");
  return q;
}

nlohmann::json TokenResult(const ClientResponse& response) {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    for (const char* k : {"access_token", "refresh_token", "expires_in", "token_type", "scope"}) {
      if (body.contains(k)) out[k] = body[k];
    }
  }
  if (out.contains("access_token") && out["access_token"].is_string()) {
    out["token"] = out["access_token"];
    DecodeJwt(out["access_token"].get<std::string>(), out);
  }
  return out;
}

std::vector<CheckFailure> CheckToken(const TokenExpect& e, const nlohmann::json& saved,
                                     const RunContext& run) {
  std::vector<CheckFailure> out;
  auto fail = [&](std::string message, std::string expected, std::string actual) {
    out.push_back(
        {"assert.token", std::move(message), std::move(expected), std::move(actual), e.loc});
  };
  if (!saved.contains("claims") || !saved["claims"].is_object()) {
    fail("expected a JWT with a claims object, got none", "a JWT", "no decodable JWT");
    return out;
  }
  const nlohmann::json& claims = saved["claims"];
  const nlohmann::json header = saved.value("header", nlohmann::json::object());
  for (const std::string& c : e.claims) {
    if (!claims.contains(c))
      fail("expected claim `" + c + "` in the token, it is absent", c, "absent");
  }
  if (e.max_lifetime) {
    if (!claims.contains("exp") || !claims["exp"].is_number() || !claims.contains("iat") ||
        !claims["iat"].is_number()) {
      fail("expected exp and iat to measure the lifetime", "exp and iat", "missing");
    } else {
      long long life = claims["exp"].get<long long>() - claims["iat"].get<long long>();
      long long max = Seconds(*e.max_lifetime);
      if (life > max) {
        fail(fmt::format("expected a lifetime of at most {} s, got {} s", max, life),
             fmt::format("<= {} s", max), fmt::format("{} s", life));
      }
    }
  }
  std::string alg = header.value("alg", "");
  if (!e.algs.empty() && std::find(e.algs.begin(), e.algs.end(), alg) == e.algs.end()) {
    std::string list;
    for (const std::string& a : e.algs) list += (list.empty() ? "" : ", ") + a;
    fail("expected alg one of " + list + ", got `" + alg + "`", list, alg);
  }
  if (e.kid_in) {
    MockService* s = run.env ? run.env->Service(*e.kid_in) : nullptr;
    const KeyHolder* keys = s ? s->keys() : nullptr;
    std::string kid = header.value("kid", "");
    if (!keys) {
      fail("no key-publishing service `" + *e.kid_in + "` to check the kid against", *e.kid_in,
           "no such service");
    } else if (kid.empty() || !keys->PublishedKeys().Find(kid)) {
      fail("expected kid `" + kid + "` to be published by `" + *e.kid_in + "`",
           "a kid in " + *e.kid_in + "'s JWKS", kid.empty() ? "no kid" : kid);
    }
  }
  return out;
}

bool CaseRun::RunToken(const Step& step, const TokenStep& token) {
  nlohmann::json saved;
  std::vector<CheckFailure> failures;
  if (token.kind == TokenStep::Kind::kMint) {
    auto minted = MintToken(token, run_, scope_);
    if (!minted.ok()) return Error(step, minted.status().message());
    saved = std::move(minted).value();
    const std::string mutation = saved["mutation"].get<std::string>();
    Note(MintedNote{token.issuer, mutation,
                    NoteJson(saved.value("claims", nlohmann::json::object()))});
    kept_.push_back(
        {"token minted", std::nullopt, std::nullopt, saved.value("token", ""),
         "minted by " + token.issuer + (mutation.empty() ? "" : " (mutation " + mutation + ")"),
         step.loc});
  } else {
    auto q = BuildTokenRequest(token, scope_);
    if (!q.ok()) return Error(step, q.status().message());
    if (q->tls.ca_file.empty()) q->tls.ca_file = run_.TrustFileFor(q->url);
    if (token.dpop) {
      Status attached = AttachDpop(*token.dpop, *q);
      if (!attached.ok()) {
        return Error(step, attached.WithContext("dpop at " + token.dpop->loc.ToString()).message());
      }
    }
    auto r = run_.transport->Send(*q);
    if (!r.ok()) return Error(step, r.status().message());
    Log(*q, *r, "token");
    Keep("token request", *q, *r, step.loc);
    previous_ = *q;
    if (step.save) sent_[*step.save] = *q;
    if (Unanswered(*r)) {
      return Error(step, "token endpoint did not answer: " + DescribeOutcome(*r));
    }
    saved = TokenResult(*r);
    // Tokens issued by a real token endpoint are credentials: keep them out of every output.
    for (const char* k : {"access_token", "refresh_token"}) {
      if (saved.contains(k) && saved[k].is_string())
        run_.redactor->AddSecret(saved[k].get<std::string>());
    }
    saved["response"] = Record(*q, *r)["response"];
    if (token.dpop) saved["dpop"] = dpop_record_;
    if (step.expect) {
      auto checked = CheckResponse(*step.expect, *r, scope_);
      if (!checked.ok()) return Error(step, checked.status().message());
      failures = std::move(checked).value();
    } else if (r->status / 100 != 2) {
      failures.push_back({"assert.status", "token endpoint answered " + DescribeOutcome(*r), "2xx",
                          DescribeOutcome(*r), step.loc});
    }
  }
  if (step.save) scope_.Save(*step.save, saved);
  if (step.expect && step.expect->token) {
    for (CheckFailure& f : CheckToken(*step.expect->token, saved, run_))
      failures.push_back(std::move(f));
  }
  return Fail(std::move(failures));
}

}  // namespace tollgate::runner
