#include "finex/core/time.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex {
namespace {

using ::finex::testing::StatusIs;

TEST(CivilTest, KnownDates) {
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({2024, 1, 2}) * kSecondsPerDay, 1704153600);
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11017);
  EXPECT_EQ(DaysFromCivil({1969, 12, 31}), -1);
  EXPECT_EQ(CivilFromDays(-1), (CivilDate{1969, 12, 31}));
  EXPECT_EQ(CivilFromDays(19724), (CivilDate{2024, 1, 2}));
  EXPECT_EQ(WeekdayFromDays(0), 4);      // Thursday
  EXPECT_EQ(WeekdayFromDays(-1), 3);     // Wednesday
  EXPECT_EQ(WeekdayFromDays(-4), 0);     // Sunday
  EXPECT_EQ(WeekdayFromDays(-5), 6);     // Saturday
  EXPECT_EQ(WeekdayFromDays(19724), 2);  // 2024-01-02 was a Tuesday
}

TEST(CivilTest, DaysInMonthAndLeapYears) {
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_EQ(DaysInMonth(1900, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
  EXPECT_EQ(DaysInMonth(2024, 4), 30);
  EXPECT_EQ(DaysInMonth(2024, 12), 31);
  EXPECT_TRUE(IsValidCivil({2024, 2, 29}));
  EXPECT_FALSE(IsValidCivil({2023, 2, 29}));
  EXPECT_FALSE(IsValidCivil({2024, 13, 1}));
  EXPECT_FALSE(IsValidCivil({2024, 0, 1}));
  EXPECT_FALSE(IsValidCivil({2024, 4, 31}));
  EXPECT_FALSE(IsValidCivil({2024, 1, 0}));
}

TEST(CivilTest, RoundTripAndWeekdaysOverFourCenturies) {
  int64_t prev_wd = WeekdayFromDays(DaysFromCivil({1800, 1, 1}) - 1);
  for (int64_t d = DaysFromCivil({1800, 1, 1}); d < DaysFromCivil({2200, 1, 1}); ++d) {
    const CivilDate c = CivilFromDays(d);
    ASSERT_TRUE(IsValidCivil(c)) << d;
    ASSERT_EQ(DaysFromCivil(c), d);
    const int wd = WeekdayFromDays(d);
    ASSERT_EQ(wd, (prev_wd + 1) % 7) << d;
    prev_wd = wd;
  }
}

TEST(FloorDivTest, RoundsTowardNegativeInfinity) {
  EXPECT_EQ(FloorDiv(7, 2), 3);
  EXPECT_EQ(FloorDiv(-7, 2), -4);
  EXPECT_EQ(FloorDiv(-8, 2), -4);
  EXPECT_EQ(FloorDiv(0, 5), 0);
  EXPECT_EQ(DayOf(-1), -1);
  EXPECT_EQ(DayOf(86399), 0);
  EXPECT_EQ(DayOf(86400), 1);
}

TEST(ParseTimeTest, DatesCoverTheWholeDay) {
  EXPECT_EQ(*ParseTime("2024-01-02", TimeBound::kStart), 1704153600);
  EXPECT_EQ(*ParseTime("2024-01-02", TimeBound::kEnd), 1704153600 + 86399);
  EXPECT_EQ(*ParseTime("1969-12-31", TimeBound::kStart), -86400);
  EXPECT_EQ(*ParseTime("2024-02-29", TimeBound::kStart), 1709164800);
}

TEST(ParseTimeTest, DatetimesWithZones) {
  EXPECT_EQ(*ParseTime("2024-01-02T14:30:00Z", TimeBound::kStart), 1704205800);
  EXPECT_EQ(*ParseTime("2024-01-02t14:30:00z", TimeBound::kStart), 1704205800);
  EXPECT_EQ(*ParseTime("2024-01-02 14:30:00Z", TimeBound::kStart), 1704205800);
  EXPECT_EQ(*ParseTime("2024-01-02T14:30Z", TimeBound::kStart), 1704205800);
  EXPECT_EQ(*ParseTime("2024-01-02T09:30:00-05:00", TimeBound::kStart), 1704205800);
  EXPECT_EQ(*ParseTime("2024-01-02T20:00:00+05:30", TimeBound::kStart), 1704205800);
  EXPECT_EQ(*ParseTime("2024-01-02T20:00:00+0530", TimeBound::kStart), 1704205800);
  EXPECT_EQ(*ParseTime("2024-01-02T14:30:00.123456Z", TimeBound::kStart), 1704205800);
  EXPECT_EQ(*ParseTime("2024-01-02T14:30:00.9-00:00", TimeBound::kEnd), 1704205800);
  // A datetime is exact whatever the bound.
  EXPECT_EQ(*ParseTime("2024-01-02T14:30:00Z", TimeBound::kEnd), 1704205800);
  // Leap second clamps into the same minute; offsets can cross midnight.
  EXPECT_EQ(*ParseTime("2016-12-31T23:59:60Z", TimeBound::kStart), 1483228799);
  EXPECT_EQ(*ParseTime("2024-01-01T23:00:00-02:00", TimeBound::kStart), 1704153600 + 3600);
}

TEST(ParseTimeTest, EpochSeconds) {
  EXPECT_EQ(*ParseTime("1704153600", TimeBound::kStart), 1704153600);
  EXPECT_EQ(*ParseTime("0", TimeBound::kStart), 0);
  EXPECT_EQ(*ParseTime("-86400", TimeBound::kEnd), -86400);
  EXPECT_EQ(*ParseTime("253402300799", TimeBound::kStart), 253402300799);
}

TEST(ParseTimeTest, RejectsWithClearMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "is empty"},
      {"20240102", "is not a date"},      // 8 digits: ambiguous YYYYMMDD, not accepted
      {"1704153600000", "out of range"},  // milliseconds mistaken for seconds
      {"-", "is not a date"},
      {"99999999999999999999", "out of range"},
      {"2024-13-01", "not a valid calendar date"},
      {"2023-02-29", "not a valid calendar date"},
      {"2024-01-32", "not a valid calendar date"},
      {"2024-1-2", "is not a date"},
      {"2024/01/02", "is not a date"},
      {"yesterday", "is not a date"},
      {"2024-01-02X", "junk after the date"},
      {"2024-01-02T14:30:00", "no time zone"},
      {"2024-01-02T14:30", "no time zone"},
      {"2024-01-02T1430Z", "malformed time of day"},
      {"2024-01-02T", "malformed time of day"},
      {"2024-01-02T24:00:00Z", "invalid time of day"},
      {"2024-01-02T12:60:00Z", "invalid time of day"},
      {"2024-01-02T12:00:61Z", "invalid time of day"},
      {"2024-01-02T12:00:0Z", "malformed seconds"},
      {"2024-01-02T12:00:00.Z", "malformed fractional"},
      {"2024-01-02T12:00:00+5:00", "malformed zone offset"},
      {"2024-01-02T12:00:00+15:00", "invalid zone offset"},
      {"2024-01-02T12:00:00+05:60", "invalid zone offset"},
      {"2024-01-02T12:00:00EST", "malformed zone"},
      {"2024-01-02T12:00:00Zjunk", "trailing characters"},
      {"2024-01-02T12:00:00+05:00x", "trailing characters"},
      {"2024-01-02T12:00:00.000000000000000000000000000Z", "too long"},
  };
  for (const auto& [text, why] : cases) {
    auto r = ParseTime(text, TimeBound::kStart);
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, why))
        << "'" << text << "' -> " << r.status();
  }
}

