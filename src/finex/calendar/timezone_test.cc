#include "finex/calendar/timezone.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/testutil/status_matchers.h"

namespace finex::calendar {
namespace {

Timestamp Utc(std::string_view iso) { return ParseTime(iso, TimeBound::kStart).value(); }

TEST(TimezoneTest, ToLocalNewYorkAcrossDst) {
  // 2024-03-10 06:59:59Z is 01:59:59 EST; 07:00:00Z is 03:00:00 EDT.
  LocalTime a = ToLocal("America/New_York", Utc("2024-03-10T06:59:59Z")).value();
  EXPECT_EQ(a.date, (CivilDate{2024, 3, 10}));
  EXPECT_EQ(a.seconds_of_day, 1 * 3600 + 59 * 60 + 59);
  EXPECT_EQ(a.utc_offset_s, -5 * 3600);
  LocalTime b = ToLocal("America/New_York", Utc("2024-03-10T07:00:00Z")).value();
  EXPECT_EQ(b.seconds_of_day, 3 * 3600);
  EXPECT_EQ(b.utc_offset_s, -4 * 3600);
}

TEST(TimezoneTest, ToLocalDateRollsOver) {
  LocalTime t = ToLocal("Asia/Tokyo", Utc("2024-01-01T20:00:00Z")).value();
  EXPECT_EQ(t.date, (CivilDate{2024, 1, 2}));
  EXPECT_EQ(t.seconds_of_day, 5 * 3600);
  LocalTime u = ToLocal("UTC", Utc("2024-01-01T20:00:00Z")).value();
  EXPECT_EQ(u.date, (CivilDate{2024, 1, 1}));
  EXPECT_EQ(u.utc_offset_s, 0);
}

TEST(TimezoneTest, AliasZone) {
  LocalTime t = ToLocal("US/Eastern", Utc("2024-07-01T12:00:00Z")).value();
  EXPECT_EQ(t.utc_offset_s, -4 * 3600);
}

TEST(TimezoneTest, UnknownZoneIsNotFound) {
  EXPECT_EQ(ToLocal("Mars/Olympus", 0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FromLocal("Nowhere", {2024, 1, 1}, 0).status().code(), StatusCode::kNotFound);
}

TEST(TimezoneTest, FromLocalRoundTrips) {
  EXPECT_EQ(FromLocal("America/New_York", {2024, 1, 2}, 9 * 3600 + 1800).value(),
            Utc("2024-01-02T14:30:00Z"));
  EXPECT_EQ(FromLocal("America/New_York", {2024, 7, 2}, 9 * 3600 + 1800).value(),
            Utc("2024-07-02T13:30:00Z"));
  EXPECT_EQ(FromLocal("Europe/London", {2024, 7, 2}, 8 * 3600).value(),
            Utc("2024-07-02T07:00:00Z"));
  EXPECT_EQ(FromLocal("Australia/Sydney", {2024, 1, 2}, 10 * 3600).value(),
            Utc("2024-01-01T23:00:00Z"));
}

TEST(TimezoneTest, FromLocalValidates) {
  EXPECT_EQ(FromLocal("UTC", {2024, 2, 30}, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FromLocal("UTC", {2024, 2, 1}, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FromLocal("UTC", {2024, 2, 1}, 86401).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FromLocal("Asia/Tokyo", {2024, 2, 1}, 86400).value(), Utc("2024-02-01T15:00:00Z"));
}

TEST(TimezoneTest, ConcurrentLookups) {
  // First use of many zones from several threads at once.
  const char* zones[] = {"Europe/Paris",       "Asia/Hong_Kong", "America/Chicago",
                         "Europe/Zurich",      "Asia/Singapore", "America/Sao_Paulo",
                         "Africa/Johannesburg"};
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        for (const char* z : zones) {
          Result<LocalTime> l = ToLocal(z, 1700000000 + i * 3600);
          if (!l.ok()) ++bad;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(TimezoneTest, FromLocalGapAndOverlap) {
  // 02:30 on the spring-forward day does not exist: the first instant after
  // the gap (03:00 EDT = 07:00Z).
  EXPECT_EQ(FromLocal("America/New_York", {2024, 3, 10}, 2 * 3600 + 1800).value(),
            Utc("2024-03-10T07:00:00Z"));
  // 01:30 on the fall-back day happens twice: the earlier (EDT) instant.
  EXPECT_EQ(FromLocal("America/New_York", {2024, 11, 3}, 1 * 3600 + 1800).value(),
            Utc("2024-11-03T05:30:00Z"));
}

TEST(TimezoneTest, FarFutureKeepsDst) {
  // Beyond the explicit tzdata transitions (2037) the rules still apply.
  EXPECT_EQ(ToLocal("America/New_York", Utc("2050-07-01T12:00:00Z")).value().utc_offset_s,
            -4 * 3600);
  EXPECT_EQ(ToLocal("America/New_York", Utc("2050-01-01T12:00:00Z")).value().utc_offset_s,
            -5 * 3600);
  EXPECT_EQ(FromLocal("Europe/London", {2045, 8, 1}, 8 * 3600).value(),
            Utc("2045-08-01T07:00:00Z"));
}

TEST(TimezoneTest, ParseLocal) {
  EXPECT_EQ(ParseLocal("America/New_York", "2017-12-18 14:56:00").value(),
            Utc("2017-12-18T19:56:00Z"));
  EXPECT_EQ(ParseLocal("America/New_York", "2017-12-18").value(), Utc("2017-12-18T05:00:00Z"));
  EXPECT_EQ(ParseLocal("US/Eastern", "2020-11-27 12:59").value(), Utc("2020-11-27T17:59:00Z"));
  for (std::string_view bad : {"", "2017-13-01", "2017-02-30", "2017/12/18", "2017-12-18 25:00:00",
                               "2017-12-18 14:5", "2017-12-18X14:56:00", "yesterday"}) {
    Result<Timestamp> r = ParseLocal("America/New_York", bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ParseLocal("Bad/Zone", "2017-12-18").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace finex::calendar
