#include "mocks/ocsp.h"

#include <openssl/bn.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "mocks/config.h"
#include "mocks/key_ring.h"
#include "tollgate/base/encoding.h"
#include "tollgate/base/file.h"

namespace tollgate::mocks {
namespace {

using BnPtr = OsslPtr<BIGNUM, BN_free>;
using IntPtr = OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using TimePtr = OsslPtr<ASN1_TIME, ASN1_TIME_free>;
using CrlPtr = OsslPtr<X509_CRL, X509_CRL_free>;
using ReqPtr = OsslPtr<OCSP_REQUEST, OCSP_REQUEST_free>;
using RespPtr = OsslPtr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using BasicPtr = OsslPtr<OCSP_BASICRESP, OCSP_BASICRESP_free>;
using CertIdPtr = OsslPtr<OCSP_CERTID, OCSP_CERTID_free>;
using ExtPtr = OsslPtr<X509_EXTENSION, X509_EXTENSION_free>;

constexpr std::time_t kDay = 86400;

// An ASN1_INTEGER serial as upper-case hex (BN_bn2hex's form), the key of revocation maps.
std::string SerialHex(const ASN1_INTEGER* serial) {
  BnPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  return out;
}

std::string Der(X509_CRL* crl) {
  unsigned char* buf = nullptr;
  int n = i2d_X509_CRL(crl, &buf);
  std::string out = n > 0 ? std::string(reinterpret_cast<char*>(buf), n) : "";
  OPENSSL_free(buf);
  return out;
}

std::string Der(OCSP_RESPONSE* resp) {
  unsigned char* buf = nullptr;
  int n = i2d_OCSP_RESPONSE(resp, &buf);
  std::string out = n > 0 ? std::string(reinterpret_cast<char*>(buf), n) : "";
  OPENSSL_free(buf);
  return out;
}

ServerResponse Binary(std::string content_type, std::string body) {
  ServerResponse r;
  r.status = 200;
  r.headers.Add("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

Handled OcspStatusOnly(int status, std::string note) {
  RespPtr resp(OCSP_response_create(status, nullptr));
  return {Binary("application/ocsp-response", Der(resp.get())), std::move(note)};
}

// A self-signed certificate for `key`: the signer of `wrong_responder` answers, which no
// relying party has reason to trust for this CA.
OsslPtr<X509, X509_free> SelfSigned(EVP_PKEY* key, std::time_t now) {
  OsslPtr<X509, X509_free> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>("tollgate unauthorised responder"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -3600, &now);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), 3650, 0, &now);
  X509_set_pubkey(cert.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  ExtPtr eku(X509V3_EXT_conf_nid(nullptr, &ctx, NID_ext_key_usage, "OCSPSigning"));
  if (eku) X509_add_ext(cert.get(), eku.get(), -1);
  X509_sign(cert.get(), key, EVP_sha256());
  return cert;
}

}  // namespace

StatusOr<std::unique_ptr<OcspResponder>> OcspResponder::Create(const ServiceDecl& decl,
                                                               ServiceContext ctx) {
  std::unique_ptr<OcspResponder> r(new OcspResponder(decl, ctx));
  r->next_update_ = GetSeconds(decl.config, "next_update", r->next_update_);
  if (r->next_update_.count() <= 0) {
    return InvalidArgumentError("service `" + decl.name + "`: next_update must be positive");
  }
  RETURN_IF_ERROR(r->Load(GetString(decl.config, "identity", "")));
  return r;
}

OcspResponder::OcspResponder(const ServiceDecl& decl, ServiceContext ctx)
    : MockService(decl.name, decl.kind, ctx) {}

OcspResponder::~OcspResponder() {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  wake_.notify_all();
}

Status OcspResponder::Load(const std::string& identity) {
  identity_ = identity;
  std::string where = "service `" + name() + "`";
  wrong_key_.reset(EVP_EC_gen("P-256"));
  if (!wrong_key_) return InternalError(where + ": cannot make a key: " + OpenSslError());
  wrong_cert_ = SelfSigned(wrong_key_.get(), ctx().clock->NowSeconds());
  // Without a PKI (unit tests of every kind's table) it starts, and answers that it has
  // no CA; an environment always has one, so there a bad identity stops the start.
  if (!ctx().identity) return Status::Ok();
  StatusOr<pki::IdentityFiles> resolved = ctx().identity(identity, "");
  if (!resolved.ok()) return resolved.status().WithContext(where);
  const pki::IdentityFiles& files = *resolved;
  for (const pki::AuthorityFiles& a : files.authorities) {
    Ca ca;
    ca.name = a.name;
    ASSIGN_OR_RETURN(std::string cert_pem, ReadFile(a.cert_file));
    ASSIGN_OR_RETURN(std::string key_pem, ReadFile(a.key_file));
    BioPtr cb(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    ca.cert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    BioPtr kb(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    ca.key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!ca.cert || !ca.key) {
      return InternalError(where + ": cannot read " + a.cert_file +
                           " and its key: " + OpenSslError());
    }
    ASSIGN_OR_RETURN(std::string crl_pem, ReadFile(a.crl_file));
    BioPtr b(BIO_new_mem_buf(crl_pem.data(), static_cast<int>(crl_pem.size())));
    CrlPtr crl(PEM_read_bio_X509_CRL(b.get(), nullptr, nullptr, nullptr));
    if (!crl) return InternalError(where + ": cannot read " + a.crl_file);
    STACK_OF(X509_REVOKED)* list = X509_CRL_get_REVOKED(crl.get());
    for (int i = 0; i < sk_X509_REVOKED_num(list); ++i) {
      const X509_REVOKED* e = sk_X509_REVOKED_value(list, i);
      std::time_t when = 0;
      struct tm tm {};
      if (ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(e), &tm) == 1) when = timegm(&tm);
      ca.revoked[SerialHex(X509_REVOKED_get0_serialNumber(e))] = when;
    }
    cas_.push_back(std::move(ca));
  }
  if (cas_.empty()) {
    return InvalidArgumentError(where + ": identity `" + identity +
                                "` has no issuing authority; expected an identity issued by a CA");
  }
  return Status::Ok();
}

void OcspResponder::AddRoutes(ServiceRouter& router) {
  auto crl = [this](const ServerRequest& r) { return HandleCrl(r); };
  auto ocsp = [this](const ServerRequest& r) { return HandleOcsp(r); };
  router.Add("GET", "/crl", crl);
  router.Add("GET", "/crl.pem", crl);
  router.AddPrefix("GET", "/crl/", crl);
  router.Add("POST", "/", ocsp);
  router.Add("POST", "/ocsp", ocsp);
  router.AddPrefix("GET", "/ocsp/", ocsp);
}

std::vector<TargetSetting> OcspResponder::TargetSettings() const {
  std::string base = ctx().service_url ? ctx().service_url(name()) : "";
  return {{"crl_url", base + "/crl", false, "the CRL distribution point of the issuing CA"},
          {"ocsp_url", base + "/ocsp", false, "the OCSP responder of the issuing CA"}};
}

const OcspResponder::Ca* OcspResponder::FindCa(const std::string& name) const {
  for (const Ca& ca : cas_) {
    if (ca.name == name) return &ca;
  }
  return nullptr;
}

StatusOr<std::pair<std::string, std::string>> OcspResponder::RevocationOf(
    const nlohmann::json& args) const {
  std::string where = "service `" + name() + "`: revoke";
  if (cas_.empty()) return FailedPreconditionError(where + ": no PKI");
  std::string path;
  for (const Ca& ca : cas_) path += (path.empty() ? "" : ", ") + ca.name;
  if (std::optional<std::string> authority = ArgString(args, "authority")) {
    // An authority of the path is revoked on its issuer's CRL.
    for (std::size_t i = 0; i + 1 < cas_.size(); ++i) {
      if (cas_[i].name == *authority) {
        return std::make_pair(cas_[i + 1].name,
                              SerialHex(X509_get0_serialNumber(cas_[i].cert.get())));
      }
    }
    return InvalidArgumentError(where +
                                ": `authority` must be an authority of the path with "
                                "an issuer; expected one of: " +
                                path.substr(0, path.rfind(", ")));
  }
  if (std::optional<std::string> serial = ArgString(args, "serial")) {
    std::string issuer = ArgString(args, "issuer").value_or(cas_[0].name);
    if (!FindCa(issuer)) {
      return InvalidArgumentError(where + ": `issuer` `" + issuer + "` is not on the path; " +
                                  "expected one of: " + path);
    }
    BIGNUM* bn = nullptr;
    if (serial->empty() || serial->size() > 64 ||
        BN_hex2bn(&bn, serial->c_str()) != static_cast<int>(serial->size())) {
      BN_free(bn);
      return InvalidArgumentError(where +
                                  ": `serial` must be hexadecimal (at most 64 digits); "
                                  "found `" +
                                  *serial + "`");
    }
    BnPtr owned(bn);
    char* hex = BN_bn2hex(bn);
    std::string out = hex;
    OPENSSL_free(hex);
    return std::make_pair(issuer, out);
  }
  std::optional<std::string> variant = ArgString(args, "variant");
  if (!variant) {
    return InvalidArgumentError(where +
                                " needs `serial` (hex), `variant` (of `identity`, "
                                "default `" +
                                identity_ +
                                "`; \"\" is the valid certificate) "
                                "or `authority`");
  }
  std::string identity = ArgString(args, "identity").value_or(identity_);
  StatusOr<pki::IdentityFiles> files = ctx().identity(identity, *variant);
  if (!files.ok()) return files.status().WithContext(where);
  ASSIGN_OR_RETURN(std::string pem, ReadFile(files->cert_file));
  BioPtr b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr));
  if (!cert) return InternalError(where + ": cannot read " + files->cert_file);
  for (const Ca& ca : cas_) {
    if (X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(ca.cert.get())) ==
        0) {
      return std::make_pair(ca.name, SerialHex(X509_get0_serialNumber(cert.get())));
    }
  }
  return InvalidArgumentError(where + ": the certificate of `" + identity + "` variant `" +
                              *variant + "` was not issued by an authority of the path (" + path +
                              ")");
}

