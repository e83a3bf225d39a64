// `request:` steps: method, url, headers, body, auth, timeout, client TLS, source address,
// signing, forged forwarded certificates and DPoP proofs.

#include <algorithm>
#include <map>

#include "suite_parts.h"
#include "tollgate/base/forwarded_cert.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::scenario {
namespace {

using scenario::Document;
using scenario::MapReader;
using scenario::NameScope;
using scenario::Node;

// RFC 9110 §5.6.2 token characters: what a header name may hold.
bool IsToken(const std::string& s) {
  static const std::string kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kExtra.find(c) != std::string::npos;
  });
}

bool IsUpperWord(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// A mapping of names to templates (headers, form fields), in file order.
std::optional<std::vector<std::pair<std::string, Template>>> ReadTemplateMap(Document& doc,
                                                                             const Node& n,
                                                                             const std::string& key,
                                                                             const NameScope& scope,
                                                                             bool header_names) {
  MapReader m(doc, n, {}, key, true, "a mapping of names to values");
  if (!m.ok()) return std::nullopt;
  std::vector<std::pair<std::string, Template>> out;
  bool ok = true;
  for (const auto& [k, v] : m.entries()) {
    std::optional<std::string> name = scenario::ReadString(doc, k, key);
    if (name && header_names && !IsToken(*name)) {
      doc.Error(k, "invalid header name", scenario::Describe(k),
                "letters, digits and !#$%&'*+-.^_`|~ (RFC 9110 token)");
      name.reset();
    }
    std::optional<Template> t = scenario::ReadTemplate(doc, v, name ? *name : key, scope);
    if (!name || !t) {
      ok = false;
      continue;
    }
    out.emplace_back(*name, std::move(*t));
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<AuthSpec> ReadAuth(Document& doc, const Node& n, const NameScope& scope) {
  MapReader m(doc, n, {"basic", "bearer", "dpop", "scheme"}, "auth", true,
              "a mapping with `basic: {user, password}`, `bearer: TOKEN` or `dpop: TOKEN`");
  if (!m.ok()) return std::nullopt;
  AuthSpec a;
  a.loc = doc.Loc(n);
  std::vector<Node> kinds;
  for (const char* key : {"basic", "bearer", "dpop"}) {
    if (auto k = m.KeyNode(key)) kinds.push_back(*k);
  }
  if (kinds.size() > 1) {
    doc.Error(kinds[1], "more than one kind of `auth`", scenario::Describe(kinds[1]),
              "one of `basic`, `bearer`, `dpop` (this auth already has `" + kinds[0].Text() + "`)");
    return std::nullopt;
  }
  if (kinds.empty()) {
    doc.Error(n, "missing kind of `auth`", "", "`basic`, `bearer` or `dpop` in this mapping");
    return std::nullopt;
  }
  if (auto v = m.Get("scheme")) {
    std::optional<std::string> scheme = scenario::ReadString(doc, *v, "scheme");
    if (!scheme) return std::nullopt;
    if (!IsToken(*scheme)) {
      doc.Error(*v, "invalid value for `scheme`", scenario::Describe(*v),
                "an authentication scheme (RFC 9110 token), e.g. `dpop` or `BEARER`");
      return std::nullopt;
    }
    a.scheme = *scheme;
  }
  std::optional<Node> basic = m.Get("basic"), bearer = m.Get("bearer"), dpop = m.Get("dpop");
  if (bearer || dpop) {
    a.kind = bearer ? AuthSpec::Kind::kBearer : AuthSpec::Kind::kDpop;
    std::optional<Template> t =
        scenario::ReadTemplate(doc, bearer ? *bearer : *dpop, bearer ? "bearer" : "dpop", scope);
    if (!t) return std::nullopt;
    a.token = std::move(*t);
    return a;
  }
  a.kind = AuthSpec::Kind::kBasic;
  MapReader b(doc, *basic, {"user", "password"}, "basic");
  std::optional<Node> user = b.Require("user"), password = b.Require("password");
  if (!user || !password) return std::nullopt;
  std::optional<Template> u = scenario::ReadTemplate(doc, *user, "user", scope);
  std::optional<Template> p = scenario::ReadTemplate(doc, *password, "password", scope);
  if (!u || !p) return std::nullopt;
  a.user = std::move(*u);
  a.password = std::move(*p);
  return a;
}

std::optional<std::string> ReadTlsVersion(Document& doc, const Node& n, const std::string& key) {
  static const std::vector<std::string> kVersions = {"1.0", "1.1", "1.2", "1.3"};
  if (n.IsScalar() && std::find(kVersions.begin(), kVersions.end(), n.Text()) != kVersions.end()) {
    return n.Text();
  }
  doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n),
            scenario::OneOf(kVersions));
  return std::nullopt;
}

// An OpenSSL cipher string ("eNULL", "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"). OpenSSL
// itself judges the names when the request is sent; this catches what cannot be one.
std::optional<std::string> ReadCipherList(Document& doc, const Node& n, const std::string& key) {
  const std::string text = n.Text();
  bool ok = n.IsScalar() && !text.empty() &&
            text.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                "0123456789-_:+!@=.,") == std::string::npos;
  if (ok) return text;
  doc.Error(n, "invalid value for `" + key + "`", scenario::Describe(n),
            "an OpenSSL cipher list, e.g. \"eNULL\" or \"ECDHE-RSA-AES128-GCM-SHA256\"");
  return std::nullopt;
}

