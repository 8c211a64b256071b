// Time-zone conversion between UTC instants and exchange-local civil time,
// backed by the system tz database (Howard Hinnant's date/tz over
// /usr/share/zoneinfo, Debian's tzdata). Used by calendars and by provider
// adapters whose wire format carries exchange-local times without an offset
// (Alpha Vantage, Twelve Data).
//
// Thread-safety: thread-safe; zone lookups are cached after first use.
#pragma once

#include <string_view>

#include "finex/core/status.h"
#include "finex/core/time.h"

namespace finex::calendar {

// Local civil time at a UTC instant in zone `tz` ("America/New_York", "UTC",
// "US/Eastern"...). NotFound for an unknown zone.
struct LocalTime {
  CivilDate date;
  int seconds_of_day = 0;  // 0..86399
  int utc_offset_s = 0;    // local - UTC at that instant
};
Result<LocalTime> ToLocal(std::string_view tz, Timestamp utc);

// The UTC instant of a local civil time. Nonexistent local times (spring
// forward) resolve to the instant after the gap (the transition itself:
// 02:30 on a New York spring-forward day is 03:00 EDT); ambiguous ones (fall
// back) to the earlier instant. NotFound for an unknown zone;
// InvalidArgument for an invalid date or seconds_of_day outside 0..86400
// (86400 = the following midnight).
//
// Beyond 2037 (the end of the explicit tzdata transition tables) the last
// rules of each zone are repeated on the 28-year Gregorian cycle; exact
// through 2099 for zones whose rules do not change.
Result<Timestamp> FromLocal(std::string_view tz, CivilDate date, int seconds_of_day);

// Parses "2017-12-18 14:56:00" or "2017-12-18" as local time in tz.
// InvalidArgument on malformed text.
Result<Timestamp> ParseLocal(std::string_view tz, std::string_view text);

}  // namespace finex::calendar
