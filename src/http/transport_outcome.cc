#include "http/transport_outcome.h"

#include <curl/curl.h>

namespace tollgate {

const char* TransportOutcomeName(TransportOutcome o) {
  switch (o) {
    case TransportOutcome::kOk:
      return "ok";
    case TransportOutcome::kConnectFailed:
      return "connect failed";
    case TransportOutcome::kDnsFailed:
      return "dns failed";
    case TransportOutcome::kTimeout:
      return "timeout";
    case TransportOutcome::kTlsRejected:
      return "tls rejected";
    case TransportOutcome::kProtocolError:
      return "protocol error";
  }
  return "unknown";
}

namespace http {

TransportOutcome ClassifyCurlError(int curl_code, std::string_view error_text,
                                   const ClientTlsFacts& tls, bool response_started) {
  // The record layer knows better than the curl code: an alert on a read after our
  // Finished (TLS 1.3) or a 60 that is really the server refusing OUR certificate.
  if (tls.alert_received && curl_code != CURLE_OPERATION_TIMEDOUT) {
    return TransportOutcome::kTlsRejected;
  }
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_INTERFACE_FAILED:  // the source address could not be bound
      return TransportOutcome::kConnectFailed;
    case CURLE_COULDNT_RESOLVE_HOST:
      return TransportOutcome::kDnsFailed;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportOutcome::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return TransportOutcome::kTlsRejected;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
      // OpenSSL reason strings for received alerts read "sslv3 alert ...",
      // "tlsv1 alert ..." or "tlsv13 alert ..."; a plain reset or EOF has none.
      if (error_text.find(" alert ") != std::string_view::npos) {
        return TransportOutcome::kTlsRejected;
      }
      // The server asked for our certificate and closed (or reset) before any HTTP answer:
      // with TLS 1.3 it judges the certificate after our Finished, and a server that closes
      // without an alert, or whose reset discards the alert unread, refuses us this way.
      // Once a status line arrived the handshake was over and a close is the server's fault.
      return tls.certificate_requested && !response_started ? TransportOutcome::kTlsRejected
                                                            : TransportOutcome::kProtocolError;
    default:
      // GOT_NOTHING, WEIRD_SERVER_REPLY, PARTIAL_FILE, HTTP2 framing, oversized body...
      return TransportOutcome::kProtocolError;
  }
}

}  // namespace http
}  // namespace tollgate
