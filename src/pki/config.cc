// LoadPkiConfig: certs/pki.yaml into a PkiConfig. Every problem names file:line:col, what
// was found and what was expected; yaml-cpp's exceptions stop here.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "pki/x509_util.h"
#include "tollgate/base/digest.h"
#include "tollgate/base/file.h"
#include "tollgate/pki/pki.h"

namespace tollgate::pki {
namespace {

// Bumped whenever the generator's output changes shape, so old material is rebuilt.
constexpr const char* kFormatVersion = "tollgate-pki-4";

const std::vector<std::string> kKeyTypes = {"rsa2048", "rsa1024", "ec-p256", "ec-p384"};

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Collects located errors for one file.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  void Error(const YAML::Node& at, const std::string& what) {
    YAML::Mark m = at.Mark();
    errors_.push_back(path_ + ":" + std::to_string(m.line + 1) + ":" +
                      std::to_string(m.column + 1) + ": " + what);
  }
  bool failed() const { return !errors_.empty(); }
  std::string Text() const {
    std::string out;
    for (const std::string& e : errors_) out += (out.empty() ? "" : "\n") + e;
    return out;
  }

  // Checks `node` is a mapping with only `allowed` keys and the `required` ones.
  bool Map(const YAML::Node& node, const std::string& where,
           const std::vector<std::string>& allowed, const std::vector<std::string>& required) {
    if (!node.IsMap()) {
      Error(node, where + " must be a mapping; found " + Describe(node));
      return false;
    }
    for (const auto& kv : node) {
      if (allowed.empty()) break;  // any key: a map of names
      std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        Error(kv.first,
              "unknown key `" + key + "` in " + where + "; expected one of: " + Join(allowed));
      }
    }
    for (const std::string& key : required) {
      if (!node[key]) Error(node, "missing key `" + key + "` in " + where);
    }
    return true;
  }

  std::string String(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar() || n.Scalar().empty()) {
      Error(n, what + " must be a non-empty string; found " + Describe(n));
      return "";
    }
    return n.Scalar();
  }

  std::string OneOf(const YAML::Node& n, const std::string& what,
                    const std::vector<std::string>& names) {
    std::string s = String(n, what);
    if (!s.empty() && std::find(names.begin(), names.end(), s) == names.end()) {
      Error(n, what + " `" + s + "` is not known; expected one of: " + Join(names));
      return "";
    }
    return s;
  }

  int Days(const YAML::Node& n, const std::string& what) {
    long long v = 0;
    if (n.IsScalar() && YAML::convert<long long>::decode(n, v) && v >= 1 && v <= 36500) {
      return static_cast<int>(v);
    }
    Error(n, what + " must be a whole number of days from 1 to 36500; found " + Describe(n));
    return 0;
  }

  std::vector<std::string> List(const YAML::Node& n, const std::string& what,
                                const std::vector<std::string>* names) {
    std::vector<std::string> out;
    if (!n.IsSequence()) {
      Error(n, what + " must be a list; found " + Describe(n));
      return out;
    }
    for (const YAML::Node& item : n) {
      std::string s = names ? OneOf(item, what + " item", *names) : String(item, what + " item");
      if (!s.empty()) out.push_back(s);
    }
    return out;
  }

  static std::string Describe(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) return "nothing";
    if (n.IsScalar()) return "`" + n.Scalar() + "`";
    if (n.IsSequence()) return "a list";
    return "a mapping";
  }

 private:
  std::string path_;
  std::vector<std::string> errors_;
};

void CheckSubject(Reader& r, const YAML::Node& n, const std::string& subject,
                  const std::string& where) {
  if (subject.empty()) return;
  auto name = ParseName(subject);
  if (!name.ok()) {
    r.Error(n, "subject of " + where + ": " + name.status().message() +
                   "; expected TYPE=value pairs separated by commas, e.g. `CN=partner,O=Example`");
  }
}

