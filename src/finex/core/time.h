// Time primitives: finex counts time as UTC epoch seconds (Timestamp) and
// converts civil dates without time zones here. Zone-aware conversion lives in
// calendar/ (exchange time); parsing of user input (ISO dates, ISO datetimes
// with zone, epoch seconds) lives here so every face parses time the same way.
//
// Thread-safety: all functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "finex/core/status.h"

namespace finex {

// Seconds since 1970-01-01T00:00:00Z.
using Timestamp = int64_t;

inline constexpr Timestamp kSecondsPerMinute = 60;
inline constexpr Timestamp kSecondsPerHour = 3600;
inline constexpr Timestamp kSecondsPerDay = 86400;

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(CivilDate d);
CivilDate CivilFromDays(int64_t days);
// 0 = Sunday .. 6 = Saturday.
int WeekdayFromDays(int64_t days);
int DaysInMonth(int year, int month);
bool IsValidCivil(CivilDate d);

// Floors toward negative infinity (correct for pre-1970 timestamps).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
inline int64_t DayOf(Timestamp ts) { return FloorDiv(ts, kSecondsPerDay); }

// Whether a parsed time is used as the start or the (inclusive) end of a
// request: a bare date as an end covers that whole day.
enum class TimeBound { kStart, kEnd };

// Parses user time input: "2024-01-02" (a whole UTC day: its first second as a
// start, its last second as an end), "2024-01-02T14:30:00Z",
// "2024-01-02T09:30:00-05:00", "2024-01-02 14:30:00Z", fractional seconds
// ignored, or integer epoch seconds ("1704153600"). A datetime without a zone
// is rejected (ambiguous). Returns InvalidArgument naming the problem.
Result<Timestamp> ParseTime(std::string_view text, TimeBound bound);

// Relative periods for `period=`: "1d", "5d", "1mo", "3mo", "6mo", "1y",
// "2y", "5y", "10y", "ytd", "max". Returns the duration in seconds, or for
// "ytd"/"max" a sentinel handled by ResolvePeriodStart.
// Returns the start timestamp of the period ending at `now`.
Result<Timestamp> ResolvePeriodStart(std::string_view period, Timestamp now);

// "2024-01-02T14:30:00Z"
std::string FormatIsoUtc(Timestamp ts);
// "2024-01-02"
std::string FormatDate(Timestamp ts);

}  // namespace finex
