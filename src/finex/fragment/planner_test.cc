#include "finex/fragment/planner.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/testutil/fake_calendar.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::fragment {
namespace {

using finex::testing::FakeCalendar;

Timestamp T(int y, int m, int d, int hh = 0, int mm = 0) {
  return DaysFromCivil({y, m, d}) * kSecondsPerDay + hh * kSecondsPerHour + mm * 60;
}

FragmentPtr Frag(TimeRange vouched, FieldSet fields = FieldSet::Ohlcv(),
                 const std::string& prov = "yahoo", const std::string& cur = "usd",
                 Timestamp expires = T(2100, 1, 1), Interval iv = Interval::k1d) {
  Fragment f;
  f.parsed.symbol = "AAPL";
  f.parsed.interval = iv;
  f.parsed.provider = prov;
  f.parsed.currency = cur;
  f.parsed.fields = fields;
  f.parsed.start_ts = vouched.start;
  f.parsed.end_ts = vouched.end - 1;
  f.key = *f.parsed.Encode();
  f.vouched = vouched;
  f.actual = fields.empty() ? TimeRange{} : vouched;
  f.expires_at = expires;
  f.details_loaded = true;
  return std::make_shared<const Fragment>(f);
}

PlanRequest Req(TimeRange r, FieldSet fields = FieldSet::Ohlcv(), std::string provider = "",
                std::string currency = "") {
  PlanRequest q;
  q.symbol = "AAPL";
  q.interval = Interval::k1d;
  q.range = r;
  q.fields = fields;
  q.provider = std::move(provider);
  q.currency = std::move(currency);
  return q;
}

std::vector<ProviderCandidate> Yahoo(FetchLimits l = {}) { return {{"yahoo", l, 1.0, true}}; }

const Timestamp kNow = T(2024, 6, 14, 22);  // a Friday evening, after the close

TEST(Planner, EmptyCacheFetchesTheWholeHistoryOneCallCarries) {
  FakeCalendar cal;
  Planner planner;
  const TimeRange r{T(2024, 3, 4), T(2024, 3, 9)};
  Plan p = planner.Build(Req(r), {}, cal, kNow, Yahoo());
  EXPECT_FALSE(p.full_hit());
  EXPECT_EQ(p.gaps, TimeRangeSet(TimeRange{T(2024, 3, 4), T(2024, 3, 9)}));
  ASSERT_EQ(p.fetches.size(), 1u);
  // A provider without per-call limits: everything from 1970 to now.
  EXPECT_EQ(p.fetches[0].call, (TimeRange{kWholeHistoryStart, kNow + 1}));
  EXPECT_EQ(p.providers, std::vector<std::string>{"yahoo"});
}

TEST(Planner, WholeHistoryStopsAtFreshNeighboursAndTheMemoryBudget) {
  FakeCalendar cal;
  // A fresh piece in 2015: the call stops at it.
  const FragmentPtr fresh = Frag({T(2015, 1, 1), T(2016, 1, 1)});
  Plan p = Planner().Build(Req({T(2020, 3, 2), T(2020, 3, 7)}), std::vector<FragmentPtr>{fresh},
                           cal, kNow, Yahoo());
  ASSERT_EQ(p.fetches.size(), 1u);
  EXPECT_EQ(p.fetches[0].call, (TimeRange{T(2016, 1, 1), kNow + 1}));
  // A widening budget of 1,000 rows: the decade unit is too big, the year fits.
  Planner small(PlannerOptions{FragmentSize::kOptimized, WidenPolicy::kAggressive, 1000});
  p = small.Build(Req({T(2020, 3, 2), T(2020, 3, 7)}), {}, cal, kNow, Yahoo());
  ASSERT_EQ(p.fetches.size(), 1u);
  EXPECT_EQ(p.fetches[0].call, (TimeRange{T(2020, 1, 1), T(2021, 1, 1)}));
}

TEST(Planner, RowCappedCallsWidenToFixedBlocksSoLaterWindowsLandInThem) {
  FakeCalendar cal(/*crypto=*/true);  // 24/7
  FetchLimits binance{1000, 0, 0, false, true};
  PlanRequest q = Req({T(2023, 5, 2), T(2023, 5, 4)});
  q.interval = Interval::k1h;
  Plan p = Planner().Build(q, {}, cal, kNow, Yahoo(binance));
  ASSERT_EQ(p.fetches.size(), 1u);
  const Timestamp block = 1000 * kSecondsPerHour;
  EXPECT_EQ(CallBlockSeconds(binance, Interval::k1h), block);
  const TimeRange call = p.fetches[0].call;
  EXPECT_EQ(call.start % block, 0);
  EXPECT_EQ(call.length(), block);
  EXPECT_TRUE(call.Contains(T(2023, 5, 2)) && call.Contains(T(2023, 5, 4) - 1));
  // A later window elsewhere in the same block needs no call.
  FragmentPtr got = Frag(call, FieldSet::Ohlcv(), "yahoo", "usd", T(2100, 1, 1), Interval::k1h);
  PlanRequest later = q;
  later.range = {call.end - 3 * kSecondsPerDay, call.end - 2 * kSecondsPerDay};
  ASSERT_GE(later.range.start, T(2023, 5, 4));
  EXPECT_TRUE(
      Planner().Build(later, std::vector<FragmentPtr>{got}, cal, kNow, Yahoo(binance)).full_hit());
}

TEST(Planner, AWindowStraddlingTwoBlocksSlidesOneFullCallOverTheBoundary) {
  FakeCalendar cal(/*crypto=*/true);  // 24/7
  FetchLimits binance{1000, 0, 0, false, true};
  const Timestamp block = 1000 * kSecondsPerHour;
  const Timestamp boundary = (T(2023, 5, 2) / block + 1) * block;
  // One day before the boundary, two after: one call from the window's start
  // carries it and most of the block it enters.
  PlanRequest q = Req({boundary - kSecondsPerDay, boundary + 2 * kSecondsPerDay});
  q.interval = Interval::k1h;
  Plan p = Planner().Build(q, {}, cal, kNow, Yahoo(binance));
  ASSERT_EQ(p.fetches.size(), 1u);
  EXPECT_EQ(p.fetches[0].call, (TimeRange{q.range.start, q.range.start + block}));
  // Two days before, one after: the call ends with the window instead.
  q.range = {boundary - 2 * kSecondsPerDay, boundary + kSecondsPerDay};
  p = Planner().Build(q, {}, cal, kNow, Yahoo(binance));
  ASSERT_EQ(p.fetches.size(), 1u);
  EXPECT_EQ(p.fetches[0].call, (TimeRange{q.range.end - block, q.range.end}));
}

TEST(Planner, SpanAndLookbackCappedCallsTakeTheWholeReachableWindow) {
  FakeCalendar cal;
  // Yahoo 15m: 60 days per call and 60 days back: one call takes it all.
  FetchLimits y15{0, 60 * kSecondsPerDay, 60 * kSecondsPerDay, false, true};
  PlanRequest q = Req({kNow - 3 * kSecondsPerDay, kNow - 2 * kSecondsPerDay});
  q.interval = Interval::k15m;
  Plan p = Planner().Build(q, {}, cal, kNow, Yahoo(y15));
  ASSERT_EQ(p.fetches.size(), 1u);
  // From just inside the lookback (an hour of slack: the provider's clock
  // moves on) to now.
  EXPECT_EQ(p.fetches[0].call, (TimeRange{kNow - 60 * kSecondsPerDay + kSecondsPerHour, kNow + 1}));
}

TEST(Planner, MonthPerCallProvidersAreAskedWholeCalendarMonths) {
  FakeCalendar cal;
  FetchLimits av{0, 31 * kSecondsPerDay, 0, false, true, /*month_per_call=*/true};
  PlanRequest q = Req({T(2023, 5, 30), T(2023, 6, 2)});
  q.interval = Interval::k5m;
  Plan p = Planner().Build(q, {}, cal, kNow, Yahoo(av));
  ASSERT_EQ(p.fetches.size(), 2u);  // May and June: one call each
  EXPECT_EQ(p.fetches[0].call, (TimeRange{T(2023, 5, 1), T(2023, 6, 1)}));
  EXPECT_EQ(p.fetches[1].call, (TimeRange{T(2023, 6, 1), T(2023, 7, 1)}));
}

TEST(Planner, NoWidenPolicyAsksForTheGapOnly) {
  FakeCalendar cal;
  Planner planner(PlannerOptions{FragmentSize::kOptimized, WidenPolicy::kNone, 20000});
  Plan p = planner.Build(Req({T(2024, 3, 4), T(2024, 3, 9)}), {}, cal, kNow, Yahoo());
  ASSERT_EQ(p.fetches.size(), 1u);
  EXPECT_EQ(p.fetches[0].call, (TimeRange{T(2024, 3, 4), T(2024, 3, 9)}));
  Planner bucket(PlannerOptions{FragmentSize::kOptimized, WidenPolicy::kBucket, 20000});
  p = bucket.Build(Req({T(2024, 3, 4), T(2024, 3, 9)}), {}, cal, kNow, Yahoo());
  EXPECT_EQ(p.fetches[0].call, (TimeRange{T(2024, 1, 1), kNow + 1}));  // the year, up to now
}

TEST(Planner, FullHitDoesNoCalendarWork) {
  FakeCalendar cal;
  Planner planner;
  std::vector<FragmentPtr> frags = {Frag({T(2024, 1, 1), T(2024, 2, 1)}),
                                    Frag({T(2024, 2, 1), T(2024, 3, 1)})};
  Plan p = planner.Build(Req({T(2024, 1, 10), T(2024, 2, 20)}), frags, cal, kNow, Yahoo());
  EXPECT_TRUE(p.full_hit());
  EXPECT_EQ(p.use.size(), 2u);
  EXPECT_EQ(cal.trading_time_calls.load(), 0);
  EXPECT_EQ(p.currency, "usd");
}

TEST(Planner, WeekendsAndHolidaysAreNotGaps) {
  FakeCalendar cal(false, {DayOf(T(2024, 1, 15))});  // MLK day
  Planner planner;
  // Cached Tue 16th .. Fri 19th; ask Sat 13th .. Sun 21st: only closed days added.
  std::vector<FragmentPtr> frags = {Frag({T(2024, 1, 16), T(2024, 1, 20)})};
  Plan p = planner.Build(Req({T(2024, 1, 13), T(2024, 1, 22)}), frags, cal, kNow, Yahoo());
  EXPECT_TRUE(p.full_hit()) << p.gaps.ToString();
  EXPECT_GT(p.trading_seconds, 0);
  EXPECT_TRUE(p.fetches.empty());
}

TEST(Planner, FieldGapsAndCurrencyMismatchesAreGaps) {
  FakeCalendar cal;
  Planner planner;
  std::vector<FragmentPtr> frags = {Frag({T(2024, 1, 1), T(2024, 2, 1)})};
  Plan p = planner.Build(
      Req({T(2024, 1, 2), T(2024, 1, 6)}, FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose)), frags,
      cal, kNow, Yahoo());
  EXPECT_EQ(p.gaps, TimeRangeSet(TimeRange{T(2024, 1, 2), T(2024, 1, 6)}));
  // A second fragment with adj_close fills the field gap.
  frags.push_back(Frag({T(2024, 1, 1), T(2024, 1, 10)}, FieldSet(FieldSet::kAdjClose)));
  p = planner.Build(
      Req({T(2024, 1, 2), T(2024, 1, 6)}, FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose)), frags,
      cal, kNow, Yahoo());
  EXPECT_TRUE(p.full_hit());
  p = planner.Build(Req({T(2024, 1, 2), T(2024, 1, 6)}, FieldSet::Ohlcv(), "", "eur"), frags, cal,
                    kNow, Yahoo());
  EXPECT_FALSE(p.full_hit());
  EXPECT_TRUE(p.use.empty());
  // A named provider does not use another provider's fragments.
  std::vector<ProviderCandidate> two = {{"yahoo", {}, 1, true}, {"alpha_vantage", {}, 1, true}};
  p = planner.Build(Req({T(2024, 1, 2), T(2024, 1, 6)}, FieldSet::Ohlcv(), "alpha_vantage"), frags,
                    cal, kNow, two);
  EXPECT_FALSE(p.full_hit());
  EXPECT_EQ(p.providers, std::vector<std::string>{"alpha_vantage"});
}

