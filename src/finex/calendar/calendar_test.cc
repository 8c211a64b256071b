#include "finex/calendar/calendar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::calendar {
namespace {

Timestamp Utc(std::string_view iso) { return ParseTime(iso, TimeBound::kStart).value(); }
Timestamp Day(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }
const Calendar& Cal(std::string_view code) { return *FindCalendar(code).value(); }

// Closed weekdays of `year` on `cal`.
std::vector<std::string> ClosedWeekdays(const Calendar& cal, int year) {
  std::vector<std::string> out;
  for (int64_t d = DaysFromCivil({year, 1, 1}); d < DaysFromCivil({year + 1, 1, 1}); ++d) {
    int wd = WeekdayFromDays(d);
    if (wd == 0 || wd == 6) continue;
    if (!cal.IsTradingDay(CivilFromDays(d))) out.push_back(FormatDate(d * kSecondsPerDay));
  }
  return out;
}

std::vector<std::string> EarlyCloses(const Calendar& cal, int year) {
  std::vector<std::string> out;
  for (int64_t d = DaysFromCivil({year, 1, 1}); d < DaysFromCivil({year + 1, 1, 1}); ++d) {
    auto s = cal.SessionOn(CivilFromDays(d));
    if (s && s->early_close) out.push_back(FormatDate(d * kSecondsPerDay));
  }
  return out;
}

using Dates = std::vector<std::string>;

TEST(FindCalendarTest, KnownAndUnknownCodes) {
  for (std::string_view code :
       {"XNYS", "XNAS", "XLON", "XETR", "XPAR", "XTKS", "XHKG", "XASX", "CRYPTO", "FX"}) {
    Result<const Calendar*> c = FindCalendar(code);
    ASSERT_TRUE(c.ok()) << code;
    EXPECT_EQ((*c)->code(), code);
  }
  EXPECT_EQ(FindCalendar("xnys").value()->code(), "XNYS");
  EXPECT_THAT(FindCalendar("NOPE"), testing::StatusIs(StatusCode::kNotFound, "NOPE"));
  EXPECT_EQ(Cal("XNYS").timezone(), "America/New_York");
  EXPECT_EQ(Cal("CRYPTO").kind(), MarketKind::kCrypto);
  EXPECT_EQ(Cal("FX").kind(), MarketKind::kFx);
  EXPECT_EQ(Cal("XHKG").kind(), MarketKind::kExchange);
}

TEST(CalendarForTest, HintsWin) {
  EXPECT_EQ(CalendarFor("AAPL", "NMS").code(), "XNAS");
  EXPECT_EQ(CalendarFor("IBM", "NYQ").code(), "XNYS");
  EXPECT_EQ(CalendarFor("X", "NASDAQ").code(), "XNAS");
  EXPECT_EQ(CalendarFor("VOD", "LSE").code(), "XLON");
  EXPECT_EQ(CalendarFor("SAP", "XETRA").code(), "XETR");
  EXPECT_EQ(CalendarFor("BTCUSDT", "BINANCE").code(), "CRYPTO");
  EXPECT_EQ(CalendarFor("BTC-USD", "CCC").code(), "CRYPTO");
  EXPECT_EQ(CalendarFor("EURUSD=X", "CCY").code(), "FX");
  EXPECT_EQ(CalendarFor("7203", "XTKS").code(), "XTKS");
  EXPECT_EQ(CalendarFor("SPY", "nyse arca").code(), "XNYS");
  // An unknown hint falls back to the symbol's shape.
  EXPECT_EQ(CalendarFor("VOD.L", "Mystery Exchange").code(), "XLON");
}

TEST(CalendarForTest, SymbolShapes) {
  EXPECT_EQ(CalendarFor("EURUSD=X").code(), "FX");
  EXPECT_EQ(CalendarFor("EUR/USD").code(), "FX");
  EXPECT_EQ(CalendarFor("BTC-USD").code(), "CRYPTO");
  EXPECT_EQ(CalendarFor("ETH-EUR").code(), "CRYPTO");
  EXPECT_EQ(CalendarFor("BTCUSDT").code(), "CRYPTO");
  EXPECT_EQ(CalendarFor("BTC/USDT").code(), "CRYPTO");
  EXPECT_EQ(CalendarFor("ETHBUSD").code(), "CRYPTO");
  EXPECT_EQ(CalendarFor("ETHBTC").code(), "CRYPTO");
  EXPECT_EQ(CalendarFor("bitcoin").code(), "CRYPTO");
  EXPECT_EQ(CalendarFor("VOD.L").code(), "XLON");
  EXPECT_EQ(CalendarFor("SAP.DE").code(), "XETR");
  EXPECT_EQ(CalendarFor("AIR.PA").code(), "XPAR");
  EXPECT_EQ(CalendarFor("ASML.AS").code(), "XPAR");
  EXPECT_EQ(CalendarFor("7203.T").code(), "XTKS");
  EXPECT_EQ(CalendarFor("0700.HK").code(), "XHKG");
  EXPECT_EQ(CalendarFor("BHP.AX").code(), "XASX");
  EXPECT_EQ(CalendarFor("^N225").code(), "XTKS");
  EXPECT_EQ(CalendarFor("AAPL").code(), "XNYS");
  EXPECT_EQ(CalendarFor("BRK-B").code(), "XNYS");
  EXPECT_EQ(CalendarFor("^GSPC").code(), "XNYS");
  EXPECT_EQ(CalendarFor("ES=F").code(), "XNYS");
  EXPECT_EQ(CalendarFor("").code(), "XNYS");
}

// ------------------------------------------------------------------ XNYS

TEST(XnysTest, HolidayLists) {
  const Calendar& c = Cal("XNYS");
  // NYSE published holiday calendars.
  EXPECT_EQ(ClosedWeekdays(c, 2015),
            (Dates{"2015-01-01", "2015-01-19", "2015-02-16", "2015-04-03", "2015-05-25",
                   "2015-07-03", "2015-09-07", "2015-11-26", "2015-12-25"}));
  EXPECT_EQ(ClosedWeekdays(c, 2016),
            (Dates{"2016-01-01", "2016-01-18", "2016-02-15", "2016-03-25", "2016-05-30",
                   "2016-07-04", "2016-09-05", "2016-11-24", "2016-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2018),
            (Dates{"2018-01-01", "2018-01-15", "2018-02-19", "2018-03-30", "2018-05-28",
                   "2018-07-04", "2018-09-03", "2018-11-22", "2018-12-05", "2018-12-25"}));
  EXPECT_EQ(ClosedWeekdays(c, 2021),
            (Dates{"2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31",
                   "2021-07-05", "2021-09-06", "2021-11-25", "2021-12-24"}));
  // 2022: New Year on Saturday is not observed (Dec 31, 2021 traded);
  // Juneteenth on Sunday -> Monday June 20.
  EXPECT_EQ(ClosedWeekdays(c, 2022),
            (Dates{"2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20",
                   "2022-07-04", "2022-09-05", "2022-11-24", "2022-12-26"}));
  EXPECT_TRUE(c.IsTradingDay({2021, 12, 31}));
  EXPECT_EQ(ClosedWeekdays(c, 2023),
            (Dates{"2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29",
                   "2023-06-19", "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25"}));
  EXPECT_EQ(ClosedWeekdays(c, 2025), (Dates{"2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17",
                                            "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04",
                                            "2025-09-01", "2025-11-27", "2025-12-25"}));
  // 2027: Juneteenth and Independence Day on weekends -> Fri June 18, Mon July 5;
  // Christmas on Saturday -> Fri Dec 24.
  EXPECT_EQ(ClosedWeekdays(c, 2027),
            (Dates{"2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31",
                   "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24"}));
}

TEST(XnysTest, SpecialClosures) {
  const Calendar& c = Cal("XNYS");
  for (CivilDate d : {CivilDate{1985, 9, 27}, CivilDate{1994, 4, 27}, CivilDate{2001, 9, 11},
                      CivilDate{2001, 9, 12}, CivilDate{2001, 9, 13}, CivilDate{2001, 9, 14},
                      CivilDate{2004, 6, 11}, CivilDate{2007, 1, 2}, CivilDate{2012, 10, 29},
                      CivilDate{2012, 10, 30}, CivilDate{2018, 12, 5}, CivilDate{2025, 1, 9}}) {
    EXPECT_FALSE(c.IsTradingDay(d)) << d.year << "-" << d.month << "-" << d.day;
  }
  EXPECT_TRUE(c.IsTradingDay({2001, 9, 10}));
  EXPECT_TRUE(c.IsTradingDay({2001, 9, 17}));
  EXPECT_TRUE(c.IsTradingDay({2012, 10, 31}));
  // MLK only from 1998.
  EXPECT_TRUE(c.IsTradingDay({1997, 1, 20}));
  EXPECT_FALSE(c.IsTradingDay({1998, 1, 19}));
  // Juneteenth only from 2022.
  EXPECT_TRUE(c.IsTradingDay({2021, 6, 18}));
}

TEST(XnysTest, EarlyCloses) {
  const Calendar& c = Cal("XNYS");
  EXPECT_EQ(EarlyCloses(c, 2019), (Dates{"2019-07-03", "2019-11-29", "2019-12-24"}));
  EXPECT_EQ(EarlyCloses(c, 2020), (Dates{"2020-11-27", "2020-12-24"}));
  EXPECT_EQ(EarlyCloses(c, 2021), (Dates{"2021-11-26"}));
  EXPECT_EQ(EarlyCloses(c, 2023), (Dates{"2023-07-03", "2023-11-24"}));
  EXPECT_EQ(EarlyCloses(c, 2024), (Dates{"2024-07-03", "2024-11-29", "2024-12-24"}));
  EXPECT_EQ(EarlyCloses(c, 2025), (Dates{"2025-07-03", "2025-11-28", "2025-12-24"}));
  // July 4 on Thursday before 2013: the Friday after closed early.
  EXPECT_EQ(EarlyCloses(c, 2002), (Dates{"2002-07-05", "2002-11-29", "2002-12-24"}));
  std::optional<Session> s = c.SessionOn({2020, 11, 27});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->open, Utc("2020-11-27T14:30:00Z"));
  EXPECT_EQ(s->close, Utc("2020-11-27T18:00:00Z"));
  EXPECT_TRUE(s->early_close);
}

TEST(XnysTest, SessionsFollowDst) {
  const Calendar& c = Cal("XNYS");
  EXPECT_EQ(c.SessionOn({2024, 3, 8})->open, Utc("2024-03-08T14:30:00Z"));
  EXPECT_EQ(c.SessionOn({2024, 3, 11})->open, Utc("2024-03-11T13:30:00Z"));
  EXPECT_EQ(c.SessionOn({2024, 11, 1})->close, Utc("2024-11-01T20:00:00Z"));
  EXPECT_EQ(c.SessionOn({2024, 11, 4})->close, Utc("2024-11-04T21:00:00Z"));
  EXPECT_FALSE(c.SessionOn({2024, 3, 9}).has_value());
}

TEST(XnysTest, HourlyBarsAnchoredAtOpen) {
  const Calendar& c = Cal("XNYS");
  // Friday before the March switch (EST) and the Monday after (EDT).
  std::vector<Timestamp> bars = c.BarStarts({Day(2024, 3, 8), Day(2024, 3, 12)}, Interval::k1h);
  std::vector<Timestamp> want;
  for (int h = 0; h < 7; ++h) want.push_back(Utc("2024-03-08T14:30:00Z") + h * 3600);
  for (int h = 0; h < 7; ++h) want.push_back(Utc("2024-03-11T13:30:00Z") + h * 3600);
  EXPECT_EQ(bars, want);
  // The last bar is short: trading time ends at the close.
  TimeRangeSet tt = c.TradingTime({Day(2024, 3, 8), Day(2024, 3, 9)}, Interval::k1h);
  EXPECT_EQ(tt, TimeRangeSet(TimeRange{Utc("2024-03-08T14:30:00Z"), Utc("2024-03-08T21:00:00Z")}));
}

TEST(XnysTest, MinuteBarsAroundNovemberSwitch) {
  const Calendar& c = Cal("XNYS");
  std::vector<Timestamp> bars = c.BarStarts({Day(2024, 11, 1), Day(2024, 11, 5)}, Interval::k1m);
  ASSERT_EQ(bars.size(), 2u * 390);
  EXPECT_EQ(bars.front(), Utc("2024-11-01T13:30:00Z"));
  EXPECT_EQ(bars[389], Utc("2024-11-01T19:59:00Z"));
  EXPECT_EQ(bars[390], Utc("2024-11-04T14:30:00Z"));
  EXPECT_EQ(bars.back(), Utc("2024-11-04T20:59:00Z"));
  // 30m bars divide the session evenly: 13 per day, 7 on a 13:00 close.
  EXPECT_EQ(c.BarStarts({Day(2024, 11, 4), Day(2024, 11, 5)}, Interval::k30m).size(), 13u);
  EXPECT_EQ(c.BarStarts({Day(2024, 11, 29), Day(2024, 11, 30)}, Interval::k30m).size(), 7u);
}

TEST(XnysTest, PartialRangesUseBarStamps) {
  const Calendar& c = Cal("XNYS");
  // [10:00, 11:45) New York: bars 10:30 and 11:30 start inside; 09:30 does not.
  TimeRange r{Utc("2024-01-02T15:00:00Z"), Utc("2024-01-02T16:45:00Z")};
  EXPECT_EQ(c.BarStarts(r, Interval::k1h),
            (std::vector<Timestamp>{Utc("2024-01-02T15:30:00Z"), Utc("2024-01-02T16:30:00Z")}));
  EXPECT_EQ(c.TradingTime(r, Interval::k1h),
            TimeRangeSet(TimeRange{Utc("2024-01-02T15:30:00Z"), Utc("2024-01-02T16:45:00Z")}));
}

TEST(XnysTest, DailyWeeklyMonthlyStamps) {
  const Calendar& c = Cal("XNYS");
  // Week of Christmas 2023: Monday 25 closed.
  std::vector<Timestamp> days = c.BarStarts({Day(2023, 12, 22), Day(2023, 12, 30)}, Interval::k1d);
  EXPECT_EQ(days, (std::vector<Timestamp>{Day(2023, 12, 22), Day(2023, 12, 26), Day(2023, 12, 27),
                                          Day(2023, 12, 28), Day(2023, 12, 29)}));
  EXPECT_EQ(c.BarStarts({Day(2024, 1, 1), Day(2025, 1, 1)}, Interval::k1d).size(), 252u);
  // The week of 2023-12-25 is stamped on its (closed) Monday.
  std::vector<Timestamp> weeks = c.BarStarts({Day(2023, 12, 18), Day(2024, 1, 8)}, Interval::k1w);
  EXPECT_EQ(weeks, (std::vector<Timestamp>{Day(2023, 12, 18), Day(2023, 12, 25), Day(2024, 1, 1)}));
  std::vector<Timestamp> months = c.BarStarts({Day(2023, 11, 15), Day(2024, 3, 1)}, Interval::k1mo);
  EXPECT_EQ(months, (std::vector<Timestamp>{Day(2023, 12, 1), Day(2024, 1, 1), Day(2024, 2, 1)}));
  // Weekend-only ranges hold no daily bar.
  EXPECT_TRUE(c.BarStarts({Day(2024, 1, 6), Day(2024, 1, 8)}, Interval::k1d).empty());
  EXPECT_TRUE(c.TradingTime({Day(2024, 1, 6), Day(2024, 1, 8)}, Interval::k1d).empty());
  EXPECT_EQ(c.TradingTime({Day(2024, 1, 6), Day(2024, 1, 10)}, Interval::k1d),
            TimeRangeSet(TimeRange{Day(2024, 1, 8), Day(2024, 1, 10)}));
}

TEST(XnysTest, IsOpenNextCloseLocalDate) {
  const Calendar& c = Cal("XNYS");
  EXPECT_FALSE(c.IsOpen(Utc("2024-01-02T14:29:59Z")));
  EXPECT_TRUE(c.IsOpen(Utc("2024-01-02T14:30:00Z")));
  EXPECT_TRUE(c.IsOpen(Utc("2024-01-02T20:59:59Z")));
  EXPECT_FALSE(c.IsOpen(Utc("2024-01-02T21:00:00Z")));
  EXPECT_FALSE(c.IsOpen(Utc("2024-01-06T15:00:00Z")));
  EXPECT_EQ(c.NextClose(Utc("2024-01-02T15:00:00Z")), Utc("2024-01-02T21:00:00Z"));
  EXPECT_EQ(c.NextClose(Utc("2024-01-02T21:00:00Z")), Utc("2024-01-02T21:00:00Z"));
  EXPECT_EQ(c.NextClose(Utc("2024-01-05T22:00:00Z")), Utc("2024-01-08T21:00:00Z"));
  EXPECT_EQ(c.NextClose(Utc("2020-11-27T15:00:00Z")), Utc("2020-11-27T18:00:00Z"));
  EXPECT_EQ(c.LocalDate(Utc("2024-01-03T03:00:00Z")), (CivilDate{2024, 1, 2}));
  EXPECT_EQ(c.LocalDate(Utc("2024-01-03T05:00:00Z")), (CivilDate{2024, 1, 3}));
}

// ------------------------------------------------------------------ CRYPTO / FX

TEST(CryptoTest, AlwaysOpen) {
  const Calendar& c = Cal("CRYPTO");
  EXPECT_TRUE(c.IsTradingDay({2024, 1, 6}));
  EXPECT_TRUE(c.IsOpen(Utc("2024-01-06T03:00:00Z")));
  EXPECT_EQ(c.BarStarts({Day(2024, 1, 6), Day(2024, 1, 8)}, Interval::k1h).size(), 48u);
  EXPECT_EQ(c.BarStarts({Day(2024, 1, 1), Day(2025, 1, 1)}, Interval::k1d).size(), 366u);
  EXPECT_EQ(c.TradingTime({Day(2024, 1, 1), Day(2024, 3, 1)}, Interval::k1m),
            TimeRangeSet(TimeRange{Day(2024, 1, 1), Day(2024, 3, 1)}));
  EXPECT_EQ(c.NextClose(Utc("2024-01-06T03:00:00Z")), Day(2024, 1, 7));
  EXPECT_EQ(c.NextClose(Day(2024, 1, 6)), Day(2024, 1, 7));
  EXPECT_EQ(c.SessionOn({2024, 1, 6})->open, Day(2024, 1, 6));
  EXPECT_EQ(c.SessionOn({2024, 1, 6})->close, Day(2024, 1, 7));
  EXPECT_EQ(c.LocalDate(Utc("2024-01-06T23:59:59Z")), (CivilDate{2024, 1, 6}));
  // A 15m range starting mid-bar: first stamp is the next quarter hour.
  EXPECT_EQ(c.BarStarts({Utc("2024-01-06T00:07:00Z"), Utc("2024-01-06T00:40:00Z")}, Interval::k15m),
            (std::vector<Timestamp>{Utc("2024-01-06T00:15:00Z"), Utc("2024-01-06T00:30:00Z")}));
}

TEST(FxTest, TwentyFourFive) {
  const Calendar& c = Cal("FX");
  // Winter: Friday 17:00 New York = 22:00Z; Sunday 17:00 New York = 22:00Z.
  EXPECT_TRUE(c.IsOpen(Utc("2024-01-05T21:59:59Z")));
  EXPECT_FALSE(c.IsOpen(Utc("2024-01-05T22:00:00Z")));
  EXPECT_FALSE(c.IsOpen(Utc("2024-01-06T12:00:00Z")));
  EXPECT_FALSE(c.IsOpen(Utc("2024-01-07T21:59:59Z")));
  EXPECT_TRUE(c.IsOpen(Utc("2024-01-07T22:00:00Z")));
  // Summer: 21:00Z.
  EXPECT_FALSE(c.IsOpen(Utc("2024-07-05T21:00:00Z")));
  EXPECT_TRUE(c.IsOpen(Utc("2024-07-07T21:00:00Z")));
  TimeRangeSet tt = c.TradingTime({Day(2024, 1, 5), Day(2024, 1, 9)}, Interval::k1h);
  EXPECT_EQ(tt,
            TimeRangeSet(std::vector<TimeRange>{{Day(2024, 1, 5), Utc("2024-01-05T22:00:00Z")},
                                                {Utc("2024-01-07T22:00:00Z"), Day(2024, 1, 9)}}));
  EXPECT_EQ(c.BarStarts({Day(2024, 1, 6), Day(2024, 1, 8)}, Interval::k1h),
            (std::vector<Timestamp>{Utc("2024-01-07T22:00:00Z"), Utc("2024-01-07T23:00:00Z")}));
  // Daily bars: Monday..Friday UTC dates.
  EXPECT_EQ(c.BarStarts({Day(2024, 1, 1), Day(2024, 1, 15)}, Interval::k1d).size(), 10u);
  EXPECT_FALSE(c.IsTradingDay({2024, 1, 6}));
  EXPECT_TRUE(c.IsTradingDay({2024, 1, 1}));
  EXPECT_EQ(c.NextClose(Utc("2024-01-05T12:00:00Z")), Utc("2024-01-05T22:00:00Z"));
  EXPECT_EQ(c.NextClose(Utc("2024-01-03T12:00:00Z")), Day(2024, 1, 4));
  EXPECT_EQ(c.NextClose(Utc("2024-01-06T12:00:00Z")), Day(2024, 1, 8));
}

}  // namespace
}  // namespace finex::calendar
