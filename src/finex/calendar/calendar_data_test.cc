// Calendar tests against REAL provider data in ../shared/data (skipped when
// it is absent): every trading day a provider published must be a trading
// day of finex's calendar and vice versa, within each file's span.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/calendar/timezone.h"
#include "tests/testutil/random.h"

namespace finex::calendar {
namespace {

int64_t ParseDay(std::string_view s) {
  CivilDate d{std::stoi(std::string(s.substr(0, 4))), std::stoi(std::string(s.substr(5, 2))),
              std::stoi(std::string(s.substr(8, 2)))};
  EXPECT_TRUE(IsValidCivil(d)) << s;
  return DaysFromCivil(d);
}

// Reads the first column (a YYYY-MM-DD date) of every data line of a plain
// or gzip-compressed CSV (zlib reads both transparently).
std::set<int64_t> DatesIn(const std::string& path) {
  std::set<int64_t> out;
  gzFile f = gzopen(path.c_str(), "rb");
  EXPECT_NE(f, nullptr) << path;
  if (f == nullptr) return out;
  char buf[4096];
  bool header = true;
  while (gzgets(f, buf, sizeof buf) != nullptr) {
    if (header) {
      header = false;
      continue;
    }
    std::string_view line(buf);
    if (line.size() < 10) continue;
    out.insert(ParseDay(line.substr(0, 10)));
  }
  gzclose(f);
  return out;
}

std::set<int64_t> TradingDays(const Calendar& cal, int64_t first, int64_t last) {
  std::set<int64_t> out;
  for (Timestamp t :
       cal.BarStarts({first * kSecondsPerDay, (last + 1) * kSecondsPerDay}, Interval::k1d)) {
    out.insert(t / kSecondsPerDay);
  }
  return out;
}

std::string Fmt(int64_t day) { return FormatDate(day * kSecondsPerDay); }

// Asserts cal's trading days over [first, last] of the file equal its dates.
void ExpectAgreement(const Calendar& cal, const std::string& path) {
  std::set<int64_t> data = DatesIn(path);
  ASSERT_FALSE(data.empty()) << path;
  std::set<int64_t> cal_days = TradingDays(cal, *data.begin(), *data.rbegin());
  for (int64_t d : data) EXPECT_TRUE(cal_days.count(d)) << path << ": traded on " << Fmt(d);
  for (int64_t d : cal_days) EXPECT_TRUE(data.count(d)) << path << ": no bar on " << Fmt(d);
}

std::string Ohlcv(const std::string& name) {
  return ::finex::testing::SharedDataDir() + "/ohlcv/" + name;
}

TEST(CalendarRealDataTest, Sp500FiveYearsHas45WeekdayHolidays) {
  FINEX_REQUIRE_SHARED_DATA();
  const std::string path = Ohlcv("sp500_all_stocks_5yr_daily_2013-02-08_2018-02-07.csv.gz");
  std::set<int64_t> data = DatesIn(path);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(Fmt(*data.begin()), "2013-02-08");
  EXPECT_EQ(Fmt(*data.rbegin()), "2018-02-07");
  int weekday_gaps = 0;
  for (int64_t d = *data.begin(); d <= *data.rbegin(); ++d) {
    int wd = WeekdayFromDays(d);
    if (wd != 0 && wd != 6 && !data.count(d)) ++weekday_gaps;
  }
  EXPECT_EQ(weekday_gaps, 45);
  ExpectAgreement(*FindCalendar("XNYS").value(), path);
}

TEST(CalendarRealDataTest, YahooDailyHistoriesIncludingSpecialClosures) {
  FINEX_REQUIRE_SHARED_DATA();
  const Calendar& nyse = *FindCalendar("XNYS").value();
  for (const char* name :
       {"yahoo_ORCL_1d_1995-01-03_2014-12-31.csv", "yahoo_NVDA_1d_1999-01-22_2014-12-31.csv",
        "yahoo_YHOO_1d_1996-04-12_2015-12-31.csv"}) {
    SCOPED_TRACE(name);
    ExpectAgreement(nyse, Ohlcv(name));
    std::set<int64_t> data = DatesIn(Ohlcv(name));
    // The files span 9/11 and Sandy: no bars on those days.
    for (CivilDate d : {CivilDate{2001, 9, 11}, CivilDate{2001, 9, 14}, CivilDate{2012, 10, 29},
                        CivilDate{2012, 10, 30}, CivilDate{2004, 6, 11}, CivilDate{2007, 1, 2}}) {
      EXPECT_FALSE(data.count(DaysFromCivil(d)));
    }
  }
}

// Reads "<date>,<time>,..." or "<date> <time>,..." rows as local times in tz.
std::vector<Timestamp> LocalStamps(const std::string& path, std::string_view tz) {
  std::vector<Timestamp> out;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.size() < 19) continue;
    std::string text = line.substr(0, 10) + " " + line.substr(11, 8);
    Result<Timestamp> t = ParseLocal(tz, text);
    EXPECT_TRUE(t.ok()) << t.status();
    if (t.ok()) out.push_back(*t);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(CalendarRealDataTest, EuroStoxxIndexFollowsXetraSessions) {
  FINEX_REQUIRE_SHARED_DATA();
  // 5-minute index bars stamped by their END in Frankfurt time, 09:05..17:30.
  std::vector<Timestamp> ends =
      LocalStamps(Ohlcv("eurostoxx50_index_5min_2006-01-02_2006-01-30.csv"), "Europe/Berlin");
  ASSERT_FALSE(ends.empty());
  std::vector<Timestamp> starts;
  for (Timestamp e : ends) starts.push_back(e - 5 * kSecondsPerMinute);
  const Calendar& xetra = *FindCalendar("XETR").value();
  TimeRange span{DayOf(starts.front()) * kSecondsPerDay,
                 (DayOf(starts.back()) + 1) * kSecondsPerDay};
  EXPECT_EQ(starts, xetra.BarStarts(span, Interval::k5m));
  EXPECT_EQ(starts.size(), 21u * 102);
}

TEST(CalendarRealDataTest, BinanceCryptoBarsAreContinuous) {
  FINEX_REQUIRE_SHARED_DATA();
  const Calendar& crypto = *FindCalendar("CRYPTO").value();
  struct File {
    const char* name;
    Interval iv;
  };
  for (File f : {File{"binance_BTCUSDT_1h_2021-01-01_2021-02-01.csv", Interval::k1h},
                 File{"binance_ETHUSDT_1h_2021-01-01_2021-02-01.csv", Interval::k1h},
                 File{"binanceus_BTCUSDT_1m_2023-03-01_2023-03-21.csv", Interval::k1m}}) {
    std::vector<Timestamp> stamps = LocalStamps(Ohlcv(f.name), "UTC");
    ASSERT_FALSE(stamps.empty()) << f.name;
    EXPECT_EQ(stamps, crypto.BarStarts({stamps.front(), stamps.back() + 1}, f.iv)) << f.name;
  }
}

TEST(CalendarRealDataTest, AlphaVantageExtendedShowsBlackFridayEarlyClose) {
  FINEX_REQUIRE_SHARED_DATA();
  const std::string path = ::finex::testing::SharedDataDir() +
                           "/provider-responses/alphavantage/"
                           "av-TIME_SERIES_INTRADAY_EXTENDED-MSFT-1min-year1month1-2020-11-23_"
                           "2020-12-18.csv";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  const Calendar& nyse = *FindCalendar("XNYS").value();
  std::string line;
  std::getline(in, line);  // header
  // Alpha Vantage stamps 1m bars by their END in US/Eastern, 04:00-20:00
  // (extended hours run four hours past the regular close).
  std::map<int64_t, Timestamp> last_end;  // local day -> latest bar end (UTC)
  int regular_bars = 0;
  while (std::getline(in, line)) {
    if (line.size() < 19) continue;
    Result<Timestamp> end = ParseLocal("US/Eastern", line.substr(0, 19));
    ASSERT_TRUE(end.ok()) << end.status();
    int64_t day = ParseDay(line.substr(0, 10));
    Timestamp& le = last_end[day];
    le = std::max(le, *end);
    Timestamp start = *end - 60;
    std::optional<Session> s = nyse.SessionOn(CivilFromDays(day));
    ASSERT_TRUE(s.has_value()) << "bar on a closed day: " << line;
    if (nyse.IsOpen(start)) {
      ++regular_bars;
      EXPECT_GE(start, s->open);
      EXPECT_LT(start, s->close);
    }
  }
  std::set<int64_t> days;
  for (auto& [d, t] : last_end) days.insert(d);
  EXPECT_EQ(days, TradingDays(nyse, *days.begin(), *days.rbegin()));
  int early = 0;
  for (auto& [d, t] : last_end) {
    std::optional<Session> s = nyse.SessionOn(CivilFromDays(d));
    // The last extended-hours bar ends at most four hours after the regular
    // close and (thin trading aside) within half an hour of that.
    EXPECT_LE(t, s->close + 4 * kSecondsPerHour) << Fmt(d);
    EXPECT_GT(t, s->close + 4 * kSecondsPerHour - 30 * kSecondsPerMinute) << Fmt(d);
    if (s->early_close) {
      ++early;
      EXPECT_EQ(Fmt(d), "2020-11-27");
    }
  }
  EXPECT_EQ(early, 1);
  EXPECT_GT(regular_bars, 5000);
}

}  // namespace
}  // namespace finex::calendar
