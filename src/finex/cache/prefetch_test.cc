#include "finex/cache/prefetch.h"

#include <gtest/gtest.h>

namespace finex::cache {
namespace {

constexpr Timestamp kDay = 86400;
constexpr Timestamp kT0 = 1704153600;  // 2024-01-02

TEST(PrefetchTest, PagingBackwardPredictsThePreviousPage) {
  PrefetchPredictor p;
  p.Observe("AAPL|1d", TimeRange{kT0 - 30 * kDay, kT0}, kT0);
  p.Observe("AAPL|1d", TimeRange{kT0 - 60 * kDay, kT0 - 30 * kDay}, kT0 + 5);
  auto due = p.TakeDue(kT0 + 5, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].reason, Prediction::Reason::kNextPage);
  EXPECT_EQ(due[0].range, (TimeRange{kT0 - 90 * kDay, kT0 - 60 * kDay}));
  EXPECT_TRUE(p.TakeDue(kT0 + 5, 10).empty());  // returned once
}

TEST(PrefetchTest, PagingForward) {
  PrefetchPredictor p;
  p.Observe("X", TimeRange{0, 1000}, kT0);
  p.Observe("X", TimeRange{1000, 2000}, kT0 + 1);
  auto due = p.TakeDue(kT0 + 1, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].range, (TimeRange{2000, 3000}));
}

TEST(PrefetchTest, SlidingWindowPredictsTheNextStepWhenDue) {
  PrefetchPredictor p;
  const Timestamp len = 3600;
  p.Observe("BTC|1m", TimeRange{kT0, kT0 + len}, kT0 + len);
  p.Observe("BTC|1m", TimeRange{kT0 + 60, kT0 + len + 60}, kT0 + len + 60);
  EXPECT_TRUE(p.TakeDue(kT0 + len + 60, 10).empty());  // due one period later, minus lead
  auto due = p.TakeDue(kT0 + len + 120, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].reason, Prediction::Reason::kSlidingWindow);
  EXPECT_EQ(due[0].range, (TimeRange{kT0 + 120, kT0 + len + 120}));
}

TEST(PrefetchTest, RegularRefreshOfTheSameRange) {
  PrefetchPredictor p;
  const TimeRange r{kT0 - 365 * kDay, kT0};
  p.Observe("AAPL|1d", r, kT0);
  p.Observe("AAPL|1d", r, kT0 + 300);
  EXPECT_TRUE(p.TakeDue(kT0 + 10000, 10).empty());  // two sightings are not a pattern
  p.Observe("AAPL|1d", r, kT0 + 600);
  EXPECT_TRUE(p.TakeDue(kT0 + 600, 10).empty());
  auto due = p.TakeDue(kT0 + 900 - 30, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].reason, Prediction::Reason::kRefresh);
  EXPECT_EQ(due[0].range, r);
}

TEST(PrefetchTest, UnrelatedRequestsPredictNothing) {
  PrefetchPredictor p;
  p.Observe("A", TimeRange{0, 1000}, kT0);
  p.Observe("A", TimeRange{50000, 90000}, kT0 + 1);
  p.Observe("B", TimeRange{0, 1000}, kT0 + 2);
  EXPECT_TRUE(p.TakeDue(kT0 + kDay, 10).empty());
}

TEST(PrefetchTest, TracksABoundedNumberOfSeries) {
  PrefetchOptions opts;
  opts.max_series = 2;
  PrefetchPredictor p(opts);
  p.Observe("A", TimeRange{0, 1000}, 1);
  p.Observe("B", TimeRange{0, 1000}, 2);
  p.Observe("C", TimeRange{0, 1000}, 3);     // drops A
  p.Observe("A", TimeRange{1000, 2000}, 4);  // A starts over: one sighting, no page
  EXPECT_TRUE(p.TakeDue(10, 10).empty());
}

class FixedCalendar final : public calendar::Calendar {
 public:
  bool open = false;
  Timestamp next_close = 0;
  std::string_view code() const override { return "T"; }
  std::string_view timezone() const override { return "UTC"; }
  calendar::MarketKind kind() const override { return calendar::MarketKind::kExchange; }
  bool IsTradingDay(CivilDate) const override { return true; }
  std::optional<calendar::Session> SessionOn(CivilDate) const override { return std::nullopt; }
  std::vector<Timestamp> BarStarts(TimeRange, Interval) const override { return {}; }
  TimeRangeSet TradingTime(TimeRange, Interval) const override { return {}; }
  CivilDate LocalDate(Timestamp ts) const override { return CivilFromDays(DayOf(ts)); }
  bool IsOpen(Timestamp) const override { return open; }
  Timestamp NextClose(Timestamp) const override { return next_close; }
};

TEST(PrefetchTest, GateNeedsQuietTimeHeadroomAndAnOpenOrJustClosedMarket) {
  FixedCalendar cal;
  cal.open = true;
  EXPECT_TRUE(ShouldPrefetch(cal, kT0, 1, 0.9));
  EXPECT_FALSE(ShouldPrefetch(cal, kT0, 500, 0.9));  // busy: users first
  EXPECT_FALSE(ShouldPrefetch(cal, kT0, 1, 0.2));    // rate-limit headroom is for users
  cal.open = false;
  cal.next_close = kT0 - 600;  // closed 10 minutes ago
  EXPECT_TRUE(ShouldPrefetch(cal, kT0, 1, 0.9));
  cal.next_close = kT0 + 5 * 3600;  // the last close was long ago
  EXPECT_FALSE(ShouldPrefetch(cal, kT0, 1, 0.9));
}

}  // namespace
}  // namespace finex::cache
