#include "finex/calendar/detail/exchange_calendar.h"

#include <algorithm>
#include <limits>

namespace finex::calendar::detail {

ExchangeCalendar::ExchangeCalendar(const ExchangeSpec& spec)
    : TableCalendar(spec.code, spec.tz, MarketKind::kExchange), spec_(spec) {}

void ExchangeCalendar::BuildYear(int year, std::vector<DaySession>* out) const {
  YearHolidays hol;
  spec_.holidays(year, &hol);
  std::sort(hol.closed.begin(), hol.closed.end());
  std::sort(hol.early.begin(), hol.early.end());
  const int64_t first = DaysFromCivil({year, 1, 1});
  const int64_t last = DaysFromCivil({year + 1, 1, 1});
  out->reserve(262);
  for (int64_t d = first; d < last; ++d) {
    int wd = WeekdayFromDays(d);
    if (wd == 0 || wd == 6) continue;
    if (std::binary_search(hol.closed.begin(), hol.closed.end(), d)) continue;
    Hours h = spec_.hours(d);
    bool early = false;
    auto e = std::lower_bound(hol.early.begin(), hol.early.end(), std::make_pair(d, -1));
    if (e != hol.early.end() && e->first == d && e->second < h.close) {
      early = true;
      h.close = e->second;
      if (h.break_start >= 0 && h.close <= h.break_end) {
        // Half day ending at or before the lunch break: morning session only.
        h.close = std::min(h.close, h.break_start);
        h.break_start = h.break_end = -1;
      }
    }
    const Timestamp base = d * kSecondsPerDay;
    DaySession s;
    s.day = d;
    s.open = zone().FromLocalSeconds(base + h.open);
    s.close = zone().FromLocalSeconds(base + h.close);
    if (h.break_start >= 0) {
      s.break_start = zone().FromLocalSeconds(base + h.break_start);
      s.break_end = zone().FromLocalSeconds(base + h.break_end);
    }
    s.early_close = early;
    out->push_back(s);
  }
}

CryptoCalendar::CryptoCalendar() : TableCalendar("CRYPTO", "UTC", MarketKind::kCrypto) {}

void CryptoCalendar::BuildYear(int year, std::vector<DaySession>* out) const {
  const int64_t first = DaysFromCivil({year, 1, 1});
  const int64_t last = DaysFromCivil({year + 1, 1, 1});
  out->reserve(static_cast<size_t>(last - first));
  for (int64_t d = first; d < last; ++d) {
    DaySession s;
    s.day = d;
    s.open = d * kSecondsPerDay;
    s.close = s.open + kSecondsPerDay;
    out->push_back(s);
  }
}

Timestamp CryptoCalendar::NextClose(Timestamp ts) const {
  // The end of the UTC day holding ts (a bar starting at midnight belongs to
  // the day it starts).
  if (ts > std::numeric_limits<Timestamp>::max() - kSecondsPerDay) {
    return std::numeric_limits<Timestamp>::max();
  }
  return (DayOf(ts) + 1) * kSecondsPerDay;
}

FxCalendar::FxCalendar() : TableCalendar("FX", "UTC", MarketKind::kFx) {
  Result<const Zone*> ny = FindZone("America/New_York");
  if (!ny.ok()) {
    CheckFailed(__FILE__, __LINE__,
                "calendar FX: " + ny.status().ToString() +
                    " (the system tz database /usr/share/zoneinfo is missing; install tzdata)");
  }
  new_york_ = *ny;
}

void FxCalendar::BuildYear(int year, std::vector<DaySession>* out) const {
  constexpr Timestamp k17h = 17 * kSecondsPerHour;
  const int64_t first = DaysFromCivil({year, 1, 1});
  const int64_t last = DaysFromCivil({year + 1, 1, 1});
  out->reserve(262);
  for (int64_t d = first; d < last; ++d) {
    int wd = WeekdayFromDays(d);
    if (wd == 0 || wd == 6) continue;
    DaySession s;
    s.day = d;
    s.open = d * kSecondsPerDay;
    s.close = s.open + kSecondsPerDay;
    if (wd == 1) s.open = new_york_->FromLocalSeconds((d - 1) * kSecondsPerDay + k17h);
    if (wd == 5) s.close = new_york_->FromLocalSeconds(d * kSecondsPerDay + k17h);
    out->push_back(s);
  }
}

Timestamp FxCalendar::NextClose(Timestamp ts) const {
  // The end of the UTC day of the bar at ts, or the Friday close if sooner;
  // during the weekend, that of the first bar after the reopening.
  const DaySession* s = FirstEndingAfter(ts);
  if (s == nullptr) return std::numeric_limits<Timestamp>::max();
  Timestamp t = std::max(ts, s->open);
  return std::min(s->close, (DayOf(t) + 1) * kSecondsPerDay);
}

}  // namespace finex::calendar::detail
