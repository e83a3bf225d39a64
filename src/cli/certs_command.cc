// `tollgate certs generate`: build certs/pki.yaml into certs/generated/ (or say it is up
// to date). `tollgate certs check BUNDLE`: the onboarding check, one finding per line, then
// a verdict; exit 0 accepted, 4 rejected, 2 unreadable input. `tollgate certs matrix`: the
// path-validation matrix, listed or verified chain by chain against its expected verdicts.

#include "cli/certs_command.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "tollgate/base/clock.h"
#include "tollgate/base/file.h"
#include "tollgate/pki/pki.h"

namespace tollgate::cli {
namespace {

bool ReadAll(const std::string& path, std::string& out) {
  StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return false;
  out = *std::move(bytes);
  return true;
}

}  // namespace

int CertsGenerateCommand(const CertsGenerateArgs& a) {
  auto cfg = pki::LoadPkiConfig(a.config);
  if (!cfg.ok()) return Fail(kExitInvalid, cfg.status().message());
  OffsetClock clock;
  pki::GenerateReport report;
  Status st = pki::EnsureGenerated(*cfg, a.out, clock, a.force, &report);
  if (!st.ok()) return Fail(kExitHarness, st.message());
  if (report.generated) {
    std::cout << "generated " << report.certificates << " certificates from " << a.config
              << " into " << a.out << " (" << report.reason << ")\n";
  } else {
    std::cout << a.out << " is " << report.reason << " for " << a.config
              << "; nothing written (--force rebuilds)\n";
  }
  return kExitOk;
}

int CertsCheckCommand(const CertsCheckArgs& a) {
  std::string bundle;
  if (!ReadAll(a.bundle, bundle)) return Fail(kExitInvalid, "cannot read bundle " + a.bundle);
  pki::BundleTrust trust;
  if (!a.anchors.empty()) {
    if (!ReadAll(a.anchors, trust.anchors_pem)) {
      return Fail(kExitInvalid, "cannot read anchors " + a.anchors);
    }
    if (trust.anchors_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return Fail(kExitInvalid,
                  a.anchors + ": expected PEM CERTIFICATE blocks (the allowed roots)");
    }
  }
  if (!a.crl.empty()) {
    if (!ReadAll(a.crl, trust.crls_pem)) return Fail(kExitInvalid, "cannot read CRL " + a.crl);
    if (trust.crls_pem.find("-----BEGIN X509 CRL-----") == std::string::npos) {
      return Fail(kExitInvalid, a.crl + ": expected PEM X509 CRL blocks");
    }
  }
  OffsetClock clock;
  pki::BundleCheck check = pki::CheckBundle(bundle, trust, clock);
  for (const pki::BundleFinding& f : check.findings) std::cout << pki::FormatFinding(f) << "\n";
  std::string anchors_note =
      a.anchors.empty() ? " (no --anchors: the bundle's own root was trusted)" : "";
  if (check.accepted) {
    std::cout << "accepted: " << a.bundle << ", " << check.certificates
              << " certificates, leaf -> intermediate(s) -> root" << anchors_note << "\n";
    return kExitOk;
  }
  std::cout << "rejected: " << a.bundle << ", " << check.findings.size()
            << (check.findings.size() == 1 ? " finding" : " findings") << anchors_note << "\n";
  return kExitFailed;
}

int CertsMatrixCommand(const CertsMatrixArgs& a) {
  const std::vector<pki::ChainCase>& matrix = pki::PathMatrix();
  if (a.list) {
    for (const pki::ChainCase& c : matrix) {
      std::cout << c.name << "\t" << (c.accept ? "accept" : "refuse") << "\t" << c.rule << "\n";
    }
    return kExitOk;
  }
  auto cfg = pki::LoadPkiConfig(a.config);
  if (!cfg.ok()) return Fail(kExitInvalid, cfg.status().message());
  const pki::IdentitySpec* id = nullptr;
  for (const pki::IdentitySpec& i : cfg->identities) {
    if (i.name == a.identity) id = &i;
  }
  if (id == nullptr) return Fail(kExitInvalid, "no identity `" + a.identity + "` in " + a.config);
  if (id->chains.empty()) {
    return Fail(kExitInvalid,
                "identity `" + a.identity + "` of " + a.config + " lists no `chains:` to verify");
  }
  OffsetClock clock;
  Status st = pki::EnsureGenerated(*cfg, a.out, clock);
  if (!st.ok()) return Fail(kExitHarness, st.message());
  int mismatches = 0;
  for (const pki::ChainCase& c : matrix) {
    if (std::find(id->chains.begin(), id->chains.end(), c.name) == id->chains.end()) continue;
    auto files = pki::ResolveChain(a.out, a.identity, c.name);
    if (!files.ok()) return Fail(kExitHarness, files.status().message());
    std::string chain, anchors;
    if (!ReadAll(files->chain_file, chain) || !ReadAll(files->ca_file, anchors)) {
      return Fail(kExitHarness, "cannot read the files of chain " + c.name);
    }
    pki::ChainVerdict v = pki::VerifyClientChain(chain, anchors, clock);
    bool agree = v.accepted == c.accept;
    if (!agree) ++mismatches;
    std::cout << (agree ? "ok   " : "FAIL ") << c.name << ": expected "
              << (c.accept ? "accept" : "refuse") << ", "
              << (v.accepted ? "accepted" : "refused: " + v.reason) << "\n";
  }
  std::cout << (mismatches == 0 ? "every chain got its expected verdict"
                                : std::to_string(mismatches) + " chain(s) did not")
            << " (" << id->chains.size() << " chains of " << a.identity << ")\n";
  return mismatches == 0 ? kExitOk : kExitFailed;
}

}  // namespace tollgate::cli