TEST(ParseTimeTest, RejectsYearZeroLikeEpochPathDoes) {
  // Epoch input is limited to years 0001..9999; dates must be too.
  EXPECT_THAT(ParseTime("0000-01-01", TimeBound::kStart),
              StatusIs(StatusCode::kInvalidArgument, "out of range"));
  EXPECT_OK(ParseTime("0001-01-01", TimeBound::kStart));
  EXPECT_OK(ParseTime("9999-12-31", TimeBound::kEnd));
}

TEST(ParseTimeTest, ErrorMessagesAreSafeToEcho) {
  const std::string hostile = std::string("2024\x01\xff<script>", 14);
  auto r = ParseTime(hostile, TimeBound::kStart);
  ASSERT_FALSE(r.ok());
  const Status st = r.status();
  for (char c : st.message()) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20);
    EXPECT_LT(static_cast<unsigned char>(c), 0x7f);
  }
}

TEST(ParseTimeTest, FormatRoundTripsRandomInstants) {
  std::mt19937_64 rng(testing::TestSeed());
  std::uniform_int_distribution<Timestamp> dist(-62135596800LL, 253402300799LL);
  for (int i = 0; i < 20000; ++i) {
    const Timestamp t = dist(rng);
    const std::string iso = FormatIsoUtc(t);
    ASSERT_OK_AND_ASSIGN(Timestamp back, ParseTime(iso, TimeBound::kStart));
    ASSERT_EQ(back, t) << iso;
    ASSERT_OK_AND_ASSIGN(Timestamp day, ParseTime(FormatDate(t), TimeBound::kStart));
    ASSERT_EQ(day, DayOf(t) * kSecondsPerDay);
    ASSERT_OK_AND_ASSIGN(Timestamp day_end, ParseTime(FormatDate(t), TimeBound::kEnd));
    ASSERT_EQ(day_end, DayOf(t) * kSecondsPerDay + 86399);
  }
}

