#include "tollgate/mocks/journal.h"

#include <openssl/objects.h>
#include <openssl/x509.h>

#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/base/time_format.h"

namespace tollgate {
namespace {

// The key algorithm of a PKCS#8 PrivateKeyInfo, from its algorithm OID alone: the key itself
// need not be valid for the journal to say what it was.
std::string Pkcs8Algorithm(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (info == nullptr) return "unreadable";
  const ASN1_OBJECT* oid = nullptr;
  std::string name = "unknown";
  if (PKCS8_pkey_get0(&oid, nullptr, nullptr, nullptr, info) == 1 && oid != nullptr) {
    static constexpr std::pair<int, const char*> kNames[] = {
        {NID_rsaEncryption, "RSA"}, {NID_rsassaPss, "RSA-PSS"}, {NID_X9_62_id_ecPublicKey, "EC"},
        {NID_dsa, "DSA"},           {NID_ED25519, "Ed25519"},   {NID_ED448, "Ed448"},
        {NID_X25519, "X25519"},     {NID_X448, "X448"}};
    char oid_text[80];
    if (OBJ_obj2txt(oid_text, sizeof(oid_text), oid, 1) > 0) name = oid_text;
    for (const auto& [nid, known] : kNames) {
      if (OBJ_obj2nid(oid) == nid) name = known;
    }
  }
  PKCS8_PRIV_KEY_INFO_free(info);
  return name;
}

// The DER inside a PEM block: its base64 lines, joined. A PEM posted inside a JSON string
// has its line breaks as `\n` escapes, so those are skipped like the breaks themselves.
// Nothing when the block has RFC 1421 headers (an encrypted traditional key) or is not base64.
std::optional<std::string> PemDer(std::string_view inner) {
  std::string b64;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    char c = inner[i];
    if (c == '\\' && i + 1 < inner.size() &&
        (inner[i + 1] == 'n' || inner[i + 1] == 'r' || inner[i + 1] == '/')) {
      if (inner[i + 1] == '/') b64 += '/';
      ++i;
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      b64 += c;
    }
  }
  return Base64Decode(b64);
}

// Every PEM `-----BEGIN ... PRIVATE KEY-----` block of `text` replaced by its type and, when
// the block is complete, the SHA-256 of its DER. A block without its END line (the body
// ends inside it) is replaced up to the end, so no part of the key is ever kept.
std::string RedactPrivateKeys(std::string_view text) {
  static constexpr std::string_view kBegin = "-----BEGIN ";
  static constexpr std::string_view kDashes = "-----";
  static constexpr std::string_view kSuffix = "PRIVATE KEY";
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t begin = text.find(kBegin, pos);
    if (begin == std::string_view::npos) break;
    std::size_t label_at = begin + kBegin.size();
    std::size_t label_end = text.find(kDashes, label_at);
    std::string_view label = label_end == std::string_view::npos
                                 ? std::string_view()
                                 : text.substr(label_at, label_end - label_at);
    bool is_key = label.size() >= kSuffix.size() &&
                  label.substr(label.size() - kSuffix.size()) == kSuffix &&
                  label.find('\n') == std::string_view::npos;
    if (!is_key) {
      out.append(text.substr(pos, label_at - pos));
      pos = label_at;
      continue;
    }
    out.append(text.substr(pos, begin - pos));
    std::size_t inner_at = label_end + kDashes.size();
    std::string end_line = "-----END " + std::string(label) + "-----";
    std::size_t end = text.find(end_line, inner_at);
    // The type a traditional label names; PKCS#8 says it inside the DER.
    std::string type(label.substr(0, label.size() - kSuffix.size()));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    if (type == "ENCRYPTED") type = "encrypted";
    if (type == "OPENSSH") type = "OpenSSH";
    out += "[" + std::string(label) + " redacted: ";
    if (end == std::string_view::npos) {
      out += (type.empty() ? "" : type + ", ") + "cut off]";
      return out;
    }
    std::optional<std::string> der = PemDer(text.substr(inner_at, end - inner_at));
    if (type.empty()) type = der ? Pkcs8Algorithm(*der) : "unreadable";
    out += type;
    if (der) out += ", sha256 " + Sha256Hex(*der);
    out += "]";
    pos = end + end_line.size();
  }
  out.append(text.substr(pos));
  return out;
}

// `text` as valid UTF-8: every byte that does not belong to a well-formed sequence (a stray
// byte, an overlong form, a surrogate, or a character cut by the body preview) becomes
// U+FFFD, so the journal always serialises as JSON.
std::string ValidUtf8(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      unsigned char b = byte(i + k);
      ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    }
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out.append(kReplacement);
      ++i;
    }
  }
  return out;
}

}  // namespace

nlohmann::json JournalEntry::ToJson() const {
  nlohmann::json headers_json = nlohmann::json::array();
  for (const auto& [name, value] : headers) headers_json.push_back({name, value});
  nlohmann::json j = {{"seq", seq},
                      {"time", time},
                      {"method", method},
                      {"path", path},
                      {"query", query},
                      {"headers", headers_json},
                      {"body", body},
                      {"body_bytes", body_bytes},
                      {"body_sha256", body_sha256},
                      {"peer", peer},
                      {"status", status},
                      {"note", note}};
  if (!client_cert_sha256.empty()) {
    j["client_cert"] = {{"sha256", client_cert_sha256}, {"subject", client_cert_subject}};
  }
  return j;
}

