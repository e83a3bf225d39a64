#include "tollgate/base/redact.h"

#include <algorithm>

#include "tollgate/base/encoding.h"

namespace tollgate {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

void Redactor::AddSecret(std::string_view value) {
  if (value.size() < 3) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& form :
       {std::string(value), Base64Encode(value), Base64UrlEncode(value), PercentEncode(value)}) {
    if (secrets_.insert(form).second) ordered_.push_back(form);
  }
  std::sort(ordered_.begin(), ordered_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::Redact(std::string_view text) const {
  std::string out(text);
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& secret : ordered_) {
    std::size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return out;
}

bool Redactor::IsSecretHeader(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"};
  return std::any_of(std::begin(kNames), std::end(kNames),
                     [&](std::string_view n) { return IEquals(n, name); });
}

std::string Redactor::RedactHeader(std::string_view name, std::string_view value) const {
  if (!IsSecretHeader(name)) return Redact(value);
  // Keep the scheme ("Basic", "Bearer"): it is not secret and it is what a reader needs.
  std::size_t space = value.find(' ');
  if (space == std::string_view::npos || space == 0) return std::string(kRedacted);
  return std::string(value.substr(0, space)) + " " + std::string(kRedacted);
}

}  // namespace tollgate