TEST(FormatTest, Iso) {
  EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoUtc(1704205800), "2024-01-02T14:30:00Z");
  EXPECT_EQ(FormatIsoUtc(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatDate(1704205800), "2024-01-02");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
}

TEST(PeriodTest, Resolves) {
  const Timestamp now = 1710507600;  // 2024-03-15T13:00:00Z
  EXPECT_EQ(*ResolvePeriodStart("1d", now), now - 86400);
  EXPECT_EQ(*ResolvePeriodStart("5d", now), now - 5 * 86400);
  EXPECT_EQ(*ResolvePeriodStart("2wk", now), now - 14 * 86400);
  EXPECT_EQ(*ResolvePeriodStart("1mo", now), *ParseTime("2024-02-15T13:00:00Z", TimeBound::kStart));
  EXPECT_EQ(*ResolvePeriodStart("3mo", now), *ParseTime("2023-12-15T13:00:00Z", TimeBound::kStart));
  EXPECT_EQ(*ResolvePeriodStart("1y", now), *ParseTime("2023-03-15T13:00:00Z", TimeBound::kStart));
  EXPECT_EQ(*ResolvePeriodStart("10y", now), *ParseTime("2014-03-15T13:00:00Z", TimeBound::kStart));
  EXPECT_EQ(*ResolvePeriodStart("ytd", now), *ParseTime("2024-01-01", TimeBound::kStart));
  EXPECT_EQ(*ResolvePeriodStart("max", now), 0);
  // Month arithmetic clamps to the shorter month: 2024-03-31 - 1mo = 2024-02-29.
  const Timestamp mar31 = *ParseTime("2024-03-31T10:00:00Z", TimeBound::kStart);
  EXPECT_EQ(*ResolvePeriodStart("1mo", mar31),
            *ParseTime("2024-02-29T10:00:00Z", TimeBound::kStart));
}

TEST(PeriodTest, RejectsBadPeriods) {
  for (const char* p : {"", "d", "0d", "1x", "-1d", "1 d", "12345d", "1Y", "ytdx"}) {
    auto r = ResolvePeriodStart(p, 1710507600);
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument)) << p;
    if (!r.ok()) EXPECT_EQ(r.status().details().param, "period") << p;
  }
}

}  // namespace
}  // namespace finex