bool ReadTls(Document& doc, const Node& n, const NameScope& scope, TlsOptions& tls) {
  MapReader m(doc, n,
              {"ca", "cert", "key", "min_version", "max_version", "insecure", "identity", "variant",
               "chain", "ciphers", "tls13_ciphers", "security_level", "resume"},
              "tls");
  if (!m.ok()) return false;
  int before = doc.errors();
  tls.loc = doc.Loc(n);
  auto read = [&](const char* key, std::optional<Template>& out) {
    if (auto v = m.Get(key)) out = scenario::ReadTemplate(doc, *v, key, scope);
  };
  read("ca", tls.ca);
  read("cert", tls.cert);
  read("key", tls.key);
  read("identity", tls.identity);
  read("variant", tls.variant);
  read("chain", tls.chain);
  if (auto v = m.Get("chain")) CheckTerm(doc, *v, "chain", vocabulary::kPathChain, scope);
  if (auto v = m.Get("min_version")) tls.min_version = ReadTlsVersion(doc, *v, "min_version");
  if (auto v = m.Get("max_version")) tls.max_version = ReadTlsVersion(doc, *v, "max_version");
  if (tls.min_version && tls.max_version && *tls.min_version > *tls.max_version) {
    doc.Error(*m.Get("max_version"), "invalid value for `max_version`",
              "`" + *tls.max_version + "`",
              "a version of at least min_version " + *tls.min_version);
  }
  if (auto v = m.Get("insecure")) {
    if (auto b = scenario::ReadBool(doc, *v, "insecure")) tls.insecure = *b;
  }
  if (auto v = m.Get("ciphers")) tls.ciphers = ReadCipherList(doc, *v, "ciphers");
  if (auto v = m.Get("tls13_ciphers")) tls.tls13_ciphers = ReadCipherList(doc, *v, "tls13_ciphers");
  if (auto v = m.Get("security_level")) {
    if (auto l = scenario::ReadInt(doc, *v, "security_level", 0, 5)) tls.security_level = int(*l);
  }
  if (auto v = m.Get("resume")) {
    // A name, not a template: the case's requests that share it share a TLS session.
    const std::string text = v->Text();
    bool ok = v->IsScalar() && !text.empty() && text.size() <= 64 &&
              text.find_first_not_of(
                  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789_-") == std::string::npos;
    if (ok) {
      tls.resume = text;
    } else {
      doc.Error(*v, "invalid value for `resume`", scenario::Describe(*v),
                "a session name of letters, digits, `_` and `-` (at most 64)");
    }
  }
  if (tls.variant && !tls.identity) {
    doc.Error(*m.KeyNode("variant"), "`variant` needs an `identity`", "", "`identity` beside it");
  }
  if (tls.chain && tls.variant) {
    doc.Error(*m.KeyNode("chain"), "`chain` and `variant` both given", "",
              "one of them: a matrix chain replaces the identity's certificate");
  }
  return doc.errors() == before;
}

Terms ConventionTerms() {
  Terms out;
  for (const ForwardedCertConvention& c : ForwardedCertConventions()) {
    out.push_back({c.name, c.summary});
  }
  return out;
}

Terms NamedTerms(const std::vector<std::string>& names) {
  Terms out;
  for (const std::string& n : names) out.push_back({n, ""});
  return out;
}

// `forwarded_cert:` a convention or a header of the target's own, whose certificate, and
// its shape.
std::optional<ForwardedCertSpec> ReadForwardedCert(Document& doc, const Node& n,
                                                   const NameScope& scope) {
  MapReader m(doc, n, {"convention", "header", "as", "identity", "variant", "shape"},
              "forwarded_cert", true,
              "a mapping with `convention` (or `header` and `as`), `identity`, `variant`, "
              "`shape`");
  if (!m.ok()) return std::nullopt;
  int before = doc.errors();
  ForwardedCertSpec f;
  f.loc = doc.Loc(n);
  auto read = [&](const char* key, std::optional<Template>& out) {
    if (auto v = m.Get(key)) out = scenario::ReadTemplate(doc, *v, key, scope);
  };
  read("convention", f.convention);
  read("header", f.header);
  read("as", f.as);
  read("identity", f.identity);
  read("variant", f.variant);
  if (auto v = m.Get("convention")) {
    CheckTerm(doc, *v, "convention", "forwarded-certificate convention", ConventionTerms(), scope);
  }
  if (auto v = m.Get("as")) {
    CheckTerm(doc, *v, "as", "certificate encoding", NamedTerms(CertEncodingNames()), scope);
  }
  if (auto v = m.Get("shape")) {
    CheckTerm(doc, *v, "shape", "forwarded-certificate shape",
              NamedTerms({"valid", "duplicate", "oversize", "malformed"}), scope);
    if (auto t = scenario::ReadTemplate(doc, *v, "shape", scope)) f.shape = std::move(*t);
  }
  if (auto v = m.Get("header"); v && f.header && f.header->is_literal() && !IsToken(v->Text())) {
    doc.Error(*v, "invalid header name", scenario::Describe(*v),
              "letters, digits and !#$%&'*+-.^_`|~ (RFC 9110 token)");
  }
  if (m.KeyNode("convention") && m.KeyNode("header")) {
    doc.Error(*m.KeyNode("header"), "more than one forwarded header", "`header`",
              "either `convention` or `header`");
  } else if (!m.KeyNode("convention") && !m.KeyNode("header")) {
    doc.Error(n, "missing forwarded header", "",
              "`convention` (" + scenario::OneOf(TermNames(ConventionTerms())) +
                  ") or `header` in this mapping");
  }
  if (m.KeyNode("as") && !m.KeyNode("header")) {
    doc.Error(*m.KeyNode("as"), "`as` needs a `header`", "",
              "`header` beside it (a convention has its own encoding)");
  }
  if (m.KeyNode("variant") && !m.KeyNode("identity")) {
    doc.Error(*m.KeyNode("variant"), "`variant` needs an `identity`", "", "`identity` beside it");
  }
  if (doc.errors() > before) return std::nullopt;
  return f;
}

bool IsKeyName(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// The algorithms a DPoP key may have (RFC 9449 §4.2: asymmetric; what the verifier allows).
const std::vector<std::string>& DpopAlgs() {
  static const std::vector<std::string> kAlgs = {"ES256", "ES384", "EdDSA", "RS256", "PS256"};
  return kAlgs;
}

// The variable of a template that is exactly `${name}`, or "".
std::string DpopSoleVariable(const std::string& text) {
  if (text.size() < 4 || text.compare(0, 2, "${") != 0 || text.back() != '}') return "";
  std::string inner = text.substr(2, text.size() - 3);
  while (!inner.empty() && inner.front() == ' ') inner.erase(inner.begin());
  while (!inner.empty() && inner.back() == ' ') inner.pop_back();
  if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
      })) {
    return "";
  }
  return inner;
}

