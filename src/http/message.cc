#include "tollgate/http/message.h"

#include <algorithm>

namespace tollgate {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // ASCII only on purpose: header names and schemes are tokens, and locale-aware folding
  // would make "I" and "ı" equal on some systems.
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

void Headers::Add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(const std::string& name, std::string value) {
  Remove(name);
  Add(name, std::move(value));
}

std::optional<std::string> Headers::Get(const std::string& name) const {
  for (const auto& [n, v] : items_) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Headers::GetAll(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : items_) {
    if (EqualsIgnoreCase(n, name)) out.push_back(v);
  }
  return out;
}

void Headers::Remove(const std::string& name) {
  std::erase_if(items_, [&](const auto& item) { return EqualsIgnoreCase(item.first, name); });
}

ServerResponse ServerResponse::Json(int status, const std::string& json_text) {
  ServerResponse r;
  r.status = status;
  r.headers.Add("Content-Type", "application/json");
  r.body = json_text;
  return r;
}

ServerResponse ServerResponse::Text(int status, const std::string& text) {
  ServerResponse r;
  r.status = status;
  r.headers.Add("Content-Type", "text/plain");
  r.body = text;
  return r;
}

std::string MediaType(std::string_view v) {
  v = v.substr(0, v.find(';'));
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  std::string out(v);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return out;
}

}  // namespace tollgate
