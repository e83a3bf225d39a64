// `dpop:` on a request or a token fetch: the proof (RFC 9449 §4) signed by a named key of
// the run, its hostile variants, and the request-level attacks (no DPoP header, two of them,
// the token downgraded to Bearer).

#include "runner/dpop_steps.h"

#include <algorithm>

#include "runner/case_run.h"
#include "tollgate/base/encoding.h"
#include "tollgate/crypto/dpop.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::runner {
namespace {

constexpr char kNoMutation[] = "none";
constexpr char kMissingHeader[] = "missing_header";
constexpr char kTwoHeaders[] = "two_headers";
constexpr char kBearerScheme[] = "bearer_scheme";

bool IsRequestMutation(const std::string& m) {
  return m == kMissingHeader || m == kTwoHeaders || m == kBearerScheme;
}

// The access token of an `Authorization: DPoP ...` or `Bearer ...` header, and where it is.
std::pair<std::string, std::pair<std::string, std::string>*> AuthorizationToken(ClientRequest& q) {
  for (auto& header : q.headers) {
    if (!EqualsIgnoreCase(header.first, "Authorization")) continue;
    const std::string& v = header.second;
    std::size_t space = v.find(' ');
    if (space == std::string::npos) continue;
    std::string scheme = v.substr(0, space);
    if (EqualsIgnoreCase(scheme, "DPoP") || EqualsIgnoreCase(scheme, "Bearer")) {
      return {v.substr(space + 1), &header};
    }
  }
  return {"", nullptr};
}

}  // namespace

const Terms& DpopRequestMutations() {
  static const Terms kTerms = {
      {kMissingHeader, "No DPoP header, though the token is sent with the DPoP scheme."},
      {kTwoHeaders, "Two DPoP headers, each a valid proof with its own jti."},
      {kBearerScheme,
       "The DPoP-bound token sent as `Authorization: Bearer` (a downgrade), with its proof."},
  };
  return kTerms;
}

Terms DpopMutationVocabulary() {
  Terms out = {{kNoMutation, "A correct proof (the default), for a matrix that mixes both."}};
  for (const jose::MutationInfo& m : jose::DpopMutationTerms()) {
    out.push_back({m.name, m.description});
  }
  for (const Term& t : DpopRequestMutations()) out.push_back(t);
  return out;
}

StatusOr<jose::Jwk> DpopKeyring::Find(const std::string& slot, const std::string& name,
                                      const std::string& alg_name) {
  std::optional<jose::Alg> alg = jose::AlgFromName(alg_name);
  if (!alg || !jose::IsPublicKeyAlg(*alg)) {
    return InvalidArgumentError("DPoP key `" + name + "`: `" + alg_name +
                                "` is no public-key algorithm");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(slot);
  if (it != keys_.end()) {
    if (it->second.alg() != *alg) {
      return InvalidArgumentError("DPoP key `" + name + "` is " + jose::AlgName(it->second.alg()) +
                                  " in this run, not " + alg_name +
                                  " (a key name is one key for the whole run)");
    }
    return it->second;
  }
  ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::Generate(*alg, "dpop-" + slot));
  keys_.emplace(slot, key);
  return key;
}

StatusOr<jose::Jwk> DpopKeyring::Get(const std::string& name, const std::string& alg) {
  return Find(name, name, alg);
}

StatusOr<jose::Jwk> DpopKeyring::Other(const std::string& name, const std::string& alg) {
  return Find(name + " other", name, alg);
}

nlohmann::json ProofForDisplay(const std::string& proof) {
  auto parts = jose::ParseCompact(proof);
  if (!parts.ok()) return nullptr;
  nlohmann::json header = parts->header;
  if (header.contains("jwk") && header["jwk"].is_object()) {
    for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
      if (header["jwk"].contains(member)) header["jwk"][member] = "(private, not shown)";
    }
  }
  nlohmann::json claims = nlohmann::json::parse(parts->payload, nullptr, false);
  if (claims.is_discarded()) claims = parts->payload;
  return {{"header", header}, {"claims", claims}};
}

std::string CaseRun::DpopKeyAlg(const DpopSpec& spec) const {
  if (!spec.alg.empty()) return spec.alg;
  if (auto it = case_.suite->dpop_keys.find(spec.key); it != case_.suite->dpop_keys.end()) {
    return it->second;
  }
  return "ES256";
}