// One name the `mutation` at hand can take, where the file gives it, and how (for a matrix
// value: "(a value of `m`, used as `mutation` on line 12)").
struct DpopMutationValue {
  Node at;
  std::string name;
  std::string via;
};

// The names the template at `n` can take as the file says: its text when literal, else
// each value of the one matrix variable it is; empty when only the run knows.
std::vector<DpopMutationValue> DpopMutationValues(Document& doc, const Node& n,
                                                  const NameScope& scope) {
  if (!n.IsScalar()) return {};
  const std::string text = n.Text();
  if (text.find('$') == std::string::npos) return {{n, text, ""}};
  std::string variable = DpopSoleVariable(text);
  if (variable.empty() || scope.matrix == nullptr) return {};
  std::vector<DpopMutationValue> out;
  for (const auto& [name, values] : *scope.matrix) {
    if (name != variable) continue;
    for (const Node& v : values) {
      if (!v.IsScalar()) continue;
      out.push_back({v, v.Text(),
                     "(a value of `" + variable + "`, used as `mutation` on line " +
                         std::to_string(doc.Loc(n).line) + ")"});
    }
  }
  return out;
}

// The DPoP specs of a step (a request, a token fetch, and either raced).
std::vector<const DpopSpec*> DpopSpecsOf(const Step& step) {
  std::vector<const DpopSpec*> out;
  if (const auto* r = std::get_if<RequestStep>(&step.body); r && r->dpop) out.push_back(&*r->dpop);
  if (const auto* race = std::get_if<RaceStep>(&step.body)) {
    if (race->request && race->request->dpop) out.push_back(&*race->request->dpop);
    if (race->token && race->token->dpop) out.push_back(&*race->token->dpop);
  }
  if (const auto* t = std::get_if<TokenStep>(&step.body); t && t->dpop) out.push_back(&*t->dpop);
  return out;
}

}  // namespace

