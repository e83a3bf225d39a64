#pragma once
// TLS alert descriptions by their RFC 8446 §6 names ("certificate_expired" = 45), shared
// by the client (which reports the alerts it sees) and the suite loader (which checks the
// alert names an `expect: {tls: ...}` may use).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate {

/// The RFC name of alert `code` ("certificate_expired"), or "alert_<code>" when unknown.
std::string TlsAlertName(int code);
/// The code of an alert named as in RFC 8446 §6 (plus the TLS 1.2 names), if known.
std::optional<int> TlsAlertCode(std::string_view name);
/// Every known alert name, in code order (for "expected one of" diagnostics).
std::vector<std::string> TlsAlertNames();

}  // namespace tollgate
