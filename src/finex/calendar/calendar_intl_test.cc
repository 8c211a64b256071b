// Rule tests of the non-US calendars against the exchanges' published
// holiday calendars (2019-2026), lunch breaks, half days and DST.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "finex/calendar/calendar.h"

namespace finex::calendar {
namespace {

using Dates = std::vector<std::string>;

Timestamp Utc(std::string_view iso) { return ParseTime(iso, TimeBound::kStart).value(); }
Timestamp Day(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }
const Calendar& Cal(std::string_view code) { return *FindCalendar(code).value(); }

Dates ClosedWeekdays(const Calendar& cal, int year) {
  Dates out;
  for (int64_t d = DaysFromCivil({year, 1, 1}); d < DaysFromCivil({year + 1, 1, 1}); ++d) {
    int wd = WeekdayFromDays(d);
    if (wd == 0 || wd == 6) continue;
    if (!cal.IsTradingDay(CivilFromDays(d))) out.push_back(FormatDate(d * kSecondsPerDay));
  }
  return out;
}

Dates EarlyCloses(const Calendar& cal, int year) {
  Dates out;
  for (int64_t d = DaysFromCivil({year, 1, 1}); d < DaysFromCivil({year + 1, 1, 1}); ++d) {
    auto s = cal.SessionOn(CivilFromDays(d));
    if (s && s->early_close) out.push_back(FormatDate(d * kSecondsPerDay));
  }
  return out;
}

TEST(XlonTest, BankHolidays) {
  const Calendar& c = Cal("XLON");
  EXPECT_EQ(ClosedWeekdays(c, 2020),
            (Dates{"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25",
                   "2020-08-31", "2020-12-25", "2020-12-28"}));
  EXPECT_EQ(ClosedWeekdays(c, 2022),
            (Dates{"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02",
                   "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"}));
  EXPECT_EQ(ClosedWeekdays(c, 2023),
            (Dates{"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08",
                   "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2024),
            (Dates{"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27",
                   "2024-08-26", "2024-12-25", "2024-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2027),
            (Dates{"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
                   "2027-08-30", "2027-12-27", "2027-12-28"}));
  EXPECT_EQ(EarlyCloses(c, 2024), (Dates{"2024-12-24", "2024-12-31"}));
  EXPECT_TRUE(EarlyCloses(c, 2022).empty());
  // 12:30 London in winter = 12:30Z; summer session 08:00 BST = 07:00Z.
  EXPECT_EQ(c.SessionOn({2024, 12, 24})->close, Utc("2024-12-24T12:30:00Z"));
  EXPECT_EQ(c.SessionOn({2024, 7, 1})->open, Utc("2024-07-01T07:00:00Z"));
  EXPECT_EQ(c.SessionOn({2024, 1, 2})->open, Utc("2024-01-02T08:00:00Z"));
  // 30m bars: 17 per full day.
  EXPECT_EQ(c.BarStarts({Day(2024, 7, 1), Day(2024, 7, 2)}, Interval::k30m).size(), 17u);
}

TEST(XetrTest, TradingHolidays) {
  const Calendar& c = Cal("XETR");
  EXPECT_EQ(ClosedWeekdays(c, 2024),
            (Dates{"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-01", "2024-12-24",
                   "2024-12-25", "2024-12-26", "2024-12-31"}));
  EXPECT_EQ(ClosedWeekdays(c, 2025),
            (Dates{"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-12-24",
                   "2025-12-25", "2025-12-26", "2025-12-31"}));
  EXPECT_TRUE(c.IsTradingDay({2024, 10, 3}));  // German Unity Day trades since 2022
  EXPECT_TRUE(c.IsTradingDay({2024, 5, 20}));  // Whit Monday trades since 2022
  // FWB published calendars: 2016, 2017, 2020 and 2021.
  EXPECT_EQ(ClosedWeekdays(c, 2016), (Dates{"2016-01-01", "2016-03-25", "2016-03-28", "2016-05-16",
                                            "2016-10-03", "2016-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2017),
            (Dates{"2017-04-14", "2017-04-17", "2017-05-01", "2017-06-05", "2017-10-03",
                   "2017-10-31", "2017-12-25", "2017-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2020),
            (Dates{"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-01", "2020-06-01",
                   "2020-12-24", "2020-12-25", "2020-12-31"}));
  EXPECT_EQ(ClosedWeekdays(c, 2021), (Dates{"2021-01-01", "2021-04-02", "2021-04-05", "2021-05-24",
                                            "2021-12-24", "2021-12-31"}));
  // Europe/Berlin switches on the last Sunday of March: 09:00 CET = 08:00Z,
  // 09:00 CEST = 07:00Z.
  EXPECT_EQ(c.SessionOn({2024, 3, 29 - 1})->open, Utc("2024-03-28T08:00:00Z"));
  EXPECT_EQ(c.SessionOn({2024, 4, 2})->open, Utc("2024-04-02T07:00:00Z"));
  EXPECT_EQ(c.SessionOn({2024, 4, 2})->close, Utc("2024-04-02T15:30:00Z"));
}

TEST(XparTest, EuronextHolidaysAndHalfDays) {
  const Calendar& c = Cal("XPAR");
  EXPECT_EQ(ClosedWeekdays(c, 2024), (Dates{"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-01",
                                            "2024-12-25", "2024-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2026),
            (Dates{"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-12-25"}));
  EXPECT_EQ(EarlyCloses(c, 2024), (Dates{"2024-12-24", "2024-12-31"}));
  EXPECT_EQ(c.SessionOn({2024, 12, 24})->close, Utc("2024-12-24T13:05:00Z"));
  // The last bar of the 14:05 half day is short: 1h bars 09:00..14:00.
  std::vector<Timestamp> bars = c.BarStarts({Day(2024, 12, 24), Day(2024, 12, 25)}, Interval::k1h);
  ASSERT_EQ(bars.size(), 6u);
  EXPECT_EQ(bars.back(), Utc("2024-12-24T13:00:00Z"));
  EXPECT_EQ(c.TradingTime({Day(2024, 12, 24), Day(2024, 12, 25)}, Interval::k1h),
            TimeRangeSet(TimeRange{Utc("2024-12-24T08:00:00Z"), Utc("2024-12-24T13:05:00Z")}));
}

TEST(XtksTest, JapaneseHolidays) {
  const Calendar& c = Cal("XTKS");
  EXPECT_EQ(ClosedWeekdays(c, 2019),
            (Dates{"2019-01-01", "2019-01-02", "2019-01-03", "2019-01-14", "2019-02-11",
                   "2019-03-21", "2019-04-29", "2019-04-30", "2019-05-01", "2019-05-02",
                   "2019-05-03", "2019-05-06", "2019-07-15", "2019-08-12", "2019-09-16",
                   "2019-09-23", "2019-10-14", "2019-10-22", "2019-11-04", "2019-12-31"}));
  EXPECT_EQ(ClosedWeekdays(c, 2020),
            (Dates{"2020-01-01", "2020-01-02", "2020-01-03", "2020-01-13", "2020-02-11",
                   "2020-02-24", "2020-03-20", "2020-04-29", "2020-05-04", "2020-05-05",
                   "2020-05-06", "2020-07-23", "2020-07-24", "2020-08-10", "2020-09-21",
                   "2020-09-22", "2020-10-01", "2020-11-03", "2020-11-23", "2020-12-31"}));
  EXPECT_EQ(
      ClosedWeekdays(c, 2024),
      (Dates{"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-08", "2024-02-12", "2024-02-23",
             "2024-03-20", "2024-04-29", "2024-05-03", "2024-05-06", "2024-07-15", "2024-08-12",
             "2024-09-16", "2024-09-23", "2024-10-14", "2024-11-04", "2024-12-31"}));
  EXPECT_EQ(
      ClosedWeekdays(c, 2015),
      (Dates{"2015-01-01", "2015-01-02", "2015-01-12", "2015-02-11", "2015-04-29", "2015-05-04",
             "2015-05-05", "2015-05-06", "2015-07-20", "2015-09-21", "2015-09-22", "2015-09-23",
             "2015-10-12", "2015-11-03", "2015-11-23", "2015-12-23", "2015-12-31"}));
  // 2026: citizens' holiday between Respect for the Aged Day and the equinox.
  EXPECT_FALSE(c.IsTradingDay({2026, 9, 21}));
  EXPECT_FALSE(c.IsTradingDay({2026, 9, 22}));
  EXPECT_FALSE(c.IsTradingDay({2026, 9, 23}));
  EXPECT_FALSE(c.IsTradingDay({2015, 9, 22}));
}

TEST(XtksTest, LunchBreakAndCloseExtension) {
  const Calendar& c = Cal("XTKS");
  // Before 2024-11-05: 09:00-11:30, 12:30-15:00 JST (UTC+9).
  std::vector<Timestamp> bars = c.BarStarts({Day(2024, 11, 1), Day(2024, 11, 2)}, Interval::k1h);
  EXPECT_EQ(bars,
            (std::vector<Timestamp>{Utc("2024-11-01T00:00:00Z"), Utc("2024-11-01T01:00:00Z"),
                                    Utc("2024-11-01T02:00:00Z"), Utc("2024-11-01T03:30:00Z"),
                                    Utc("2024-11-01T04:30:00Z"), Utc("2024-11-01T05:30:00Z")}));
  EXPECT_EQ(c.TradingTime({Day(2024, 11, 1), Day(2024, 11, 2)}, Interval::k1h),
            TimeRangeSet(std::vector<TimeRange>{
                {Utc("2024-11-01T00:00:00Z"), Utc("2024-11-01T02:30:00Z")},
                {Utc("2024-11-01T03:30:00Z"), Utc("2024-11-01T06:00:00Z")}}));
  EXPECT_FALSE(c.IsOpen(Utc("2024-11-01T03:00:00Z")));  // 12:00 JST lunch
  EXPECT_TRUE(c.IsOpen(Utc("2024-11-01T03:30:00Z")));
  EXPECT_EQ(c.NextClose(Utc("2024-11-01T03:00:00Z")), Utc("2024-11-01T06:00:00Z"));
  // From 2024-11-05 the close is 15:30 JST.
  EXPECT_EQ(c.SessionOn({2024, 11, 5})->close, Utc("2024-11-05T06:30:00Z"));
  EXPECT_EQ(c.BarStarts({Day(2024, 11, 5), Day(2024, 11, 6)}, Interval::k1m).size(), 150u + 180u);
  EXPECT_EQ(c.BarStarts({Day(2024, 11, 1), Day(2024, 11, 2)}, Interval::k1m).size(), 150u + 150u);
  // Before 2011-11-21 the morning session ended at 11:00.
  EXPECT_EQ(c.BarStarts({Day(2011, 11, 18), Day(2011, 11, 19)}, Interval::k1m).size(), 120u + 150u);
  EXPECT_EQ(c.BarStarts({Day(2011, 11, 21), Day(2011, 11, 22)}, Interval::k1m).size(), 150u + 150u);
  // Local date: 08:00Z is 17:00 JST the same day; 16:00Z is the next day.
  EXPECT_EQ(c.LocalDate(Utc("2024-11-01T16:00:00Z")), (CivilDate{2024, 11, 2}));
}

TEST(XhkgTest, HolidaysFromLunarTable) {
  const Calendar& c = Cal("XHKG");
  EXPECT_EQ(ClosedWeekdays(c, 2022),
            (Dates{"2022-02-01", "2022-02-02", "2022-02-03", "2022-04-05", "2022-04-15",
                   "2022-04-18", "2022-05-02", "2022-05-09", "2022-06-03", "2022-07-01",
                   "2022-09-12", "2022-10-04", "2022-12-26", "2022-12-27"}));
  EXPECT_EQ(ClosedWeekdays(c, 2023),
            (Dates{"2023-01-02", "2023-01-23", "2023-01-24", "2023-01-25", "2023-04-05",
                   "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-26", "2023-06-22",
                   "2023-10-02", "2023-10-23", "2023-12-25", "2023-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2024),
            (Dates{"2024-01-01", "2024-02-12", "2024-02-13", "2024-03-29", "2024-04-01",
                   "2024-04-04", "2024-05-01", "2024-05-15", "2024-06-10", "2024-07-01",
                   "2024-09-18", "2024-10-01", "2024-10-11", "2024-12-25", "2024-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2019),
            (Dates{"2019-01-01", "2019-02-05", "2019-02-06", "2019-02-07", "2019-04-05",
                   "2019-04-19", "2019-04-22", "2019-05-01", "2019-05-13", "2019-06-07",
                   "2019-07-01", "2019-10-01", "2019-10-07", "2019-12-25", "2019-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2025),
            (Dates{"2025-01-01", "2025-01-29", "2025-01-30", "2025-01-31", "2025-04-04",
                   "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-05", "2025-07-01",
                   "2025-10-01", "2025-10-07", "2025-10-29", "2025-12-25", "2025-12-26"}));
  EXPECT_EQ(EarlyCloses(c, 2019), (Dates{"2019-02-04", "2019-12-24", "2019-12-31"}));
  EXPECT_EQ(EarlyCloses(c, 2025), (Dates{"2025-01-28", "2025-12-24", "2025-12-31"}));
  // Ching Ming on Sunday after Easter Monday (2015, 2021, 2026) -> Tuesday.
  EXPECT_FALSE(c.IsTradingDay({2015, 4, 7}));
  EXPECT_FALSE(c.IsTradingDay({2021, 4, 6}));
  EXPECT_FALSE(c.IsTradingDay({2026, 4, 7}));
  EXPECT_EQ(EarlyCloses(c, 2024), (Dates{"2024-02-09", "2024-12-24", "2024-12-31"}));
}

TEST(XhkgTest, LunchBreakAndHalfDays) {
  const Calendar& c = Cal("XHKG");
  // 09:30-12:00, 13:00-16:00 HKT (UTC+8): 150 + 180 minutes.
  EXPECT_EQ(c.BarStarts({Day(2024, 3, 1), Day(2024, 3, 2)}, Interval::k1m).size(), 330u);
  std::vector<Timestamp> h = c.BarStarts({Day(2024, 3, 1), Day(2024, 3, 2)}, Interval::k1h);
  EXPECT_EQ(h, (std::vector<Timestamp>{Utc("2024-03-01T01:30:00Z"), Utc("2024-03-01T02:30:00Z"),
                                       Utc("2024-03-01T03:30:00Z"), Utc("2024-03-01T05:00:00Z"),
                                       Utc("2024-03-01T06:00:00Z"), Utc("2024-03-01T07:00:00Z")}));
  EXPECT_FALSE(c.IsOpen(Utc("2024-03-01T04:30:00Z")));
  // Christmas Eve: morning session only.
  std::optional<Session> s = c.SessionOn({2024, 12, 24});
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->early_close);
  EXPECT_EQ(s->close, Utc("2024-12-24T04:00:00Z"));
  EXPECT_EQ(c.BarStarts({Day(2024, 12, 24), Day(2024, 12, 25)}, Interval::k30m).size(), 5u);
  EXPECT_FALSE(c.IsOpen(Utc("2024-12-24T05:30:00Z")));
}

TEST(XasxTest, HolidaysAndEarlyCloses) {
  const Calendar& c = Cal("XASX");
  EXPECT_EQ(ClosedWeekdays(c, 2024),
            (Dates{"2024-01-01", "2024-01-26", "2024-03-29", "2024-04-01", "2024-04-25",
                   "2024-06-10", "2024-12-25", "2024-12-26"}));
  EXPECT_EQ(ClosedWeekdays(c, 2022),
            (Dates{"2022-01-03", "2022-01-26", "2022-04-15", "2022-04-18", "2022-04-25",
                   "2022-06-13", "2022-09-22", "2022-12-26", "2022-12-27"}));
  EXPECT_EQ(EarlyCloses(c, 2024), (Dates{"2024-12-24", "2024-12-31"}));
  EXPECT_EQ(EarlyCloses(c, 2022), (Dates{"2022-12-23", "2022-12-30"}));
  // Sydney is UTC+11 in January (DST), UTC+10 in July.
  EXPECT_EQ(c.SessionOn({2024, 1, 2})->open, Utc("2024-01-01T23:00:00Z"));
  EXPECT_EQ(c.SessionOn({2024, 7, 1})->open, Utc("2024-07-01T00:00:00Z"));
  EXPECT_EQ(c.SessionOn({2024, 12, 24})->close, Utc("2024-12-24T03:10:00Z"));
  // The local trading date of the 2024-01-02 session starts on Jan 1 UTC;
  // its daily bar is still stamped 2024-01-02.
  EXPECT_EQ(c.LocalDate(Utc("2024-01-01T23:00:00Z")), (CivilDate{2024, 1, 2}));
  EXPECT_EQ(c.BarStarts({Day(2024, 1, 1), Day(2024, 1, 3)}, Interval::k1d),
            (std::vector<Timestamp>{Day(2024, 1, 2)}));
  EXPECT_EQ(c.BarStarts({Utc("2024-01-01T22:00:00Z"), Utc("2024-01-02T01:00:00Z")}, Interval::k1h),
            (std::vector<Timestamp>{Utc("2024-01-01T23:00:00Z"), Utc("2024-01-02T00:00:00Z")}));
}

TEST(DstTest, BarStartsAcrossSpringSwitches) {
  // London 2023-03-26: GMT -> BST. Friday 08:00Z, Monday 07:00Z.
  const Calendar& lon = Cal("XLON");
  std::vector<Timestamp> b = lon.BarStarts({Day(2023, 3, 24), Day(2023, 3, 28)}, Interval::k1h);
  ASSERT_EQ(b.size(), 18u);  // 9 hourly bars a day (08:00..16:00, last one 30 minutes)
  EXPECT_EQ(b[0], Utc("2023-03-24T08:00:00Z"));
  EXPECT_EQ(b[8], Utc("2023-03-24T16:00:00Z"));
  EXPECT_EQ(b[9], Utc("2023-03-27T07:00:00Z"));
  EXPECT_EQ(b[17], Utc("2023-03-27T15:00:00Z"));
  // Sydney 2024-04-07: AEDT (+11) -> AEST (+10).
  const Calendar& asx = Cal("XASX");
  b = asx.BarStarts({Utc("2024-04-04T12:00:00Z"), Utc("2024-04-08T12:00:00Z")}, Interval::k1h);
  ASSERT_EQ(b.size(), 12u);
  EXPECT_EQ(b[0], Utc("2024-04-04T23:00:00Z"));  // Friday 10:00 AEDT
  EXPECT_EQ(b[6], Utc("2024-04-08T00:00:00Z"));  // Monday 10:00 AEST
  // Between the US (Mar 10) and EU (Mar 31) switches New York is 4h behind
  // London-minus-one: sessions keep their local hours.
  EXPECT_EQ(Cal("XNYS").SessionOn({2024, 3, 20})->open, Utc("2024-03-20T13:30:00Z"));
  EXPECT_EQ(lon.SessionOn({2024, 3, 20})->open, Utc("2024-03-20T08:00:00Z"));
  EXPECT_EQ(Cal("XETR").SessionOn({2024, 3, 20})->open, Utc("2024-03-20T08:00:00Z"));
  // FX reopens at 17:00 New York on both sides of the US switch.
  EXPECT_EQ(Cal("FX").SessionOn({2024, 3, 4})->open, Utc("2024-03-03T22:00:00Z"));
  EXPECT_EQ(Cal("FX").SessionOn({2024, 3, 11})->open, Utc("2024-03-10T21:00:00Z"));
  EXPECT_EQ(Cal("FX").SessionOn({2024, 11, 8})->close, Utc("2024-11-08T22:00:00Z"));
}

}  // namespace
}  // namespace finex::calendar
