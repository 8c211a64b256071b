#include "finex/core/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "tests/testutil/fake_clock.h"

namespace finex {
namespace {

TEST(ClockTest, SystemClockIsTheWallClock) {
  const int64_t before = static_cast<int64_t>(std::time(nullptr));
  const Timestamp now = SystemClock().Now();
  const int64_t after = static_cast<int64_t>(std::time(nullptr));
  // time() may read a coarse clock a few ms behind system_clock: allow 1 s.
  EXPECT_GE(now, before - 1);
  EXPECT_LE(now, after + 1);
  EXPECT_EQ(&SystemClock(), &SystemClock());
}

TEST(ClockTest, MonotonicNeverGoesBack) {
  int64_t last = MonotonicMicros();
  for (int i = 0; i < 1000; ++i) {
    const int64_t now = MonotonicMicros();
    ASSERT_GE(now, last);
    last = now;
  }
}

TEST(ClockTest, ReplayClockStartsThereAndRunsFaster) {
  const Timestamp start = 1710507600;  // 2024-03-15T13:00:00Z
  ReplayClock c(start, 60.0);
  const int64_t m0 = MonotonicMicros();
  const int64_t t0 = c.NowMicros();
  EXPECT_GE(t0, start * 1000000);
  EXPECT_LT(t0, (start + 60) * 1000000);  // well under a wall second elapsed
  // Real time passing is the test.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int64_t t1 = c.NowMicros();
  const int64_t wall = MonotonicMicros() - m0;
  // Replay time advanced 60x the wall time (bounded by what really elapsed).
  EXPECT_GE(t1 - t0, 60 * 50000 - 60 * 1000);
  EXPECT_LE(t1 - t0, 60 * wall + 60);
}

TEST(ClockTest, ReplayClockRejectsNonPositiveSpeed) {
  EXPECT_DEATH(ReplayClock(0, 0.0), "CHECK");
  EXPECT_DEATH(ReplayClock(0, -1.0), "CHECK");
}

// --clock-anchor: two clocks built at different moments with the same start,
// speed and anchor read the same instant (a pure function of the wall clock).
TEST(ClockTest, AnchoredReplayClocksAgreeWhateverTheirConstructionTime) {
  const Timestamp start = 1656077400;                            // 2022-06-24T13:30:00Z
  const int64_t anchor = SystemClock().NowMicros() - 2'000'000;  // two wall seconds ago
  ReplayClock a(start, 60.0, anchor);
  // Built at a later moment: the test.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ReplayClock b(start, 60.0, anchor);
  const int64_t w0 = SystemClock().NowMicros();
  const int64_t ta = a.NowMicros(), tb = b.NowMicros();
  const int64_t w1 = SystemClock().NowMicros();
  EXPECT_GE(ta, ReplayMicrosAt(start, 60.0, anchor, w0));
  EXPECT_LE(tb, ReplayMicrosAt(start, 60.0, anchor, w1));
  EXPECT_LE(std::abs(ta - tb), 60 * (w1 - w0) + 1);
  // Two wall seconds after the anchor at 60x: two replayed minutes after start.
  EXPECT_GE(ta, (start + 120) * 1000000);
  EXPECT_LT(ta, (start + 180) * 1000000);
  // Before a future anchor the clock reads before `start`, at the same speed.
  EXPECT_EQ(ReplayMicrosAt(start, 60.0, 10'000'000, 9'000'000), (start - 60) * 1000000);
  EXPECT_EQ(ReplayMicrosAt(start, 0.5, 0, 4'000'000), (start + 2) * 1000000);
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  testing::FakeClock c(1000);
  EXPECT_EQ(c.Now(), 1000);
  EXPECT_EQ(c.NowMicros(), 1000000000);
  c.Advance(5);
  EXPECT_EQ(c.Now(), 1005);
  c.AdvanceMicros(999999);
  EXPECT_EQ(c.Now(), 1005);
  c.AdvanceMicros(1);
  EXPECT_EQ(c.Now(), 1006);
  c.Set(0);
  EXPECT_EQ(c.Now(), 0);
  c.SetMicros(-1);  // Now() floors toward negative infinity
  EXPECT_EQ(c.Now(), -1);
}

}  // namespace
}  // namespace finex
