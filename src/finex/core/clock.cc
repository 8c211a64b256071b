#include "finex/core/clock.h"

#include <chrono>

#include "finex/core/status.h"

namespace finex {
namespace {

class WallClock final : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Clock& SystemClock() {
  // Never destroyed: threads still running at exit (a backend's sweeper)
  // may ask the time after static destructors have run.
  static WallClock* const clock = new WallClock();
  return *clock;
}

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ReplayClock::ReplayClock(Timestamp start, double speed)
    : start_us_(start * 1000000), wall0_us_(MonotonicMicros()), speed_(speed) {
  FINEX_CHECK(speed > 0);
}

ReplayClock::ReplayClock(Timestamp start, double speed, int64_t anchor_wall_us)
    : start_us_(start * 1000000), wall0_us_(anchor_wall_us), speed_(speed), anchored_(true) {
  FINEX_CHECK(speed > 0);
}

int64_t ReplayClock::NowMicros() const {
  if (anchored_)
    return ReplayMicrosAt(start_us_ / 1000000, speed_, wall0_us_, SystemClock().NowMicros());
  const int64_t elapsed = MonotonicMicros() - wall0_us_;
  return start_us_ + static_cast<int64_t>(static_cast<double>(elapsed) * speed_);
}

int64_t ReplayMicrosAt(Timestamp start, double speed, int64_t anchor_wall_us, int64_t wall_us) {
  const int64_t elapsed = wall_us - anchor_wall_us;
  return start * 1000000 + static_cast<int64_t>(static_cast<double>(elapsed) * speed);
}

}  // namespace finex