Status OcspResponder::Control(const std::string& action, const nlohmann::json& args) {
  if (action == "restore") {
    Restore();
    return Status::Ok();
  }
  if (action == "revoke") {
    ASSIGN_OR_RETURN(auto revocation, RevocationOf(args));
    std::lock_guard<std::mutex> lock(mu_);
    if (state_.runtime_count >= kMaxRuntimeRevocations) {
      return InvalidArgumentError("service `" + name() + "`: at most " +
                                  std::to_string(kMaxRuntimeRevocations) +
                                  " serials may be revoked at run time");
    }
    auto [it, added] = state_.runtime_revoked[revocation.first].emplace(revocation.second,
                                                                        ctx().clock->NowSeconds());
    if (added) ++state_.runtime_count;
    return Status::Ok();
  }
  std::lock_guard<std::mutex> lock(mu_);
  State& s = state_;
  if (action == "crl_stale") {
    s.crl_stale = true;
  } else if (action == "crl_bad_signature") {
    s.crl_bad_signature = true;
  } else if (action == "responder_down") {
    s.down = true;
  } else if (action == "responder_slow") {
    std::optional<long long> ms = args.contains("ms") ? ArgInt(args, "ms") : 3000;
    if (!ms || *ms < 0 || *ms > kMaxSlow.count()) {
      return InvalidArgumentError("service `" + name() +
                                  "`: responder_slow needs `ms` between 0 and " +
                                  std::to_string(kMaxSlow.count()));
    }
    s.slow = std::chrono::milliseconds(*ms);
  } else if (action == "try_later") {
    s.try_later = true;
  } else if (action == "unauthorized") {
    s.unauthorized = true;
  } else if (action == "unknown_status") {
    s.unknown_status = true;
  } else if (action == "wrong_responder") {
    s.wrong_responder = true;
  } else if (action == "stale_produced_at") {
    s.stale = true;
  } else {
    return InvalidArgumentError("service `" + name() + "` (kind ocsp) has no action `" + action +
                                "`; known actions: " + TermList(Vocabulary().actions));
  }
  return Status::Ok();
}

