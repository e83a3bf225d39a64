#include "tollgate/mocks/journal.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/resource.h>

#include <memory>
#include <set>
#include <thread>

#include "tollgate/base/digest.h"
#include "tollgate/base/encoding.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/mocks/service.h"
#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

constexpr char kFffd[] = "\xEF\xBF\xBD";

// A fresh P-256 key, as PEM (PKCS#8 or the traditional EC form) with its DER.
struct TestKey {
  std::string pem;
  std::string der;
};

TestKey MakeEcKey(bool traditional) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  EXPECT_NE(key, nullptr);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  TestKey out;
  unsigned char* der = nullptr;
  int len = 0;
  if (traditional) {
    PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr);
    len = i2d_PrivateKey(key.get(), &der);
  } else {
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key.get());
    len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    PKCS8_PRIV_KEY_INFO_free(p8);
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  out.pem.assign(data, static_cast<std::size_t>(size));
  EXPECT_GT(len, 0);
  out.der.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

// The base64 lines of a PEM block (no BEGIN/END line).
std::vector<std::string> KeyLines(const std::string& pem) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < pem.size()) {
    std::size_t nl = pem.find('\n', pos);
    std::string line = pem.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty() && line.rfind("-----", 0) != 0) lines.push_back(line);
    pos = nl == std::string::npos ? pem.size() : nl + 1;
  }
  return lines;
}

JournalEntry RecordBody(const std::string& body, const std::string& note = "") {
  ManualClock clock;
  Redactor redactor;
  Journal journal(10, &redactor, &clock);
  ServerRequest req;
  req.method = "POST";
  req.path = "/onboarding";
  req.body = body;
  journal.Record(req, ServerResponse::Text(201, ""), note);
  auto entries = journal.Snapshot();
  EXPECT_EQ(entries.size(), 1u);
  // Whatever was received, the journal serialises.
  EXPECT_NO_THROW(journal.ToJson("connectpay").dump());
  return entries.empty() ? JournalEntry{} : entries[0];
}

TEST(Journal, RedactsSecretsAndAuthorizationBeforeStoring) {
  ManualClock clock;
  Redactor redactor;
  redactor.AddSecret("EasyBanking");
  Journal journal(10, &redactor, &clock);
  ServerRequest req;
  req.method = "POST";
  req.path = "/hook";
  req.query = "token=EasyBanking";
  req.headers.Add("Authorization", "Basic Q29ubmVjdFBheTpFYXN5QmFua2luZw==");
  req.headers.Add("X-Note", "EasyBanking in a header");
  req.body = R"({"secret":"EasyBanking"})";
  journal.Record(req, ServerResponse::Text(200, "ok"), "accepted EasyBanking");
  std::string dumped = journal.ToJson("sink").dump();
  EXPECT_EQ(dumped.find("EasyBanking"), std::string::npos) << dumped;
  EXPECT_EQ(dumped.find("Q29ubmVjdFBheTpFYXN5QmFua2luZw=="), std::string::npos) << dumped;
  auto entries = journal.Snapshot();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].headers[0].second, "Basic ***");
  EXPECT_EQ(entries[0].body, R"({"secret":"***"})");
  EXPECT_EQ(entries[0].body_bytes, req.body.size());
  EXPECT_EQ(entries[0].status, 200);
  EXPECT_EQ(entries[0].time, "2023-11-14T22:13:20.000Z");  // the shared clock, not the wall
}

TEST(Journal, IsBoundedAndKeepsCountingAfterEviction) {
  ManualClock clock;
  Redactor redactor;
  Journal journal(3, &redactor, &clock);
  for (int i = 0; i < 5; ++i) {
    ServerRequest req;
    req.path = "/" + std::to_string(i);
    journal.Record(req, ServerResponse::Text(200, ""), "");
  }
  auto entries = journal.Snapshot();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries.front().path, "/2");
  EXPECT_EQ(entries.front().seq, 3u);
  EXPECT_EQ(journal.total(), 5u);
}

