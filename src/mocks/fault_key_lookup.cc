// The key-lookup faults of the fault verifier: each picks the verification key the way a
// known-broken relying party does (jwt_tool's kid playbook; RFC 8725 §2.1, §3.1). Every
// one ends in VerifyUnsigned, so all rules but the key choice are still checked.

#include <filesystem>
#include <fstream>

#include "mocks/fault_verifier_internal.h"

namespace tollgate::mocks {
namespace {

// Where the kid_as_file_path gateway keeps its HMAC keys: it opens kKeyDir/<kid>, with the
// path normalised first (as Java's Path.normalize or Python's normpath would), so enough
// "../" reaches any file. The folder need not exist.
constexpr char kKeyDir[] = "/srv/gateway/keys";
constexpr std::size_t kMaxKeyFile = 4096;

// The bytes of the file a kid names, or nullopt. Only regular files and /dev/null are
// read, at most kMaxKeyFile bytes, so a hostile kid cannot make the mock block on a FIFO
// or a device; the content is used as a key and never logged.
std::optional<std::string> ReadKeyFile(const std::string& kid) {
  std::filesystem::path path = (std::filesystem::path(kKeyDir) / kid).lexically_normal();
  std::error_code ec;
  bool regular = std::filesystem::is_regular_file(path, ec);
  if (!regular && path != "/dev/null") return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes(kMaxKeyFile, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

// The kid_in_sql_query gateway runs
//   SELECT secret FROM hmac_keys WHERE kid = '<kid>'
// with the kid pasted in. Its table is empty (it trusts only the issuer's public keys), so
// a row can only come from the query itself. This interprets the one shape such a query
// can take: the lookup, then any number of `UNION SELECT '<literal>'`, an optional `;`
// and an optional `--` comment. Anything else is a syntax error (nullopt).
std::optional<std::string> QueryKeyTable(const std::string& kid) {
  const std::string query = "SELECT secret FROM hmac_keys WHERE kid = '" + kid + "'";
  std::string_view rest = query;
  rest.remove_prefix(rest.find('\'') + 1);
  std::size_t close = rest.find('\'');
  if (close == std::string_view::npos) return std::nullopt;
  rest.remove_prefix(close + 1);  // the looked-up kid: no row
  std::vector<std::string> rows;
  bool ended = false;
  while (true) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty() || rest.starts_with("--")) break;
    if (rest.front() == ';' && !ended) {
      ended = true;
      rest.remove_prefix(1);
      continue;
    }
    constexpr std::string_view kUnion = "UNION SELECT '";
    if (ended || !rest.starts_with(kUnion)) return std::nullopt;
    rest.remove_prefix(kUnion.size());
    close = rest.find('\'');
    if (close == std::string_view::npos) return std::nullopt;
    rows.emplace_back(rest.substr(0, close));
    rest.remove_prefix(close + 1);
  }
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

bool HmacVerifies(const jose::JwsParts& parts, std::string_view secret, const std::string& kid) {
  jose::Jwk hmac = jose::Jwk::FromSecret(secret, kid, jose::Alg::kHS256);
  return jose::VerifySignature(parts, hmac, jose::Alg::kHS256).ok();
}

// hs256_key_confusion: the published key's text (PEM with and without its final newline,
// or the compact JSON of its public JWK) taken as an HMAC secret.
bool KeyConfusionVerifies(const jose::JwsParts& parts, const jose::Jwks& keys,
                          const std::string& kid) {
  for (const jose::Jwk& k : keys.keys) {
    if (!kid.empty() && k.kid() != kid) continue;
    std::string pem = k.PublicPem();
    std::string trimmed = pem;
    while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
    std::string jwk_text =
        k.ToPublicJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const std::string& secret : {pem, trimmed, jwk_text}) {
      if (!secret.empty() && HmacVerifies(parts, secret, k.kid())) return true;
    }
  }
  return false;
}

}  // namespace

std::optional<jose::VerifyResult> VerifyWithKeyFaults(const jose::JwsParts& parts,
                                                      const jose::Jwks& keys,
                                                      const jose::ValidationPolicy& policy,
                                                      const Clock& clock,
                                                      const VerifierFaults& faults) {
  const std::string alg_name = HeaderString(parts.header, "alg");
  const std::string kid = HeaderString(parts.header, "kid");
  const std::optional<jose::Alg> alg = jose::AlgFromName(alg_name);
  const jose::Jwk* named = keys.Find(kid);
  auto accept = [&] { return VerifyUnsigned(parts, parts.payload, policy, clock); };

  // HS256 chosen by the token, keyed with something the attacker knows.
  if (alg_name == "HS256") {
    if (faults.hs256_key_confusion && KeyConfusionVerifies(parts, keys, kid)) return accept();
    // The secret is the JWK's `k`, read as "" when the kid names an RSA or EC key.
    if (faults.hs256_empty_secret && named && named->kty() != "oct" &&
        HmacVerifies(parts, "", kid)) {
      return accept();
    }
    if (faults.kid_as_file_path && !kid.empty()) {
      std::optional<std::string> secret = ReadKeyFile(kid);
      if (secret && HmacVerifies(parts, *secret, kid)) return accept();
    }
    if (faults.kid_in_sql_query) {
      std::optional<std::string> secret = QueryKeyTable(kid);
      if (secret && HmacVerifies(parts, *secret, kid)) return accept();
    }
  }
  if (!Allowed(policy, alg)) return std::nullopt;
  if (faults.try_every_key) {
    for (const jose::Jwk& k : keys.keys) {
      if (jose::VerifySignature(parts, k, *alg).ok()) return accept();
    }
  }
  // The caller has refetched the JWKS for an unknown kid; the bug is what follows: no key
  // found, so no signature is checked.
  if (faults.unknown_kid_fail_open && !kid.empty() && named == nullptr) return accept();
  return std::nullopt;
}

}  // namespace tollgate::mocks