void OcspResponder::Restore() {
  std::lock_guard<std::mutex> lock(mu_);
  state_ = State{};
  ++generation_;
  wake_.notify_all();
}

OcspResponder::State OcspResponder::Snapshot() {
  std::unique_lock<std::mutex> lock(mu_);
  if (state_.slow.count() > 0) {
    // Real time on purpose: `responder_slow` exists to make the relying party's own
    // timeout fire, and that timeout runs on its clock, not on the harness's.
    std::uint64_t gen = generation_;
    wake_.wait_for(lock, state_.slow, [&] { return generation_ != gen; });
  }
  return state_;
}

std::string OcspResponder::BuildCrl(const Ca& ca, const State& s, bool pem) const {
  const std::time_t now = ctx().clock->NowSeconds();
  CrlPtr crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);  // v2
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.cert.get()));
  // Stale: issued a week ago, nextUpdate a day ago.
  TimePtr last(ASN1_TIME_set(nullptr, s.crl_stale ? now - 7 * kDay : now - 60));
  TimePtr next(ASN1_TIME_set(nullptr, s.crl_stale ? now - kDay : now + next_update_.count()));
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  // Both maps are bounded (the PKI's CRL, kMaxRuntimeRevocations), so the CRL is too.
  auto add = [&](const std::map<std::string, std::time_t>& serials) {
    for (const auto& [hex, when] : serials) {
      BIGNUM* bn = nullptr;
      BN_hex2bn(&bn, hex.c_str());
      BnPtr owned(bn);
      IntPtr serial(BN_to_ASN1_INTEGER(bn, nullptr));
      TimePtr date(ASN1_TIME_set(nullptr, when));
      X509_REVOKED* entry = X509_REVOKED_new();
      X509_REVOKED_set_serialNumber(entry, serial.get());
      X509_REVOKED_set_revocationDate(entry, date.get());
      X509_CRL_add0_revoked(crl.get(), entry);
    }
  };
  add(ca.revoked);
  if (auto it = s.runtime_revoked.find(ca.name); it != s.runtime_revoked.end()) add(it->second);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, ca.cert.get(), nullptr, nullptr, crl.get(), 0);
  ExtPtr akid(X509V3_EXT_conf_nid(nullptr, &v3, NID_authority_key_identifier, "keyid:always"));
  if (akid) X509_CRL_add_ext(crl.get(), akid.get(), -1);
  IntPtr number(ASN1_INTEGER_new());
  ASN1_INTEGER_set_int64(number.get(), now);  // increases with the clock (RFC 5280 §5.2.3)
  X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
  X509_CRL_sort(crl.get());
  X509_CRL_sign(crl.get(), ca.key.get(), EVP_sha256());
  std::string der = Der(crl.get());
  if (s.crl_bad_signature && !der.empty()) {
    // The signature BIT STRING ends the DER: flipping its last bit keeps the CRL parseable.
    der.back() = static_cast<char>(der.back() ^ 0x01);
  }
  if (!pem) return der;
  return "-----BEGIN X509 CRL-----\n" + [&] {
    std::string b64 = Base64Encode(der), out;
    for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
    return out;
  }() + "-----END X509 CRL-----\n";
}

