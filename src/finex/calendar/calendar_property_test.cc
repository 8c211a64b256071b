// Randomized invariants over every calendar and interval (seed printed by
// TestSeed(); FINEX_TEST_SEED=<n> replays), concurrency of the lazily built
// year tables, and the edges of the supported range.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/calendar/detail/exchange_calendar.h"
#include "tests/testutil/random.h"

namespace finex::calendar {
namespace {

Timestamp Day(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }

TEST(CalendarPropertyTest, BarsTradingTimeAndSessionsAgree) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  const Timestamp lo = Day(2015, 1, 1), hi = Day(2027, 12, 1);
  for (int iter = 0; iter < 400; ++iter) {
    const Calendar& cal = *AllCalendars()[rng() % AllCalendars().size()];
    Interval iv = kAllIntervals[rng() % kAllIntervals.size()];
    Timestamp span = IsIntraday(iv) ? static_cast<Timestamp>(rng() % (10 * kSecondsPerDay)) + 1
                                    : static_cast<Timestamp>(rng() % (400 * kSecondsPerDay)) + 1;
    Timestamp start = lo + static_cast<Timestamp>(rng() % static_cast<uint64_t>(hi - lo));
    TimeRange r{start, start + span};
    SCOPED_TRACE(std::string(cal.code()) + " " + std::string(IntervalName(iv)) + " " +
                 r.ToString());
    std::vector<Timestamp> bars = cal.BarStarts(r, iv);
    TimeRangeSet tt = cal.TradingTime(r, iv);
    ASSERT_TRUE(std::is_sorted(bars.begin(), bars.end()));
    ASSERT_TRUE(std::adjacent_find(bars.begin(), bars.end()) == bars.end());
    for (Timestamp b : bars) {
      ASSERT_TRUE(r.Contains(b));
      ASSERT_TRUE(tt.Contains(b));
    }
    EXPECT_EQ(bars.empty(), tt.empty());
    if (!tt.empty()) {
      EXPECT_EQ(tt.ranges().front().start, bars.front());
      EXPECT_LE(tt.ranges().back().end, r.end);
    }
    // Splitting the range splits the bars.
    Timestamp mid = r.start + span / 2;
    if (mid > r.start) {
      std::vector<Timestamp> a = cal.BarStarts({r.start, mid}, iv);
      std::vector<Timestamp> b = cal.BarStarts({mid, r.end}, iv);
      a.insert(a.end(), b.begin(), b.end());
      EXPECT_EQ(a, bars);
    }
    if (IsIntraday(iv)) {
      const Timestamp len = NominalSeconds(iv);
      Timestamp total = 0;
      for (Timestamp b : bars) {
        EXPECT_TRUE(cal.IsOpen(b));
        // A bar lasts until the next nominal start or the session/lunch end.
        // Found independently by binary search on IsOpen (monotone in a bar).
        Timestamp end = b + len;
        if (!cal.IsOpen(end - 1)) {
          Timestamp open_t = b, closed_t = end - 1;
          while (closed_t - open_t > 1) {
            Timestamp m = open_t + (closed_t - open_t) / 2;
            (cal.IsOpen(m) ? open_t : closed_t) = m;
          }
          end = closed_t;
        }
        total += std::min(end, r.end) - b;
      }
      EXPECT_EQ(tt.TotalLength(), total);
      for (const TimeRange& x : tt.ranges()) {
        EXPECT_TRUE(cal.IsOpen(x.start));
        EXPECT_TRUE(cal.IsOpen(x.end - 1));
      }
    } else {
      for (Timestamp b : bars) {
        EXPECT_EQ(b % kSecondsPerDay, 0);
        CivilDate d = CivilFromDays(b / kSecondsPerDay);
        if (iv == Interval::k1d) {
          EXPECT_TRUE(cal.IsTradingDay(d));
        }
        if (iv == Interval::k1w) {
          EXPECT_EQ(WeekdayFromDays(b / kSecondsPerDay), 1);
        }
        if (iv == Interval::k1mo) {
          EXPECT_EQ(d.day, 1);
        }
      }
    }
    // NextClose / IsOpen / SessionOn agree at a random instant.
    Timestamp t = r.start;
    Timestamp close = cal.NextClose(t);
    EXPECT_GE(close, t);
    if (cal.IsOpen(t) && cal.kind() == MarketKind::kExchange) {
      std::optional<Session> s = cal.SessionOn(cal.LocalDate(t));
      ASSERT_TRUE(s.has_value());
      EXPECT_EQ(close, s->close);
      EXPECT_GE(t, s->open);
    }
  }
}

TEST(CalendarPropertyTest, DailyBarsMatchIsTradingDay) {
  for (const Calendar* cal : AllCalendars()) {
    std::vector<Timestamp> bars = cal->BarStarts({Day(2015, 1, 1), Day(2028, 1, 1)}, Interval::k1d);
    std::vector<Timestamp> want;
    for (int64_t d = DaysFromCivil({2015, 1, 1}); d < DaysFromCivil({2028, 1, 1}); ++d) {
      if (cal->IsTradingDay(CivilFromDays(d))) want.push_back(d * kSecondsPerDay);
    }
    EXPECT_EQ(bars, want) << cal->code();
    // Exchanges: 240..262 sessions a year.
    if (cal->kind() == MarketKind::kExchange) {
      for (int y = 2015; y <= 2027; ++y) {
        size_t n = cal->BarStarts({Day(y, 1, 1), Day(y + 1, 1, 1)}, Interval::k1d).size();
        EXPECT_GE(n, 240u) << cal->code() << " " << y;
        EXPECT_LE(n, 262u) << cal->code() << " " << y;
      }
    }
  }
}

TEST(CalendarPropertyTest, NasdaqFollowsNyse) {
  const Calendar& nyse = *FindCalendar("XNYS").value();
  const Calendar& nasdaq = *FindCalendar("XNAS").value();
  for (int64_t d = DaysFromCivil({1990, 1, 1}); d < DaysFromCivil({2028, 1, 1}); ++d) {
    ASSERT_EQ(nyse.SessionOn(CivilFromDays(d)), nasdaq.SessionOn(CivilFromDays(d)));
  }
}

TEST(CalendarPropertyTest, ConcurrentFirstUseBuildsIdenticalTables) {
  // A fresh calendar (not the singleton) so the year tables are built under
  // contention; every thread must see the same sessions as a serial build.
  detail::ExchangeCalendar serial(detail::XhkgSpec());
  std::vector<std::vector<Timestamp>> want;
  for (int y = 2000; y < 2030; ++y) {
    want.push_back(serial.BarStarts({Day(y, 1, 1), Day(y + 1, 1, 1)}, Interval::k30m));
  }
  detail::ExchangeCalendar shared(detail::XhkgSpec());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 30; ++k) {
        int y = 2000 + (k * 7 + t) % 30;
        if (shared.BarStarts({Day(y, 1, 1), Day(y + 1, 1, 1)}, Interval::k30m) != want[y - 2000]) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(CalendarEdgeTest, OutsideSupportedYears) {
  const Calendar& c = *FindCalendar("XNYS").value();
  EXPECT_FALSE(c.IsTradingDay({1850, 6, 3}));
  EXPECT_FALSE(c.IsTradingDay({2250, 6, 3}));
  EXPECT_FALSE(c.IsTradingDay({2024, 2, 30}));  // invalid date
  EXPECT_FALSE(c.SessionOn({2024, 13, 1}).has_value());
  EXPECT_TRUE(c.BarStarts({Day(1800, 1, 1), Day(1890, 1, 1)}, Interval::k1d).empty());
  EXPECT_EQ(c.NextClose(Day(2300, 1, 1)), std::numeric_limits<Timestamp>::max());
  EXPECT_FALSE(c.IsOpen(std::numeric_limits<Timestamp>::max()));
  EXPECT_FALSE(c.IsOpen(std::numeric_limits<Timestamp>::min()));
  // A whole-history daily request works and stops at the table edge.
  std::vector<Timestamp> all = c.BarStarts(
      {std::numeric_limits<Timestamp>::min() / 2, std::numeric_limits<Timestamp>::max() / 2},
      Interval::k1d);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(FormatDate(all.front()), "1900-01-02");
  EXPECT_EQ(FormatDate(all.back()).substr(0, 4), "2199");
  EXPECT_TRUE(c.BarStarts({Day(2024, 1, 2), Day(2024, 1, 2)}, Interval::k1m).empty());
  EXPECT_TRUE(c.TradingTime({Day(2024, 1, 3), Day(2024, 1, 2)}, Interval::k1h).empty());
}

TEST(CalendarEdgeTest, NyseHistoricalHoursAndEarlyCloses) {
  const Calendar& c = *FindCalendar("XNYS").value();
  // 10:00 open before 1985-09-30 (EDT: 14:00Z), 09:30 after.
  EXPECT_EQ(FormatIsoUtc(c.SessionOn({1985, 9, 26})->open), "1985-09-26T14:00:00Z");
  EXPECT_EQ(FormatIsoUtc(c.SessionOn({1985, 9, 30})->open), "1985-09-30T13:30:00Z");
  EXPECT_EQ(FormatIsoUtc(c.SessionOn({1992, 12, 24})->close), "1992-12-24T19:00:00Z");  // 14:00
  EXPECT_EQ(FormatIsoUtc(c.SessionOn({1998, 12, 24})->close), "1998-12-24T18:00:00Z");  // 13:00
  EXPECT_EQ(FormatIsoUtc(c.SessionOn({2003, 12, 26})->close), "2003-12-26T18:00:00Z");
  EXPECT_EQ(FormatIsoUtc(c.SessionOn({2013, 7, 3})->close), "2013-07-03T17:00:00Z");
  EXPECT_FALSE(c.SessionOn({2013, 7, 5})->early_close);
  EXPECT_FALSE(c.IsTradingDay({1980, 11, 4}));  // Election Day
  EXPECT_TRUE(c.IsTradingDay({1984, 11, 6}));
  EXPECT_FALSE(c.IsTradingDay({1977, 7, 14}));  // blackout
}

}  // namespace
}  // namespace finex::calendar
