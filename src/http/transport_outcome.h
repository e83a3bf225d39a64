#pragma once
// How a libcurl result code (plus curl's error text) becomes a TransportOutcome.

#include <string_view>

#include "tollgate/http/client.h"

namespace tollgate::http {

/// The outcome for a failed transfer: `curl_code` is a CURLcode other than CURLE_OK and
/// `error_text` curl's ERRORBUFFER. With TLS 1.3 the server judges the client certificate
/// after the client's Finished, so a rejected client certificate surfaces as a receive or
/// send error carrying the TLS alert: those are TLS rejections when the text names an
/// alert. `tls` is what the handshake showed: a fatal alert from the peer, or our own
/// refusal of the server's certificate, makes it a TLS rejection whatever the curl code
/// says. `response_started`: an HTTP status line had arrived; a connection that asked for
/// our certificate and closed before one is a refusal of that certificate.
TransportOutcome ClassifyCurlError(int curl_code, std::string_view error_text,
                                   const ClientTlsFacts& tls = {}, bool response_started = false);

}  // namespace tollgate::http
