#include "tollgate/base/file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tollgate {

StatusOr<std::string> ReadFile(const std::string& path) {
  auto fail = [&](Status (*make)(std::string), const std::string& reason) {
    return make("cannot read `" + path + "`: " + reason);
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail(InvalidArgumentError, "a folder");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == EACCES || err == EPERM) return fail(PermissionDeniedError, std::strerror(err));
    return fail(NotFoundError, err != 0 ? std::strerror(err) : "no such file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail(InternalError, "read error");
  return text.str();
}

bool IsReadable(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  return static_cast<bool>(in);
}

}  // namespace tollgate
