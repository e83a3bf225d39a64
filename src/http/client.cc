#include "tollgate/http/client.h"

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>

#include "http/client_tls.h"
#include "http/transport_outcome.h"
#include "tollgate/base/file.h"

namespace tollgate {
namespace {

// A target that streams without end must not exhaust the harness's memory.
constexpr std::size_t kMaxResponseBody = 64u << 20;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

// What the callbacks of one transfer write into.
struct Transfer {
  CURL* handle = nullptr;  // borrowed for the transfer
  std::string body;
  bool body_too_large = false;
  std::vector<std::pair<std::string, std::string>> headers;  // of the latest response
  bool in_header_block = false;
  http::TlsCapture* tls = nullptr;  // borrowed: the handle's capture
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  if (t->body.size() + n > kMaxResponseBody) {
    t->body_too_large = true;
    return 0;  // curl fails the transfer with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

// curl calls this once per header line of every response it reads (1xx included), then
// for trailers. Each status line starts a new block, so only the final response's headers
// remain; lines after its blank line (trailers) are ignored.
std::size_t OnHeaderLine(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    t->headers.clear();
    t->in_header_block = true;
    // The SSL object is only reachable while the connection is in use, so read the
    // TLS facts here rather than after the transfer (a reused connection had no handshake).
    curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(t->handle, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info != nullptr &&
        info->backend == CURLSSLBACKEND_OPENSSL && info->internals != nullptr) {
      http::CaptureEstablished(static_cast<SSL*>(info->internals), t->tls);
    }
    return n;
  }
  if (line.empty()) {
    t->in_header_block = false;
    return n;
  }
  if (!t->in_header_block) return n;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  if ((line.front() == ' ' || line.front() == '\t') && !t->headers.empty()) {
    // obs-fold (RFC 9112 §5.2): a continuation of the previous value
    t->headers.back().second += " ";
    t->headers.back().second += trim(line);
    return n;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  t->headers.emplace_back(std::string(line.substr(0, colon)),
                          std::string(trim(line.substr(colon + 1))));
  return n;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c <= ' ' || c >= 0x7f ||
        std::string_view("\"(),/:;<=>?@[\\]{}").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

long MinVersion(const std::string& v) {
  if (v.empty()) return CURL_SSLVERSION_DEFAULT;
  if (v == "1.0") return CURL_SSLVERSION_TLSv1_0;
  if (v == "1.1") return CURL_SSLVERSION_TLSv1_1;
  if (v == "1.2") return CURL_SSLVERSION_TLSv1_2;
  if (v == "1.3") return CURL_SSLVERSION_TLSv1_3;
  return -1;
}

long MaxVersion(const std::string& v) {
  if (v.empty()) return CURL_SSLVERSION_MAX_DEFAULT;
  if (v == "1.0") return CURL_SSLVERSION_MAX_TLSv1_0;
  if (v == "1.1") return CURL_SSLVERSION_MAX_TLSv1_1;
  if (v == "1.2") return CURL_SSLVERSION_MAX_TLSv1_2;
  if (v == "1.3") return CURL_SSLVERSION_MAX_TLSv1_3;
  return -1;
}

// The host part of a URL (brackets of an IPv6 literal removed); "" when there is none.
std::string UrlHost(const std::string& text) {
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url || curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return "";
  char* host = nullptr;
  if (curl_url_get(url.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK) return "";
  std::string out = host;
  curl_free(host);
  if (out.size() > 2 && out.front() == '[' && out.back() == ']')
    out = out.substr(1, out.size() - 2);
  return out;
}

// Misuse is a Status; everything the network does is an outcome.
Status Validate(const ClientRequest& r) {
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return InternalError("curl_url failed");
  CURLUcode uc = curl_url_set(url.get(), CURLUPART_URL, r.url.c_str(), 0);
  if (uc != CURLUE_OK) {
    return InvalidArgumentError("URL '" + r.url + "': " + curl_url_strerror(uc));
  }
  char* scheme = nullptr;
  if (curl_url_get(url.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
    std::string s = scheme;
    curl_free(scheme);
    if (s != "http" && s != "https") {
      return InvalidArgumentError("URL '" + r.url + "': scheme must be http or https");
    }
  }
  if (!IsToken(r.method)) return InvalidArgumentError("method '" + r.method + "' is not a token");
  for (const auto& [name, value] : r.headers) {
    if (!IsToken(name)) return InvalidArgumentError("header name '" + name + "' is not a token");
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return InvalidArgumentError("header '" + name + "': value contains CR, LF or NUL");
    }
  }
  if (r.timeout.count() <= 0) return InvalidArgumentError("timeout must be positive");
  const ClientTlsOptions& tls = r.tls;
  for (const auto& [what, path] :
       {std::pair<const char*, const std::string&>{"ca_file", tls.ca_file},
        {"cert_file", tls.cert_file},
        {"key_file", tls.key_file}}) {
    if (!path.empty() && !IsReadable(path)) {
      return InvalidArgumentError(std::string("TLS ") + what + " '" + path + "' cannot be read");
    }
  }
  if (MinVersion(tls.min_version) < 0) {
    return InvalidArgumentError("TLS min_version '" + tls.min_version + "': expected 1.0..1.3");
  }
  if (MaxVersion(tls.max_version) < 0) {
    return InvalidArgumentError("TLS max_version '" + tls.max_version + "': expected 1.0..1.3");
  }
  return Status::Ok();
}

bool HasHeader(const ClientRequest& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (EqualsIgnoreCase(n, name)) return true;
  }
  return false;
}

// The request's headers exactly, and none of curl's defaults that the caller did not ask
// for (Accept, Expect, a form Content-Type), so scenarios test what they say.
SlistPtr BuildHeaderList(const ClientRequest& r, bool has_body) {
  SlistPtr list;
  auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (next != nullptr) {
      list.release();
      list.reset(next);
    }
  };
  for (const auto& [name, value] : r.headers) {
    // "Name:" would delete curl's header of that name; "Name;" sends it empty.
    append(value.empty() ? name + ";" : name + ": " + value);
  }
  if (!HasHeader(r, "Expect")) append("Expect:");
  if (!HasHeader(r, "Accept")) append("Accept:");
  if (has_body && !HasHeader(r, "Content-Type")) append("Content-Type:");
  return list;
}

double Millis(CURL* h, CURLINFO info) {
  curl_off_t us = 0;
  if (curl_easy_getinfo(h, info, &us) != CURLE_OK) return 0;
  return static_cast<double>(us) / 1000.0;
}

std::string HttpVersionText(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0:
      return "1.0";
    case CURL_HTTP_VERSION_1_1:
      return "1.1";
    case CURL_HTTP_VERSION_2_0:
      return "2";
    case CURL_HTTP_VERSION_3:
      return "3";
    default:
      return "";
  }
}

}  // namespace

void InitHttpClientLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One easy handle per calling thread and TLS setting: a handle keeps its connection cache
// across curl_easy_reset, which is what makes keep-alive work; handles must not be shared
// between threads at the same time; and a connection made with one client certificate,
// version range or cipher list must never carry a request that asked for another (curl
// cannot see what our SSL_CTX callback sets, so it could not tell them apart).
struct HttpClient::Impl {
  struct Handle {
    CURL* curl = nullptr;
    http::TlsCapture capture;  // stable address: cached SSL objects point at it
  };
  std::mutex mu;
  std::map<std::pair<std::thread::id, std::string>, std::unique_ptr<Handle>> handles;  // by mu

