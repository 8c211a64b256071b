#include <gtest/gtest.h>

#include <random>

#include "finex/provider/resilience/circuit_breaker.h"
#include "finex/provider/resilience/daily_budget.h"
#include "finex/provider/resilience/quality_score.h"
#include "finex/provider/resilience/rate_limiter.h"
#include "finex/provider/resilience/retry.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/random.h"

namespace finex::provider {
namespace {

TEST(RateLimiter, BurstThenSteadyRate) {
  testing::FakeClock clock(1000);
  RateLimiter rl({60, 2}, clock);
  EXPECT_EQ(rl.TryAcquire(), 0);
  EXPECT_EQ(rl.TryAcquire(), 0);
  const int64_t wait = rl.TryAcquire();
  EXPECT_NEAR(wait, 1000000, 1);  // one token per second
  clock.AdvanceMicros(wait);
  EXPECT_EQ(rl.TryAcquire(), 0);
  clock.Advance(100);  // refill caps at the burst
  EXPECT_DOUBLE_EQ(rl.tokens(), 2.0);
}

TEST(RateLimiter, RetryAfterPausesEvenWithTokens) {
  testing::FakeClock clock(1000);
  RateLimiter rl({600, 10}, clock);
  rl.PauseFor(30);
  EXPECT_EQ(rl.TryAcquire(), 30000000);
  EXPECT_EQ(rl.tokens(), 0);
  rl.PauseFor(5);  // a shorter pause never shortens
  clock.Advance(29);
  EXPECT_EQ(rl.TryAcquire(), 1000000);
  clock.Advance(1);
  // Paused time earns no tokens; the rate refills from here (10/s).
  EXPECT_GT(rl.TryAcquire(), 0);
  clock.AdvanceMicros(100000);
  EXPECT_EQ(rl.TryAcquire(), 0);
}

// Alpha Vantage's free key: 25 calls per UTC day. The budget is counted on
// the injected clock and comes back at 00:00 UTC, not 24 h after the first call.
TEST(DailyBudget, SpentUntilTheNextUtcMidnight) {
  const Timestamp day = 20000 * kSecondsPerDay;  // 2024-10-04 00:00 UTC
  testing::FakeClock clock(day + 23 * kSecondsPerHour);
  DailyBudget b(25, clock);
  EXPECT_EQ(b.remaining(), 25);
  for (int i = 0; i < 25; ++i) ASSERT_EQ(b.TryTake(), 0) << i;
  EXPECT_EQ(b.remaining(), 0);
  EXPECT_EQ(b.TryTake(), kSecondsPerHour) << "one hour to midnight";
  clock.Set(day + kSecondsPerDay - 1);
  EXPECT_EQ(b.TryTake(), 1);
  clock.Set(day + kSecondsPerDay);  // 00:00 UTC: a new day
  EXPECT_EQ(b.remaining(), 25);
  EXPECT_EQ(b.TryTake(), 0);
  EXPECT_EQ(b.remaining(), 24);
  // Calls counted after the fact (a History's further months).
  b.Charge(3);
  EXPECT_EQ(b.remaining(), 21);
  b.Charge(100);
  EXPECT_EQ(b.remaining(), 0);
  // The provider says the day is spent (another process shares the key).
  b.MarkSpent();
  EXPECT_EQ(b.remaining(), 0);
  EXPECT_EQ(b.TryTake(), kSecondsPerDay);
  clock.Set(day + 2 * kSecondsPerDay + 5);
  EXPECT_EQ(b.remaining(), 25);
  // No budget: never refuses, nothing to report.
  DailyBudget none(0, clock);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(none.TryTake(), 0);
  none.MarkSpent();
  EXPECT_EQ(none.TryTake(), 0);
  EXPECT_EQ(none.remaining(), -1);
  EXPECT_EQ(SecondsToUtcMidnight(day), kSecondsPerDay);
  EXPECT_EQ(SecondsToUtcMidnight(day - 1), 1);
}

TEST(Retry, BackoffGrowsCapsAndJitters) {
  std::mt19937_64 rng(testing::TestSeed());
  RetryOptions o;
  o.jitter = 0;
  EXPECT_EQ(BackoffMicros(o, 1, rng), 200000);
  EXPECT_EQ(BackoffMicros(o, 2, rng), 400000);
  EXPECT_EQ(BackoffMicros(o, 3, rng), 800000);
  EXPECT_EQ(BackoffMicros(o, 20, rng), 10000000);  // capped
  o.jitter = 0.2;
  for (int i = 0; i < 1000; ++i) {
    const int64_t d = BackoffMicros(o, 2, rng);
    ASSERT_GE(d, 320000);
    ASSERT_LE(d, 480000);
  }
  EXPECT_TRUE(IsRetryable(UnavailableError("x")));
  EXPECT_TRUE(IsRetryable(DeadlineExceededError("x")));
  EXPECT_TRUE(IsRetryable(ResourceExhaustedError("x")));
  EXPECT_FALSE(IsRetryable(NotFoundError("x")));
  EXPECT_FALSE(IsRetryable(InvalidArgumentError("x")));
  EXPECT_FALSE(IsRetryable(DataLossError("x")));
  EXPECT_FALSE(IsRetryable(FailedPreconditionError("x")));
}

TEST(CircuitBreaker, ClosedOpenHalfOpenClosed) {
  testing::FakeClock clock(1000);
  CircuitBreaker b({3, 10000, 1, 1}, clock);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.Allow());
    b.RecordFailure();
  }
  ASSERT_TRUE(b.Allow());
  b.RecordSuccess();  // a success resets the consecutive count
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.Allow());
    b.RecordFailure();
  }
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_FALSE(b.Allow());
  EXPECT_EQ(b.open_remaining_us(), 10000000);
  clock.Advance(10);
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
  EXPECT_TRUE(b.Allow());   // the probe
  EXPECT_FALSE(b.Allow());  // only one at a time
  b.RecordFailure();        // probe failed: open again
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  clock.Advance(10);
  EXPECT_TRUE(b.Allow());
  b.RecordSuccess();
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_EQ(BreakerStateName(BreakerState::kHalfOpen), "half_open");
}

TEST(QualityScore, ReliabilityAndCompleteness) {
  QualityScore q({0.5, 0.7});
  EXPECT_DOUBLE_EQ(q.score(), 1.0);
  q.RecordCall(false);
  EXPECT_DOUBLE_EQ(q.reliability(), 0.5);
  q.RecordCompleteness(0.0);
  EXPECT_DOUBLE_EQ(q.completeness(), 0.5);
  EXPECT_DOUBLE_EQ(q.score(), 0.5);
  q.RecordCall(true);
  EXPECT_DOUBLE_EQ(q.reliability(), 0.75);
  EXPECT_EQ(q.calls(), 2);
  EXPECT_EQ(q.failures(), 1);
  q.RecordCompleteness(7.0);  // clamped
  EXPECT_DOUBLE_EQ(q.completeness(), 0.75);
}

}  // namespace
}  // namespace finex::provider
