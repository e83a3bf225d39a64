// Every secret a run knows (a --secret, a mock's client secret, a webhook secret), sent in
// every encoding through every step kind (tests/e2e/secrets-everywhere), and every output
// grepped for any form of it: console, JUnit, JSON, HTML, the evidence bundle, and the mock
// journals as GET /__tollgate/journal serves them.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/binary_test.h"
#include "tollgate/base/encoding.h"
#include "tollgate/http/client.h"
#include "tollgate/mocks/journal.h"

namespace tollgate::testing {
namespace {

struct Secret {
  std::string name;  // SE_<name>_<form> in the suite's environment
  std::string value;
};

// A plain one; one with a quote, a backslash, a tab, a control character, '+', '/', a
// space, a non-ASCII character and what a query string reserves; and two the mocks know.
const std::vector<Secret>& Secrets() {
  static const std::vector<Secret> kSecrets = {
      {"PLAIN", "tg-Plain-Secret-Value-0123456789"},
      {"ODD",
       "pa\"ss\\w\tor\x01"
       "d+/ \xC3\xA9?&=%!-odd"},
      {"CLIENT", "Client-Secret-Of-The-Mock-42"},
      {"HOOK", "whsec_Hook-Secret-Of-The-Mock-77"},
  };
  return kSecrets;
}

// Percent-encoding with lower-case hex digits.
std::string LowerHex(std::string pct) {
  for (std::size_t i = 0; i + 2 < pct.size(); ++i) {
    if (pct[i] != '%') continue;
    for (std::size_t k = i + 1; k <= i + 2; ++k) {
      pct[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(pct[k])));
    }
  }
  return pct;
}

std::string FullPercent(const std::string& s, bool lower) {
  const char* hex = lower ? "0123456789abcdef" : "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) out += std::string("%") + hex[c >> 4] + hex[c & 15];
  return out;
}

// JSON with every ASCII byte as a \u escape (a serialiser that escapes everything).
std::string JsonU(const std::string& s) {
  std::string out;
  char buf[8];
  for (unsigned char c : s) {
    if (c < 0x80) {
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Every form a secret travels in, by name.
std::vector<std::pair<std::string, std::string>> Forms(const std::string& s) {
  std::string pct = PercentEncode(s);
  std::string form = pct;
  for (std::size_t at; (at = form.find("%20")) != std::string::npos;) form.replace(at, 3, "+");
  std::string json = nlohmann::json(s).dump();
  std::string json_u_in_json = nlohmann::json(JsonU(s)).dump();
  return {
      {"raw", s},
      {"b64", Base64Encode(s)},
      {"b64url", Base64UrlEncode(s)},
      {"pct", pct},
      {"pct_lower", LowerHex(pct)},
      {"pct_full_upper", FullPercent(s, false)},
      {"pct_full_lower", FullPercent(s, true)},
      {"form", form},
      {"json", json.substr(1, json.size() - 2)},
      {"json_u", JsonU(s)},
      // JSON text inside a JSON string: every escape's backslash doubled.
      {"json_u in json", json_u_in_json.substr(1, json_u_in_json.size() - 2)},
      // Inside longer base64 text (a minted token's claims, Basic with a user name) the
      // secret starts at byte offset 1 or 2 of a group: the characters of its bits alone.
      {"b64 at +0", Base64Encode(s).substr(0, (8 * s.size()) / 6)},
      {"b64url at +0", Base64UrlEncode(s).substr(0, (8 * s.size()) / 6)},
      {"b64 at +1", Base64Encode(std::string(1, '\0') + s).substr(2, (8 * (1 + s.size())) / 6 - 2)},
      {"b64 at +2", Base64Encode(std::string(2, '\0') + s).substr(3, (8 * (2 + s.size())) / 6 - 3)},
      {"b64url at +1",
       Base64UrlEncode(std::string(1, '\0') + s).substr(2, (8 * (1 + s.size())) / 6 - 2)},
      {"b64url at +2",
       Base64UrlEncode(std::string(2, '\0') + s).substr(3, (8 * (2 + s.size())) / 6 - 3)}};
}

// `value` as one shell word.
std::string Quoted(const std::string& value) { return "'" + value + "'"; }

// The environment of a run: every form of every secret, as SE_<secret>_<form>.
std::string FormsEnv() {
  std::string env;
  for (const Secret& s : Secrets()) {
    for (const auto& [form, text] : Forms(s.value)) {
      if (form.find(' ') != std::string::npos) continue;  // what a step makes, not sends
      env += "SE_" + s.name + "_" + form + "=" + Quoted(text) + " ";
    }
  }
  return env + "SE_CLIENT=" + Quoted(Secrets()[2].value) + " SE_HOOK=" + Quoted(Secrets()[3].value);
}

// The first leak of any secret of `secrets` in `text`: any form of the whole secret, or of its
// first 12 bytes (a head cut off at a preview's end is a leak too); "" when there is none.
std::string FindLeak(const std::string& text, const std::vector<Secret>& secrets) {
  for (const Secret& s : secrets) {
    for (const auto& [form, encoded] : Forms(s.value)) {
      if (text.find(encoded) != std::string::npos) return s.name + " as " + form;
    }
    // 12 bytes: a multiple of 3, so the base64 of the head is a prefix of the secret's.
    for (const auto& [form, encoded] : Forms(s.value.substr(0, 12))) {
      if (text.find(encoded) != std::string::npos) {
        return "the first 12 bytes of " + s.name + " as " + form;
      }
    }
  }
  return "";
}

class SecretsEverywhere : public BinaryTest {
 protected:
  SecretsEverywhere() : BinaryTest("tollgate-secrets-everywhere-") {}
};

// Every output of a run of every step kind.
TEST_F(SecretsEverywhere, NoOutputOfARunHoldsAnyFormOfASecret) {
  const Secret& plain = Secrets()[0];
  const Secret& odd = Secrets()[1];
  const std::filesystem::path evidence = tmp_ / "evidence";
  ExecResult r = Exec(
      "run tests/e2e/secrets-everywhere/suite.yaml --env tests/e2e/secrets-everywhere/env.yaml "
      "-v --secret " +
          Quoted("plain=" + plain.value) + " --secret " + Quoted("odd=" + odd.value) + " --junit " +
          (tmp_ / "junit.xml").string() + " --json " + (tmp_ / "results.json").string() +
          " --html " + (tmp_ / "report.html").string() + " --evidence " + evidence.string(),
      FormsEnv());
  // Expectations fail on purpose (so transcripts print) and some steps are errors.
  ASSERT_TRUE(r.exit == 3 || r.exit == 4) << r.exit << "\n" << r.out << r.err;
  std::vector<std::pair<std::string, std::string>> outputs = {
      {"stdout", r.out},
      {"stderr", r.err},
      {"JUnit", Slurp(tmp_ / "junit.xml")},
      {"JSON report", Slurp(tmp_ / "results.json")},
      {"HTML report", Slurp(tmp_ / "report.html")}};
  ASSERT_TRUE(std::filesystem::is_directory(evidence)) << r.err;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(evidence)) {
    if (!entry.is_regular_file()) continue;
    outputs.emplace_back("evidence " + std::filesystem::relative(entry.path(), evidence).string(),
                         Slurp(entry.path()));
  }
  // The run did what the suite says: every scenario ran and transcripts were printed.
  nlohmann::json results = nlohmann::json::parse(outputs[3].second);
  ASSERT_EQ(results["suites"][0]["cases"].size(), 11u) << outputs[3].second;
  for (const auto& c : results["suites"][0]["cases"]) {
    EXPECT_NE(c["verdict"], "pass") << c["id"] << " was meant to fail and show what it sent";
  }
  EXPECT_NE(outputs[2].second.find("***"), std::string::npos);
  // Bodies were cut (transcript and evidence), so the cuts were exercised.
  EXPECT_NE(outputs[3].second.find("[truncated]"), std::string::npos);
  EXPECT_NE(outputs[2].second.find("&gt; POST"), std::string::npos) << "no transcript in JUnit";
  for (const auto& [name, text] : outputs) {
    if (name != "stderr") EXPECT_FALSE(text.empty()) << name << " is empty";
    std::string leak = FindLeak(text, Secrets());
    EXPECT_EQ(leak, "") << name << " holds " << leak;
  }
}

// Starts `tollgate mocks up ENV` with the mocks' own secrets in its environment; its ready
// line (one JSON line) is read back.
pid_t StartMocks(const std::filesystem::path& out, std::string& ready) {
  pid_t pid = fork();
  if (pid == 0) {
    if (std::freopen(out.c_str(), "w", stdout) == nullptr) _exit(126);
    setenv("SE_CLIENT", Secrets()[2].value.c_str(), 1);
    setenv("SE_HOOK", Secrets()[3].value.c_str(), 1);
    execl(TOLLGATE_BINARY, TOLLGATE_BINARY, "mocks", "up", "tests/e2e/secrets-everywhere/env.yaml",
          nullptr);
    _exit(127);
  }
  for (int i = 0; pid > 0 && i < 250 && ready.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a child's output
    std::ifstream in(out);
    std::getline(in, ready);
  }
  return pid;
}

// The journals as served: a mock started on its own knows only its own secrets (a client
// secret, a webhook secret), so those are what its journal must never show, in any form,
// wherever a request carried them, a head cut by the body preview included.
TEST_F(SecretsEverywhere, NoMockJournalServesAnyFormOfItsSecrets) {
  std::string line;
  pid_t pid = StartMocks(tmp_ / "ready", line);
  ASSERT_GT(pid, 0);
  ASSERT_FALSE(line.empty()) << "no ready line";
  nlohmann::json ready = nlohmann::json::parse(line);
  const std::vector<Secret> known = {Secrets()[2], Secrets()[3]};
  HttpClient client;
  for (const std::string service : {"sink", "hooks", "idp"}) {
    const std::string url = ready["services"][service]["url"];
    for (const Secret& s : known) {
      for (const auto& [form, text] : Forms(s.value)) {
        ClientRequest q;
        q.method = "POST";
        // A URL takes the percent-encoded forms as they are, the others percent-encoded.
        bool url_safe = form.rfind("pct", 0) == 0 || form == "form" || form == "b64url";
        q.url = url + (service == "idp" ? "/token" : "/in") +
                "?f=" + (url_safe ? text : FullPercent(text, false));
        q.headers = {{"X-Form", text}, {"Content-Type", "application/x-www-form-urlencoded"}};
        q.body =
            "grant_type=client_credentials&client_id=app1&client_secret=" + text + "&v=" + text;
        ASSERT_TRUE(client.Send(q).ok()) << service << " " << form;
        // Across the preview's end, just after the first 12 bytes of the secret in this form:
        // if the preview were cut before it is redacted, that head would show.
        std::size_t head = 0;
        for (const auto& [f, t] : Forms(s.value.substr(0, 12))) {
          if (f == form) head = t.size();
        }
        q.body = std::string(Journal::kBodyPreview - head, 'x') + text;
        ASSERT_TRUE(client.Send(q).ok()) << service << " " << form;
      }
    }
    std::uint64_t since = 0;
    for (int page = 0; page < 100; ++page) {
      ClientRequest get;
      get.url = url + "/__tollgate/journal?since=" + std::to_string(since);
      auto res = client.Send(get);
      ASSERT_TRUE(res.ok()) << res.status().ToString();
      ASSERT_EQ(res->status, 200) << res->body;
      std::string leak = FindLeak(res->body, known);
      EXPECT_EQ(leak, "") << "the journal of " << service << " (page " << page << ") holds "
                          << leak;
      nlohmann::json j = nlohmann::json::parse(res->body);
      if (page == 0) EXPECT_GE(j["entries"].size(), 1u);
      if (!j["more"].get<bool>()) break;
      since = j["last_seq"];
    }
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
}

}  // namespace
}  // namespace tollgate::testing
