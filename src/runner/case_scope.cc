#include "runner/case_scope.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/base/file.h"
#include "tollgate/base/forwarded_cert.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::runner {
namespace {

std::string Joined(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& p : path) out += (out.empty() ? "" : ".") + p;
  return out;
}

// RFC 8705 §3.1: base64url of the SHA-256 of the DER of the first certificate in `pem_file`.
StatusOr<std::string> X5tS256(const std::string& pem_file) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(pem_file));
  ForwardedCertSource source;
  source.chain_pem = pem;
  std::optional<std::string> der =
      Base64Decode(EncodeForwardedCert(CertEncoding::kDerBase64, source));
  if (!der || der->empty()) return NotFoundError("no certificate in " + pem_file);
  return Base64UrlEncode(Sha256(*der));
}

}  // namespace

StatusOr<nlohmann::json> EvaluateJson(const nlohmann::json& v, const Scope& scope,
                                      const SourceLoc& loc) {
  if (v.is_string()) {
    ASSIGN_OR_RETURN(Template t, Template::Parse(v.get<std::string>(), loc));
    ASSIGN_OR_RETURN(std::string text, t.Evaluate(scope));
    return nlohmann::json(text);
  }
  nlohmann::json out = v;
  if (v.is_array() || v.is_object()) {
    for (auto it = out.begin(); it != out.end(); ++it) {
      ASSIGN_OR_RETURN(*it, EvaluateJson(*it, scope, loc));
    }
  }
  return out;
}

StatusOr<Duration> ResolveWait(const WaitStep& wait, const Scope& scope) {
  if (!wait.for_) return std::max(Duration(0), wait.duration);
  ASSIGN_OR_RETURN(std::string text, wait.for_->Evaluate(scope));
  std::optional<Duration> d = ParseDuration(text);
  if (!d) {
    return InvalidArgumentError("wait for `" + wait.for_->raw() + "` is `" + text +
                                "`, not a duration such as 30s or 5m");
  }
  return std::max(Duration(0), wait.duration + *d);
}

std::string JsonToText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

