// The onboarding PEM-bundle check (`tollgate certs check`): input is a bundle, optionally
// followed by "=====ANCHORS=====" and the allowed roots, and "=====CRLS=====" and CRLs.
// CheckBundle never crashes; it accepts only with no finding, and every finding it gives
// has a reason and points at a certificate of the bundle (or at the bundle as a whole).
// Seeds: the bundles make_seeds.cc generates from certs/pki.yaml at the fixed clock.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_keys.h"
#include "fuzz_util.h"
#include "tollgate/base/clock.h"
#include "tollgate/pki/pki.h"

namespace fz = tollgate::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = fz::Text(data, size);
  auto [bundle, trust_text] = fz::SplitOnce(text, fz::kAnchorsMarker);
  auto [anchors, crls] = fz::SplitOnce(trust_text, fz::kCrlsMarker);
  tollgate::pki::BundleTrust trust;
  trust.anchors_pem = std::string(anchors);
  trust.crls_pem = std::string(crls);
  static const tollgate::ManualClock clock{
      tollgate::Clock::TimePoint(std::chrono::seconds(fz::kNow))};

  tollgate::pki::BundleCheck check = tollgate::pki::CheckBundle(bundle, trust, clock);
  if (check.accepted != check.findings.empty()) __builtin_trap();
  if (check.certificates < 0 || check.certificates > 16) __builtin_trap();
  for (const tollgate::pki::BundleFinding& f : check.findings) {
    if (f.reason.empty() || f.index < -1 || f.index >= 16) __builtin_trap();
    (void)tollgate::pki::FormatFinding(f);
  }
  return 0;
}