TEST(Planner, ExpiredFragmentsAreStaleNotCoverage) {
  FakeCalendar cal;
  Planner planner;
  std::vector<FragmentPtr> frags = {
      Frag({T(2024, 1, 1), T(2024, 2, 1)}, FieldSet::Ohlcv(), "yahoo", "usd", kNow)};
  Plan p = planner.Build(Req({T(2024, 1, 2), T(2024, 1, 6)}), frags, cal, kNow, Yahoo());
  EXPECT_FALSE(p.full_hit());
  EXPECT_EQ(p.stale.size(), 1u);
  EXPECT_TRUE(p.use.empty());
}

// A month of fresh per-day pieces with one expired day inside: whatever the
// widening policy, and whether the request is that day or the whole month,
// the plan refetches exactly that day (widening never rewrites fresh
// neighbours outside the request).
TEST(Planner, OneExpiredDayAmongFreshNeighboursRefetchesExactlyThatDay) {
  FakeCalendar cal;
  for (Interval iv : {Interval::k1d, Interval::k15m}) {
    const Timestamp expired_day = T(2024, 5, 15);
    std::vector<FragmentPtr> frags;
    for (Timestamp d = T(2024, 5, 1); d < T(2024, 6, 1); d += kSecondsPerDay)
      frags.push_back(Frag({d, d + kSecondsPerDay}, FieldSet::Ohlcv(), "yahoo", "usd",
                           d == expired_day ? kNow : T(2100, 1, 1), iv));
    const TimeRange day{expired_day, expired_day + kSecondsPerDay};
    for (WidenPolicy w : {WidenPolicy::kNone, WidenPolicy::kBucket, WidenPolicy::kAggressive}) {
      Planner planner(PlannerOptions{FragmentSize::kOptimized, w, 20000});
      for (TimeRange r : {day, TimeRange{T(2024, 5, 1), T(2024, 6, 1)}}) {
        PlanRequest q = Req(r);
        q.interval = iv;
        Plan p = planner.Build(q, frags, cal, kNow, Yahoo());
        SCOPED_TRACE(std::string(IntervalName(iv)) +
                     " widen=" + std::to_string(static_cast<int>(w)) + " request=" + r.ToString());
        EXPECT_EQ(p.stale.size(), 1u);
        ASSERT_EQ(p.fetches.size(), 1u) << p.gaps.ToString();
        const TimeRange call = p.fetches[0].call;
        if (iv == Interval::k1d) {
          EXPECT_EQ(call, day);
        } else {  // the day's session at least, never beyond the day
          EXPECT_GE(call.start, day.start);
          EXPECT_LE(call.end, day.end);
          EXPECT_TRUE(p.gaps.Subtract(TimeRangeSet(call)).empty()) << p.gaps.ToString();
        }
        EXPECT_EQ(p.fetches[0].fills, TimeRangeSet(call));
      }
    }
  }
}