StatusOr<std::string> CaseScope::Lookup(const std::vector<std::string>& path) const {
  if (path.empty()) return InvalidArgumentError("empty template path");
  const std::string& root = path[0];
  if (root == "target") {
    if (path.size() != 2) return NotFoundError("use target.NAME, found `" + Joined(path) + "`");
    if (path[1] == "url") return run_->target_url;
    auto it = run_->target_settings.find(path[1]);
    if (it == run_->target_settings.end()) {
      return NotFoundError("the target has no setting `" + path[1] + "`");
    }
    return it->second;
  }
  if (root == "services") {
    if (path.size() != 3 || (path[2] != "url" && path[2] != "one_way_url")) {
      return NotFoundError("use services.NAME.url (or .one_way_url for mtls), found `" +
                           Joined(path) + "`");
    }
    if (!run_->env || !run_->env->HasService(path[1])) {
      return NotFoundError("no running service `" + path[1] + "`");
    }
    if (path[2] == "one_way_url") {
      std::string url = run_->env->OneWayUrl(path[1]);
      if (url.empty()) return NotFoundError("service `" + path[1] + "` has no one_way_url");
      return url;
    }
    return run_->env->Url(path[1]);
  }
  if (root == "secret") {
    if (path.size() != 2) return NotFoundError("use secret.NAME, found `" + Joined(path) + "`");
    auto it = run_->options->secrets.find(path[1]);
    if (it == run_->options->secrets.end()) {
      return NotFoundError("no secret `" + path[1] + "` (give it with --secret " + path[1] +
                           "=VALUE)");
    }
    return it->second;
  }
  if (root == "dpop") {
    // ${dpop.NAME.jkt}, ${dpop.NAME.jwk}: the run's DPoP key NAME (made now if no step has
    // used it yet), by its RFC 7638 thumbprint or its public JWK.
    if (path.size() != 3 || (path[2] != "jkt" && path[2] != "jwk")) {
      return NotFoundError("use dpop.KEY.jkt or dpop.KEY.jwk, found `" + Joined(path) + "`");
    }
    std::string alg = "ES256";
    if (dpop_algs_) {
      if (auto it = dpop_algs_->find(path[1]); it != dpop_algs_->end()) alg = it->second;
    }
    ASSIGN_OR_RETURN(jose::Jwk key, run_->dpop_keys->Get(path[1], alg));
    if (path[2] == "jkt") return key.Thumbprint();
    nlohmann::json jwk = key.ToPublicJson();
    for (const char* member : {"kid", "alg", "use"}) jwk.erase(member);
    return jwk.dump();
  }
  if (root == "pki" && path.size() == 3 &&
      (path[2] == "x5t_s256" || path[2] == "issuer_x5t_s256")) {
    // ${pki.IDENTITY.x5t_s256}: the cnf.x5t#S256 of the identity's leaf (RFC 8705 §3.1);
    // issuer_x5t_s256: the same of its issuing CA (a binding to the wrong certificate).
    if (!run_->env) return NotFoundError("pki thumbprints need an environment with a PKI profile");
    ASSIGN_OR_RETURN(pki::IdentityFiles files, run_->env->Identity(path[1], ""));
    if (path[2] == "x5t_s256") return X5tS256(files.cert_file);
    if (files.issuer_cert_file.empty()) {
      return NotFoundError("identity `" + path[1] + "` is self-signed: it has no issuer");
    }
    return X5tS256(files.issuer_cert_file);
  }
  if (root == "pki") {
    // ${pki.IDENTITY.bundle.NAME}: the text of a generated onboarding bundle.
    if (path.size() != 4 || path[2] != "bundle") {
      return NotFoundError(
          "use pki.IDENTITY.bundle.NAME, pki.IDENTITY.x5t_s256 or "
          "pki.IDENTITY.issuer_x5t_s256, found `" +
          Joined(path) + "`");
    }
    if (!run_->env) return NotFoundError("pki bundles need an environment with a PKI profile");
    ASSIGN_OR_RETURN(std::string text, run_->env->BundleText(path[1], path[3]));
    // A hostile bundle may carry a private key on purpose: it never reaches a report.
    static const std::string kBegin = "-----BEGIN PRIVATE KEY-----";
    static const std::string kEnd = "-----END PRIVATE KEY-----";
    if (std::size_t b = text.find(kBegin); b != std::string::npos && run_->redactor) {
      std::size_t e = text.find(kEnd, b);
      if (e != std::string::npos) {
        std::size_t from = b + kBegin.size();
        while (from < e && (text[from] == '\n' || text[from] == '\r')) ++from;
        run_->redactor->AddSecret(text.substr(from, e - from));
      }
    }
    return text;
  }
  if (root == "env") {
    if (path.size() != 2) return NotFoundError("use env.NAME, found `" + Joined(path) + "`");
    auto v = Env(path[1]);
    if (!v) return NotFoundError("environment variable `" + path[1] + "` is not set");
    return *v;
  }
  if (auto it = values_.find(root); it != values_.end()) {
    if (path.size() != 1) return NotFoundError("`" + root + "` is a plain value");
    return it->second;
  }
  if (auto it = saved_.find(root); it != saved_.end()) {
    const nlohmann::json* node = &it->second;
    for (std::size_t i = 1; i < path.size(); ++i) {
      const std::string& seg = path[i];
      if (node->is_object() && node->contains(seg)) {
        node = &(*node)[seg];
      } else if (node->is_object() && i > 0 && path[i - 1] == "headers") {
        // Header names are case-insensitive.
        const nlohmann::json* found = nullptr;
        for (const auto& [k, v] : node->items()) {
          if (EqualsIgnoreCase(k, seg)) found = &v;
        }
        if (!found) return NotFoundError("no header `" + seg + "` in `" + Joined(path) + "`");
        node = found;
      } else if (node->is_array() && !seg.empty() &&
                 seg.find_first_not_of("0123456789") == std::string::npos &&
                 std::stoul(seg) < node->size()) {
        node = &(*node)[std::stoul(seg)];
      } else {
        return NotFoundError("`" + Joined(path) + "`: no `" + seg + "` in the saved result");
      }
    }
    return JsonToText(*node);
  }
  return NotFoundError("unknown name `" + root + "`");
}

std::string CaseScope::NewUuid() const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::uint64_t> dist;
  std::uint64_t hi = dist(rng), lo = dist(rng);
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

long long CaseScope::NowSeconds() const { return run_->clock->NowSeconds(); }

std::optional<std::string> CaseScope::Env(const std::string& name) const {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

}  // namespace tollgate::runner
