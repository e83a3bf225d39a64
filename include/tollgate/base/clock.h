#pragma once
// The one clock mocks and the runner share. Nothing reads the wall clock directly, so
// expiry and window edges are tested by offsetting this clock, never by sleeping.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tollgate {

/// A source of "now". Implementations are thread-safe.
class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  /// The current time as this clock sees it.
  virtual TimePoint Now() const = 0;
  /// Seconds since the Unix epoch, as JWT claims and HMAC timestamps use.
  std::int64_t NowSeconds() const;
};

/// The system clock plus an offset that a scenario can move. Thread-safe.
class OffsetClock : public Clock {
 public:
  TimePoint Now() const override;
  /// Moves this clock by `delta` relative to the system clock.
  void SetOffset(std::chrono::milliseconds delta) { offset_ms_.store(delta.count()); }
  std::chrono::milliseconds offset() const { return std::chrono::milliseconds(offset_ms_.load()); }

 private:
  std::atomic<std::int64_t> offset_ms_{0};
};

/// A clock that only moves when told to: for unit tests. Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint(std::chrono::seconds(1'700'000'000)))
      : now_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch())
                    .count()) {}
  TimePoint Now() const override;
  void Advance(std::chrono::milliseconds delta) { now_ms_.fetch_add(delta.count()); }
  void Set(TimePoint t);

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace tollgate