std::optional<DpopSpec> ReadDpop(Document& doc, const Node& n, const NameScope& scope,
                                 bool token_request, const std::optional<AuthSpec>& auth) {
  MapReader m(doc, n, {"key", "alg", "mutation", "nonce", "token", "jti", "htm", "htu", "skew"},
              "dpop", true,
              "a mapping: `key`, `alg`, `mutation`, `nonce`, `token`, `jti`, `htm`, `htu`, "
              "`skew` (all optional; `{}` for a correct proof by the key `default`)");
  if (!m.ok()) return std::nullopt;
  int before = doc.errors();
  DpopSpec d;
  d.loc = doc.Loc(n);
  if (auto v = m.Get("key")) {
    std::optional<std::string> key = scenario::ReadString(doc, *v, "key");
    if (key && !IsKeyName(*key)) {
      doc.Error(*v, "invalid value for `key`", scenario::Describe(*v),
                "a key name of letters, digits, `_` and `-` (the same name is the same key "
                "in every case of the run)");
    } else if (key) {
      d.key = *key;
    }
  }
  if (auto v = m.Get("alg")) {
    std::optional<std::string> alg = scenario::ReadString(doc, *v, "alg");
    if (alg && std::find(DpopAlgs().begin(), DpopAlgs().end(), *alg) == DpopAlgs().end()) {
      doc.Error(*v, "invalid value for `alg`", scenario::Describe(*v),
                scenario::OneOf(DpopAlgs()) + " (a DPoP key signs; HS256 and none cannot)",
                scenario::DidYouMean(*alg, DpopAlgs()));
    } else if (alg) {
      d.alg = *alg;
      d.alg_loc = doc.Loc(*v);
      d.alg_length = doc.Length(*v);
    }
  }
  auto read = [&](const char* key, std::optional<Template>& out) {
    if (auto v = m.Get(key)) out = scenario::ReadTemplate(doc, *v, key, scope);
  };
  read("mutation", d.mutation);
  read("nonce", d.nonce);
  read("token", d.token);
  read("jti", d.jti);
  read("htm", d.htm);
  read("htu", d.htu);
  read("skew", d.skew);
  if (auto v = m.Get("mutation")) {
    CheckTerm(doc, *v, "mutation", vocabulary::kDpopMutation, scope);
    // What each name needs beside it, for every name the file says it can be.
    const bool sends_token =
        auth && (auth->kind == AuthSpec::Kind::kDpop || auth->kind == AuthSpec::Kind::kBearer);
    for (const DpopMutationValue& value : DpopMutationValues(doc, *v, scope)) {
      const std::string& name = value.name;
      d.mutation_values.push_back(name);
      if ((name == "missing_nonce" || name == "wrong_nonce") && !m.KeyNode("nonce")) {
        doc.Error(value.at, "`" + name + "` needs a `nonce`", "",
                  "`nonce` beside it: the server's DPoP-Nonce the proof leaves out or changes",
                  value.via);
      }
      if (name == "bearer_scheme" && token_request) {
        doc.Error(value.at, "invalid value for `mutation`", "`bearer_scheme`",
                  "a mutation of the proof: a token request sends no access token to downgrade",
                  value.via);
      } else if (name == "bearer_scheme" && !sends_token) {
        doc.Error(value.at, "`bearer_scheme` needs an access token in `auth`", "",
                  "`auth: {dpop: TOKEN}` on this request: the token it sends as Bearer", value.via);
      }
      if ((name == "missing_ath" || name == "wrong_ath" || name == "other_token_ath") &&
          !sends_token && !m.KeyNode("token")) {
        doc.Error(value.at, "`" + name + "` needs an access token", "",
                  token_request ? "`token` beside it: the token whose `ath` the proof spoils"
                                : "`auth: {dpop: TOKEN}` on this request, or `token` beside "
                                  "it: the token whose `ath` the proof spoils",
                  value.via);
      }
    }
    d.mutation_loc = doc.Loc(*v);
    d.mutation_length = doc.Length(*v);
  }
  if (auto v = m.Get("htm"); v && d.htm && d.htm->is_literal() && !IsUpperWord(v->Text())) {
    doc.Error(*v, "invalid value for `htm`", scenario::Describe(*v),
              "an HTTP method in capitals, such as GET or POST");
  }
  if (auto v = m.Get("skew"); v && d.skew && d.skew->is_literal() && !ParseDuration(v->Text())) {
    doc.Error(*v, "invalid value for `skew`", scenario::Describe(*v),
              "a duration such as 60s or 5m: the target's iat window each side of now");
  }
  if (doc.errors() > before) return std::nullopt;
  return d;
}

