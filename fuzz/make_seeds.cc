// fuzz_seeds SOURCE_DIR OUT_DIR: writes the seeds that are made rather than copied, each
// target's into OUT_DIR/<target>/:
//   jwt       a public JWKS line and a token, for every key type and every mutation of
//             jose::Mutations() (the hostile tokens tollgate itself sends), signed at the
//             fixed clock of fuzz_keys.h
//   jwks      public and private JWKs and sets of every key type, SPKI and PKCS#8 PEM
//   webhooks  deliveries of every scheme and variant
//   signing   requests signed under the reference signed API's profile and others
//   bundle    every onboarding bundle certs/pki.yaml lists, generated at the fixed clock,
//             with its anchors and CRL
//   template  every ${...} value of the project's suites, environments and e2e files
// The project's own YAML files are copied by bench/fuzz.sh.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_keys.h"
#include "http_text.h"
#include "tollgate/base/clock.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/crypto/signing.h"
#include "tollgate/crypto/webhooks.h"
#include "tollgate/pki/pki.h"

namespace fs = std::filesystem;
namespace fz = tollgate::fuzz;
namespace jose = tollgate::jose;

namespace {

fs::path out_root;
int written = 0;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::path dir = out_root / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
  ++written;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Safe(std::string name) {
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return name;
}

int Jose() {
  const std::vector<jose::Alg> algs = {jose::Alg::kRS256, jose::Alg::kPS256, jose::Alg::kES256,
                                       jose::Alg::kES384, jose::Alg::kEdDSA};
  nlohmann::json all_keys = nlohmann::json::array();
  for (jose::Alg alg : algs) {
    std::string name = jose::AlgName(alg);
    auto key = jose::Jwk::Generate(alg, "kid-" + name);
    if (!key.ok()) {
      std::cerr << "fuzz_seeds: " << name << ": " << key.status().message() << "\n";
      return 1;
    }
    jose::Jwks set;
    set.keys.push_back(*key);
    std::string jwks_line = set.ToPublicJson().dump();
    all_keys.push_back(key->ToPublicJson());
    Write("jwks", "set-" + name + ".json", jwks_line);
    Write("jwks", "public-" + name + ".json", key->ToPublicJson().dump(2));
    Write("jwks", "private-" + name + ".json", key->ToPrivateJson().dump());
    Write("jwks", "spki-" + name + ".pem", key->PublicPem());

    std::vector<std::string> mutations = {""};
    for (const jose::MutationInfo& m : jose::Mutations()) mutations.push_back(m.name);
    for (const std::string& mutation : mutations) {
      jose::MintRequest r;
      r.key = &*key;
      r.issuer_keys = &set;
      r.header = {{"typ", "JWT"}};
      r.claims = {{"iss", fz::kIssuer},        {"aud", fz::kAudience},     {"sub", "partner-a"},
                  {"scope", "payments:write"}, {"iat", fz::kNow - 10},     {"nbf", fz::kNow - 10},
                  {"exp", fz::kNow + 600},     {"jti", "fuzz-" + mutation}};
      r.mutation = mutation;
      r.attacker_url = "http://127.0.0.1:9/attacker";
      r.now = fz::kNow;
      auto token = jose::Mint(r);
      if (!token.ok()) continue;  // a mutation that does not apply to this key type
      Write("jwt", name + "-" + (mutation.empty() ? "valid" : Safe(mutation)),
            jwks_line + "\n" + *token);
    }
  }
  Write("jwks", "set-all.json", nlohmann::json{{"keys", all_keys}}.dump());
  auto oct = jose::Jwk::FromSecret("fuzz-only-oct-secret-0123456789ab", "oct-1");
  Write("jwks", "oct.json", oct.ToPrivateJson().dump());
  return 0;
}

void Webhooks() {
  namespace wh = tollgate::webhooks;
  const std::map<wh::Scheme, std::string> secrets = {
      {wh::Scheme::kStandardWebhooks, fz::kStandardWebhooksSecret},
      {wh::Scheme::kStripe, fz::kStripeSecret},
      {wh::Scheme::kGitHub, fz::kGitHubSecret}};
  const std::vector<std::string> bodies = {
      R"({"type":"payment.succeeded","data":{"id":"pay_1","amount":1200,"currency":"EUR"}})", "",
      "plain text \xff\x00 bytes"};
  std::vector<std::string> variants = {""};
  for (const std::string& v : wh::VariantNames()) variants.push_back(v);
  for (const std::string& scheme_name : wh::SchemeNames()) {
    wh::Scheme scheme = *wh::SchemeFromName(scheme_name);
    for (std::size_t b = 0; b < bodies.size(); ++b) {
      for (const std::string& variant : variants) {
        auto d = wh::Sign(scheme, {secrets.at(scheme)}, "msg_" + std::to_string(b), fz::kNow,
                          bodies[b], variant);
        if (!d.ok()) continue;
        Write("webhooks",
              scheme_name + "-" + std::to_string(b) + "-" + (variant.empty() ? "valid" : variant),
              scheme_name + "\n" + fz::HeadersAndBody(d->headers, d->body));
      }
    }
  }
}

void Signing() {
  namespace sg = tollgate::signing;
  // The reference signed API's profile (mocks/signed-api.yaml), then variations.
  nlohmann::json reference = {{"components",
                               {"method", "path", "query", "host", "header:content-type",
                                "body_digest", "timestamp", "nonce", "key_id"}},
                              {"separator", "\n"},
                              {"mac", "hmac-sha256"},
                              {"body_digest", "sha256"},
                              {"encoding", "hex"},
                              {"headers",
                               {{"signature", "X-Signature"},
                                {"timestamp", "X-Timestamp"},
                                {"nonce", "X-Nonce"},
                                {"key_id", "X-Key-Id"},
                                {"algorithm", "X-Signature-Algorithm"}}},
                              {"window", "5m"}};
  nlohmann::json rfc9421 = reference;
  rfc9421["layout"] = "rfc9421";
  // RFC 9421 carries the digest, timestamp, nonce and key id as signature parameters.
  rfc9421["components"] = {"method", "path", "query", "host", "header:content-type"};
  rfc9421["encoding"] = "base64";
  nlohmann::json sha512 = reference;
  sha512["mac"] = "hmac-sha512";
  sha512["body_digest"] = "sha512";
  sha512["separator"] = "|";
  sha512["window"] = 30;
  const std::vector<std::pair<std::string, std::string>> profiles = {
      {"reference", reference.dump()},
      {"rfc9421", rfc9421.dump()},
      {"sha512", sha512.dump()},
      {"default", ""}};
  struct Req {
    std::string method, path, query, body;
  };
  const std::vector<Req> requests = {
      {"POST", "/v1/payments", "b=2&a=1&a=0", R"({"amount":1200,"currency":"EUR"})"},
      {"GET", "/v1/accounts/%7Eme/../x/./y", "q=a%20b+c&empty=&flag", ""},
      {"DELETE", "", "", ""}};
  for (const auto& [pname, line] : profiles) {
    sg::Profile p;
    if (!line.empty()) {
      auto parsed = sg::ProfileFromJson(nlohmann::json::parse(line));
      if (!parsed.ok()) {
        std::cerr << "fuzz_seeds: profile " << pname << ": " << parsed.status().message() << "\n";
        continue;
      }
      p = *parsed;
    }
    for (std::size_t i = 0; i < requests.size(); ++i) {
      sg::Message m{requests[i].method,
                    requests[i].path,
                    requests[i].query,
                    {{"Host", "api.example.test"}, {"Content-Type", "application/json"}},
                    requests[i].body};
      sg::SignParams params{fz::kHmacKeyId, std::to_string(fz::kNow), "nonce-" + pname};
      auto sig = sg::Sign(p, m, params, fz::kHmacSecret);
      if (!sig.ok()) continue;
      for (auto& h : sg::SignatureHeaders(p, params, *sig)) m.headers.push_back(h);
      std::string target = m.path + (m.query.empty() ? "" : "?" + m.query);
      Write("signing", pname + "-" + std::to_string(i),
            line + "\n" + m.method + " " + target + "\n" + fz::HeadersAndBody(m.headers, m.body));
    }
  }
}

int Bundles(const fs::path& source) {
  namespace pki = tollgate::pki;
  auto cfg = pki::LoadPkiConfig((source / "certs" / "pki.yaml").string());
  if (!cfg.ok()) {
    std::cerr << "fuzz_seeds: " << cfg.status().message() << "\n";
    return 1;
  }
  tollgate::ManualClock clock{tollgate::Clock::TimePoint(std::chrono::seconds(fz::kNow))};
  fs::path pki_dir = out_root / ".pki";
  tollgate::Status st = pki::EnsureGenerated(*cfg, pki_dir.string(), clock);
  if (!st.ok()) {
    std::cerr << "fuzz_seeds: " << st.message() << "\n";
    return 1;
  }
  for (const pki::IdentitySpec& id : cfg->identities) {
    auto files = pki::ResolveIdentity(pki_dir.string(), id.name, "");
    if (!files.ok()) continue;
    std::string trust = fz::kAnchorsMarker + Slurp(files->ca_file);
    if (!files->crl_file.empty()) trust += fz::kCrlsMarker + Slurp(files->crl_file);
    Write("bundle", id.name + "-chain", Slurp(files->chain_file) + trust);
    Write("bundle", id.name + "-chain-structure-only", Slurp(files->chain_file));
    for (const std::string& b : id.bundles) {
      auto path = pki::ResolveBundle(pki_dir.string(), id.name, b);
      if (!path.ok()) continue;
      Write("bundle", id.name + "-" + b, Slurp(*path) + trust);
    }
    for (const std::string& v : id.variants) {
      auto vf = pki::ResolveIdentity(pki_dir.string(), id.name, v);
      if (vf.ok()) Write("bundle", id.name + "-variant-" + v, Slurp(vf->chain_file) + trust);
    }
  }
  return 0;
}

void Templates(const fs::path& source) {
  std::map<std::string, int> seen;
  for (const char* dir : {"suites", "mocks", "tests/e2e", "examples"}) {
    if (!fs::exists(source / dir)) continue;
    for (const auto& e : fs::recursive_directory_iterator(source / dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
      std::ifstream in(e.path());
      std::string line;
      while (std::getline(in, line)) {
        std::size_t at = line.find("${");
        if (at == std::string::npos) continue;
        // The value after the key, unquoted; a rough cut is fine for a seed.
        std::size_t colon = line.find(": ");
        std::string value =
            colon != std::string::npos && colon < at ? line.substr(colon + 2) : line.substr(at);
        if (value.size() > 1 && (value.front() == '"' || value.front() == '\'')) {
          value = value.substr(1, value.size() - 2);
        }
        if (seen[value]++ == 0) Write("template", "t" + std::to_string(seen.size()), value);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seeds SOURCE_DIR OUT_DIR\n";
    return 2;
  }
  fs::path source = argv[1];
  out_root = argv[2];
  if (Jose() != 0) return 1;
  Webhooks();
  Signing();
  if (Bundles(source) != 0) return 1;
  Templates(source);
  std::cout << "fuzz_seeds: " << written << " seeds in " << out_root.string() << "\n";
  return 0;
}
