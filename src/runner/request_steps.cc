// `request:` steps: the request a step describes (method, URL, headers, auth, body, TLS
// options and a PKI identity, then `sign:` once it is final), sent or kept for a replay.

#include "runner/case_run.h"
#include "runner/sign_steps.h"
#include "tollgate/base/encoding.h"
#include "tollgate/base/file.h"
#include "tollgate/base/forwarded_cert.h"
#include "tollgate/mocks/environment.h"

namespace tollgate::runner {

bool CaseRun::RunRequest(const Step& step, const RequestStep& req) {
  auto q = BuildRequest(req);
  if (!q.ok()) return Error(step, q.status().message());
  nlohmann::json extra = nlohmann::json::object();
  if (req.dpop) extra["dpop"] = dpop_record_;
  if (!req.send) {  // prepared for a later replay (the first use of a nonce, say)
    Note(PreparedNote{q->method, q->url});
    previous_ = *q;
    if (step.save) sent_[*step.save] = *q;
    return true;
  }
  return Exchange(step, *q, std::move(extra));
}

StatusOr<ClientRequest> CaseRun::BuildRequest(const RequestStep& req) {
  ClientRequest q;
  q.tls.clock = run_.clock;  // days left on server certificates, on the shared clock
  ASSIGN_OR_RETURN(q.method, Eval(req.method));
  ASSIGN_OR_RETURN(q.url, Eval(req.url));
  for (const auto& [name, value] : req.headers) {
    ASSIGN_OR_RETURN(std::string v, Eval(value));
    q.headers.emplace_back(name, std::move(v));
  }
  if (req.auth) {
    if (req.auth->kind == AuthSpec::Kind::kBasic) {
      ASSIGN_OR_RETURN(std::string user, Eval(req.auth->user));
      ASSIGN_OR_RETURN(std::string password, Eval(req.auth->password));
      q.headers.emplace_back("Authorization", req.auth->scheme.value_or("Basic") + " " +
                                                  Base64Encode(user + ":" + password));
    } else {
      ASSIGN_OR_RETURN(std::string token, Eval(req.auth->token));
      std::string scheme = req.auth->kind == AuthSpec::Kind::kDpop ? "DPoP" : "Bearer";
      q.headers.emplace_back("Authorization", req.auth->scheme.value_or(scheme) + " " + token);
    }
  }
  if (req.forwarded_cert) {
    Status forged = ForgeForwardedCert(*req.forwarded_cert, q);
    if (!forged.ok())
      return forged.WithContext("forwarded_cert at " + req.forwarded_cert->loc.ToString());
  }
  auto has_header = [&](const char* name) {
    for (const auto& [n, v] : q.headers) {
      if (EqualsIgnoreCase(n, name)) return true;
    }
    return false;
  };
  switch (req.body.kind) {
    case BodySpec::Kind::kNone:
      break;
    case BodySpec::Kind::kJson: {
      ASSIGN_OR_RETURN(nlohmann::json body, EvalJson(req.body.json.value, req.body.json.loc));
      q.body = body.dump();
      if (!has_header("Content-Type")) q.headers.emplace_back("Content-Type", "application/json");
      break;
    }
    case BodySpec::Kind::kForm: {
      for (const auto& [name, value] : req.body.form) {
        ASSIGN_OR_RETURN(std::string v, Eval(value));
        q.body += (q.body.empty() ? "" : "&") + PercentEncode(name) + "=" + PercentEncode(v);
      }
      if (!has_header("Content-Type")) {
        q.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      }
      break;
    }
    case BodySpec::Kind::kRaw: {
      ASSIGN_OR_RETURN(q.body, Eval(req.body.raw));
      break;
    }
  }
  if (req.timeout) q.timeout = *req.timeout;
  if (req.source_address) {
    ASSIGN_OR_RETURN(q.source_address, Eval(*req.source_address));
  }
  if (req.has_tls) {
    if (req.tls.identity || req.tls.variant || req.tls.chain) {
      RETURN_IF_ERROR(PresentIdentity(req.tls, q.tls));
    }
    if (req.tls.ca) {
      ASSIGN_OR_RETURN(q.tls.ca_file, Eval(*req.tls.ca));
    }
    if (req.tls.cert) {
      ASSIGN_OR_RETURN(q.tls.cert_file, Eval(*req.tls.cert));
    }
    if (req.tls.key) {
      ASSIGN_OR_RETURN(q.tls.key_file, Eval(*req.tls.key));
    }
    if (req.tls.min_version) q.tls.min_version = *req.tls.min_version;
    if (req.tls.max_version) q.tls.max_version = *req.tls.max_version;
    if (req.tls.insecure) q.tls.verify_peer = q.tls.verify_host = false;
    if (req.tls.ciphers) q.tls.ciphers = *req.tls.ciphers;
    if (req.tls.tls13_ciphers) q.tls.tls13_ciphers = *req.tls.tls13_ciphers;
    if (req.tls.security_level) q.tls.security_level = *req.tls.security_level;
    if (req.tls.resume) {
      // Cases never share a session: the group names the run, the case and the session.
      q.tls.session_group = std::to_string(reinterpret_cast<std::uintptr_t>(&run_)) + "/" +
                            case_.suite->id + "/" + case_.case_id + "/" + *req.tls.resume;
    }
  }
  // A TLS mock of the environment is trusted through its PKI root unless the step says
  // otherwise; any other HTTPS URL uses the system's trust store.
  if (q.tls.ca_file.empty()) q.tls.ca_file = run_.TrustFileFor(q.url);
  if (req.dpop) {
    Status attached = AttachDpop(*req.dpop, q);
    if (!attached.ok()) return attached.WithContext("dpop at " + req.dpop->loc.ToString());
  }
  if (req.sign) {
    ASSIGN_OR_RETURN(nlohmann::json spec, EvalJson(req.sign->value, req.sign->loc));
    auto note = ApplySign(spec, q, run_, scope_.NewUuid());
    if (!note.ok()) return note.status().WithContext("at " + req.sign->loc.ToString());
    Note(SignedNote{*note});
  }
  return q;
}

Status CaseRun::PresentIdentity(const TlsOptions& tls, ClientTlsOptions& out) {
  std::string identity = "partner", variant;
  if (tls.identity) {
    ASSIGN_OR_RETURN(identity, Eval(*tls.identity));
  }
  if (tls.variant) {
    ASSIGN_OR_RETURN(variant, Eval(*tls.variant));
  }
  if (run_.env == nullptr) {
    return FailedPreconditionError("tls identity `" + identity +
                                   "` needs an environment with a PKI profile");
  }
  if (tls.chain) {
    ASSIGN_OR_RETURN(std::string chain, Eval(*tls.chain));
    ASSIGN_OR_RETURN(pki::ChainFiles files, run_.env->Chain(identity, chain));
    // The matrix chain as built (leaf first, then its intermediates); some are weak on
    // purpose (RSA-1024, MD5), so the client must be willing to send them.
    if (!tls.cert) out.cert_file = files.chain_file;
    if (!tls.key) out.key_file = files.key_file;
    out.security_level = 0;
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(pki::IdentityFiles files, run_.env->Identity(identity, variant));
  // Present exactly the generated chain (leaf first), whatever its defect.
  if (!tls.cert) out.cert_file = files.chain_file;
  if (!tls.key) out.key_file = files.key_file;
  // A hostile variant may be weak on purpose (RSA-1024, SHA-1): the client must send it.
  if (!variant.empty()) out.security_level = 0;
  return Status::Ok();
}

Status CaseRun::ForgeForwardedCert(const ForwardedCertSpec& spec, ClientRequest& q) {
  std::string identity = "partner", variant, shape;
  if (spec.identity) {
    ASSIGN_OR_RETURN(identity, Eval(*spec.identity));
  }
  if (spec.variant) {
    ASSIGN_OR_RETURN(variant, Eval(*spec.variant));
  }
  ASSIGN_OR_RETURN(shape, Eval(spec.shape));
  // A convention's headers, or one header of the target's own in the encoding given.
  ForwardedCertConvention convention;
  if (spec.convention) {
    ASSIGN_OR_RETURN(std::string name, Eval(*spec.convention));
    const ForwardedCertConvention* found = FindForwardedCertConvention(name);
    if (found == nullptr) return InvalidArgumentError("unknown convention `" + name + "`");
    convention = *found;
  } else {
    ASSIGN_OR_RETURN(convention.header, Eval(*spec.header));
    std::string as = "url_pem";
    if (spec.as) {
      ASSIGN_OR_RETURN(as, Eval(*spec.as));
    }
    std::optional<CertEncoding> encoding = CertEncodingByName(as);
    if (!encoding) return InvalidArgumentError("unknown encoding `" + as + "`");
    convention.encoding = *encoding;
  }
  if (run_.env == nullptr) {
    return FailedPreconditionError("identity `" + identity +
                                   "` needs an environment with a PKI profile");
  }
  ASSIGN_OR_RETURN(pki::IdentityFiles files, run_.env->Identity(identity, variant));
  ForwardedCertSource source;
  ASSIGN_OR_RETURN(source.chain_pem, ReadFile(files.chain_file));
  source.subject = files.subject;
  std::vector<std::pair<std::string, std::string>> headers =
      ForwardedCertHeaders(convention, source);
  if (headers.empty()) return InvalidArgumentError("no certificate in " + files.chain_file);
  std::string& value = headers.front().second;
  if (shape == "duplicate") {
    headers.insert(headers.begin() + 1, headers.front());
  } else if (shape == "oversize") {
    // Bounded: past what a proxy forwards, within what any server core reads.
    value.resize(kOversizeForwardedCertBytes, 'A');
  } else if (shape == "malformed") {
    value.resize(value.size() / 2);
  } else if (shape != "valid") {
    return InvalidArgumentError("unknown shape `" + shape + "`");
  }
  for (auto& h : headers) q.headers.push_back(std::move(h));
  return Status::Ok();
}

}  // namespace tollgate::runner
