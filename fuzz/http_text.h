#pragma once
// The textual form the webhook and signing targets read: "Name: value" header lines up
// to an empty line, then the body bytes (as on the wire, without the request line).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::fuzz {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// Splits `text` into headers and body. A header line without ':' is kept with an empty
/// value, so the verifiers also see odd names.
inline void ParseHeadersAndBody(std::string_view text, HeaderList& headers, std::string& body) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      body = std::string(text.substr(std::min(pos, text.size())));
      return;
    }
    std::size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    std::string value;
    if (colon != std::string_view::npos) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      value = std::string(v);
    }
    headers.emplace_back(std::move(name), std::move(value));
  }
}

/// The inverse, for the seed maker.
inline std::string HeadersAndBody(const HeaderList& headers, std::string_view body) {
  std::string out;
  for (const auto& [name, value] : headers) out += name + ": " + value + "\n";
  out += "\n";
  out += body;
  return out;
}

}  // namespace tollgate::fuzz
