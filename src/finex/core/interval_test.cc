#include "finex/core/interval.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex {
namespace {

using ::finex::testing::StatusIs;

Timestamp T(const char* iso) { return *ParseTime(iso, TimeBound::kStart); }

TEST(IntervalTest, ParseAndNameRoundTrip) {
  for (Interval iv : kAllIntervals) {
    ASSERT_OK_AND_ASSIGN(Interval back, ParseInterval(IntervalName(iv)));
    EXPECT_EQ(back, iv);
  }
  EXPECT_EQ(*ParseInterval("60m"), Interval::k1h);
  EXPECT_EQ(*ParseInterval("1wk"), Interval::k1w);
  EXPECT_EQ(*ParseInterval("5min"), Interval::k5m);
}

TEST(IntervalTest, RejectsUnknownWithParam) {
  for (const char* bad : {"", "7x", "1M", "1D", "2h", "1 d", "1mon", "1y", "1d\n"}) {
    auto r = ParseInterval(bad);
    ASSERT_THAT(r,
                StatusIs(StatusCode::kInvalidArgument, "is not one of 1m 5m 15m 30m 1h 1d 1w 1mo"))
        << bad;
    EXPECT_EQ(r.status().details().param, "interval");
  }
  EXPECT_THAT(ParseInterval("7x"), StatusIs(StatusCode::kInvalidArgument, "interval '7x'"));
}

TEST(IntervalTest, NominalLengths) {
  EXPECT_EQ(NominalSeconds(Interval::k1m), 60);
  EXPECT_EQ(NominalSeconds(Interval::k15m), 900);
  EXPECT_EQ(NominalSeconds(Interval::k1h), 3600);
  EXPECT_EQ(NominalSeconds(Interval::k1d), 86400);
  EXPECT_EQ(NominalSeconds(Interval::k1w), 7 * 86400);
  EXPECT_EQ(NominalSeconds(Interval::k1mo), 30 * 86400);
  EXPECT_TRUE(IsIntraday(Interval::k1h));
  EXPECT_FALSE(IsIntraday(Interval::k1d));
}

TEST(IntervalTest, FloorCeilNextIntraday) {
  const Timestamp t = T("2024-01-02T14:37:21Z");
  EXPECT_EQ(FloorToBar(t, Interval::k1m), T("2024-01-02T14:37:00Z"));
  EXPECT_EQ(FloorToBar(t, Interval::k5m), T("2024-01-02T14:35:00Z"));
  EXPECT_EQ(FloorToBar(t, Interval::k15m), T("2024-01-02T14:30:00Z"));
  EXPECT_EQ(FloorToBar(t, Interval::k30m), T("2024-01-02T14:30:00Z"));
  EXPECT_EQ(FloorToBar(t, Interval::k1h), T("2024-01-02T14:00:00Z"));
  EXPECT_EQ(CeilToBar(t, Interval::k5m), T("2024-01-02T14:40:00Z"));
  EXPECT_EQ(CeilToBar(T("2024-01-02T14:40:00Z"), Interval::k5m), T("2024-01-02T14:40:00Z"));
  EXPECT_EQ(NextBar(T("2024-01-02T23:00:00Z"), Interval::k1h), T("2024-01-03T00:00:00Z"));
  EXPECT_EQ(FloorToBar(-1, Interval::k1m), -60);  // before the epoch
}

TEST(IntervalTest, DailyWeeklyMonthly) {
  EXPECT_EQ(FloorToBar(T("2024-01-02T14:37:21Z"), Interval::k1d), T("2024-01-02"));
  EXPECT_EQ(CeilToBar(T("2024-01-02T00:00:01Z"), Interval::k1d), T("2024-01-03"));
  // Weeks start on Monday 00:00 UTC. 2024-01-01 was a Monday.
  EXPECT_EQ(FloorToBar(T("2024-01-07T23:59:59Z"), Interval::k1w), T("2024-01-01"));  // Sunday
  EXPECT_EQ(FloorToBar(T("2024-01-08T00:00:00Z"), Interval::k1w), T("2024-01-08"));  // Monday
  EXPECT_EQ(FloorToBar(T("2024-01-03T12:00:00Z"), Interval::k1w), T("2024-01-01"));
  EXPECT_EQ(FloorToBar(T("1970-01-01T00:00:00Z"), Interval::k1w),
            T("1969-12-29"));  // Thursday -> Monday
  EXPECT_EQ(CeilToBar(T("2024-01-02"), Interval::k1w), T("2024-01-08"));
  EXPECT_EQ(NextBar(T("2024-12-30"), Interval::k1w), T("2025-01-06"));
  // Months: first of the month, varying lengths, year wrap, leap February.
  EXPECT_EQ(FloorToBar(T("2024-02-29T23:59:59Z"), Interval::k1mo), T("2024-02-01"));
  EXPECT_EQ(NextBar(T("2024-01-01"), Interval::k1mo), T("2024-02-01"));
  EXPECT_EQ(NextBar(T("2024-02-01"), Interval::k1mo), T("2024-03-01"));
  EXPECT_EQ(NextBar(T("2024-12-01"), Interval::k1mo), T("2025-01-01"));
  EXPECT_EQ(CeilToBar(T("2024-01-31T00:00:00Z"), Interval::k1mo), T("2024-02-01"));
  EXPECT_EQ(CeilToBar(T("2024-03-01"), Interval::k1mo), T("2024-03-01"));
  EXPECT_EQ(FloorToBar(T("1969-12-15"), Interval::k1mo), T("1969-12-01"));
}

TEST(IntervalPropertyTest, FloorCeilNextLaws) {
  std::mt19937_64 rng(testing::TestSeed());
  std::uniform_int_distribution<Timestamp> dist(T("1900-01-01"), T("2100-01-01"));
  for (int i = 0; i < 20000; ++i) {
    const Timestamp t = dist(rng);
    for (Interval iv : kAllIntervals) {
      const Timestamp f = FloorToBar(t, iv);
      const Timestamp c = CeilToBar(t, iv);
      const Timestamp n = NextBar(f, iv);
      ASSERT_LE(f, t);
      ASSERT_GT(n, t) << IntervalName(iv) << " " << t;  // t lies in [f, next)
      ASSERT_GE(c, t);
      ASSERT_TRUE(IsBarAligned(f, iv));
      ASSERT_TRUE(IsBarAligned(c, iv));
      ASSERT_TRUE(IsBarAligned(n, iv));
      ASSERT_EQ(FloorToBar(f, iv), f);  // idempotent
      ASSERT_EQ(c == t, IsBarAligned(t, iv));
      ASSERT_EQ(c, IsBarAligned(t, iv) ? t : n);
      ASSERT_EQ(FloorToBar(n - 1, iv), f);  // no boundary between f and next
      if (iv <= Interval::k1w) ASSERT_EQ(n - f, NominalSeconds(iv));
      if (iv == Interval::k1w) ASSERT_EQ(WeekdayFromDays(DayOf(f)), 1);  // Monday
      if (iv == Interval::k1mo) {
        ASSERT_EQ(CivilFromDays(DayOf(f)).day, 1);
        ASSERT_EQ(f % kSecondsPerDay, 0);
        const int len = static_cast<int>((n - f) / kSecondsPerDay);
        ASSERT_TRUE(len >= 28 && len <= 31);
      }
    }
  }
}

}  // namespace
}  // namespace finex
