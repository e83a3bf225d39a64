// `tollgate tls audit URL [--identity NAME | --cert FILE [--key FILE]] [--ca FILE]`: checks
// the options, finds the identity in the project's PKI, runs AuditTls and prints a table
// or JSON. Exit 0 no `must` finding, 4 at least one, 1 a bad option, 2 an unusable
// certificate/key/CA file, 3 the host could not be reached or stopped answering.

#include "cli/tls_audit_command.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/project.h"
#include "tollgate/base/clock.h"
#include "tollgate/base/file.h"
#include "tollgate/pki/pki.h"
#include "tollgate/report/report.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::cli {
namespace {

using http::TlsAuditResult;

std::string Alert(const std::string& name, int code) {
  return fmt::format("alert {} ({})", name, code);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string RenderTlsAuditTable(const TlsAuditResult& r) {
  std::string out =
      fmt::format("TLS audit of {}:{} ({}), {} handshakes in {:.2f} s\n\n", r.host, r.port,
                  r.identity.empty() ? "no client certificate" : "identity " + r.identity,
                  r.handshakes, static_cast<double>(r.elapsed.count()) / 1000.0);
  auto row = [&](const std::string& key, const std::string& value) {
    out += fmt::format("  {:<22} {}\n", key, value);
  };
  for (const auto& v : r.versions) {
    row("TLS " + v.version, v.offered ? "offered" : "refused (" + v.detail + ")");
  }
  if (r.tls12_suites_probed > 0) {
    row("TLS 1.2 suites",
        fmt::format("{} of {} accepted", r.tls12_suites.size(), r.tls12_suites_probed));
    for (const auto& s : r.tls12_suites) {
      row("", fmt::format("{:<32} {:<12} {}", s.name, s.verdict, s.source));
    }
  }
  if (!r.tls13_suites.empty()) {
    std::string list;
    for (const auto& s : r.tls13_suites) list += (list.empty() ? "" : ", ") + s;
    row("TLS 1.3 suites", list);
  }
  row("client auth", std::string(http::ClientAuthModeName(r.client_auth)));
  if (r.client_auth == http::ClientAuthMode::kRequired ||
      r.client_auth == http::ClientAuthMode::kOptional) {
    if (r.ca_names.empty()) row("acceptable CAs", "(none named)");
    for (std::size_t i = 0; i < r.ca_names.size(); ++i) {
      row(i == 0 ? fmt::format("acceptable CAs ({})", r.ca_names.size()) : "", r.ca_names[i]);
    }
  }
  for (const auto& m : r.missing_cert) {
    std::string answer = m.alert_code >= 0    ? "refused: " + Alert(m.alert, m.alert_code)
                         : m.accepted         ? fmt::format("accepted (HTTP {})", m.http_status)
                         : m.http_status != 0 ? fmt::format("refused over HTTP: {}", m.http_status)
                                              : "refused: connection closed";
    row("no certificate, " + m.version, answer);
  }
  row("renegotiation", r.renegotiation_detail);
  if (!r.resumption_detail.empty()) row("resumption", r.resumption_detail);
  for (std::size_t i = 0; i < r.chain.size(); ++i) {
    const auto& c = r.chain[i];
    row(i == 0 ? "certificate" : "",
        fmt::format("[{}] {} (issuer {}), {} days left", i, c.subject, c.issuer, c.days_left));
  }
  if (r.chain_trusted) {
    row("chain", *r.chain_trusted ? "trusted" : "not trusted: " + r.chain_error);
  }
  if (r.host_matched) row("host name", *r.host_matched ? "matches" : "does not match");
  int must = 0, should = 0, info = 0;
  out += r.findings.empty() ? "\nno findings\n" : "\nfindings\n";
  for (const auto& f : r.findings) {
    (f.severity == http::TlsSeverity::kMust     ? must
     : f.severity == http::TlsSeverity::kShould ? should
                                                : info)++;
    out +=
        fmt::format("  {:<7} {:<30} {}\n", Upper(http::TlsSeverityName(f.severity)), f.id, f.text);
  }
  if (!r.notes.empty()) out += "\nnot checked\n";
  for (const auto& n : r.notes) out += "  " + n + "\n";
  out += fmt::format("\n{} must, {} should, {} info\n", must, should, info);
  return out;
}

std::string RenderTlsAuditJson(const TlsAuditResult& r) {
  nlohmann::ordered_json j;
  j["host"] = r.host;
  j["port"] = r.port;
  j["identity"] =
      r.identity.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.identity);
  j["handshakes"] = r.handshakes;
  j["elapsed_ms"] = r.elapsed.count();
  auto& versions = j["protocols"] = nlohmann::ordered_json::object();
  for (const auto& v : r.versions) {
    versions[v.version] = {{"offered", v.offered}};
    if (!v.offered) versions[v.version]["detail"] = v.detail;
  }
  j["tls12_suites_probed"] = r.tls12_suites_probed;
  auto& suites = j["tls12_suites"] = nlohmann::ordered_json::array();
  for (const auto& s : r.tls12_suites) {
    suites.push_back(
        {{"name", s.name}, {"iana", s.iana}, {"verdict", s.verdict}, {"source", s.source}});
  }
  j["tls13_suites"] = r.tls13_suites;
  auto& auth = j["client_auth"];
  auth["mode"] = std::string(http::ClientAuthModeName(r.client_auth));
  auth["ca_names"] = r.ca_names;
  auto& missing = auth["without_certificate"] = nlohmann::ordered_json::array();
  for (const auto& m : r.missing_cert) {
    nlohmann::ordered_json a{{"version", m.version}, {"accepted", m.accepted}};
    a["alert"] = m.alert_code >= 0 ? nlohmann::ordered_json(m.alert) : nullptr;
    a["alert_code"] = m.alert_code >= 0 ? nlohmann::ordered_json(m.alert_code) : nullptr;
    a["http_status"] = m.http_status != 0 ? nlohmann::ordered_json(m.http_status) : nullptr;
    missing.push_back(std::move(a));
  }
  auto optional_bool = [](const std::optional<bool>& b) {
    return b ? nlohmann::ordered_json(*b) : nlohmann::ordered_json(nullptr);
  };
  j["renegotiation"] = {{"refused", optional_bool(r.renegotiation_refused)},
                        {"detail", r.renegotiation_detail}};
  j["resumption"] = {{"resumed", optional_bool(r.resumed)}, {"detail", r.resumption_detail}};
  auto& cert = j["certificate"];
  cert["chain"] = nlohmann::ordered_json::array();
  for (const auto& c : r.chain) {
    cert["chain"].push_back({{"subject", c.subject},
                             {"issuer", c.issuer},
                             {"sha256", c.sha256},
                             {"not_after", c.not_after},
                             {"days_left", c.days_left}});
  }
  cert["trusted"] = optional_bool(r.chain_trusted);
  cert["verify_error"] = r.chain_error;
  cert["host_matched"] = optional_bool(r.host_matched);
  auto& findings = j["findings"] = nlohmann::ordered_json::array();
  for (const auto& f : r.findings) {
    findings.push_back({{"severity", std::string(http::TlsSeverityName(f.severity))},
                        {"id", f.id},
                        {"text", f.text}});
  }
  j["not_checked"] = r.notes;
  return j.dump(2) + "\n";
}

int TlsAuditCommand(const TlsAuditArgs& a) {
  http::TlsAuditOptions o;
  if (std::string why = http::ParseAuditUrl(a.url, o.host, o.port); !why.empty()) {
    return Fail(kExitUsage, why);
  }
  std::optional<Duration> timeout = ParseDuration(a.timeout);
  if (!timeout || timeout->count() <= 0 || *timeout > std::chrono::minutes(1)) {
    return Fail(kExitUsage, "--timeout `" + a.timeout +
                                "`: expected a duration from 1ms to 1m, such as 500ms or 5s");
  }
  o.timeout = *timeout;
  if (a.max_ca_names < 1) {
    return Fail(kExitUsage, "--max-ca-names " + std::to_string(a.max_ca_names) +
                                ": expected a number of at least 1");
  }
  if (a.min_days < 0) {
    return Fail(kExitUsage,
                "--min-days " + std::to_string(a.min_days) + ": expected 0 or more days");
  }
  o.max_ca_names = a.max_ca_names;
  o.min_days_left = a.min_days;
  o.server_name = a.server_name;
  if (!a.identity.empty() && !a.cert.empty()) {
    return Fail(kExitUsage, "--identity and --cert both name a client certificate: give one");
  }
  if (!a.key.empty() && a.cert.empty()) return Fail(kExitUsage, "--key needs --cert");
  for (const auto& [flag, path] :
       {std::pair{"--cert", a.cert}, std::pair{"--key", a.key}, std::pair{"--ca", a.ca}}) {
    if (!path.empty() && !IsReadable(path)) {
      return Fail(kExitInvalid, std::string(flag) + " " + path + ": cannot be read");
    }
  }
  o.ca_file = a.ca;
  o.cert_file = a.cert;
  o.key_file = a.key;
  if (!a.identity.empty()) {
    PkiPaths pki = ProjectPki();
    if (pki.config.empty() || !IsReadable(pki.config)) {
      return Fail(kExitUsage, "--identity " + a.identity +
                                  ": this project has no PKI profile (certs/pki.yaml); use "
                                  "--cert and --key");
    }
    auto cfg = pki::LoadPkiConfig(pki.config);
    if (!cfg.ok()) return Fail(kExitInvalid, cfg.status().message());
    OffsetClock clock;
    if (Status st = pki::EnsureGenerated(*cfg, pki.out_dir, clock); !st.ok()) {
      return Fail(kExitHarness, st.message());
    }
    auto files = pki::ResolveIdentity(pki.out_dir, a.identity, "");
    if (!files.ok()) return Fail(kExitUsage, "--identity: " + files.status().message());
    o.cert_file = files->chain_file;
    o.key_file = files->key_file;
    o.identity = a.identity;
  }
  auto result = http::AuditTls(o);
  if (!result.ok()) {
    int code = result.status().code() == StatusCode::kInvalidArgument ? kExitInvalid : kExitHarness;
    return Fail(code, "tls audit of " + a.url + ": " + result.status().message());
  }
  if (a.json == "-") {
    std::cout << RenderTlsAuditJson(*result);
  } else {
    std::cout << RenderTlsAuditTable(*result);
    if (!a.json.empty()) {
      if (Status st = WriteFile(a.json, RenderTlsAuditJson(*result)); !st.ok()) {
        return Fail(kExitHarness, "--json " + a.json + ": " + st.message());
      }
    }
  }
  return result->HasMustFinding() ? kExitFailed : kExitOk;
}

}  // namespace tollgate::cli
