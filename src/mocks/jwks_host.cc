#include "mocks/jwks_host.h"

#include "mocks/config.h"

namespace tollgate::mocks {

StatusOr<std::unique_ptr<JwksHost>> JwksHost::Create(const ServiceDecl& decl, ServiceContext ctx) {
  std::unique_ptr<JwksHost> h(new JwksHost(decl, ctx));
  h->configured_max_age_ = GetSeconds(decl.config, "max_age", h->configured_max_age_);
  h->max_age_ = h->configured_max_age_;
  ASSIGN_OR_RETURN(std::vector<KeySpec> specs, ParseKeySpecs(decl.config, decl.name));
  ASSIGN_OR_RETURN(h->keys_, KeyRing::Create(specs));
  return h;
}

JwksHost::JwksHost(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx),
      issuer_(GetString(decl.config, "issuer", "")),
      typ_("at+jwt") {}

JwksHost::~JwksHost() {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  wake_.notify_all();
}

std::string JwksHost::Issuer() const {
  if (!issuer_.empty()) return issuer_;
  return ctx().service_url ? ctx().service_url(name()) : "";
}

void JwksHost::AddRoutes(ServiceRouter& router) {
  auto handler = [this](const ServerRequest& r) { return HandleJwks(r); };
  router.Add("*", "/jwks", handler);
  router.Add("*", "/.well-known/jwks.json", handler);
}

std::vector<TargetSetting> JwksHost::TargetSettings() const {
  std::string base = ctx().service_url ? ctx().service_url(name()) : "";
  return {{"jwks_url", base + "/jwks", false, "the URL of the key set"},
          {"issuer", Issuer(), false, "the `iss` of the tokens signed with its keys"}};
}

Status JwksHost::Control(const std::string& action, const nlohmann::json& args) {
  if (action == "restore") {
    Restore();
    return Status::Ok();
  }
  if (KeyRing::Knows(action))
    return keys_->Apply(action, args).WithContext("service `" + name() + "`");
  std::lock_guard<std::mutex> lock(mu_);
  if (action == "down") {
    mode_ = Mode::kDown;
  } else if (action == "error_500") {
    mode_ = Mode::kError500;
  } else if (action == "malformed") {
    mode_ = Mode::kMalformed;
  } else if (action == "empty") {
    mode_ = Mode::kEmpty;
  } else if (action == "slow") {
    std::optional<long long> ms = args.contains("ms") ? ArgInt(args, "ms") : 3000;
    if (!ms || *ms < 0 || *ms > kMaxSlow.count()) {
      return InvalidArgumentError("service `" + name() + "`: slow needs `ms` between 0 and " +
                                  std::to_string(kMaxSlow.count()));
    }
    slow_ = std::chrono::milliseconds(*ms);
  } else if (action == "max_age") {
    std::optional<long long> s = ArgInt(args, "seconds");
    if (!s || *s < 0) {
      return InvalidArgumentError("service `" + name() + "`: max_age needs `seconds` >= 0");
    }
    max_age_ = std::chrono::seconds(*s);
  } else {
    return InvalidArgumentError("service `" + name() + "` (kind jwks) has no action `" + action +
                                "`; known actions: " + TermList(Vocabulary().actions));
  }
  return Status::Ok();
}

void JwksHost::Restore() {
  keys_->Restore();
  std::lock_guard<std::mutex> lock(mu_);
  mode_ = Mode::kNormal;
  slow_ = std::chrono::milliseconds(0);
  max_age_ = configured_max_age_;
  ++generation_;
  wake_.notify_all();
}

Handled JwksHost::HandleJwks(const ServerRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    ServerResponse r = ServerResponse::Json(405, R"({"error":"method_not_allowed"})");
    r.headers.Add("Allow", "GET, HEAD");
    return {std::move(r), "method not allowed"};
  }
  Mode mode;
  std::chrono::seconds max_age;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (slow_.count() > 0) {
      // Real time on purpose: `slow` exists to make the relying party's own timeout fire.
      std::uint64_t gen = generation_;
      wake_.wait_for(lock, slow_, [&] { return generation_ != gen; });
    }
    mode = mode_;
    max_age = max_age_;
  }
  switch (mode) {
    case Mode::kDown: {
      ServerResponse r = ServerResponse::Json(503, R"({"error":"unavailable"})");
      r.headers.Add("Connection", "close");
      return {std::move(r), "down"};
    }
    case Mode::kError500:
      return {ServerResponse::Json(500, R"({"error":"internal_error"})"), "error_500"};
    case Mode::kMalformed:
      return {JwksResponse(R"({"keys":[)", max_age, request), "malformed"};
    case Mode::kEmpty:
      return {JwksResponse(R"({"keys":[]})", max_age, request), "empty"};
    case Mode::kNormal:
      break;
  }
  ServerResponse r = JwksResponse(keys_->Published().ToPublicJson().dump(), max_age, request);
  return {std::move(r), r.status == 304 ? "jwks not modified" : "jwks"};
}

const KindTerms& JwksHost::Vocabulary() {
  static const KindTerms kTerms = [] {
    Terms actions = {
        {"down", "answers every key-set request with 503 and `Connection: close`"},
        {"error_500", "answers every key-set request with 500"},
        {"slow", "delays every key-set answer by `ms` of real time (default 3000, at most 30000)"},
        {"malformed", "serves truncated JSON (`{\"keys\":[`) as the key set"},
        {"empty", "serves an empty key set (`{\"keys\":[]}`)"}};
    for (const Term& t : KeyRing::ActionTerms()) actions.push_back(t);
    actions.push_back(
        {"max_age", "serves the key set with `Cache-Control: max-age` set to `seconds`"});
    actions.push_back({"restore",
                       "serves normally again: configured keys and max-age, no delay; wakes slowed "
                       "requests"});
    std::vector<FieldSpec> keys = {
        SigningKeysField(),
        Key("max_age", FieldType::kDuration,
            "the `Cache-Control: max-age` of the key set (default 5m)"),
        // The `iss` of the tokens the runner mints with its keys (default: its URL), and
        // what a relying party trusting this key set by URL expects.
        Key("issuer", FieldType::kString,
            "the `iss` of tokens minted with its keys (default: its URL); what a "
            "`sage-connector` trusting it expects")};
    return KindTerms{"jwks", std::move(actions), /*faults=*/{}, std::move(keys)};
  }();
  return kTerms;
}

}  // namespace tollgate::mocks
