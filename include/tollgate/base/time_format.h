#pragma once
// Time as text: ISO 8601 for reports and journals.

#include <string>

#include "tollgate/base/clock.h"

namespace tollgate {

/// "2026-11-22T10:15:30.123Z".
std::string FormatIso8601(Clock::TimePoint t);
/// "2026-11-22T10:15:30" (no fraction, no zone), as JUnit's timestamp attribute wants.
std::string FormatIso8601Seconds(Clock::TimePoint t);

}  // namespace tollgate
