#pragma once
// Reading a whole file: the one way every module does it.

#include <string>

#include "tollgate/base/status.h"

namespace tollgate {

/// The bytes of the file at `path`. NotFound for a missing file, PermissionDenied for an
/// unreadable one, InvalidArgument for a folder, Internal for a read error; each message
/// is "cannot read `PATH`: REASON".
StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace tollgate