  Handle* HandleFor(const ClientTlsOptions& tls) {
    std::lock_guard<std::mutex> lock(mu);
    auto& h = handles[{std::this_thread::get_id(), http::TlsSettingsKey(tls)}];
    if (h == nullptr) {
      h = std::make_unique<Handle>();
      h->curl = curl_easy_init();
    }
    return h.get();
  }

  ~Impl() {
    for (auto& [key, h] : handles) curl_easy_cleanup(h->curl);
  }
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) { InitHttpClientLibrary(); }

HttpClient::~HttpClient() = default;

StatusOr<ClientResponse> HttpClient::Send(const ClientRequest& request) {
  RETURN_IF_ERROR(Validate(request));
  Impl::Handle* handle = impl_->HandleFor(request.tls);
  CURL* h = handle->curl;
  if (h == nullptr) return InternalError("curl_easy_init failed");
  curl_easy_reset(h);

  Transfer t;
  t.handle = h;
  t.tls = &handle->capture;
  handle->capture.Reset(&request.tls, UrlHost(request.url));
  char errbuf[CURL_ERROR_SIZE] = {0};
  const std::string& method = request.method;
  const bool head = method == "HEAD";
  const bool has_body =
      !head && (!request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH");
  SlistPtr headers = BuildHeaderList(request, has_body);
  const ClientTlsOptions& tls = request.tls;
  const long timeout_ms = static_cast<long>(request.timeout.count());
  const std::string interface =
      request.source_address.empty() ? "" : "host!" + request.source_address;

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: thread-safe
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeaderLine);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never a proxy from the environment
  // HTTP/1.1 always: the mocks speak it, and a transcript then reads the same against
  // every target.
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  if (!interface.empty() || !tls.session_group.empty()) {
    if (!interface.empty()) curl_easy_setopt(h, CURLOPT_INTERFACE, interface.c_str());
    // A connection bound to a chosen source address must not be kept: curl would reuse it
    // for a later request that names no source address (allow-list tests depend on this).
    // A request of a session group resumes on a new connection, never a kept one.
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 0L);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 0L);
  }

