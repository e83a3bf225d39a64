// Writing a report file: parent folders are created, and the content lands atomically (a
// temporary file beside the target, then rename), so a CI tool reading the report while a
// run ends never sees half a file.

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "tollgate/report/report.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;

Status FileError(const std::string& what, const std::string& path, const std::error_code& ec) {
  const StatusCode code = ec == std::errc::permission_denied ||
                                  ec == std::errc::operation_not_permitted ||
                                  ec == std::errc::read_only_file_system
                              ? StatusCode::kPermissionDenied
                              : StatusCode::kFailedPrecondition;
  return Status(code, "cannot write report '" + path + "': " + what + ": " + ec.message());
}

// errno after a failed stream operation; iostreams do not promise to set it.
std::error_code LastError() {
  return errno != 0 ? std::error_code(errno, std::generic_category())
                    : std::make_error_code(std::errc::io_error);
}

// Unique within the host: pid for other processes, a counter for other threads.
fs::path TempPathFor(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  fs::path tmp = target;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  return tmp;
}

}  // namespace

Status WriteFile(const std::string& path, const std::string& content) {
  if (path.empty()) return InvalidArgumentError("cannot write report: empty path");
  const fs::path target(path);
  if (!target.has_filename()) {
    return InvalidArgumentError("cannot write report '" + path + "': path names a folder");
  }
  std::error_code ec;
  if (const fs::path parent = target.parent_path(); !parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) return FileError("cannot create folder '" + parent.string() + "'", path, ec);
  }

  const fs::path tmp = TempPathFor(target);
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return FileError("cannot create '" + tmp.string() + "'", path, LastError());
    }
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      const std::error_code write_ec = LastError();
      fs::remove(tmp, ec);
      return FileError("write failed", path, write_ec);
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return FileError("cannot rename '" + tmp.string() + "' into place", path, ec);
  }
  return Status::Ok();
}

}  // namespace tollgate