// With nothing fresh around the gap, aggressive widening still stretches the
// call (the benefit measured by the Workload benchmark).
TEST(Planner, WideningStillFillsUnvouchedNeighbourhood) {
  FakeCalendar cal;
  Planner planner;
  // Fresh piece in March; expired one in May; ask for a day in May.
  std::vector<FragmentPtr> frags = {
      Frag({T(2024, 3, 1), T(2024, 4, 1)}),
      Frag({T(2024, 5, 1), T(2024, 6, 1)}, FieldSet::Ohlcv(), "yahoo", "usd", kNow)};
  Plan p = planner.Build(Req({T(2024, 5, 15), T(2024, 5, 16)}), frags, cal, kNow, Yahoo());
  ASSERT_EQ(p.fetches.size(), 1u);
  EXPECT_EQ(p.fetches[0].call, (TimeRange{T(2024, 4, 1), kNow + 1}));
}

TEST(Planner, FutureTimeIsNeverAGap) {
  FakeCalendar cal;
  Planner planner;
  std::vector<FragmentPtr> frags = {Frag({T(2024, 6, 1), kNow + 1})};
  Plan p = planner.Build(Req({T(2024, 6, 3), T(2024, 12, 31)}), frags, cal, kNow, Yahoo());
  EXPECT_TRUE(p.full_hit()) << p.gaps.ToString();
}

