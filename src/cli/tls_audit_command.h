#pragma once
// `tollgate tls audit URL`: the TLS audit (tollgate/http/tls_audit.h) on the command line,
// with an identity from the project's PKI or explicit files; a table or JSON.

#include <string>

#include "tollgate/http/tls_audit.h"

namespace tollgate::cli {

/// `tollgate tls audit` options, as given (validated by TlsAuditCommand).
struct TlsAuditArgs {
  std::string url;
  std::string identity;  // a PKI identity name (certs/pki.yaml)
  std::string cert, key, ca;
  std::string server_name;
  std::string timeout = "5s";
  int max_ca_names = 5;
  int min_days = 30;
  std::string json;  // file for the JSON report; "-" for standard output
};

int TlsAuditCommand(const TlsAuditArgs& args);

/// The console table of a result (what the command prints without `--json -`).
std::string RenderTlsAuditTable(const http::TlsAuditResult& result);
/// The JSON report of a result (docs/cli.md, "tls audit").
std::string RenderTlsAuditJson(const http::TlsAuditResult& result);

}  // namespace tollgate::cli
