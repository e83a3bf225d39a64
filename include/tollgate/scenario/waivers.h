#pragma once
// A waiver file: known failures a platform has accepted for a while, each with a reason and
// an expiry date (docs/waivers.md). Loading only; applying them to results is the CLI's.

#include <optional>
#include <string>
#include <vector>

#include "tollgate/base/source.h"
#include "tollgate/scenario/diagnostics.h"

namespace tollgate {

/// One waiver: a scenario id (every case of it) or one case id, why, and the last day.
struct Waiver {
  std::string scenario;
  std::string reason;
  std::string expires;  // YYYY-MM-DD, the last day the waiver applies
  SourceLoc loc;        // the entry in the waiver file
};

/// A waiver file.
struct Waivers {
  std::string file;
  std::vector<Waiver> waivers;
};

/// Parses waiver file text; nullopt after diagnostics (file:line, found, expected).
std::optional<Waivers> ParseWaivers(const std::string& text, const std::string& path,
                                    Diagnostics& diags);
/// Reads and parses a waiver file.
std::optional<Waivers> LoadWaivers(const std::string& path, Diagnostics& diags);

/// True for a real calendar date written YYYY-MM-DD.
bool IsIsoDate(const std::string& text);

}  // namespace tollgate