TEST(Journal, InvalidUtf8InAHeaderIsReplacedSoTheJournalStillServes) {
  ManualClock clock;
  Redactor redactor;
  Journal journal(10, &redactor, &clock);
  ServerRequest req;
  req.method = "GET";
  req.path = "/caf\xE9";
  req.headers.Add("X-Name", "caf\xE9 ok");
  journal.Record(req, ServerResponse::Text(200, ""), "");
  std::string dumped;
  ASSERT_NO_THROW(dumped = journal.ToJson("api").dump());
  auto entries = journal.Snapshot();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].headers[0].second, std::string("caf") + kFffd + " ok");
  EXPECT_EQ(entries[0].path, std::string("/caf") + kFffd);
}

TEST(Journal, ACharacterCutByThePreviewIsReplaced) {
  // "é" is two bytes; the preview keeps only the first.
  std::string body = std::string(Journal::kBodyPreview - 1, 'a') + "\xC3\xA9 and more";
  JournalEntry e = RecordBody(body);
  EXPECT_EQ(e.body, std::string(Journal::kBodyPreview - 1, 'a') + kFffd);
  EXPECT_EQ(e.body_bytes, body.size());
  EXPECT_EQ(e.body_sha256, Sha256Hex(body));  // of what was received, not of the preview
}

TEST(Journal, OnlyWellFormedUtf8IsKept) {
  // Kept: é, €, an emoji. Replaced byte by byte: an overlong '/', a surrogate, a stray
  // continuation byte, a code point above U+10FFFF.
  JournalEntry e = RecordBody(
      "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80|\xC0\xAF|\xED\xA0\x80|\x80|\xF4\x90\x80\x80");
  std::string r = kFffd;
  EXPECT_EQ(e.body, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80|" + r + r + "|" + r + r + r + "|" + r +
                        "|" + r + r + r + r);
}

TEST(Journal, APkcs8PrivateKeyIsReplacedByItsTypeAndFingerprint) {
  TestKey key = MakeEcKey(false);
  JournalEntry e = RecordBody("bundle:\n" + key.pem + "tail\n", "got " + key.pem);
  std::string marker = "[PRIVATE KEY redacted: EC, sha256 " + Sha256Hex(key.der) + "]";
  EXPECT_EQ(e.body, "bundle:\n" + marker + "\ntail\n");
  EXPECT_EQ(e.note, "got " + marker + "\n");
}

TEST(Journal, ATraditionalEcKeyIsReplacedByItsTypeAndFingerprint) {
  TestKey key = MakeEcKey(true);
  ASSERT_NE(key.pem.find("BEGIN EC PRIVATE KEY"), std::string::npos);
  JournalEntry e = RecordBody(key.pem);
  EXPECT_EQ(e.body, "[EC PRIVATE KEY redacted: EC, sha256 " + Sha256Hex(key.der) + "]\n");
}

TEST(Journal, AKeyInsideAJsonStringIsReplaced) {
  TestKey key = MakeEcKey(false);
  std::string body = nlohmann::json({{"key", key.pem}}).dump();
  ASSERT_NE(body.find("\\n"), std::string::npos);  // the line breaks are JSON escapes
  JournalEntry e = RecordBody(body);
  EXPECT_EQ(e.body,
            R"({"key":"[PRIVATE KEY redacted: EC, sha256 )" + Sha256Hex(key.der) + R"(]\n"})");
}

TEST(Journal, AKeyStraddlingThePreviewIsNeverPartlyVisible) {
  TestKey key = MakeEcKey(false);
  std::vector<std::string> lines = KeyLines(key.pem);
  ASSERT_GE(lines.size(), 2u);
  // The BEGIN line and the first base64 line fit in the preview; the rest does not.
  std::size_t before = Journal::kBodyPreview - (key.pem.find('\n') + 1 + lines[0].size() + 1);
  std::string body = std::string(before, 'x') + key.pem + std::string(1000, 'y');
  JournalEntry e = RecordBody(body);
  EXPECT_EQ(e.body.find("BEGIN"), std::string::npos) << e.body.substr(before);
  for (const std::string& line : lines) {
    EXPECT_EQ(e.body.find(line.substr(0, 16)), std::string::npos) << line;
  }
  EXPECT_EQ(e.body.substr(before, 35),
            "[PRIVATE KEY redacted: EC, sha256 " + Sha256Hex(key.der).substr(0, 1));
}

