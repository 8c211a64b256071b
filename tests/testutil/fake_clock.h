// FakeClock: a Clock that only moves when told. Thread-safe.
#pragma once

#include <atomic>

#include "finex/core/clock.h"

namespace finex::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = 1704153600) : us_(start * 1000000) {}
  int64_t NowMicros() const override { return us_.load(); }
  void Set(Timestamp t) { us_.store(t * 1000000); }
  void SetMicros(int64_t us) { us_.store(us); }
  void Advance(Timestamp seconds) { us_.fetch_add(seconds * 1000000); }
  void AdvanceMicros(int64_t us) { us_.fetch_add(us); }

 private:
  std::atomic<int64_t> us_;
};

}  // namespace finex::testing