void CheckDpopSteps(Document& doc, Suite& suite) {
  // reused_jti replays the case's previous proof: a step before it must send one.
  for (const Scenario& sc : suite.scenarios) {
    bool earlier_proof = false;
    for (const Step& step : sc.steps) {
      for (const DpopSpec* d : DpopSpecsOf(step)) {
        const auto& values = d->mutation_values;
        if (!earlier_proof && !d->jti &&
            std::find(values.begin(), values.end(), "reused_jti") != values.end()) {
          doc.ErrorAt(d->mutation_loc, d->mutation_length, "`reused_jti` needs an earlier proof",
                      "",
                      "a step with `dpop:` before this one in the scenario (its proof's jti is "
                      "the one replayed), or `jti` beside it");
        }
        earlier_proof = true;
      }
    }
  }
  std::map<std::string, const DpopSpec*> first;  // key -> the first spec that gives its alg
  for (const Scenario& sc : suite.scenarios) {
    for (const Step& step : sc.steps) {
      for (const DpopSpec* d : DpopSpecsOf(step)) {
        if (d->alg.empty()) continue;
        auto [it, fresh] = first.emplace(d->key, d);
        if (fresh || it->second->alg == d->alg) continue;
        doc.ErrorAt(d->alg_loc, d->alg_length, "DPoP key `" + d->key + "` with two algorithms",
                    "`" + d->alg + "`",
                    "`" + it->second->alg + "`, as on line " +
                        std::to_string(it->second->alg_loc.line) +
                        " (a key name is one key for the whole run)",
                    "give this key another name, or the same `alg`");
      }
    }
  }
  for (const Scenario& sc : suite.scenarios) {
    for (const Step& step : sc.steps) {
      for (const DpopSpec* d : DpopSpecsOf(step)) suite.dpop_keys.emplace(d->key, "ES256");
    }
  }
  for (const auto& [key, spec] : first) suite.dpop_keys[key] = spec->alg;
}

