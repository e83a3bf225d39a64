#include "http/session.h"

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "http/tls_context.h"

namespace tollgate::http {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A closing connection gets this long (at most) to take our last bytes and go away, so a
// client still sending a rejected body reads our 413 instead of a reset.
constexpr std::chrono::milliseconds kLingerLimit{1000};
constexpr std::size_t kMaxDrainBytes = 1 << 20;

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

// Errors that end a connection in the ordinary course of things: the peer went away,
// we closed it, or (TLS) it skipped close_notify, which HTTP's own framing makes harmless.
bool IsRoutine(const beast::error_code& ec) {
  return ec == net::ssl::error::stream_truncated || ec == net::error::operation_aborted ||
         ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == http::error::end_of_stream;
}

bool IsValidHeader(const std::string& name, const std::string& value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= ' ' || c == ':' || c == 0x7f) return false;
  }
  // A handler echoing request data must not be able to split the response.
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

// Content-Length and framing belong to the server, not to handlers.
bool IsFramingHeader(const std::string& name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection");
}

http::response<http::string_body> BuildResponse(ServerResponse&& r, unsigned version, bool head,
                                                bool keep_alive) {
  http::response<http::string_body> res;
  res.version(version == 10 ? 10 : 11);
  int status = (r.status >= 100 && r.status <= 999) ? r.status : 500;
  res.result(static_cast<unsigned>(status));
  for (auto& [name, value] : r.headers.items()) {
    if (IsFramingHeader(name) || !IsValidHeader(name, value)) continue;
    res.insert(name, value);
  }
  if (res.find(http::field::server) == res.end()) res.set(http::field::server, "tollgate");
  if (status < 200 || status == 204 || status == 304) {
    // These carry no body (RFC 9110 §6.4.1); a length would describe nothing.
  } else if (head) {
    res.content_length(r.body.size());  // what GET would send, without sending it
  } else {
    res.content_length(r.body.size());
    res.body() = std::move(r.body);
  }
  res.keep_alive(keep_alive);
  return res;
}

http::response<http::string_body> ErrorResponse(http::status status, const char* code) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::server, "tollgate");
  res.set(http::field::content_type, "application/json");
  if (status == http::status::service_unavailable) res.set(http::field::retry_after, "1");
  res.body() = std::string(R"({"error":")") + code + R"("})";
  res.content_length(res.body().size());
  res.keep_alive(false);
  return res;
}

