// `tollgate certs generate`: build certs/pki.yaml into certs/generated/ (or say it is up
// to date). `tollgate certs check BUNDLE`: the onboarding check, one finding per line, then
// a verdict; exit 0 accepted, 4 rejected, 2 unreadable input.

#include "cli/certs_command.h"

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

}  // namespace tollgate::cli