TEST(Journal, AKeyCutOffBeforeItsEndLineIsRemovedToTheEnd) {
  TestKey key = MakeEcKey(true);
  std::string cut = key.pem.substr(0, key.pem.size() / 2 + 20);
  JournalEntry e = RecordBody("head " + cut);
  EXPECT_EQ(e.body, "head [EC PRIVATE KEY redacted: EC, cut off]");
  TestKey pkcs8 = MakeEcKey(false);
  EXPECT_EQ(RecordBody(pkcs8.pem.substr(0, 60)).body, "[PRIVATE KEY redacted: cut off]");
}

TEST(Journal, OtherPemBlocksAreKept) {
  std::string cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(RecordBody(cert).body, cert);
}

TEST(Journal, ServesInvalidUtf8AndNoKeyOverHttp) {
  RegisterMockKinds();  // the kinds' schemas, for the loader
  Diagnostics diags;
  auto model =
      ParseEnvironment("environment: journal-test\nservices:\n  api:\n    kind: receiver\n",
                       "mocks/journal-test.yaml", diags);
  ASSERT_TRUE(model.has_value());
  OffsetClock clock;
  Redactor redactor;
  MockEnvironment env(*model, &clock, &redactor);
  ASSERT_TRUE(env.Start().ok());
  HttpClient client;
  TestKey key = MakeEcKey(false);
  ClientRequest post;
  post.method = "POST";
  post.url = env.Url("api") + "/hook";
  post.headers = {{"X-Name", "caf\xE9"}};
  post.body = std::string(Journal::kBodyPreview - 100, 'a') + key.pem + "\xC3";
  post.timeout = std::chrono::milliseconds(3000);
  ASSERT_TRUE(client.Send(post).ok());
  ClientRequest get;
  get.url = env.Url("api") + "/__tollgate/journal";
  get.timeout = std::chrono::milliseconds(3000);
  auto res = client.Send(get);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body.find("BEGIN"), std::string::npos) << res->body;
  for (const std::string& line : KeyLines(key.pem)) {
    EXPECT_EQ(res->body.find(line.substr(0, 16)), std::string::npos) << line;
  }
  auto journal = nlohmann::json::parse(res->body, nullptr, false);
  ASSERT_FALSE(journal.is_discarded()) << res->body;
  bool seen = false;
  for (const auto& entry : journal["entries"]) {
    if (entry["path"] != "/hook") continue;
    seen = true;
    EXPECT_NE(entry["body"].get<std::string>().find("[PRIVATE KEY redacted: EC, sha256 " +
                                                    Sha256Hex(key.der) + "]"),
              std::string::npos);
    EXPECT_NE(entry.dump().find(std::string("caf") + kFffd), std::string::npos) << entry.dump();
  }
  EXPECT_TRUE(seen) << res->body;
}

// A request as the journal tests record it.
ServerRequest Post(const std::string& path, const std::string& body) {
  ServerRequest req;
  req.method = "POST";
  req.path = path;
  req.body = body;
  return req;
}

ServerRequest JournalGet(const std::string& query) {
  ServerRequest req;
  req.method = "GET";
  req.path = "/__tollgate/journal";
  req.query = query;
  return req;
}

// The biggest preview a body can give (every control byte becomes six bytes of JSON), with a
// two-byte character cut by the preview's end.
std::string HeavyBody() {
  return std::string(1000, '\x01') + std::string(Journal::kBodyPreview - 1001, 'x') + "\xC3\xA9" +
         std::string(100, 'y');
}

