#include "finex/fragment/ttl_policy.h"

#include <gtest/gtest.h>

namespace finex::fragment {
namespace {

constexpr Timestamp kMin = 60, kHour = 3600, kDay = 86400;
constexpr Timestamp kTue = 1704153600;  // 2024-01-02 00:00 UTC, a Tuesday

// Weekday sessions 14:30..21:00 UTC; only what the TTL policy asks for.
class WeekdayCalendar final : public calendar::Calendar {
 public:
  std::string_view code() const override { return "TEST"; }
  std::string_view timezone() const override { return "UTC"; }
  calendar::MarketKind kind() const override { return calendar::MarketKind::kExchange; }
  bool IsTradingDay(CivilDate d) const override {
    const int wd = WeekdayFromDays(DaysFromCivil(d));
    return wd != 0 && wd != 6;
  }
  std::optional<calendar::Session> SessionOn(CivilDate d) const override {
    if (!IsTradingDay(d)) return std::nullopt;
    const Timestamp day = DaysFromCivil(d) * kDay;
    return calendar::Session{day + 14 * kHour + 30 * kMin, day + 21 * kHour, false};
  }
  std::vector<Timestamp> BarStarts(TimeRange, Interval) const override { return {}; }
  TimeRangeSet TradingTime(TimeRange, Interval) const override { return {}; }
  CivilDate LocalDate(Timestamp ts) const override { return CivilFromDays(DayOf(ts)); }
  bool IsOpen(Timestamp ts) const override {
    auto s = SessionOn(LocalDate(ts));
    return s && ts >= s->open && ts < s->close;
  }
  Timestamp NextClose(Timestamp ts) const override {
    for (int64_t day = DayOf(ts);; ++day) {
      auto s = SessionOn(CivilFromDays(day));
      if (s && s->close >= ts) return s->close;
    }
  }
};

TEST(TtlPolicyTest, DailyBarIsFinalAfterCloseplusLag) {
  WeekdayCalendar cal;
  const Timestamp close = kTue + 21 * kHour;
  EXPECT_EQ(FinalAt(cal, Interval::k1d, kTue), close + 15 * kMin);
  EXPECT_FALSE(IsFinal(cal, Interval::k1d, kTue, close + 14 * kMin));
  EXPECT_TRUE(IsFinal(cal, Interval::k1d, kTue, close + 15 * kMin));
}

TEST(TtlPolicyTest, IntradayBarIsProvisionalUntilSessionClose) {
  WeekdayCalendar cal;
  const Timestamp bar = kTue + 15 * kHour;  // 15:00 UTC, mid-session
  EXPECT_FALSE(IsFinal(cal, Interval::k1m, bar, bar + 2 * kMin));
  EXPECT_TRUE(IsFinal(cal, Interval::k1m, bar, kTue + 21 * kHour + 15 * kMin));
}

TEST(TtlPolicyTest, WeeklyAndMonthlyBarsAreFinalAfterTheirEnd) {
  WeekdayCalendar cal;
  const Timestamp monday = kTue - kDay;
  EXPECT_EQ(FinalAt(cal, Interval::k1w, monday), monday + 7 * kDay + 15 * kMin);
  const Timestamp jan1 = kTue - kDay;
  EXPECT_EQ(FinalAt(cal, Interval::k1mo, jan1), jan1 + 31 * kDay + 15 * kMin);
}

TEST(TtlPolicyTest, IntradayBarsSettleAtTheirEndPlusTheIntradayLag) {
  WeekdayCalendar cal;
  const Timestamp bar = kTue + 15 * kHour;  // 15:00 UTC, mid-session
  EXPECT_EQ(SettledAt(cal, Interval::k5m, bar), bar + 5 * kMin + 60);
  EXPECT_FALSE(IsSettled(cal, Interval::k5m, bar, bar + 5 * kMin + 59));
  EXPECT_TRUE(IsSettled(cal, Interval::k5m, bar, bar + 5 * kMin + 60));
  // Daily bars settle when they are final.
  EXPECT_EQ(SettledAt(cal, Interval::k1d, kTue), FinalAt(cal, Interval::k1d, kTue));
}

TEST(TtlPolicyTest, LivePiecesExpireAtTheNextRefreshBoundary) {
  WeekdayCalendar cal;
  const Timestamp now = kTue + 16 * kHour + 100;  // 16:01:40 UTC
  // The forming bar: until the next boundary of the real-time period.
  EXPECT_EQ(FragmentTtl(cal, Interval::k1m, now - 40, false, now), 5 * kMin - 100);
  EXPECT_EQ(FragmentTtl(cal, Interval::k5m, now - 100, false, now), 5 * kMin - 100);
  EXPECT_EQ(FragmentTtl(cal, Interval::k15m, now - 100, false, now), 15 * kMin - 100);
  EXPECT_EQ(FragmentTtl(cal, Interval::k1h, now - 100, false, now), kHour - 100);
  EXPECT_EQ(FragmentTtl(cal, Interval::k1d, kTue, false, now), 15 * kMin - 100);
  EXPECT_EQ(LiveRefreshPeriod(Interval::k30m), 30 * kMin);
  // Configurable, and scaled like every TTL.
  TtlOptions fresh;
  fresh.live_refresh_s = 60;
  EXPECT_EQ(LiveTtl(Interval::k5m, now, fresh), 20);
  TtlOptions dev;
  dev.ttl_multiplier = 0.1;
  EXPECT_EQ(LiveRefreshPeriod(Interval::k1h, dev), 6 * kMin);
}

TEST(TtlPolicyTest, SettledBarsLiveUntilTheirSessionIsFinal) {
  WeekdayCalendar cal;
  const Timestamp now = kTue + 16 * kHour;
  const Timestamp final_at = kTue + 21 * kHour + 15 * kMin;  // close + publication lag
  EXPECT_EQ(FragmentTtl(cal, Interval::k5m, now - 10 * kMin, false, now), final_at - now);
  EXPECT_EQ(FragmentTtl(cal, Interval::k1m, now - 5 * kMin, false, now), final_at - now);
}

TEST(TtlPolicyTest, RecentAndHistoricalFinalData) {
  WeekdayCalendar cal;
  const Timestamp now = kTue + 3 * kDay;  // Friday
  EXPECT_EQ(FragmentTtl(cal, Interval::k1m, kTue + 15 * kHour, false, now), kDay);
  EXPECT_EQ(FragmentTtl(cal, Interval::k1h, kTue + 15 * kHour, false, now), kDay);
  EXPECT_EQ(FragmentTtl(cal, Interval::k1d, kTue, false, now), kDay);
  EXPECT_EQ(FragmentTtl(cal, Interval::k1m, kTue - 30 * kDay, false, now), 7 * kDay);
  EXPECT_EQ(FragmentTtl(cal, Interval::k1d, kTue - 30 * kDay, false, now), 30 * kDay);
}

TEST(TtlPolicyTest, MultiplierScalesEveryTtl) {
  WeekdayCalendar cal;
  TtlOptions opts;
  opts.ttl_multiplier = 0.1;
  const Timestamp now = kTue + 3 * kDay;
  EXPECT_EQ(FragmentTtl(cal, Interval::k1d, kTue, false, now, opts), kDay / 10);
  EXPECT_EQ(QuoteTtl(opts), 2);  // 1.5 rounds to 2
  EXPECT_EQ(SearchTtl(opts), kDay / 10);
  opts.ttl_multiplier = 0.0001;
  EXPECT_EQ(QuoteTtl(opts), 1);  // never below one second
}

TEST(TtlPolicyTest, EmptyAnswersAreRememberedLongerWhenOld) {
  WeekdayCalendar cal;
  const Timestamp now = kTue + 10 * kDay;
  EXPECT_EQ(FragmentTtl(cal, Interval::k1d, now - kHour, true, now), kHour);
  EXPECT_EQ(FragmentTtl(cal, Interval::k1d, now - 30 * kDay, true, now), kDay);
}

}  // namespace
}  // namespace finex::fragment