Journal::Journal(std::size_t limit, const Redactor* redactor, const Clock* clock)
    : limit_(limit == 0 ? 1 : limit), redactor_(redactor), clock_(clock) {}

void Journal::Record(const ServerRequest& request, const ServerResponse& response,
                     std::string note) {
  JournalEntry e;
  e.time = FormatIso8601(clock_->Now());
  // Every stored string is valid UTF-8 so GET /__tollgate/journal never fails to serialise.
  e.method = ValidUtf8(request.method);
  e.path = ValidUtf8(redactor_->Redact(request.path));
  e.query = ValidUtf8(redactor_->Redact(request.query));
  for (const auto& [name, value] : request.headers.items()) {
    e.headers.emplace_back(ValidUtf8(name), ValidUtf8(redactor_->RedactHeader(name, value)));
  }
  e.body_bytes = request.body.size();
  e.body_sha256 = Sha256Hex(request.body);
  // Keys and secrets are cut from the body before the preview is taken, so one straddling
  // the preview's end is never partly visible; nor is a head of a secret the preview ends in.
  e.body = ValidUtf8(redactor_->RedactAndCut(RedactPrivateKeys(request.body), kBodyPreview));
  e.peer = ValidUtf8(request.peer_address);
  if (request.client_cert) {
    e.client_cert_sha256 = request.client_cert->sha256_fingerprint;
    e.client_cert_subject = ValidUtf8(request.client_cert->subject);
  }
  e.status = response.status;
  e.note = ValidUtf8(redactor_->Redact(RedactPrivateKeys(note)));
  std::lock_guard<std::mutex> lock(mu_);
  e.seq = ++seq_;
  // Serialised once here, so a read of the journal concatenates strings instead of building
  // (and dumping) a JSON tree of every entry each time.
  std::string json = e.ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  entries_.push_back(Stored{std::move(e), std::move(json)});
  while (entries_.size() > limit_) entries_.pop_front();
}

std::vector<JournalEntry> Journal::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JournalEntry> out;
  out.reserve(entries_.size());
  for (const Stored& s : entries_) out.push_back(s.entry);
  return out;
}

std::uint64_t Journal::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

nlohmann::json Journal::ToJson(const std::string& service) const {
  nlohmann::json entries = nlohmann::json::array();
  std::uint64_t total_seen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Stored& s : entries_) entries.push_back(s.entry.ToJson());
    total_seen = seq_;
  }
  return {{"service", service}, {"total", total_seen}, {"entries", entries}};
}

Journal::ReadSlot Journal::TryReadSlot() const {
  if (reads_in_flight_.fetch_add(1) >= kMaxConcurrentReads) {
    reads_in_flight_.fetch_sub(1);
    return ReadSlot();
  }
  return ReadSlot(&reads_in_flight_);
}

namespace {

ServerResponse JournalError(int status, const std::string& error, const std::string& text) {
  nlohmann::json body = {{"error", error}, {"error_description", text}};
  return ServerResponse::Json(status, body.dump());
}

// A decimal parameter of the journal query; nullopt when it is not a plain number.
std::optional<std::uint64_t> ParseCount(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

ServerResponse Journal::Serve(const std::string& service, const ServerRequest& request) const {
  std::uint64_t since = 0;
  std::uint64_t limit = 0;  // 0: as many as fit in kMaxReadBytes
  std::string_view query = request.query;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::optional<std::uint64_t> n = ParseCount(value);
    if (name == "since" && n) {
      since = *n;
    } else if (name == "limit" && n && *n > 0) {
      limit = *n;
    } else {
      // The parameter is not echoed: a query is not redacted here.
      return JournalError(400, "invalid_request",
                          "the journal takes since=SEQ (a number, default 0) and limit=N (a "
                          "number above 0); nothing else");
    }
  }
  ReadSlot slot = TryReadSlot();
  if (!slot) {
    ServerResponse busy = JournalError(
        503, "busy",
        std::to_string(kMaxConcurrentReads) + " journal reads are being served; retry in a second");
    busy.headers.Set("Retry-After", "1");
    return busy;
  }
  std::string out = "{\"entries\":[";
  std::uint64_t last_seq = since;
  std::uint64_t total_seen = 0;
  bool more = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    total_seen = seq_;
    std::size_t served = 0;
    std::size_t bytes = 0;
    for (const Stored& s : entries_) {
      if (s.entry.seq <= since) continue;
      if ((limit > 0 && served >= limit) || (served > 0 && bytes + s.json.size() > kMaxReadBytes)) {
        more = true;
        break;
      }
      if (served > 0) out += ',';
      out += s.json;
      bytes += s.json.size();
      ++served;
      last_seq = s.entry.seq;
    }
  }
  // The keys in the order nlohmann::json writes them, so the format is the one it always was.
  out += "],\"last_seq\":" + std::to_string(last_seq) + ",\"more\":" + (more ? "true" : "false") +
         ",\"service\":" +
         nlohmann::json(service).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         ",\"total\":" + std::to_string(total_seen) + "}";
  return ServerResponse::Json(200, out);
}

}  // namespace tollgate