Handled OcspResponder::HandleCrl(const ServerRequest& request) {
  if (cas_.empty()) {
    return {ServerResponse::Text(500, "no PKI: no CA to sign a CRL\n"), "no PKI"};
  }
  // /crl and /crl.pem: the issuing CA; /crl/NAME and /crl/NAME.pem: authority NAME.
  std::string rest = request.path.substr(std::string("/crl").size());
  bool pem = rest.size() >= 4 && rest.compare(rest.size() - 4, 4, ".pem") == 0;
  if (pem) rest.resize(rest.size() - 4);
  const Ca* ca = rest.empty() ? &cas_[0] : rest[0] == '/' ? FindCa(rest.substr(1)) : nullptr;
  if (!ca) return {ServerResponse::Text(404, "no such CRL\n"), "no such CRL"};
  State s = Snapshot();
  if (s.down) {
    ServerResponse r = ServerResponse::Text(503, "responder down\n");
    r.headers.Add("Connection", "close");
    return {std::move(r), "responder_down"};
  }
  std::string note = "crl of " + ca->name + (s.crl_stale ? " (stale)" : "");
  if (s.crl_bad_signature) note += " (bad signature)";
  return {Binary(pem ? "application/x-pem-file" : "application/pkix-crl", BuildCrl(*ca, s, pem)),
          note};
}