std::optional<RequestStep> ReadRequestStep(Document& doc, const Node& node,
                                           const NameScope& scope) {
  MapReader m(doc, node,
              {"method", "url", "headers", "json", "form", "body", "auth", "timeout", "tls",
               "source_address", "sign", "forwarded_cert", "dpop", "send"},
              "request");
  if (!m.ok()) return std::nullopt;
  int before = doc.errors();
  RequestStep r;
  r.method = Template::Literal("GET");
  if (auto v = m.Get("method")) {
    if (auto t = scenario::ReadTemplate(doc, *v, "method", scope)) {
      if (t->is_literal() && !IsUpperWord(t->raw())) {
        doc.Error(*v, "invalid value for `method`", scenario::Describe(*v),
                  "an HTTP method in capitals, such as GET or POST");
      }
      r.method = std::move(*t);
    }
  }
  if (auto v = m.Require("url")) {
    if (auto t = scenario::ReadTemplate(doc, *v, "url", scope)) r.url = std::move(*t);
  }
  if (auto v = m.Get("headers")) {
    if (auto h = ReadTemplateMap(doc, *v, "headers", scope, true)) r.headers = std::move(*h);
  }

  std::vector<Node> bodies;
  for (const char* key : {"json", "form", "body"}) {
    if (auto k = m.KeyNode(key)) bodies.push_back(*k);
  }
  for (std::size_t i = 1; i < bodies.size(); ++i) {
    doc.Error(bodies[i], "more than one request body", scenario::Describe(bodies[i]),
              "at most one of `json`, `form`, `body` (this request already has `" +
                  bodies[0].Text() + "`)");
  }
  if (auto v = m.Get("json")) {
    r.body.kind = BodySpec::Kind::kJson;
    if (auto j = scenario::ReadTemplatedValue(doc, *v, "json", scope)) r.body.json = std::move(*j);
  } else if (auto v = m.Get("form")) {
    r.body.kind = BodySpec::Kind::kForm;
    if (auto f = ReadTemplateMap(doc, *v, "form", scope, false)) r.body.form = std::move(*f);
  } else if (auto v = m.Get("body")) {
    r.body.kind = BodySpec::Kind::kRaw;
    if (auto t = scenario::ReadTemplate(doc, *v, "body", scope)) r.body.raw = std::move(*t);
  }

  if (auto v = m.Get("auth")) r.auth = ReadAuth(doc, *v, scope);
  if (auto v = m.Get("timeout")) r.timeout = scenario::ReadDuration(doc, *v, "timeout");
  if (auto v = m.Get("tls")) r.has_tls = ReadTls(doc, *v, scope, r.tls);
  if (auto v = m.Get("source_address")) {
    r.source_address = scenario::ReadTemplate(doc, *v, "source_address", scope);
  }
  if (auto v = m.Get("sign")) {
    if (!v->IsMap()) {
      doc.Error(*v, "invalid value for `sign`", scenario::Describe(*v),
                "a mapping: a signing profile and its overrides");
    } else {
      // Keys are checked here so a misspelt one fails validation, before anything runs.
      MapReader keys(
          doc, *v,
          {"profile", "key_id", "secret", "nonce", "timestamp_offset", "timestamp", "mutate"},
          "sign");
      if (keys.ok()) r.sign = scenario::ReadTemplatedValue(doc, *v, "sign", scope);
      if (auto mutate = keys.Get("mutate")) {
        CheckTerm(doc, *mutate, "mutate", vocabulary::kSignMutation, scope);
      }
    }
  }
  if (auto v = m.Get("forwarded_cert")) r.forwarded_cert = ReadForwardedCert(doc, *v, scope);
  if (auto v = m.Get("dpop")) r.dpop = ReadDpop(doc, *v, scope, /*token_request=*/false, r.auth);
  if (auto v = m.Get("send")) {
    if (auto b = scenario::ReadBool(doc, *v, "send")) r.send = *b;
  }
  if (doc.errors() > before) return std::nullopt;
  return r;
}

}  // namespace tollgate::scenario
