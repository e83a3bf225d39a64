#include "tollgate/base/source.h"

namespace tollgate {

std::string SourceLoc::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

}  // namespace tollgate