Handled OcspResponder::HandleOcsp(const ServerRequest& request) {
  std::string der;
  if (request.method == "POST") {
    if (MediaType(request.headers.Get("Content-Type").value_or("")) != "application/ocsp-request") {
      return {ServerResponse::Text(415, "expected Content-Type: application/ocsp-request\n"),
              "not an OCSP request"};
    }
    if (request.body.size() > kMaxRequestBytes) {
      return {ServerResponse::Text(413, "OCSP request too large\n"), "request too large"};
    }
    der = request.body;
  } else {
    std::string encoded = request.path.substr(std::string("/ocsp/").size());
    if (encoded.size() > kMaxRequestBytes * 2) {
      return {ServerResponse::Text(414, "OCSP request too large\n"), "request too large"};
    }
    std::optional<std::string> text = PercentDecode(encoded);
    std::optional<std::string> bytes = text ? Base64Decode(*text) : std::nullopt;
    if (!bytes) return OcspStatusOnly(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, "bad base64");
    der = std::move(*bytes);
  }
  if (cas_.empty()) return OcspStatusOnly(OCSP_RESPONSE_STATUS_INTERNALERROR, "no PKI");
  State s = Snapshot();
  if (s.down) {
    ServerResponse r = ServerResponse::Text(503, "responder down\n");
    r.headers.Add("Connection", "close");
    return {std::move(r), "responder_down"};
  }
  if (s.try_later) return OcspStatusOnly(OCSP_RESPONSE_STATUS_TRYLATER, "tryLater");
  if (s.unauthorized) return OcspStatusOnly(OCSP_RESPONSE_STATUS_UNAUTHORIZED, "unauthorized");
  return OcspAnswer(der, s);
}

Handled OcspResponder::OcspAnswer(const std::string& der_request, const State& s) const {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der_request.data());
  ReqPtr req(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der_request.size())));
  int count = req ? OCSP_request_onereq_count(req.get()) : 0;
  if (!req || count < 1 || count > kMaxSingleRequests) {
    return OcspStatusOnly(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, "malformed request");
  }
  const std::time_t now = ctx().clock->NowSeconds();
  // A stale response: made a week ago, its nextUpdate a day ago.
  const std::time_t produced = s.stale ? now - 7 * kDay : now;
  TimePtr this_update(ASN1_TIME_set(nullptr, produced));
  TimePtr next_update(ASN1_TIME_set(nullptr, s.stale ? now - kDay : now + next_update_.count()));
  BasicPtr basic(OCSP_BASICRESP_new());
  std::string note;
  const Ca* signer_ca = nullptr;  // the issuer of the first certificate asked about
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), i));
    ASN1_OBJECT* md_obj = nullptr;
    ASN1_INTEGER* serial = nullptr;
    OCSP_id_get0_info(nullptr, &md_obj, nullptr, &serial, id);
    const EVP_MD* md = md_obj ? EVP_get_digestbyobj(md_obj) : nullptr;
    const Ca* issuer = nullptr;
    for (const Ca& ca : cas_) {
      CertIdPtr ours(md && serial ? OCSP_cert_id_new(md, X509_get_subject_name(ca.cert.get()),
                                                     X509_get0_pubkey_bitstr(ca.cert.get()), serial)
                                  : nullptr);
      if (ours && OCSP_id_issuer_cmp(ours.get(), id) == 0) issuer = &ca;
    }
    if (issuer && !signer_ca) signer_ca = issuer;
    std::string hex = serial ? SerialHex(serial) : "";
    int status = V_OCSP_CERTSTATUS_GOOD;
    std::time_t revoked_at = 0;
    // Unknown: not a certificate of the path, one another CA of the path must answer
    // (one response has one signer), or the action.
    if (s.unknown_status || !issuer || issuer != signer_ca) {
      status = V_OCSP_CERTSTATUS_UNKNOWN;
    } else if (auto it = issuer->revoked.find(hex); it != issuer->revoked.end()) {
      status = V_OCSP_CERTSTATUS_REVOKED;
      revoked_at = it->second;
    } else if (auto rt = s.runtime_revoked.find(issuer->name);
               rt != s.runtime_revoked.end() && rt->second.count(hex)) {
      status = V_OCSP_CERTSTATUS_REVOKED;
      revoked_at = rt->second.at(hex);
    }
    TimePtr when(status == V_OCSP_CERTSTATUS_REVOKED ? ASN1_TIME_set(nullptr, revoked_at)
                                                     : nullptr);
    OCSP_basic_add1_status(basic.get(), id, status, OCSP_REVOKED_STATUS_NOSTATUS, when.get(),
                           this_update.get(), next_update.get());
    note += std::string(note.empty() ? "" : ", ") + hex + " " +
            (status == V_OCSP_CERTSTATUS_GOOD      ? "good"
             : status == V_OCSP_CERTSTATUS_REVOKED ? "revoked"
                                                   : "unknown");
  }
  if (!signer_ca) signer_ca = &cas_[0];
  OCSP_copy_nonce(basic.get(), req.get());
  X509* signer = s.wrong_responder ? wrong_cert_.get() : signer_ca->cert.get();
  EVP_PKEY* key = s.wrong_responder ? wrong_key_.get() : signer_ca->key.get();
  if (OCSP_basic_sign(basic.get(), signer, key, EVP_sha256(), nullptr, 0) != 1) {
    return OcspStatusOnly(OCSP_RESPONSE_STATUS_INTERNALERROR, "sign failed: " + OpenSslError());
  }
  // OCSP_basic_sign stamps producedAt from the wall clock; the harness's clock decides
  // instead, so set it and sign the response data again.
  auto* produced_at = const_cast<ASN1_GENERALIZEDTIME*>(OCSP_resp_get0_produced_at(basic.get()));
  ASN1_GENERALIZEDTIME_set(produced_at, produced);
  auto* sigalg = const_cast<X509_ALGOR*>(OCSP_resp_get0_tbs_sigalg(basic.get()));
  auto* signature = const_cast<ASN1_OCTET_STRING*>(OCSP_resp_get0_signature(basic.get()));
  auto* data = const_cast<OCSP_RESPDATA*>(OCSP_resp_get0_respdata(basic.get()));
  if (ASN1_item_sign(ASN1_ITEM_rptr(OCSP_RESPDATA), sigalg, nullptr, signature, data, key,
                     EVP_sha256()) <= 0) {
    return OcspStatusOnly(OCSP_RESPONSE_STATUS_INTERNALERROR, "sign failed: " + OpenSslError());
  }
  RespPtr resp(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (s.wrong_responder) note += " (wrong responder)";
  if (s.stale) note += " (stale)";
  return {Binary("application/ocsp-response", Der(resp.get())), note};
}