TEST(Planner, MergesGapsOneCallCanCarryAndSplitsWhatItCannot) {
  FakeCalendar cal;
  Planner planner(PlannerOptions{FragmentSize::kOptimized, WidenPolicy::kNone, 20000});
  // Holes in Jan and Mar around a cached Feb: one unlimited call covers both.
  std::vector<FragmentPtr> frags = {Frag({T(2024, 2, 1), T(2024, 3, 1)})};
  Plan p = planner.Build(Req({T(2024, 1, 2), T(2024, 3, 30)}), frags, cal, kNow, Yahoo());
  ASSERT_EQ(p.fetches.size(), 1u);
  EXPECT_EQ(p.fetches[0].call, (TimeRange{T(2024, 1, 2), T(2024, 3, 30)}));
  EXPECT_EQ(p.fetches[0].fills.ranges().size(), 2u);  // the cached month is not a fill
  // 10 rows per call: Jan 2..Mar 29 holds 62 trading days -> 7 calls.
  p = planner.Build(Req({T(2024, 1, 2), T(2024, 3, 30)}), {}, cal, kNow,
                    Yahoo(FetchLimits{10, 0, 0, false, true}));
  EXPECT_EQ(p.fetches.size(), 7u);
  for (const FetchPlan& f : p.fetches)
    EXPECT_LE(Planner::EstimateRows(f.call, Interval::k1d, cal), 10);
  // Lookback: only the last 30 days are reachable.
  p = planner.Build(Req({T(2024, 1, 2), T(2024, 6, 14)}), {}, cal, kNow,
                    Yahoo(FetchLimits{0, 0, 30 * kSecondsPerDay, false, true}));
  ASSERT_EQ(p.fetches.size(), 1u);
  EXPECT_GE(p.fetches[0].call.start, kNow - 30 * kSecondsPerDay);
  EXPECT_FALSE(p.unreachable.empty());
}