  if (head) {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (method == "GET" && !has_body) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    if (method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (has_body) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
    }
  }

  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, tls.verify_peer ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, tls.verify_host ? 2L : 0L);
  // Every request does its own handshake (unless it reuses a live connection): a resumed
  // session would skip the very certificate exchange a scenario may be testing. Only a
  // session group asks for resumption; its handles are its own (TlsSettingsKey), and curl
  // keeps their session cache across curl_easy_reset.
  curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, tls.session_group.empty() ? 0L : 1L);
  if (!tls.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_SSLVERSION,
                   MinVersion(tls.min_version) | MaxVersion(tls.max_version));
  // Client certificate, security level and ciphers are set on the SSL_CTX directly, so
  // weak material can be sent on purpose (see client_tls.h).
  http::InstallClientTls(h, &handle->capture);

  CURLcode rc = curl_easy_perform(h);

  ClientResponse out;
  out.timings.dns_ms = Millis(h, CURLINFO_NAMELOOKUP_TIME_T);
  out.timings.connect_ms = Millis(h, CURLINFO_CONNECT_TIME_T);
  out.timings.tls_ms = Millis(h, CURLINFO_APPCONNECT_TIME_T);
  out.timings.first_byte_ms = Millis(h, CURLINFO_STARTTRANSFER_TIME_T);
  out.timings.total_ms = Millis(h, CURLINFO_TOTAL_TIME_T);
  out.tls = handle->capture.facts;
  out.tls_version = out.tls.protocol;
  // The handle outlives this call: it must not keep pointers into our stack.
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);

  // Validate() caught bad URLs already; CURLE_UNSUPPORTED_PROTOCOL can only mean an
  // HTTP/0.9 (non-HTTP) reply here, which is the target's fault, not ours.
  if (rc == CURLE_URL_MALFORMAT) {
    return InvalidArgumentError("URL '" + request.url + "': " + curl_easy_strerror(rc));
  }
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    if (t.body_too_large) {
      detail = "response body larger than " + std::to_string(kMaxResponseBody) + " bytes";
    }
    if (!handle->capture.setup_error.empty()) {
      // Our own TLS material could not be used: misuse, not the target's doing.
      return InvalidArgumentError(handle->capture.setup_error);
    }
    long status_line = 0;  // a status code once curl read a status line
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status_line);
    out.outcome = http::ClassifyCurlError(rc, detail, out.tls, status_line != 0);
    if (out.outcome == TransportOutcome::kTlsRejected) {
      http::DecideRefusal(out.tls, tls.verify_peer, rc);
      std::string who = http::DescribeTlsRefusal(out.tls);
      out.tls_error = who.empty() ? detail : who + " [" + detail + "]";
      detail = out.tls_error;
    }
    out.error = std::string(TransportOutcomeName(out.outcome)) + ": " + detail;
    return out;
  }

  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  long version = 0;
  curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
  out.status = static_cast<int>(status);
  out.http_version = HttpVersionText(version);
  for (auto& [name, value] : t.headers) out.headers.Add(std::move(name), std::move(value));
  out.body = std::move(t.body);
  return out;
}

}  // namespace tollgate
