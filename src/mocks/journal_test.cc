#include "tollgate/mocks/journal.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "tollgate/base/digest.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/environment.h"
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

}  // namespace
}  // namespace tollgate