TEST(Journal, ServeKeepsTheFormatAndSaysWhereToGoOn) {
  ManualClock clock;
  Redactor redactor;
  Journal journal(10, &redactor, &clock);
  for (int i = 0; i < 3; ++i) journal.Record(Post("/p" + std::to_string(i), "b"), {}, "n");
  ServerResponse all = journal.Serve("sink", JournalGet(""));
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.headers.Get("Content-Type").value_or(""), "application/json");
  nlohmann::json served = nlohmann::json::parse(all.body);
  EXPECT_EQ(served["last_seq"], 3);
  EXPECT_EQ(served["more"], false);
  served.erase("last_seq");
  served.erase("more");
  // Byte for byte what a JSON tree of the journal would have given.
  EXPECT_EQ(served.dump(), journal.ToJson("sink").dump());
  nlohmann::json page = nlohmann::json::parse(journal.Serve("sink", JournalGet("limit=2")).body);
  ASSERT_EQ(page["entries"].size(), 2u);
  EXPECT_EQ(page["entries"][1]["path"], "/p1");
  EXPECT_EQ(page["last_seq"], 2);
  EXPECT_EQ(page["more"], true);
  EXPECT_EQ(page["total"], 3);
  page = nlohmann::json::parse(journal.Serve("sink", JournalGet("since=2&limit=2")).body);
  ASSERT_EQ(page["entries"].size(), 1u);
  EXPECT_EQ(page["entries"][0]["seq"], 3);
  EXPECT_EQ(page["more"], false);
  page = nlohmann::json::parse(journal.Serve("sink", JournalGet("since=3")).body);
  EXPECT_TRUE(page["entries"].empty());
  EXPECT_EQ(page["last_seq"], 3);
}

TEST(Journal, ServeRefusesParametersItDoesNotKnow) {
  ManualClock clock;
  Redactor redactor;
  Journal journal(10, &redactor, &clock);
  for (const std::string q : {"since=-1", "since=x", "limit=0", "limit=", "lmit=2", "since=1e3"}) {
    ServerResponse r = journal.Serve("sink", JournalGet(q));
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_EQ(nlohmann::json::parse(r.body)["error"], "invalid_request") << q;
  }
}

TEST(Journal, ReadsBeyondTheCapAreToldToComeBack) {
  ManualClock clock;
  Redactor redactor;
  Journal journal(10, &redactor, &clock);
  journal.Record(Post("/p", "b"), {}, "");
  std::vector<Journal::ReadSlot> held;
  for (int i = 0; i < Journal::kMaxConcurrentReads; ++i) {
    held.push_back(journal.TryReadSlot());
    ASSERT_TRUE(held.back());
  }
  EXPECT_FALSE(journal.TryReadSlot());
  ServerResponse busy = journal.Serve("sink", JournalGet(""));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.headers.Get("Retry-After").value_or(""), "1");
  EXPECT_EQ(nlohmann::json::parse(busy.body)["error"], "busy");
  held.pop_back();  // one read ends: the next is served
  EXPECT_EQ(journal.Serve("sink", JournalGet("")).status, 200);
  held.clear();
  std::vector<Journal::ReadSlot> again;
  for (int i = 0; i < Journal::kMaxConcurrentReads; ++i) again.push_back(journal.TryReadSlot());
  for (const auto& slot : again) EXPECT_TRUE(slot);  // every slot came back
}

