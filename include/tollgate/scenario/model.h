#pragma once
// The typed model of suites, environments and target files. The scenario module builds it
// from YAML (every object remembers where it came from); the runner executes it. Nothing
// here touches a socket.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tollgate/base/source.h"
#include "tollgate/scenario/template.h"

namespace tollgate {

using Duration = std::chrono::milliseconds;

/// A value tree from YAML whose strings may hold templates (json bodies, matcher operands).
/// Strings are kept raw; the loader has already checked that each one parses as a Template.
struct TemplatedValue {
  nlohmann::json value;
  SourceLoc loc;
};

/// A status pattern: an exact code (200) or a class ("4xx" -> class_digit 4).
struct StatusPattern {
  int code = 0;         // exact code, when class_digit == 0
  int class_digit = 0;  // 1..5 for "1xx".."5xx"
  /// A `${...}` pattern ("${target.unassigned_status}"), resolved at run time; empty when
  /// the pattern is literal.
  std::string template_text;
  /// "200" or "4xx" (exactly three characters); nullopt otherwise.
  static std::optional<StatusPattern> Parse(const std::string& text);
  /// "200" or "4xx".
  std::string ToString() const;
  bool Matches(int status) const;
};

/// Accepts a status when any pattern matches.
struct StatusExpect {
  std::vector<StatusPattern> any_of;
  SourceLoc loc;
};

/// equals / matches (RE2) / contains / exists, optionally negated by `not:`.
/// A plain scalar in YAML is `equals`.
struct Matcher {
  enum class Kind { kEquals, kMatches, kContains, kExists };
  Kind kind = Kind::kEquals;
  bool negated = false;
  TemplatedValue operand;  // kExists: a bool (exists: false means "absent")
  SourceLoc loc;
};

/// A bound on the step's duration: `duration: {max: 500ms}` or `{min:..., max:...}`.
struct DurationExpect {
  std::optional<Duration> min;
  std::optional<Duration> max;
  SourceLoc loc;
};

/// Count of journal entries for `received` steps: exact or a range.
struct CountExpect {
  std::optional<int> exactly;
  std::optional<int> min;
  std::optional<int> max;
  SourceLoc loc;
};

/// A numeric comparison written as text: ">= 30", "< 1.2", "== 1.3", "30" (equal).
struct NumberBound {
  std::string op = "==";  // one of >=, >, <=, <, ==
  double value = 0;
  std::string text;  // as written, for messages
  SourceLoc loc;
};

/// `tls: {audit: ...}`: the TLS audit (docs/tls-audit.md) run against the request's host
/// with the request's TLS settings (its identity, if any, and trust anchors), and what its
/// answers must be (docs/formats.md, "TLS audit expectations"). Unset parts are not checked.
struct TlsAuditExpect {
  std::string client_auth;  // none | optional | required; "" unchecked
  SourceLoc client_auth_loc;
  std::vector<std::pair<std::string, bool>> protocols;  // "1.0".."1.3" -> offered
  SourceLoc protocols_loc;
  std::string tls12_suites;  // the worst verdict allowed: recommended | acceptable | legacy
  SourceLoc tls12_suites_loc;
  std::optional<NumberBound> ca_names;  // how many CA names the CertificateRequest lists
  /// Without a certificate, per version ("" = every version probed): `refused` (any
  /// refusal), `accepted` (served) or an alert name.
  std::vector<std::pair<std::string, std::string>> missing_certificate;
  SourceLoc missing_certificate_loc;
  std::optional<bool> renegotiation_refused;  // renegotiation: refused | accepted
  SourceLoc renegotiation_loc;
  std::optional<bool> resumed;  // resumption: resumed | not_resumed
  SourceLoc resumption_loc;
  std::optional<NumberBound> must_findings, should_findings;  // findings: {must, should}
  std::vector<std::string> absent_findings;                   // findings: {absent: [id]}
  SourceLoc absent_findings_loc;
  SourceLoc loc;
};

/// `tls:` expectation: `rejected` (refused in the handshake or by a TLS terminator's
/// answer), `handshake_refused` (in the TLS layer only), `accepted`, or a named alert
/// ("handshake_failure", "certificate_required", ...); or a mapping that also checks the
/// server's TLS facts (docs/formats.md, "TLS expectations").
struct TlsExpect {
  std::string outcome;  // "rejected", "handshake_refused", "accepted", an alert; "": none
  std::optional<NumberBound> protocol;   // "1.2" = 1.2
  std::optional<NumberBound> days_left;  // of the server's leaf certificate
  std::optional<bool> chain_trusted;     // server_cert.chain: trusted | untrusted
  SourceLoc chain_loc;
  std::optional<bool> host_match;  // server_cert.host: match | mismatch
  SourceLoc host_loc;
  std::optional<TlsAuditExpect> audit;  // audit: the TLS audit's answers
  std::optional<bool> resumed;          // resumed: the server resumed the offered session
  SourceLoc resumed_loc;
  SourceLoc loc;
};

/// Expectations on a token saved by a `token: fetch` step (or minted): claims present,
/// lifetime bound, algorithm allow-list, kid published by an issuer mock.
struct TokenExpect {
  std::vector<std::string> claims;       // each must be present
  std::optional<Duration> max_lifetime;  // exp - iat at most this
  std::vector<std::string> algs;         // header alg must be one of these
  std::optional<std::string> kid_in;     // service name of an issuer/jwks mock
  SourceLoc loc;
};

/// Everything a step may expect of its outcome. All present parts must hold.
struct Expect {
  std::optional<StatusExpect> status;
  std::vector<std::pair<std::string, Matcher>> headers;  // header name -> matcher
  std::vector<std::pair<std::string, Matcher>> json;     // JSON pointer -> matcher
  std::vector<Matcher> body;
  std::optional<bool> rejected;  // handshake refused, or 401/403
  SourceLoc rejected_loc;
  std::optional<TlsExpect> tls;
  std::vector<Expect> one_of;  // at least one alternative holds
  SourceLoc one_of_loc;
  std::optional<StatusExpect> exactly_one;  // concurrent replay: exactly one copy matches
  std::optional<DurationExpect> duration;
  std::optional<CountExpect> count;  // received steps
  std::optional<TokenExpect> token;  // token steps
  SourceLoc loc;
};

/// `auth:` on a request.
struct AuthSpec {
  enum class Kind { kBasic, kBearer, kDpop };
  Kind kind = Kind::kBasic;
  Template user;      // basic
  Template password;  // basic
  Template token;     // bearer, dpop
  /// The scheme as sent, when the step spells it its own way (`scheme: dpop`: schemes are
  /// case-insensitive, RFC 9110 §11.1); absent: "Basic", "Bearer", "DPoP".
  std::optional<std::string> scheme;
  SourceLoc loc;
};

/// `dpop:` on a request or a token fetch: a DPoP proof (RFC 9449) in a `DPoP` header,
/// signed by a named key of the run, or a hostile variant of it (docs/formats.md, "DPoP
/// proofs"). htm, htu and ath default to the request's method, URL and Authorization token.
struct DpopSpec {
  std::string key = "default";  // the run's key of this name (made at first use)
  std::string alg;              // as written; "" when not given (the key's, default ES256)
  SourceLoc alg_loc;
  int alg_length = 0;
  std::optional<Template> mutation;  // a DPoP mutation, a request-level one included
  /// The names `mutation` can take as the file says (a literal, or each value of the one
  /// matrix variable it is), for the checks that need the scenario; empty when only the run
  /// knows. `mutation_loc`/`mutation_length` place it.
  std::vector<std::string> mutation_values;
  SourceLoc mutation_loc;
  int mutation_length = 0;
  std::optional<Template> nonce;  // the server's DPoP-Nonce
  std::optional<Template> token;  // the token ath hashes, instead of the Authorization one
  std::optional<Template> jti;    // instead of a fresh one
  std::optional<Template> htm;    // instead of the request's method
  std::optional<Template> htu;    // instead of the request's URL
  std::optional<Template> skew;   // the target's iat window (a duration; default 60s)
  SourceLoc loc;
};

/// Client TLS options: files to present and trust given directly, or a named identity (and
/// variant) of the project's PKI profile, resolved to files at run time.
struct TlsOptions {
  std::optional<Template> ca;              // CA bundle file to trust
  std::optional<Template> cert;            // client certificate (chain) file
  std::optional<Template> key;             // client private key file
  std::optional<std::string> min_version;  // "1.0", "1.1", "1.2", "1.3"
  std::optional<std::string> max_version;
  bool insecure = false;                     // skip server verification (never by default)
  std::optional<std::string> ciphers;        // TLS 1.2 cipher list (OpenSSL syntax)
  std::optional<std::string> tls13_ciphers;  // TLS 1.3 suites
  std::optional<int> security_level;         // 0..5; 0 sends deliberately weak material
  std::optional<Template> identity;          // named identity of certs/pki.yaml (else `partner`)
  std::optional<Template> variant;           // named hostile variant of it; absent: the valid one
  /// A chain of the PKI's path-validation matrix built for the identity (docs/certs.md),
  /// presented instead of the identity's own chain; not with `variant`.
  std::optional<Template> chain;
  /// `resume: NAME`: requests of the case with the same name (and otherwise the same TLS
  /// settings) keep their TLS session and offer it on the next one, each on a new connection.
  std::optional<std::string> resume;
  SourceLoc loc;
};

/// A request body: none, JSON value, form fields, or raw text.
struct BodySpec {
  enum class Kind { kNone, kJson, kForm, kRaw };
  Kind kind = Kind::kNone;
  TemplatedValue json;                                 // kJson
  std::vector<std::pair<std::string, Template>> form;  // kForm
  Template raw;                                        // kRaw
};

/// `forwarded_cert:` adds the client-certificate headers a TLS-terminating proxy sets,
/// forged by the client: a convention's set (tollgate/base/forwarded_cert.h) or one header
/// of the target's own, carrying an identity's certificate in one shape.
struct ForwardedCertSpec {
  std::optional<Template> convention;  // a convention's name
  std::optional<Template> header;      // or a header of the target's own...
  std::optional<Template> as;          // ...and its encoding (default `url_pem`)
  std::optional<Template> identity;    // whose certificate (default `partner`)
  std::optional<Template> variant;
  /// `valid`, or a hostile form: `duplicate` (the header twice), `oversize` (padded past
  /// what a proxy forwards), `malformed` (truncated, no certificate).
  Template shape = Template::Literal("valid");
  SourceLoc loc;
};

/// `request:` sends one HTTP request.
struct RequestStep {
  Template method;
  Template url;
  std::vector<std::pair<std::string, Template>> headers;
  BodySpec body;
  std::optional<AuthSpec> auth;
  std::optional<Duration> timeout;
  TlsOptions tls;
  bool has_tls = false;
  std::optional<Template> source_address;
  std::optional<TemplatedValue> sign;  // `sign:` (see runner/sign_steps.h)
  std::optional<ForwardedCertSpec> forwarded_cert;
  std::optional<DpopSpec> dpop;
  bool send = true;  // `send: false` prepares the request for a later `replay` only
};

/// `replay:` sends a recorded request again: `previous` or a saved name.
struct ReplayStep {
  std::string what = "previous";
  int concurrent = 1;
};

/// `wait:` pauses; always bounded by --max-wait. `wait: 2s` waits a fixed time;
/// `wait: {for: "${target.jwks_cache_ttl}", plus: 2s}` waits for a duration the target
/// documents (a target setting such as its cache lifetime), plus a margin, so a real-time
/// check waits as long as this target needs and no longer.
struct WaitStep {
  Duration duration{0};          // the fixed part (`wait: 2s`, or `plus:`, which may be < 0)
  std::optional<Template> for_;  // a duration resolved at run time (`for:`)
};

/// `received:` asserts on a mock service's journal. Filters select entries; `expect`
/// holds the count and header matchers.
struct ReceivedStep {
  std::string service;
  std::optional<Template> method;
  std::optional<Template> path;
  /// Only entries recorded after this journal position (a saved `received` result's
  /// `last_seq`), so a count covers what one scenario caused.
  std::optional<Template> since;
};

/// `token: {mint: {...}}` mints from an issuer mock (any claim, lifetime relative to the
/// shared clock, a hostile `mutate`); `token: {fetch: {...}}` asks a token endpoint.
struct TokenStep {
  enum class Kind { kMint, kFetch };
  Kind kind = Kind::kMint;
  // mint
  std::string issuer;  // service name of an `issuer` mock
  std::optional<Template> audience;
  std::optional<Template> scope;
  std::optional<Template> subject;
  std::optional<Template> client_id;
  std::optional<Template> kid;           // sign with this key of the issuer (default: active)
  std::optional<Duration> lifetime;      // exp = now + lifetime (default: issuer token_ttl)
  std::optional<Duration> not_before;    // nbf = now + not_before
  std::optional<Duration> issued_at;     // iat = now + issued_at (default 0)
  std::optional<TemplatedValue> claims;  // extra claims, override the above
  std::optional<TemplatedValue> header;  // extra header members
  std::optional<Template> mutate;        // a hostile variant by name
  // fetch
  std::optional<Template> url;  // token endpoint
  std::optional<Template> fetch_client_id;
  std::optional<Template> client_secret;
  std::string auth_method = "client_secret_basic";  // or "client_secret_post"
  std::optional<Template> grant_type;               // default client_credentials
  std::optional<Template> refresh_token;
  std::optional<Template> fetch_scope;
  std::optional<DpopSpec> dpop;  // a DPoP proof for the token endpoint (RFC 9449 §5)
};

/// `notify:` plays a platform's notification sender (Sage-style): POSTs to `url` with an
/// ID token minted by an issuer mock as `Authorization: Bearer`, the partner's custom
/// header, and a JSON body announcing a resource with a fresh AuthorisationID.
/// `notify: {webhook: ...}`: signs the notification with a webhook scheme over the exact
/// body bytes sent (see tollgate/crypto/webhooks.h).
struct WebhookSign {
  std::string scheme;             // standard-webhooks, stripe, github
  std::vector<Template> secrets;  // `secret`, or `secrets` (one signature each: rotation)
  std::string variant;            // "" or a corrupted variant (duplicate_id included)
  std::optional<Template> id;     // the webhook id (default: a fresh UUID)
  SourceLoc loc;
};

struct NotifyStep {
  Template url;
  std::optional<TokenStep> token;                 // a mint; absent: no Authorization header
  std::optional<Template> bearer;                 // or a token as it is (one minted earlier)
  std::optional<Template> header_name;            // the partner's custom header; absent: not sent
  std::optional<Template> header_value;           // a secret: registered with the redactor
  std::optional<Template> id;                     // the AuthorisationID (default: a fresh UUID)
  std::optional<Template> resource_type;          // default "authorisation"
  std::optional<TemplatedValue> additional_data;  // default {"bankId": "tollgate-bank"}
  std::optional<TemplatedValue> body;             // replaces the whole body
  std::optional<Duration> timeout;
  std::optional<WebhookSign> webhook;  // absent: not signed
};

/// `race:` releases `copies` identical requests together from a barrier, the oracle for a
/// single-use artefact (a nonce, a refresh token, an AuthorisationID, a webhook id, a DPoP
/// proof's jti): exactly one copy may succeed (`expect: exactly_one`, 2xx unless the step
/// says otherwise) and the others get the step's other expectations. The request is built
/// once (signed once, one proof, one webhook id) from an inline `request:`, a token fetch
/// (`token: {fetch: ...}`: a refresh token's single use), a notification (`notify:`), or is
/// an earlier request (`of:`, as in `replay`).
struct RaceStep {
  int copies = 2;                      // 2..64
  std::optional<RequestStep> request;  // inline
  std::optional<TokenStep> token;      // a token fetch
  std::optional<NotifyStep> notify;    // a notification
  std::string of;                      // or a saved request, or `previous`
};

/// `mock:` controls a running mock service: `{service: NAME, action: ACTION, ...args}`.
/// Actions per kind (issuer: rotate_keys, add_key, remove_key; jwks: those and down,
/// error_500, slow, malformed, empty, same_kid_new_key, max_age; every kind: restore). A case
/// with a mock or clock step runs alone, and the runner restores every mock and the clock
/// after it.
struct MockStep {
  std::string service;
  std::string action;
  nlohmann::json args;  // the remaining keys, strings already checked as templates
  SourceLoc loc;
};

/// `clock: {offset: 25m}` moves the shared clock (mocks and minting) relative to real time,
/// for the rest of the case.
struct ClockStep {
  Duration offset{0};
};

/// One step of a scenario.
struct Step {
  enum class Kind { kRequest, kReplay, kWait, kReceived, kToken, kMock, kClock, kNotify, kRace };
  Kind kind = Kind::kRequest;
  std::variant<RequestStep, ReplayStep, WaitStep, ReceivedStep, TokenStep, MockStep, ClockStep,
               NotifyStep, RaceStep>
      body;
  std::optional<std::string> save;
  std::optional<Expect> expect;
  SourceLoc loc;
};

/// One scenario; a matrix expands it into one case per combination of values.
struct Scenario {
  std::string id;
  Template name;  // may use matrix values
  std::vector<std::string> requirements;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::vector<std::string>>> matrix;  // in file order
  std::vector<Step> steps;
  /// `real_time:` the id of a scenario of the same suite, tagged `slow`, that checks the
  /// same rule by really waiting: what an external target runs instead of this case when
  /// this case needs tollgate's shared clock. Empty when there is none.
  std::string real_time;
  SourceLoc real_time_loc;
  SourceLoc loc;
};

/// One suite file.
struct Suite {
  std::string id;  // `suite:`
  std::string title;
  std::string file;    // path as given
  std::string sha256;  // of the file's bytes, for provenance in reports
  std::vector<std::string> requires_services;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, Template>> vars;  // in file order
  std::vector<Scenario> scenarios;
  /// The DPoP keys its steps name, each with its algorithm (the one a step gives, else
  /// ES256), so `${dpop.NAME.jkt}` makes the same key a later `dpop:` signs with.
  std::map<std::string, std::string> dpop_keys;
  SourceLoc loc;
};

/// One mock service of an environment. `config` is the service's mapping minus `kind`,
/// checked against the kind's schema by the loader; the mocks module interprets it.
struct ServiceDecl {
  std::string name;
  std::string kind;
  nlohmann::json config;
  std::vector<std::string> faults;
  SourceLoc loc;
};

/// An environment file (mocks/*.yaml).
struct Environment {
  std::string name;
  std::string file;
  std::vector<ServiceDecl> services;  // in file order
  std::string default_target;         // a service name, or empty
  SourceLoc loc;
};

/// A target file: an external API under test and its settings.
struct TargetFile {
  std::string name;
  std::string file;
  Template url;
  /// A PEM bundle of the CA(s) that issued the target's server certificates (a staging host
  /// on a private CA), trusted for requests to the target's own URLs; absent: the system's
  /// trust store.
  std::optional<Template> ca;
  std::vector<std::pair<std::string, Template>> settings;  // target.NAME
  std::vector<std::pair<std::string, Template>> secrets;   // target.NAME, redacted
  SourceLoc loc;
};

/// One requirement of a profile's requirements.yaml.
struct Requirement {
  std::string id;
  std::string text;
  std::string source;     // the document it comes from: a guide's file name or an RFC section
  std::string quote;      // the sentence it comes from
  std::string severity;   // "must" or "should"
  std::string rationale;  // one line: why this severity (the source states it, or hardening)
  /// A setting of the file's `policy:` that decides `severity` (e.g. revocation_unavailable:
  /// fail_closed makes it must, fail_open should); "" when the file states the severity.
  std::string policy;
  SourceLoc loc;
};

/// A profile's requirements.yaml, plus its fault map (which scenarios each fault of the
/// reference target must fail).
struct Requirements {
  std::string profile;
  std::string file;
  std::string environment;                    // environment file, relative to the project root
  std::map<std::string, std::string> policy;  // `policy:` setting -> the profile's choice
  std::vector<Requirement> requirements;
  std::vector<std::pair<std::string, std::vector<std::string>>> faults;  // fault -> ids
  std::vector<SourceLoc> fault_locs;  // where each entry of `faults` names its fault
  SourceLoc loc;
};

}  // namespace tollgate
