#include "tollgate/base/clock.h"

namespace tollgate {

std::int64_t Clock::NowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
}

Clock::TimePoint OffsetClock::Now() const {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(offset_ms_.load());
}

Clock::TimePoint ManualClock::Now() const {
  return TimePoint(std::chrono::milliseconds(now_ms_.load()));
}

void ManualClock::Set(TimePoint t) {
  now_ms_.store(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

}  // namespace tollgate