// Names become folder and file names: letters, digits, '-', '_' and '.', never "." or "..".
void CheckName(Reader& r, const YAML::Node& key, const std::string& kind) {
  const std::string& s = key.Scalar();
  bool ok =
      !s.empty() && s != "." && s != ".." &&
      s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
          std::string::npos;
  if (!ok) {
    r.Error(key,
            kind + " name `" + s + "` is not allowed; expected letters, digits, '-', '_' and '.'");
  }
}

void CheckSan(Reader& r, const YAML::Node& n, const std::vector<std::string>& sans) {
  for (const std::string& s : sans) {
    if (s.rfind("DNS:", 0) != 0 && s.rfind("IP:", 0) != 0) {
      r.Error(n, "subject alternative name `" + s + "` must start with DNS: or IP:");
    }
  }
}

// An optional URL of `revocation:`: written into certificates as it is, so it must be a
// plain absolute http:// URL (RFC 5280 §4.2.1.13 and §4.2.2.1 name HTTP for both).
std::string RevocationUrl(Reader& r, const YAML::Node& n, const std::string& what) {
  if (!n) return "";
  std::string url = r.String(n, what);
  if (url.empty()) return "";
  bool ok = url.rfind("http://", 0) == 0 && url.size() > 7 &&
            url.find_first_of(" \t\r\n,\"<>") == std::string::npos;
  if (!ok) {
    r.Error(n, what + " `" + url +
                   "` is not allowed; expected an absolute http:// URL without spaces or commas, "
                   "e.g. `http://127.0.0.1:18960/ocsp`");
    return "";
  }
  return url;
}

}  // namespace

const std::vector<std::string>& KnownVariants() {
  static const std::vector<std::string> names = {"expired",
                                                 "not_yet_valid",
                                                 "self_signed",
                                                 "untrusted_root",
                                                 "missing_intermediate",
                                                 "server_auth_only",
                                                 "no_eku",
                                                 "ca_leaf",
                                                 "revoked",
                                                 "rsa1024",
                                                 "sha1",
                                                 "unknown_critical_extension",
                                                 "tampered_signature",
                                                 "unregistered",
                                                 "wrong_host"};
  return names;
}

const std::vector<std::string>& KnownBundles() {
  static const std::vector<std::string> names = {
      "ordered",          "reversed",         "misordered",  "extra_unrelated",
      "duplicate",        "with_private_key", "der",         "bad_base64",
      "trailing_garbage", "leaf_only",        "missing_root"};
  return names;
}

StatusOr<PkiConfig> LoadPkiConfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParsePkiConfig(text, path);
}