const KindTerms& OcspResponder::Vocabulary() {
  static const KindTerms kTerms = [] {
    Terms actions = {
        {"crl_stale", "serves a CRL issued a week ago whose nextUpdate passed a day ago"},
        {"crl_bad_signature", "serves the CRL with one bit of its signature flipped"},
        {"responder_down", "answers CRL and OCSP requests with 503 and `Connection: close`"},
        {"responder_slow",
         "delays every answer by `ms` of real time (default 3000, at most 30000)"},
        {"try_later", "answers every OCSP request with the status tryLater"},
        {"unauthorized", "answers every OCSP request with the status unauthorized"},
        {"unknown_status", "answers `unknown` for every certificate"},
        {"wrong_responder",
         "signs OCSP responses with a self-signed key nobody authorised for the CA"},
        {"stale_produced_at",
         "serves responses produced a week ago whose nextUpdate passed a day ago"},
        {"revoke",
         "revokes, on its issuer's CRL and in OCSP answers, `serial` (hex; of `issuer`, "
         "default the issuing CA), the certificate of `variant` of `identity` (default: the "
         "service's) or of `authority` (an intermediate of the path)"},
        {"restore",
         "serves normally again: fresh CRL and responses, no run-time revocations, no delay; "
         "wakes slowed requests"}};
    std::vector<FieldSpec> keys = {
        Key("identity", FieldType::kString,
            "a PKI identity; the service answers for its issuing CA and that CA's issuers up to "
            "the root, each signing for what it issued, starting from their CRLs")
            .Required(),
        Key("next_update", FieldType::kDuration,
            "how long its CRL and OCSP answers are valid (default 1h)")};
    return KindTerms{"ocsp", std::move(actions), /*faults=*/{}, std::move(keys)};
  }();
  return kTerms;
}

}  // namespace tollgate::mocks