// One connection, plain (kTls false) or TLS. Every member is touched only on the
// connection's strand, except RequestClose, which posts to it.
template <bool kTls>
class Session final : public SessionControl, public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;
  enum class Phase { kStarting, kReading, kWriting, kClosing };
  // Why our own chunk-header callback stopped the parser.
  enum class Refusal { kNone, kChunkExtension, kBodyBudget };

 public:
  Session(tcp::socket&& socket, std::shared_ptr<ServerState> state, std::uint64_t slot)
      : state_(std::move(state)),
        slot_(slot),
        peer_(PeerOf(socket)),
        strand_(socket.get_executor()),
        stream_(MakeStream(std::move(socket), *state_)),
        read_start_(std::chrono::steady_clock::now()) {
    on_chunk_header_ = [this](std::uint64_t size, beast::string_view extensions,
                              beast::error_code& ec) { OnChunkHeader(size, extensions, ec); };
  }

  ~Session() override {
    ReleaseBody();
    state_->Release(slot_);
  }

  void Start() {
    // Attach before the first operation so Stop() either sees this session or it sees
    // stopping(), never neither.
    if (!state_->Attach(slot_, this->weak_from_this())) closing_ = true;
    net::dispatch(strand_, beast::bind_front_handler(&Session::OnStart, this->shared_from_this()));
  }

  void RequestClose() override {
    net::post(strand_, [self = this->shared_from_this()] {
      self->closing_ = true;
      // A response being written is let through (it is bounded by io_timeout and Stop's
      // wait); anything else is cut now.
      if (self->phase_ != Phase::kWriting) self->CloseNow();
    });
  }

 private:
  static tcp::endpoint PeerOf(const tcp::socket& socket) {
    beast::error_code ec;
    tcp::endpoint ep = socket.remote_endpoint(ec);
    return ec ? tcp::endpoint() : ep;
  }

  static Stream MakeStream(tcp::socket&& socket, ServerState& state) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *state.ssl());
    } else {
      return Stream(std::move(socket));
    }
  }

  std::string PeerText() const {
    return peer_.address().to_string() + ":" + std::to_string(peer_.port());
  }

  void Expire(std::chrono::milliseconds limit) {
    beast::get_lowest_layer(stream_).expires_after(limit);
  }
  void Expire() { Expire(state_->options().io_timeout); }
  // The request header (with the TLS handshake, for the first one) must be complete this
  // long after the connection or the previous response: trickling it in does not extend it.
  void ExpireHeader() {
    const ServerOptions& o = state_->options();
    beast::get_lowest_layer(stream_).expires_at(read_start_ +
                                                std::min(o.header_timeout, o.io_timeout));
  }

  // The most a connection holds unparsed: a header, a chunk line or a trailer section must
  // fit, so this bounds them all (Beast's limits count header and body bytes only).
  std::size_t BufferLimit() const {
    const ServerOptions& o = state_->options();
    return std::max(o.max_header_bytes, o.max_chunk_extension_bytes + 64);
  }

  void ReleaseBody() {
    if (body_reserved_ == 0) return;
    state_->ReleaseBody(body_reserved_);
    body_reserved_ = 0;
  }

  bool ReserveBody(std::uint64_t bytes) {
    if (bytes > std::numeric_limits<std::size_t>::max() || !state_->ReserveBody(bytes)) {
      return false;
    }
    body_reserved_ += static_cast<std::size_t>(bytes);
    return true;
  }

  // Every chunk line, the last one included, once it is complete (the buffer limit bounds
  // it before that). Its size is already within the body limit.
  void OnChunkHeader(std::uint64_t size, beast::string_view extensions, beast::error_code& ec) {
    if (extensions.size() > state_->options().max_chunk_extension_bytes) {
      refusal_ = Refusal::kChunkExtension;
      ec = http::error::bad_chunk_extension;
      return;
    }
    if (size > 0 && !ReserveBody(size)) {
      refusal_ = Refusal::kBodyBudget;
      ec = net::error::no_buffer_space;
    }
  }

  bool TooManyFields() const {
    const auto& req = parser_->get();
    return static_cast<std::size_t>(std::distance(req.begin(), req.end())) >
           state_->options().max_header_fields;
  }

  // After the header, what waits unparsed in the buffer is a chunk line or, once the last
  // chunk line is complete, the trailer section: a complete first line means the latter.
  bool TrailerPending() const {
    std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    if (data.starts_with("\r\n")) data.remove_prefix(2);  // the CRLF ending a chunk's data
    return data.find("\r\n") != std::string_view::npos;
  }

  void OnStart() {
    if (closing_) return CloseNow();
    if constexpr (kTls) {
      ExpireHeader();
      stream_.async_handshake(
          net::ssl::stream_base::server,
          beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    } else {
      DoRead();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      Fail(ec, "TLS handshake", /*report_timeout=*/true);
      return CloseNow();
    }
    if constexpr (kTls) {
      client_cert_ = PeerCertificateOf(stream_.native_handle());
      session_resumed_ = SSL_session_reused(stream_.native_handle()) == 1;
    }
    DoRead();
  }

  void DoRead() {
    if (closing_) return CloseNow();
    phase_ = Phase::kReading;
    if (!first_request_) {
      read_start_ = std::chrono::steady_clock::now();
      state_->Waiting(slot_, read_start_);
    }
    first_request_ = false;
    const ServerOptions& o = state_->options();
    ReleaseBody();
    refusal_ = Refusal::kNone;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(o.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(static_cast<std::uint64_t>(o.max_body_bytes));
    parser_->on_chunk_header(on_chunk_header_);
    buffer_.max_size(BufferLimit());
    ExpireHeader();
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    if (TooManyFields()) return RefuseFields();
    // A declared body takes its share of the server's budget before a byte of it is read.
    if (auto length = parser_->content_length(); length && *length > 0 && !ReserveBody(*length)) {
      return RefuseBusy();
    }
    const auto& req = parser_->get();
    if (req.version() >= 11 && !parser_->is_done() &&
        EqualsIgnoreCase(Sv(req[http::field::expect]), "100-continue")) {
      // The client waits for this before sending the body (curl for ~1 s otherwise).
      continue_ = http::response<http::empty_body>{http::status::continue_, 11};
      Expire();
      http::async_write(stream_, continue_,
                        beast::bind_front_handler(&Session::OnContinue, this->shared_from_this()));
      return;
    }
    DoReadBody();
  }

  void OnContinue(beast::error_code ec, std::size_t) {
    if (ec) {
      Fail(ec, "write");
      return CloseNow();
    }
    DoReadBody();
  }

  void DoReadBody() {
    if (closing_) return CloseNow();
    if (parser_->is_done()) return Handle();
    Expire();
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, this->shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    if (TooManyFields()) return RefuseFields();  // trailer fields join the header's
    Handle();
  }

  void RefuseFields() {
    Write(ErrorResponse(http::status::request_header_fields_too_large,
                        "request_header_fields_too_large"));
  }

  void RefuseBusy() { Write(ErrorResponse(http::status::service_unavailable, "server_busy")); }

  void OnReadError(beast::error_code ec) {
    if (closing_) return CloseNow();
    if (ec == http::error::end_of_stream) return GracefulClose();
    if (refusal_ == Refusal::kBodyBudget) return RefuseBusy();
    if (refusal_ == Refusal::kChunkExtension) {
      return Write(ErrorResponse(http::status::bad_request, "chunk_extension_too_large"));
    }
    if (ec == http::error::buffer_overflow) {
      // A header, chunk line or trailer section longer than the buffer may hold.
      if (parser_->is_header_done() && !TrailerPending()) {
        return Write(ErrorResponse(http::status::bad_request, "chunk_extension_too_large"));
      }
      return Write(ErrorResponse(http::status::request_header_fields_too_large,
                                 "request_header_fields_too_large"));
    }
    if (ec == http::error::header_limit) {
      return Write(ErrorResponse(http::status::request_header_fields_too_large,
                                 "request_header_fields_too_large"));
    }
    if (ec == http::error::body_limit) {
      return Write(ErrorResponse(http::status::payload_too_large, "payload_too_large"));
    }
    if (ec != http::error::partial_message && IsHttpParseError(ec)) {
      Fail(ec, "malformed request");
      return Write(ErrorResponse(http::status::bad_request, "bad_request"));
    }
    Fail(ec, "read");
    CloseNow();
  }

  ServerRequest ToServerRequest(http::request<http::string_body>& req) const {
    ServerRequest out;
    out.method = std::string(Sv(req.method_string()));
    out.target = std::string(Sv(req.target()));
    std::string_view path = out.target;
    if (path.starts_with("http://") || path.starts_with("https://")) {
      // absolute-form (RFC 9112 §3.2.2): the path starts after the authority
      std::size_t start = path.find_first_of("/?", path.find("//") + 2);
      path = start == std::string_view::npos ? std::string_view() : path.substr(start);
    }
    std::size_t q = path.find('?');
    out.path = std::string(path.substr(0, q));
    if (q != std::string_view::npos) out.query = std::string(path.substr(q + 1));
    for (const auto& field : req) {
      out.headers.Add(std::string(Sv(field.name_string())), std::string(Sv(field.value())));
    }
    out.body = std::move(req.body());
    out.peer_address = peer_.address().to_string();
    out.peer_port = peer_.port();
    out.tls = kTls;
    out.client_cert = client_cert_;
    out.tls_session_resumed = session_resumed_;
    return out;
  }

  void Handle() {
    phase_ = Phase::kWriting;
    state_->Busy(slot_);
    http::request<http::string_body> req = parser_->release();
    ServerResponse response;
    bool head = false;
    try {
      ServerRequest request = ToServerRequest(req);
      head = request.method == "HEAD";
      response = state_->router().Route(request);
    } catch (...) {
      // Router already guards handlers; this catches failures building the request.
      response = ServerResponse::Json(500, R"({"error":"internal_error"})");
    }
    ReleaseBody();  // the body is gone (moved into the request, which is gone too)
    auto connection = response.headers.Get("Connection");
    bool keep_alive = req.keep_alive() && !closing_ && !state_->stopping() &&
                      !(connection && EqualsIgnoreCase(*connection, "close"));
    Write(BuildResponse(std::move(response), req.version(), head, keep_alive));
  }

  void Write(http::response<http::string_body>&& res) {
    phase_ = Phase::kWriting;
    state_->Busy(slot_);
    keep_alive_ = res.keep_alive();
    Expire();
    beast::async_write(stream_, http::message_generator(std::move(res)),
                       beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) {
      Fail(ec, "write");
      return CloseNow();
    }
    if (closing_) return CloseNow();
    if (!keep_alive_) return GracefulClose();
    DoRead();
  }

  // Says goodbye properly: close_notify on TLS; on plain TCP, FIN and then reading what
  // the peer still sends until it closes, so our last response is not lost to a reset.
  void GracefulClose() {
    phase_ = Phase::kClosing;
    Expire(std::min(state_->options().io_timeout, kLingerLimit));
    if constexpr (kTls) {
      stream_.async_shutdown(
          beast::bind_front_handler(&Session::OnShutdown, this->shared_from_this()));
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return CloseNow();
      DoDrain();
    }
  }

  void OnShutdown(beast::error_code) { CloseNow(); }

  void DoDrain() {
    stream_.async_read_some(net::buffer(drain_),
                            beast::bind_front_handler(&Session::OnDrain, this->shared_from_this()));
  }

  void OnDrain(beast::error_code ec, std::size_t n) {
    drained_ += n;
    if (ec || closing_ || drained_ >= kMaxDrainBytes) return CloseNow();
    DoDrain();
  }

  void CloseNow() {
    phase_ = Phase::kClosing;
    beast::get_lowest_layer(stream_).close();
  }

  // The one place connection failures go. Routine endings (including TLS
  // stream_truncated) are dropped; idle timeouts too, except during the handshake.
  void Fail(beast::error_code ec, const char* what, bool report_timeout = false) {
    if (IsRoutine(ec)) return;
    if (ec == beast::error::timeout && !report_timeout) return;
    state_->ReportError(std::string(what) + " from " + PeerText() + ": " + ec.message());
  }

  const std::shared_ptr<ServerState> state_;
  const std::uint64_t slot_;
  const tcp::endpoint peer_;
  const net::any_io_executor strand_;
  Stream stream_;
  beast::flat_buffer buffer_;  // max_size: BufferLimit()
  std::optional<http::request_parser<http::string_body>> parser_;
  // Given to each parser by reference (Beast keeps no copy).
  std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> on_chunk_header_;
  std::chrono::steady_clock::time_point read_start_;  // of the request being read
  bool first_request_ = true;
  std::size_t body_reserved_ = 0;  // taken from the server's body budget
  Refusal refusal_ = Refusal::kNone;
  http::response<http::empty_body> continue_;
  std::optional<PeerCertificate> client_cert_;  // set once, after the handshake
  bool session_resumed_ = false;                // the handshake resumed a session
  std::array<char, 4096> drain_{};
  std::size_t drained_ = 0;
  Phase phase_ = Phase::kStarting;
  bool closing_ = false;  // Stop() asked us to close
  bool keep_alive_ = false;
};

}  // namespace

void StartSession(tcp::socket socket, std::shared_ptr<ServerState> state, std::uint64_t slot) {
  try {
    if (state->ssl() != nullptr) {
      std::make_shared<Session<true>>(std::move(socket), state, slot)->Start();
    } else {
      std::make_shared<Session<false>>(std::move(socket), state, slot)->Start();
    }
  } catch (...) {
    // Out of memory or SSL_new failed: drop this connection, keep the server. The slot
    // may already be free (the session's destructor ran); releasing twice is harmless.
    state->Release(slot);
  }
}

}  // namespace tollgate::http