TEST(Journal, AFullJournalIsServedInBoundedValidPages) {
  ManualClock clock;
  Redactor redactor;
  Journal journal(1000, &redactor, &clock);
  ServerRequest req = Post("/hook", HeavyBody());
  req.headers.Add("X-Name", "caf\xE9");  // not UTF-8
  for (int i = 0; i < 1000; ++i) journal.Record(req, ServerResponse::Text(200, ""), "");
  std::uint64_t since = 0;
  std::set<std::uint64_t> seen;
  int pages = 0;
  while (true) {
    ServerResponse r = journal.Serve("sink", JournalGet("since=" + std::to_string(since)));
    ASSERT_EQ(r.status, 200);
    // The budget, plus the one entry that may cross it.
    EXPECT_LE(r.body.size(), Journal::kMaxReadBytes + 16 * 1024) << "page " << pages;
    nlohmann::json page = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_FALSE(page.is_discarded()) << "page " << pages << " is not JSON";
    for (const auto& e : page["entries"]) {
      EXPECT_TRUE(seen.insert(e["seq"].get<std::uint64_t>()).second);
      EXPECT_EQ(e["headers"][0][1], std::string("caf") + kFffd);
      const std::string body = e["body"];
      EXPECT_EQ(body.substr(body.size() - 3), kFffd);  // the cut character
    }
    ++pages;
    if (!page["more"].get<bool>()) break;
    since = page["last_seq"];
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GT(pages, 10);
}

TEST(Journal, ASecretAcrossThePreviewsEndLeavesNoHead) {
  ManualClock clock;
  Redactor redactor;
  const std::string secret = "client-secret-0123456789";
  redactor.AddSecret(secret);
  Journal journal(10, &redactor, &clock);
  for (std::size_t before : {std::size_t{3}, std::size_t{12}, secret.size() - 1}) {
    const std::string head = secret.substr(0, before);
    journal.Record(Post("/raw", std::string(Journal::kBodyPreview - before, 'a') + secret + "&z"),
                   {}, "");
    // Fully percent-encoded, the cut can fall inside an escape.
    std::string pct = "s=";
    for (char c : secret) pct += "%" + HexEncode(std::string(1, c));
    journal.Record(Post("/pct", std::string(Journal::kBodyPreview - 3 * before, 'a') + pct), {},
                   "");
    journal.Record(Post("/pct", std::string(Journal::kBodyPreview - 3 * before + 1, 'a') + pct), {},
                   "");
    for (const JournalEntry& e : journal.Snapshot()) {
      EXPECT_EQ(e.body.find(head), std::string::npos) << e.path << " keeps " << head;
      EXPECT_EQ(e.body.find(secret.substr(0, 3)), std::string::npos) << e.path << ": " << e.body;
      EXPECT_EQ(e.body.find("%63%6c%69"), std::string::npos) << e.path << ": " << e.body;
      EXPECT_LE(e.body.size(), Journal::kBodyPreview + 3);
    }
  }
}

// Many clients reading a full journal of heavy previews at once: each read is a bounded
// page, so memory grows by pages, not by whole journals.
TEST(Journal, ManyConcurrentReadsOverHttpStayBounded) {
  RegisterMockKinds();  // the kinds' schemas, for the loader
  Diagnostics diags;
  auto model =
      ParseEnvironment("environment: journal-test\nservices:\n  api:\n    kind: receiver\n",
                       "mocks/journal-test.yaml", diags);
  ASSERT_TRUE(model.has_value());
  OffsetClock clock;
  Redactor redactor;
  MockEnvironment env(*model, &clock, &redactor);
  ASSERT_TRUE(env.Start().ok());
  HttpClient client;
  ClientRequest post;
  post.method = "POST";
  post.url = env.Url("api") + "/hook";
  post.headers = {{"X-Name", "caf\xE9"}};
  post.body = HeavyBody();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(client.Send(post).ok()) << i;
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  constexpr int kReaders = 40;
  std::vector<std::string> bodies(kReaders);
  std::vector<int> statuses(kReaders, 0);
  std::vector<std::string> retry(kReaders);
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      HttpClient own;
      ClientRequest get;
      get.url = env.Url("api") + "/__tollgate/journal";
      get.timeout = std::chrono::milliseconds(20000);
      auto res = own.Send(get);
      if (!res.ok()) return;
      statuses[i] = res->status;
      retry[i] = res->headers.Get("Retry-After").value_or("");
      bodies[i] = std::move(res->body);  // all held at once, as the clients hold them
    });
  }
  for (std::thread& t : readers) t.join();
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  // A whole journal is about 9 MB here, so 40 of them would be 360 MB; pages are 0.5 MB.
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 128 * 1024) << "KB grown";
  for (int i = 0; i < kReaders; ++i) {
    ASSERT_TRUE(statuses[i] == 200 || statuses[i] == 503) << i << ": " << statuses[i];
    if (statuses[i] == 503) {
      EXPECT_EQ(retry[i], "1");
      continue;
    }
    EXPECT_LE(bodies[i].size(), Journal::kMaxReadBytes + 16 * 1024);
    nlohmann::json page = nlohmann::json::parse(bodies[i], nullptr, false);
    ASSERT_FALSE(page.is_discarded()) << i;
    EXPECT_EQ(page["more"], true);
    EXPECT_EQ(page["total"], 1000);
    EXPECT_EQ(page["entries"][0]["headers"].dump().find("\\u00e9"), std::string::npos);
  }
}

}  // namespace
}  // namespace tollgate
