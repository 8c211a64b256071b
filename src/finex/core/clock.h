// Clock: the one answer to "what time is it" (TTLs, finality, live bars,
// sessions, prefetch, the simulator's "now"). Inject a Clock& everywhere; never
// call std::chrono::system_clock directly outside this file.
//
// SystemClock() is the real wall clock. ReplayClock starts at a given instant
// and runs `speed` times faster than the wall clock (API.md --clock-start,
// --clock-speed). Anchored to a wall-clock instant (--clock-anchor), it is a
// pure function of the wall clock, so separate processes given the same
// start, speed and anchor agree on "now" exactly. Tests use testutil's
// FakeClock.
//
// Thread-safety: every Clock implementation is thread-safe.
// Ownership: SystemClock() is a process-wide singleton; others have one owner.
#pragma once

#include <cstdint>

#include "finex/core/time.h"

namespace finex {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the epoch.
  virtual int64_t NowMicros() const = 0;
  Timestamp Now() const { return FloorDiv(NowMicros(), 1000000); }
};

// The process-wide wall clock.
Clock& SystemClock();

// Monotonic microseconds for measuring durations (not affected by replay).
int64_t MonotonicMicros();

class ReplayClock final : public Clock {
 public:
  // Reads `start` when constructed, then runs `speed` times faster than the
  // (monotonic) wall clock. REQUIRES: speed > 0.
  ReplayClock(Timestamp start, double speed);
  // Reads `start` at the wall-clock instant `anchor_wall_us` (microseconds
  // since the epoch, past or future): now = start + (wall - anchor) * speed.
  // REQUIRES: speed > 0.
  ReplayClock(Timestamp start, double speed, int64_t anchor_wall_us);
  int64_t NowMicros() const override;

 private:
  int64_t start_us_;
  int64_t wall0_us_;  // monotonic, or epoch wall time when anchored_
  double speed_;
  bool anchored_ = false;
};

// The replay instant of wall-clock instant `wall_us` for an anchored
// ReplayClock (start, speed, anchor): what every process agrees on.
int64_t ReplayMicrosAt(Timestamp start, double speed, int64_t anchor_wall_us, int64_t wall_us);

}  // namespace finex
