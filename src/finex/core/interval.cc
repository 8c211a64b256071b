#include "finex/core/interval.h"

#include <string>

namespace finex {

Result<Interval> ParseInterval(std::string_view t) {
  if (t == "1m" || t == "1min") return Interval::k1m;
  if (t == "5m" || t == "5min") return Interval::k5m;
  if (t == "15m" || t == "15min") return Interval::k15m;
  if (t == "30m" || t == "30min") return Interval::k30m;
  if (t == "1h" || t == "60m") return Interval::k1h;
  if (t == "1d") return Interval::k1d;
  if (t == "1w" || t == "1wk") return Interval::k1w;
  if (t == "1mo") return Interval::k1mo;
  std::string shown(t.substr(0, 32));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  return InvalidArgumentError("interval '" + shown + "' is not one of 1m 5m 15m 30m 1h 1d 1w 1mo")
      .WithParam("interval");
}

std::string_view IntervalName(Interval iv) {
  switch (iv) {
    case Interval::k1m:
      return "1m";
    case Interval::k5m:
      return "5m";
    case Interval::k15m:
      return "15m";
    case Interval::k30m:
      return "30m";
    case Interval::k1h:
      return "1h";
    case Interval::k1d:
      return "1d";
    case Interval::k1w:
      return "1w";
    case Interval::k1mo:
      return "1mo";
  }
  return "?";
}

Timestamp NominalSeconds(Interval iv) {
  switch (iv) {
    case Interval::k1m:
      return 60;
    case Interval::k5m:
      return 300;
    case Interval::k15m:
      return 900;
    case Interval::k30m:
      return 1800;
    case Interval::k1h:
      return 3600;
    case Interval::k1d:
      return kSecondsPerDay;
    case Interval::k1w:
      return 7 * kSecondsPerDay;
    case Interval::k1mo:
      return 30 * kSecondsPerDay;
  }
  return kSecondsPerDay;
}

Timestamp FloorToBar(Timestamp ts, Interval iv) {
  if (iv <= Interval::k1d) {
    const Timestamp len = NominalSeconds(iv);
    return FloorDiv(ts, len) * len;
  }
  const int64_t day = DayOf(ts);
  if (iv == Interval::k1w) {
    // 1970-01-05 (day 4) was a Monday.
    return (day - ((day - 4) % 7 + 7) % 7) * kSecondsPerDay;
  }
  CivilDate d = CivilFromDays(day);
  d.day = 1;
  return DaysFromCivil(d) * kSecondsPerDay;
}

Timestamp NextBar(Timestamp bar_start, Interval iv) {
  if (iv != Interval::k1mo) return bar_start + NominalSeconds(iv);
  CivilDate d = CivilFromDays(DayOf(bar_start));
  d.day = 1;
  if (++d.month > 12) {
    d.month = 1;
    ++d.year;
  }
  return DaysFromCivil(d) * kSecondsPerDay;
}

Timestamp CeilToBar(Timestamp ts, Interval iv) {
  const Timestamp f = FloorToBar(ts, iv);
  return f == ts ? ts : NextBar(f, iv);
}

}  // namespace finex
