// The curl command that reproduces a recorded request. Evidence is redacted before the
// report sees it, so a masked value ("***") cannot be put back: it becomes a shell
// variable the reader sets, named after where it stood (`client_secret=***` ->
// "$CLIENT_SECRET"), and the command says which variables it needs.
// Written by hand: no Debian library quotes for the shell, and the rules are short.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "report/html_parts.h"
#include "report/text.h"
#include "tollgate/base/redact.h"

namespace tollgate::report {
namespace {

using Json = nlohmann::json;

// Names a reader's shell already uses: a derived name that hits one gets a prefix, so
// setting it cannot break the shell (`path=***` must not become $PATH).
bool ShellOwned(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kOwned = {
      "PATH", "HOME", "USER", "PWD", "OLDPWD", "SHELL",    "IFS",    "PS1",
      "PS2",  "TERM", "LANG", "UID", "EUID",   "HOSTNAME", "RANDOM", "SECONDS"};
  return std::find(kOwned.begin(), kOwned.end(), name) != kOwned.end();
}

// `raw` as a shell variable name: upper case, every other character an underscore.
std::string VariableName(std::string_view raw) {
  std::string name;
  for (char c : raw) {
    const bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (alnum) {
      name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) || ShellOwned(name)) {
    name = "TOLLGATE_" + name;
    while (name.back() == '_') name.pop_back();
  }
  return name;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsFieldChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

// The name of the field a mask at `pos` is the value of: a form or query field
// (`name=***`) or a JSON member (`"name": "***"`). Empty when there is none.
std::string FieldBefore(std::string_view text, std::size_t pos) {
  std::size_t i = pos;
  if (i > 0 && text[i - 1] == '"') {
    --i;
    while (i > 0 && text[i - 1] == ' ') --i;
    if (i == 0 || text[i - 1] != ':') return "";
    --i;
    while (i > 0 && text[i - 1] == ' ') --i;
    if (i == 0 || text[i - 1] != '"') return "";
    const std::size_t end = --i;
    while (i > 0 && text[i - 1] != '"') --i;
    return std::string(text.substr(i, end - i));
  }
  if (i > 0 && text[i - 1] == '=') {
    const std::size_t end = --i;
    while (i > 0 && IsFieldChar(text[i - 1])) --i;
    return std::string(text.substr(i, end - i));
  }
  return "";
}

// One shell word, built of literal text and variables.
class Word {
 public:
  void Literal(std::string_view text) {
    if (text.empty()) return;
    if (!parts_.empty() && !parts_.back().second) {
      parts_.back().first += text;  // one quoted run reads better than 'a''b'
    } else {
      parts_.push_back({std::string(text), false});
    }
  }
  void Variable(const std::string& name) { parts_.push_back({name, true}); }
  void Append(const Word& more) {
    for (const auto& [text, variable] : more.parts_) {
      if (variable) {
        Variable(text);
      } else {
        Literal(text);
      }
    }
  }

  std::string Quoted() const {
    std::string out;
    for (const auto& [text, variable] : parts_) {
      out += variable ? "\"$" + text + "\"" : ShellQuote(text);
    }
    return out.empty() ? "''" : out;
  }

 private:
  std::vector<std::pair<std::string, bool>> parts_;
};

class Builder {
 public:
  /// `decoded`: the record decodes the request's bearer token, so the reader can tell
  /// which token to set.
  Builder(CurlCommand* out, bool decoded) : out_(out), decoded_(decoded) {}

  // `text` with each mask replaced by a variable named after its field, else `fallback`.
  Word Masked(std::string_view text, const std::string& fallback, const std::string& what) {
    Word w;
    std::size_t from = 0;
    for (std::size_t at = text.find(kRedacted); at != std::string_view::npos;
         at = text.find(kRedacted, from)) {
      w.Literal(text.substr(from, at - from));
      const std::string field = FieldBefore(text, at);
      const std::string name = field.empty() ? fallback : VariableName(field);
      w.Variable(name);
      Need(name, field.empty() ? what : fmt::format("the value of `{}`", field));
      from = at + kRedacted.size();
    }
    w.Literal(text.substr(from));
    return w;
  }

  // A header as `-H` wants it. A secret header (Authorization, Cookie, ...) never keeps its
  // value: its scheme stays and the rest is a variable, whatever the redactor left.
  Word Header(const std::string& name, const std::string& value) {
    Word w;
    if (value.empty()) {  // `-H 'Name:'` would remove curl's own header, `Name;` sends it empty
      w.Literal(name + ";");
      return w;
    }
    if (!Redactor::IsSecretHeader(name)) {
      w.Literal(name + ": ");
      w.Append(Masked(value, VariableName(name), fmt::format("the {} header", name)));
      return w;
    }
    const std::size_t space = value.find(' ');
    const std::string scheme = space == std::string::npos ? "" : value.substr(0, space);
    const std::string variable = VariableName("tollgate_" + (scheme.empty() ? name : scheme));
    w.Literal(name + ": " + (scheme.empty() ? "" : scheme + " "));
    w.Variable(variable);
    std::string what = fmt::format("the {} credentials", name);
    if (IEquals(scheme, "Bearer")) {
      what = decoded_ ? "the bearer token that was sent: its header and claims are decoded below"
                      : "the bearer token that was sent";
    }
    if (IEquals(scheme, "Basic")) what = "base64 of `client_id:client_secret`";
    Need(variable, what);
    return w;
  }

  void Need(const std::string& name, const std::string& what) {
    for (const auto& [n, w] : out_->variables) {
      if (n == name) return;
    }
    out_->variables.emplace_back(name, what);
  }

 private:
  CurlCommand* out_;  // borrowed for the builder's life
  bool decoded_;
};

}  // namespace

std::string ShellQuote(std::string_view text) {
  // Single quotes keep every byte as it is, except the quote itself and bytes a reader
  // could not copy out of a page (controls, invalid UTF-8): those words use $'...' with
  // escapes, which bash, zsh and ksh read back to the same bytes.
  const bool plain = XmlSafe(text) == text && std::none_of(text.begin(), text.end(), [](char c) {
                       return c == '\r' || c == '\x7F';
                     });
  std::string out;
  if (plain) {
    out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }
  out = "$'";
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (b < 0x20 || b >= 0x7F) {
      out += fmt::format("\\x{:02X}", b);
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::optional<CurlCommand> CurlFor(const StepEvidence& evidence) {
  if (!evidence.exchange) return std::nullopt;
  const RecordedRequest& q = evidence.exchange->request;
  const std::string& url = q.url;
  const std::string method = q.method.empty() ? "GET" : q.method;
  if (url.empty()) return std::nullopt;

  CurlCommand out;
  bool decoded = false;
  for (const DecodedToken& t : evidence.tokens) {
    decoded = decoded || t.where.find("Authorization") != std::string::npos;
  }
  Builder b(&out, decoded);
  std::vector<std::string> args;  // each already quoted
  // -i shows the status line and headers: what a failure is about.
  std::string head = method == "HEAD" ? "curl -sS -I" : "curl -sS -i";
  if (method != "GET" && method != "HEAD") {
    const bool token = !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
      return std::isupper(static_cast<unsigned char>(c)) != 0;
    });
    head += " -X " + (token ? method : ShellQuote(method));  // POST reads better than 'POST'
  }
  const Word url_word = b.Masked(url, "TOLLGATE_SECRET", "a secret in the URL");
  // A URL that is not http(s) could read as an option; --url says what it is.
  head += (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0 ? " " : " --url ") +
          url_word.Quoted();
  for (const auto& [name, value] : q.headers) {
    // curl counts the body itself; a recorded length would be sent twice.
    if (IEquals(name, "Content-Length")) continue;
    args.push_back("-H " + b.Header(name, value).Quoted());
  }
  if (!q.body.empty()) {
    args.push_back("--data-raw " +
                   b.Masked(q.body, "TOLLGATE_SECRET", "a secret in the body").Quoted());
  }
  if (q.body_cut) {
    out.notes.push_back(
        "the recorded body was cut (the command sends its first part only): put the full "
        "body in its place");
  }
  const std::optional<RecordedTls>& tls = evidence.exchange->tls;
  if (tls && !tls->client_cert_sha256.empty()) {
    args.push_back("--cert \"$TLS_CLIENT_CERT\" --key \"$TLS_CLIENT_KEY\"");
    b.Need("TLS_CLIENT_CERT", "the client certificate (chain) file that was presented");
    b.Need("TLS_CLIENT_KEY", "its private key file");
  }
  if (url.rfind("https://", 0) == 0) {
    out.notes.push_back(
        "when a private CA issued the target's certificate (the target file's "
        "ca:), add --cacert with that file");
  }
  out.command = head;
  for (const std::string& a : args) out.command += " \\\n  " + a;
  return out;
}

}  // namespace tollgate::report
