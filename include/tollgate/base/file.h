#pragma once
// Reading a whole file: the one way every module does it.

#include <string>

#include "tollgate/base/status.h"

namespace tollgate {

/// The bytes of the file at `path`. NotFound for a missing file, PermissionDenied for an
/// unreadable one, InvalidArgument for a folder, Internal for a read error; each message
/// is "cannot read `PATH`: REASON".
StatusOr<std::string> ReadFile(const std::string& path);

/// True when the file at `path` can be opened for reading (a check before handing the path
/// to a library that would report a missing file less clearly).
bool IsReadable(const std::string& path);

}  // namespace tollgate
