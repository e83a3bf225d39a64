#include "runner/notify_steps.h"

#include "runner/case_run.h"
#include "runner/notify_webhook.h"
#include "runner/token_steps.h"

namespace tollgate::runner {
namespace {

// The body: `body` as given, or the Sage-style notification announcing `id`.
StatusOr<std::string> NotifyBody(const NotifyStep& step, const CaseScope& scope,
                                 const std::string& id) {
  if (step.body) {
    ASSIGN_OR_RETURN(nlohmann::json body, EvaluateJson(step.body->value, scope, step.body->loc));
    return body.is_string() ? body.get<std::string>() : body.dump();
  }
  std::string type = "authorisation";
  if (step.resource_type) {
    ASSIGN_OR_RETURN(type, step.resource_type->Evaluate(scope));
  }
  nlohmann::json additional = {{"bankId", "tollgate-bank"}};
  if (step.additional_data) {
    ASSIGN_OR_RETURN(additional,
                     EvaluateJson(step.additional_data->value, scope, step.additional_data->loc));
  }
  nlohmann::json body = {{"type", "resourceCreated"},
                         {"resource", {{"id", id}, {"type", type}, {"url", "NA"}}},
                         {"additionalData", additional}};
  return body.dump();
}

}  // namespace

StatusOr<BuiltNotify> BuildNotify(const NotifyStep& step, const RunContext& run,
                                  const CaseScope& scope, std::string* last_webhook_id) {
  BuiltNotify out;
  ClientRequest& q = out.request;
  q.method = "POST";
  ASSIGN_OR_RETURN(q.url, step.url.Evaluate(scope));
  if (step.timeout) q.timeout = *step.timeout;
  q.headers.emplace_back("Accept", "application/json");
  q.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  if (step.token) {
    ASSIGN_OR_RETURN(nlohmann::json minted, MintToken(*step.token, run, scope));
    q.headers.emplace_back("Authorization", "Bearer " + minted["token"].get<std::string>());
    out.saved["token"] = std::move(minted);
  } else if (step.bearer) {
    ASSIGN_OR_RETURN(std::string token, step.bearer->Evaluate(scope));
    q.headers.emplace_back("Authorization", "Bearer " + token);
  }
  if (step.header_name && step.header_value) {
    ASSIGN_OR_RETURN(std::string name, step.header_name->Evaluate(scope));
    ASSIGN_OR_RETURN(std::string value, step.header_value->Evaluate(scope));
    // The partner's header value is a shared secret: never in a transcript or report.
    if (!value.empty()) run.redactor->AddSecret(value);
    q.headers.emplace_back(std::move(name), std::move(value));
  }
  std::string id = scope.NewUuid();
  if (step.id) {
    ASSIGN_OR_RETURN(id, step.id->Evaluate(scope));
  }
  out.saved["authorisation_id"] = id;
  ASSIGN_OR_RETURN(q.body, NotifyBody(step, scope, id));
  // Signed last, over the exact bytes of the final body.
  if (step.webhook) {
    std::string none;
    ASSIGN_OR_RETURN(out.saved["webhook"], SignNotify(*step.webhook, run, scope, q,
                                                      last_webhook_id ? *last_webhook_id : none));
  }
  return out;
}

bool CaseRun::RunNotify(const Step& step, const NotifyStep& notify) {
  auto built = BuildNotify(notify, run_, scope_, &last_webhook_id_);
  if (!built.ok()) return Error(step, built.status().message());
  if (built->saved.contains("token")) {
    const nlohmann::json& t = built->saved["token"];
    std::string mutation = t.value("mutation", "");
    Note(NotifyTokenNote{mutation, NoteJson(t.value("claims", nlohmann::json::object()))});
  }
  if (built->saved.contains("webhook")) {
    const nlohmann::json& w = built->saved["webhook"];
    Note(WebhookNote{w["scheme"].get<std::string>(), w["id"].get<std::string>(),
                     w["variant"].get<std::string>()});
  }
  if (built->request.tls.ca_file.empty()) {
    built->request.tls.ca_file = run_.TrustFileFor(built->request.url);
  }
  return Exchange(step, built->request, built->saved);
}

}  // namespace tollgate::runner
