#include "tollgate/scenario/model.h"

namespace tollgate {

std::string StatusPattern::ToString() const {
  if (!template_text.empty()) return template_text;
  if (class_digit != 0) return std::to_string(class_digit) + "xx";
  return std::to_string(code);
}

bool StatusPattern::Matches(int status) const {
  if (class_digit != 0) return status >= 100 && status / 100 == class_digit && status < 600;
  return status == code;
}

std::optional<StatusPattern> StatusPattern::Parse(const std::string& t) {
  if (t.size() != 3) return std::nullopt;
  if (t[0] >= '1' && t[0] <= '5' && (t[1] == 'x' || t[1] == 'X') && (t[2] == 'x' || t[2] == 'X')) {
    return StatusPattern{0, t[0] - '0', ""};
  }
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int code = std::stoi(t);
  if (code < 100 || code > 599) return std::nullopt;
  return StatusPattern{code, 0, ""};
}

}  // namespace tollgate