TEST(Planner, ProviderOrderPrefersHealthyThenCoverage) {
  FakeCalendar cal;
  Planner planner;
  std::vector<FragmentPtr> frags = {
      Frag({T(2024, 1, 1), T(2024, 1, 10)}, FieldSet::Ohlcv(), "twelve_data")};
  std::vector<ProviderCandidate> c = {{"yahoo", {}, 0.2, true},
                                      {"alpha_vantage", {}, 0.9, true},
                                      {"twelve_data", {}, 0.9, true},
                                      {"binance", {}, 1.0, false}};
  Plan p = planner.Build(Req({T(2024, 1, 2), T(2024, 1, 20)}), frags, cal, kNow, c);
  EXPECT_EQ(p.providers, (std::vector<std::string>{"twelve_data", "alpha_vantage", "yahoo"}));
}

// Property: for random fragment sets and requests,
//   fills ∪ covered ⊇ requested trading time (minus what lies beyond the
//   lookback), no fill overlaps usable vouched time, calls are disjoint,
//   ordered, fit the limits, and contain their fills.
TEST(Planner, PropertyCoverageNoOverlapLimits) {
  const uint64_t seed = finex::testing::TestSeed();
  std::mt19937_64 rng(seed);
  FakeCalendar nyse(false, {DayOf(T(2024, 1, 15)), DayOf(T(2024, 3, 29)), DayOf(T(2024, 7, 4))});
  FakeCalendar crypto(true);
  const FieldSet field_sets[] = {FieldSet::Ohlcv(), FieldSet(FieldSet::kAdjClose),
                                 FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose), FieldSet::All(),
                                 FieldSet()};
  const std::string provs[] = {"yahoo", "alpha_vantage"};
  const std::string curs[] = {"usd", "eur"};
  const Interval ivs[] = {Interval::k1d, Interval::k1h, Interval::k1w, Interval::k5m};
  const WidenPolicy policies[] = {WidenPolicy::kNone, WidenPolicy::kBucket,
                                  WidenPolicy::kAggressive};
  for (int iter = 0; iter < 1500; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter) + " seed " + std::to_string(seed));
    const bool use_crypto = rng() % 4 == 0;
    const FakeCalendar& cal = use_crypto ? crypto : nyse;
    const Interval iv = ivs[rng() % 4];
    const Timestamp unit = IsIntraday(iv) ? kSecondsPerHour : kSecondsPerDay;
    const Timestamp base = T(2024, 1, 1);
    const Timestamp span = (IsIntraday(iv) ? 24 * 20 : 400) * unit;
    const Timestamp now = base + span / 2 + static_cast<Timestamp>(rng() % (span / 2));
    std::vector<FragmentPtr> frags;
    const int n = static_cast<int>(rng() % 8);
    for (int k = 0; k < n; ++k) {
      const Timestamp a = base + static_cast<Timestamp>(rng() % span);
      const Timestamp len = unit * (1 + static_cast<Timestamp>(rng() % 40));
      FragmentPtr f = Frag({a, a + len}, field_sets[rng() % 5], provs[rng() % 2],
                           curs[rng() % 5 == 0], rng() % 6 == 0 ? now - 1 : now + 1000, iv);
      frags.push_back(f);
    }
    std::sort(frags.begin(), frags.end(),
              [](auto& a, auto& b) { return a->vouched.start < b->vouched.start; });
    const Timestamp a = base + static_cast<Timestamp>(rng() % span);
    const TimeRange r{a, a + unit * (1 + static_cast<Timestamp>(rng() % 120))};
    PlanRequest q = Req(r, field_sets[rng() % 4], rng() % 3 == 0 ? provs[rng() % 2] : "",
                        rng() % 4 == 0 ? curs[rng() % 2] : "");
    q.interval = iv;
    FetchLimits lim;
    if (rng() % 2) lim.max_rows = 5 + static_cast<int64_t>(rng() % 200);
    if (rng() % 3 == 0) lim.max_span_s = unit * (3 + static_cast<Timestamp>(rng() % 60));
    if (rng() % 4 == 0) lim.max_lookback_s = unit * (5 + static_cast<Timestamp>(rng() % 100));
    Planner planner(PlannerOptions{rng() % 2 ? FragmentSize::kSmall : FragmentSize::kOptimized,
                                   policies[rng() % 3], 1 + static_cast<int64_t>(rng() % 5000)});
    std::vector<ProviderCandidate> cands = {{"yahoo", lim, 1.0, true},
                                            {"alpha_vantage", lim, 1.0, true}};
    Plan p = planner.Build(q, frags, cal, now, cands);

    // Coverage: every bar that can exist (start in r, not after now) is
    // vouched for, fetched, or beyond the provider's reach.
    TimeRangeSet fills;
    for (const FetchPlan& f : p.fetches) fills = fills.Union(f.fills);
    const TimeRange live = r.Intersect(TimeRange{r.start, std::max(r.start, now + 1)});
    for (Timestamp b : cal.BarStarts(live, iv)) {
      ASSERT_TRUE(fills.Contains(b) || p.covered.Contains(b) || p.unreachable.Contains(b))
          << "bar " << FormatIsoUtc(b) << " is neither cached nor fetched";
    }
    // Usable fragments' vouched time is never fetched again.
    TimeRangeSet vouched_all;
    for (const FragmentPtr& f : p.use) {
      ASSERT_FALSE(f->expired(now));
      if (!q.provider.empty()) ASSERT_EQ(f->provider(), q.provider);
    }
    ASSERT_TRUE(fills.Intersect(p.covered).empty());
    // Calls: ordered, disjoint, within limits and the horizon, containing their fills.
    for (size_t k = 0; k < p.fetches.size(); ++k) {
      const FetchPlan& f = p.fetches[k];
      ASSERT_FALSE(f.call.empty());
      if (k) ASSERT_LE(p.fetches[k - 1].call.end, f.call.start);
      ASSERT_LE(f.call.end, now + 1);
      if (lim.max_span_s) ASSERT_LE(f.call.length(), lim.max_span_s);
      if (lim.max_rows) ASSERT_LE(Planner::EstimateRows(f.call, iv, cal), lim.max_rows);
      if (lim.max_lookback_s) ASSERT_GE(f.call.start, now - lim.max_lookback_s);
      ASSERT_TRUE(TimeRangeSet(f.call).Covers(f.call));
      for (const TimeRange& x : f.fills.ranges()) ASSERT_TRUE(f.call.Contains(x));
    }
    if (p.full_hit()) ASSERT_TRUE(p.fetches.empty());
  }
}

}  // namespace
}  // namespace finex::fragment
