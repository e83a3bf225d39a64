#include "tollgate/scenario/model.h"

namespace tollgate {

std::string StatusPattern::ToString() const {
  if (class_digit != 0) return std::to_string(class_digit) + "xx";
  return std::to_string(code);
}

bool StatusPattern::Matches(int status) const {
  if (class_digit != 0) return status >= 100 && status / 100 == class_digit && status < 600;
  return status == code;
}

}  // namespace tollgate
