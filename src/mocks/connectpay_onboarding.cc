// Kind `connectpay`, two-host mode: certificate onboarding. A partner posts its ordered
// PEM bundle (leaf, intermediate(s), root); the platform runs the ordered-bundle check
// against its own anchors and CRL and answers 201, 400 with the findings, or 413.

#include <algorithm>
#include <nlohmann/json.hpp>

#include "mocks/connectpay.h"

namespace tollgate::mocks {
namespace {

// The CERTIFICATE blocks of a PEM text, in order; empty when anything but whitespace lies
// outside them.
std::vector<std::string> CertificateBlocks(const std::string& pem) {
  static const std::string kBegin = "-----BEGIN CERTIFICATE-----";
  static const std::string kEnd = "-----END CERTIFICATE-----";
  std::vector<std::string> out;
  std::size_t pos = 0;
  std::string outside;
  while (true) {
    std::size_t begin = pem.find(kBegin, pos);
    outside += pem.substr(pos, begin == std::string::npos ? std::string::npos : begin - pos);
    if (begin == std::string::npos) break;
    std::size_t end = pem.find(kEnd, begin);
    if (end == std::string::npos) return {};
    end += kEnd.size();
    out.push_back(pem.substr(begin, end - begin) + "\n");
    pos = end;
  }
  if (outside.find_first_not_of(" \t\r\n") != std::string::npos) return {};
  return out;
}

}  // namespace

Handled ConnectPay::HandleCertificates(const ServerRequest& request) const {
  if (request.body.size() > max_bundle_bytes_ && !HasFault("no_bundle_size_limit")) {
    return {ServerResponse::Json(413, R"({"error":"bundle_too_large"})"),
            "bundle of " + std::to_string(request.body.size()) + " bytes"};
  }
  if (HasFault("accept_any_bundle")) {
    return {ServerResponse::Json(201, R"({"registered":true})"), "bundle registered unchecked"};
  }
  pki::BundleTrust trust;
  trust.anchors_pem = anchors_pem_;
  trust.crls_pem = crls_pem_;
  pki::BundleCheck check = pki::CheckBundle(request.body, trust, *ctx().clock);
  if (!check.accepted && HasFault("accept_unordered_bundle")) {
    // The broken platform builds its own path: any order of the same certificates passes.
    std::vector<std::string> blocks = CertificateBlocks(request.body);
    if (blocks.size() <= 5) {
      std::sort(blocks.begin(), blocks.end());
      do {
        std::string joined;
        for (const std::string& b : blocks) joined += b;
        if (pki::CheckBundle(joined, trust, *ctx().clock).accepted) {
          return {ServerResponse::Json(201, R"({"registered":true})"), "bundle reordered"};
        }
      } while (std::next_permutation(blocks.begin(), blocks.end()));
    }
  }
  if (check.accepted) {
    nlohmann::json body = {{"registered", true}, {"certificates", check.certificates}};
    return {ServerResponse::Json(201, body.dump()), "bundle accepted"};
  }
  nlohmann::json findings = nlohmann::json::array();
  std::string note;
  for (const pki::BundleFinding& f : check.findings) {
    findings.push_back({{"index", f.index}, {"subject", f.subject}, {"reason", f.reason}});
    note += (note.empty() ? "" : "; ") + pki::FormatFinding(f);
  }
  nlohmann::json body = {{"error", "invalid_bundle"}, {"findings", findings}};
  return {ServerResponse::Json(400, body.dump()), note};
}

}  // namespace tollgate::mocks