StatusOr<PkiConfig> ParsePkiConfig(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  }
  PkiConfig cfg;
  cfg.path = path;
  cfg.digest = Sha256Hex(std::string(kFormatVersion) + "\n" + text);
  Reader r(path);
  try {
    if (!r.Map(root, "the PKI profile", {"pki", "authorities", "identities", "revocation"},
               {"authorities", "identities"})) {
      return InvalidArgumentError(r.Text());
    }
    if (root["revocation"] &&
        r.Map(root["revocation"], "`revocation`", {"crl_url", "ocsp_url"}, {})) {
      cfg.revocation.crl_url = RevocationUrl(r, root["revocation"]["crl_url"], "crl_url");
      cfg.revocation.ocsp_url = RevocationUrl(r, root["revocation"]["ocsp_url"], "ocsp_url");
    }
    std::map<std::string, YAML::Node> authority_nodes;
    if (root["authorities"] && r.Map(root["authorities"], "`authorities`", {}, {})) {
      for (const auto& kv : root["authorities"]) {
        AuthoritySpec a;
        a.name = kv.first.Scalar();
        CheckName(r, kv.first, "authority");
        std::string where = "authority `" + a.name + "`";
        authority_nodes[a.name] = kv.first;
        if (!r.Map(kv.second, where, {"subject", "issuer", "key", "days", "crl_days"},
                   {"subject", "key", "days"})) {
          continue;
        }
        const YAML::Node& n = kv.second;
        if (n["subject"]) a.subject = r.String(n["subject"], "subject");
        CheckSubject(r, n["subject"], a.subject, where);
        if (n["issuer"]) a.issuer = r.String(n["issuer"], "issuer");
        if (n["key"]) a.key = r.OneOf(n["key"], "key type", kKeyTypes);
        if (n["days"]) a.days = r.Days(n["days"], "days");
        if (n["crl_days"]) a.crl_days = r.Days(n["crl_days"], "crl_days");
        cfg.authorities.push_back(a);
      }
    }
    std::vector<std::string> authority_names;
    for (const AuthoritySpec& a : cfg.authorities) authority_names.push_back(a.name);
    // Issuers must be known and come before the authorities they sign (no cycles).
    std::set<std::string> seen;
    for (const AuthoritySpec& a : cfg.authorities) {
      if (!a.issuer.empty() && !seen.count(a.issuer)) {
        r.Error(authority_nodes[a.name],
                "issuer `" + a.issuer + "` of authority `" + a.name +
                    "` must be an authority listed above it; expected one of: " +
                    Join(std::vector<std::string>(seen.begin(), seen.end())));
      }
      seen.insert(a.name);
    }
    if (root["identities"] && r.Map(root["identities"], "`identities`", {}, {})) {
      for (const auto& kv : root["identities"]) {
        IdentitySpec id;
        id.name = kv.first.Scalar();
        CheckName(r, kv.first, "identity");
        std::string where = "identity `" + id.name + "`";
        if (!r.Map(kv.second, where,
                   {"subject", "issuer", "usage", "key", "days", "san", "variants", "bundles",
                    "untrusted_issuer", "wrong_host_san", "chains"},
                   {"subject", "issuer", "usage", "key", "days"})) {
          continue;
        }
        const YAML::Node& n = kv.second;
        if (n["subject"]) id.subject = r.String(n["subject"], "subject");
        CheckSubject(r, n["subject"], id.subject, where);
        if (n["issuer"]) id.issuer = r.OneOf(n["issuer"], "issuer", authority_names);
        if (n["usage"]) id.usage = r.OneOf(n["usage"], "usage", {"client", "server"});
        if (n["key"]) id.key = r.OneOf(n["key"], "key type", kKeyTypes);
        if (n["days"]) id.days = r.Days(n["days"], "days");
        if (n["san"]) id.san = r.List(n["san"], "san", nullptr);
        CheckSan(r, n["san"], id.san);
        if (n["variants"]) id.variants = r.List(n["variants"], "variant", &KnownVariants());
        if (n["bundles"]) id.bundles = r.List(n["bundles"], "bundle", &KnownBundles());
        if (n["chains"]) id.chains = r.List(n["chains"], "chain", &KnownChains());
        if (n["untrusted_issuer"]) {
          id.untrusted_issuer = r.OneOf(n["untrusted_issuer"], "untrusted_issuer", authority_names);
        }
        id.wrong_host_san = {"DNS:wrong-host.invalid"};
        if (n["wrong_host_san"])
          id.wrong_host_san = r.List(n["wrong_host_san"], "wrong_host_san", nullptr);
        CheckSan(r, n["wrong_host_san"], id.wrong_host_san);
        bool needs_unrelated =
            std::count(id.variants.begin(), id.variants.end(), "untrusted_root") ||
            std::count(id.bundles.begin(), id.bundles.end(), "extra_unrelated");
        if (needs_unrelated && id.untrusted_issuer.empty()) {
          r.Error(kv.first, where +
                                " lists untrusted_root or extra_unrelated; expected an "
                                "`untrusted_issuer` (an authority under an unrelated root)");
        }
        cfg.identities.push_back(id);
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (r.failed()) return InvalidArgumentError(r.Text());
  return cfg;
}

}  // namespace tollgate::pki