Status CaseRun::AttachDpop(const DpopSpec& spec, ClientRequest& q) {
  std::string mutation;
  if (spec.mutation) {
    ASSIGN_OR_RETURN(mutation, Eval(*spec.mutation));
    if (mutation == kNoMutation) mutation.clear();
  }
  const std::string alg = DpopKeyAlg(spec);
  ASSIGN_OR_RETURN(jose::Jwk key, run_.dpop_keys->Get(spec.key, alg));
  ASSIGN_OR_RETURN(jose::Jwk other, run_.dpop_keys->Other(spec.key, alg));
  jose::DpopProofRequest r;
  r.key = &key;
  r.other_key = &other;
  r.mutation = IsRequestMutation(mutation) ? "" : mutation;
  r.htm = q.method;
  r.htu = q.url;
  if (spec.htm) {
    ASSIGN_OR_RETURN(r.htm, Eval(*spec.htm));
  }
  if (spec.htu) {
    ASSIGN_OR_RETURN(r.htu, Eval(*spec.htu));
  }
  auto [presented, authorization] = AuthorizationToken(q);
  r.access_token = presented;
  if (spec.token) {
    ASSIGN_OR_RETURN(r.access_token, Eval(*spec.token));
  }
  if (spec.nonce) {
    ASSIGN_OR_RETURN(r.nonce, Eval(*spec.nonce));
  }
  if (spec.jti) {
    ASSIGN_OR_RETURN(r.jti, Eval(*spec.jti));
  }
  if (mutation == "reused_jti" && r.jti.empty()) {
    if (last_dpop_jti_.empty()) {
      return InvalidArgumentError(
          "mutation reused_jti needs an earlier proof in this case, or `jti:`");
    }
    r.jti = last_dpop_jti_;
  }
  if (spec.skew) {
    ASSIGN_OR_RETURN(std::string text, Eval(*spec.skew));
    std::optional<Duration> d = ParseDuration(text);
    if (!d) return InvalidArgumentError("skew `" + text + "` is not a duration such as 60s");
    r.skew_seconds = std::chrono::duration_cast<std::chrono::seconds>(*d).count();
  }
  if (mutation == kBearerScheme) {
    if (authorization == nullptr || presented.empty()) {
      return InvalidArgumentError(
          "mutation bearer_scheme needs the token in `Authorization` (auth: {dpop: TOKEN})");
    }
    authorization->second = "Bearer " + presented;
  }

  std::vector<std::string> proofs;
  if (mutation != kMissingHeader) {
    int copies = mutation == kTwoHeaders ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      jose::DpopProofRequest each = r;
      if (i > 0) each.jti.clear();  // the second proof is valid on its own: a fresh jti
      auto proof = jose::BuildDpopProof(each, *run_.clock);
      if (!proof.ok()) {
        return proof.status().WithContext("mutation `" + mutation + "`");
      }
      proofs.push_back(*proof);
    }
  }

  nlohmann::json shown = nlohmann::json::array();
  for (const std::string& proof : proofs) {
    q.headers.emplace_back("DPoP", proof);
    nlohmann::json display = ProofForDisplay(proof);
    // A proof with the private key in its header is itself a secret: shown decoded, never
    // as sent.
    if (mutation == "private_key_in_jwk") run_.redactor->AddSecret(proof);
    if (display.is_object() && display["claims"].is_object()) {
      last_dpop_jti_ = display["claims"].value("jti", last_dpop_jti_);
    }
    Note(SignedNote{"DPoP proof by key " + spec.key + " (" + alg + ")" +
                    (mutation.empty() ? "" : ", mutation " + mutation) + ": " + NoteJson(display)});
    shown.push_back(std::move(display));
  }
  if (proofs.empty()) {
    Note(SignedNote{"DPoP: no proof sent (mutation " + mutation + ")"});
  }
  dpop_record_ = {{"key", spec.key},
                  {"alg", alg},
                  {"jkt", key.Thumbprint()},
                  {"mutation", mutation},
                  {"proofs", shown}};
  if (!shown.empty()) {
    dpop_record_["header"] = shown[0]["header"];
    dpop_record_["claims"] = shown[0]["claims"];
    dpop_record_["jti"] = shown[0]["claims"].is_object()
                              ? shown[0]["claims"].value("jti", std::string())
                              : std::string();
  }
  return Status::Ok();
}

}  // namespace tollgate::runner
