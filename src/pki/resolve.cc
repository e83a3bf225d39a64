// ResolveIdentity and ResolveBundle: find generated files again, by name.

#include <filesystem>
#include <set>

#include "pki/layout.h"
#include "pki/x509_util.h"
#include "tollgate/base/file.h"
#include "tollgate/pki/pki.h"

namespace tollgate::pki {
namespace {

namespace fs = std::filesystem;

std::string Names(const fs::path& dir, bool strip_ext) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = strip_ext ? e.path().stem().string() : e.path().filename().string();
    if (!strip_ext && (n == layout::kBundles || n == layout::kChains)) continue;
    if (!strip_ext && n == layout::kValid) n = "\"\" (valid)";
    names.insert(n);
  }
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

Status CheckGenerated(const fs::path& dir) {
  if (!fs::exists(dir / layout::kManifest)) {
    return FailedPreconditionError("no generated PKI in " + dir.string() +
                                   " (run `tollgate certs generate`)");
  }
  return Status::Ok();
}

// Identity names are looked up as folder names: refuse anything that could climb out.
bool SafeName(const std::string& s) {
  return !s.empty() && s.find('/') == std::string::npos && s != "." && s != "..";
}

}  // namespace

StatusOr<IdentityFiles> ResolveIdentity(const std::string& out_dir, const std::string& identity,
                                        const std::string& variant) {
  fs::path dir(out_dir);
  RETURN_IF_ERROR(CheckGenerated(dir));
  fs::path idir = dir / "identities" / identity;
  if (!SafeName(identity) || !fs::is_directory(idir)) {
    return NotFoundError("unknown identity `" + identity +
                         "`; known: " + Names(dir / "identities", false));
  }
  std::string vname = variant.empty() ? layout::kValid : variant;
  fs::path vdir = idir / vname;
  if (!SafeName(vname) || vname == layout::kBundles || vname == layout::kChains ||
      !fs::is_directory(vdir)) {
    return NotFoundError("identity `" + identity + "` has no variant `" + variant +
                         "`; known: " + Names(idir, false));
  }
  IdentityFiles f;
  f.cert_file = (vdir / "cert.pem").string();
  f.chain_file = (vdir / "chain.pem").string();
  f.key_file = (vdir / "key.pem").string();
  f.ca_file = (vdir / "ca.pem").string();
  auto link = ReadFile((vdir / "crl.link").string());
  if (link.ok() && SafeName(*link)) {
    f.crl_file = (dir / "ca" / (*link + ".crl.pem")).string();
    f.issuer_cert_file = (dir / "ca" / (*link + ".pem")).string();
    f.issuer_key_file = (dir / "ca" / (*link + ".key")).string();
    // Up the ca/NAME.issuer links; the profile's loader refused cycles, the bound guards
    // a hand-edited folder.
    std::string name = *link;
    for (int depth = 0; SafeName(name) && depth < 16; ++depth) {
      fs::path ca = dir / "ca";
      f.authorities.push_back({name, (ca / (name + ".pem")).string(),
                               (ca / (name + ".key")).string(),
                               (ca / (name + ".crl.pem")).string()});
      auto up = ReadFile((ca / (name + ".issuer")).string());
      if (!up.ok()) break;
      name = *up;
    }
  }
  ASSIGN_OR_RETURN(std::string pem, ReadFile(f.cert_file));
  auto certs = ReadCerts(pem);
  if (certs.empty()) return InternalError(f.cert_file + " holds no certificate");
  f.sha256 = CertSha256(certs[0].get());
  f.subject = NameText(X509_get_subject_name(certs[0].get()));
  return f;
}

StatusOr<ChainFiles> ResolveChain(const std::string& out_dir, const std::string& identity,
                                  const std::string& chain) {
  fs::path dir(out_dir);
  RETURN_IF_ERROR(CheckGenerated(dir));
  if (!SafeName(identity) || !fs::is_directory(dir / "identities" / identity)) {
    return NotFoundError("unknown identity `" + identity +
                         "`; known: " + Names(dir / "identities", false));
  }
  fs::path cdir = dir / "identities" / identity / layout::kChains;
  if (!SafeName(chain) || !fs::is_directory(cdir / chain)) {
    return NotFoundError("identity `" + identity + "` has no matrix chain `" + chain +
                         "`; known: " + Names(cdir, false));
  }
  ChainFiles f;
  f.cert_file = (cdir / chain / "cert.pem").string();
  f.chain_file = (cdir / chain / "chain.pem").string();
  f.untrusted_file = (cdir / chain / "untrusted.pem").string();
  f.key_file = (cdir / chain / "key.pem").string();
  f.ca_file = (cdir / chain / "ca.pem").string();
  return f;
}

StatusOr<std::string> ResolveBundle(const std::string& out_dir, const std::string& identity,
                                    const std::string& bundle_variant) {
  fs::path dir(out_dir);
  RETURN_IF_ERROR(CheckGenerated(dir));
  fs::path bdir = dir / "identities" / identity / layout::kBundles;
  if (!SafeName(identity) || !fs::is_directory(dir / "identities" / identity)) {
    return NotFoundError("unknown identity `" + identity +
                         "`; known: " + Names(dir / "identities", false));
  }
  if (SafeName(bundle_variant)) {
    for (const char* ext : {".pem", ".der"}) {
      fs::path p = bdir / (bundle_variant + ext);
      if (fs::exists(p)) return p.string();
    }
  }
  return NotFoundError("identity `" + identity + "` has no bundle `" + bundle_variant +
                       "`; known: " + Names(bdir, true));
}

}  // namespace tollgate::pki
