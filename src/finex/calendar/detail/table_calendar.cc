#include "finex/calendar/detail/table_calendar.h"

#include <algorithm>
#include <limits>

namespace finex::calendar::detail {
namespace {

// Timestamps far outside the supported years are clamped before any civil
// arithmetic so that sentinel values (INT64_MIN/MAX) cannot overflow.
constexpr Timestamp kClampLo = -2272060800;  // 1898-01-01
constexpr Timestamp kClampHi = 7289654400;   // 2201-01-01

int YearOfClamped(Timestamp ts) {
  ts = std::clamp(ts, kClampLo, kClampHi);
  return CivilFromDays(DayOf(ts)).year;
}

int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

}  // namespace

TableCalendar::TableCalendar(std::string code, std::string tz, MarketKind kind)
    : code_(std::move(code)), tz_name_(std::move(tz)), kind_(kind) {
  // Calendar zones are fixed names compiled in; only a missing system tz
  // database can make this fail, which no caller could recover from.
  Result<const Zone*> z = FindZone(tz_name_);
  if (!z.ok()) {
    CheckFailed(__FILE__, __LINE__,
                "calendar " + code_ + ": " + z.status().ToString() +
                    " (the system tz database /usr/share/zoneinfo is missing; install tzdata)");
  }
  zone_ = *z;
  for (auto& y : years_) y.store(nullptr, std::memory_order_relaxed);
}

TableCalendar::~TableCalendar() {
  for (auto& y : years_) delete y.load(std::memory_order_acquire);
}

const YearTable* TableCalendar::Year(int year) const {
  if (year < kMinYear || year > kMaxYear) return nullptr;
  std::atomic<const YearTable*>& slot = years_[year - kMinYear];
  const YearTable* t = slot.load(std::memory_order_acquire);
  if (t != nullptr) return t;
  auto built = std::make_unique<YearTable>();
  built->year = year;
  built->first_day = DaysFromCivil({year, 1, 1});
  built->by_doy.fill(-1);
  BuildYear(year, &built->sessions);
  for (size_t i = 0; i < built->sessions.size(); ++i) {
    int64_t doy = built->sessions[i].day - built->first_day;
    FINEX_CHECK(doy >= 0 && doy < 366);
    FINEX_CHECK(i == 0 || built->sessions[i - 1].day < built->sessions[i].day);
    built->by_doy[doy] = static_cast<int16_t>(i);
  }
  const YearTable* expected = nullptr;
  if (slot.compare_exchange_strong(expected, built.get(), std::memory_order_acq_rel)) {
    return built.release();
  }
  return expected;  // another thread won; ours is discarded
}

const DaySession* TableCalendar::SessionOfDay(int64_t day) const {
  if (day < -25567 || day > 84000) return nullptr;  // outside 1900..2199 anyway
  int year = CivilFromDays(day).year;
  const YearTable* t = Year(year);
  if (t == nullptr) return nullptr;
  int16_t idx = t->by_doy[day - t->first_day];
  return idx < 0 ? nullptr : &t->sessions[idx];
}

template <typename F>
void TableCalendar::ForEachSession(Timestamp from, Timestamp to, F&& f) const {
  if (from >= to) return;
  int y0 = std::max(YearOfClamped(from) - 1, kMinYear);
  int y1 = std::min(YearOfClamped(to - 1) + 1, kMaxYear);
  for (int y = y0; y <= y1; ++y) {
    const YearTable* t = Year(y);
    auto it = std::partition_point(t->sessions.begin(), t->sessions.end(),
                                   [&](const DaySession& s) { return s.close <= from; });
    for (; it != t->sessions.end(); ++it) {
      if (it->open >= to) return;
      f(*it);
    }
  }
}

const DaySession* TableCalendar::FirstEndingAfter(Timestamp ts) const {
  int y0 = std::max(YearOfClamped(ts) - 1, kMinYear);
  int y1 = std::min(YearOfClamped(ts) + 3, kMaxYear);
  for (int y = y0; y <= y1; ++y) {
    const YearTable* t = Year(y);
    auto it = std::partition_point(t->sessions.begin(), t->sessions.end(),
                                   [&](const DaySession& s) { return s.close <= ts; });
    if (it != t->sessions.end()) return &*it;
  }
  return nullptr;
}

bool TableCalendar::IsTradingDay(CivilDate date) const {
  if (!IsValidCivil(date)) return false;
  return SessionOfDay(DaysFromCivil(date)) != nullptr;
}

std::optional<Session> TableCalendar::SessionOn(CivilDate date) const {
  if (!IsValidCivil(date)) return std::nullopt;
  const DaySession* s = SessionOfDay(DaysFromCivil(date));
  if (s == nullptr) return std::nullopt;
  return Session{s->open, s->close, s->early_close};
}

CivilDate TableCalendar::LocalDate(Timestamp ts) const {
  return CivilFromDays(DayOf(zone_->ToLocalSeconds(ts)));
}

bool TableCalendar::IsOpen(Timestamp ts) const {
  const DaySession* s = FirstEndingAfter(ts);
  if (s == nullptr || ts < s->open) return false;
  return !(s->has_break() && ts >= s->break_start && ts < s->break_end);
}

Timestamp TableCalendar::NextClose(Timestamp ts) const {
  const DaySession* s = FirstEndingAfter(ts == std::numeric_limits<Timestamp>::min() ? ts : ts - 1);
  return s == nullptr ? std::numeric_limits<Timestamp>::max() : s->close;
}

bool TableCalendar::AnyTradingDay(int64_t first_day, int64_t end_day) const {
  // Trading days in [first_day, end_day); spans at most two year tables.
  for (int64_t d = first_day; d < end_day;) {
    int year = CivilFromDays(d).year;
    const YearTable* t = Year(year);
    if (t == nullptr) return false;
    int64_t year_end = DaysFromCivil({year + 1, 1, 1});
    int64_t stop = std::min(end_day, year_end);
    auto it = std::partition_point(t->sessions.begin(), t->sessions.end(),
                                   [&](const DaySession& s) { return s.day < d; });
    if (it != t->sessions.end() && it->day < stop) return true;
    d = stop;
  }
  return false;
}

std::vector<Timestamp> TableCalendar::DayBarStarts(TimeRange r, Interval iv) const {
  std::vector<Timestamp> out;
  if (r.empty()) return out;
  constexpr int64_t kLoDay = -25567, kHiDay = 84000;  // ~1900..2199
  int64_t d0 = std::max(CeilDiv(r.start, kSecondsPerDay), kLoDay);
  int64_t d1 = std::min(FloorDiv(r.end - 1, kSecondsPerDay), kHiDay);  // inclusive
  if (d0 > d1) return out;
  switch (iv) {
    case Interval::k1d: {
      int y0 = CivilFromDays(d0).year, y1 = CivilFromDays(d1).year;
      for (int y = y0; y <= y1; ++y) {
        const YearTable* t = Year(y);
        if (t == nullptr) continue;
        auto it = std::partition_point(t->sessions.begin(), t->sessions.end(),
                                       [&](const DaySession& s) { return s.day < d0; });
        for (; it != t->sessions.end() && it->day <= d1; ++it) {
          out.push_back(it->day * kSecondsPerDay);
        }
      }
      break;
    }
    case Interval::k1w: {
      int64_t m = d0 + (8 - WeekdayFromDays(d0)) % 7;  // first Monday >= d0
      out.reserve(static_cast<size_t>((d1 - m) / 7 + 1));
      for (; m <= d1; m += 7) {
        if (AnyTradingDay(m, m + 7)) out.push_back(m * kSecondsPerDay);
      }
      break;
    }
    case Interval::k1mo: {
      CivilDate c = CivilFromDays(d0);
      if (c.day != 1) {
        c.day = 1;
        if (++c.month > 12) c = {c.year + 1, 1, 1};
      }
      for (int64_t f = DaysFromCivil(c); f <= d1; f = DaysFromCivil(c)) {
        if (AnyTradingDay(f, f + DaysInMonth(c.year, c.month))) out.push_back(f * kSecondsPerDay);
        if (++c.month > 12) c = {c.year + 1, 1, 1};
      }
      break;
    }
    default:
      break;
  }
  return out;
}

std::vector<Timestamp> TableCalendar::BarStarts(TimeRange r, Interval iv) const {
  if (!IsIntraday(iv)) return DayBarStarts(r, iv);
  std::vector<Timestamp> out;
  if (r.empty()) return out;
  const Timestamp len = NominalSeconds(iv);
  auto segment = [&](Timestamp a, Timestamp b) {
    Timestamp t = a;
    if (r.start > t) t += CeilDiv(r.start - t, len) * len;
    Timestamp end = std::min(b, r.end);
    for (; t < end; t += len) out.push_back(t);
  };
  bool reserved = false;
  ForEachSession(r.start, r.end, [&](const DaySession& s) {
    if (!reserved) {
      // Rough upper bound from the first session: avoids regrowth for long spans.
      Timestamp span = std::min(r.end, s.open + 400 * kSecondsPerDay) - std::max(r.start, s.open);
      Timestamp per_day = (s.close - s.open) / len + 2;
      out.reserve(static_cast<size_t>(std::max<Timestamp>(1, span / kSecondsPerDay + 1) * per_day));
      reserved = true;
    }
    if (s.has_break()) {
      segment(s.open, s.break_start);
      segment(s.break_end, s.close);
    } else {
      segment(s.open, s.close);
    }
  });
  return out;
}

TimeRangeSet TableCalendar::TradingTime(TimeRange r, Interval iv) const {
  if (r.empty()) return TimeRangeSet();
  if (!IsIntraday(iv)) {
    std::vector<Timestamp> stamps = DayBarStarts(r, iv);
    if (stamps.empty()) return TimeRangeSet();
    return TimeRangeSet(TimeRange{stamps.front(), r.end});
  }
  const Timestamp len = NominalSeconds(iv);
  std::vector<TimeRange> spans;
  auto segment = [&](Timestamp a, Timestamp b) {
    Timestamp t = a;
    if (r.start > t) t += CeilDiv(r.start - t, len) * len;
    Timestamp end = std::min(b, r.end);
    if (t >= end) return;
    if (!spans.empty() && spans.back().end == t) {
      spans.back().end = end;
    } else {
      spans.push_back({t, end});
    }
  };
  ForEachSession(r.start, r.end, [&](const DaySession& s) {
    if (s.has_break()) {
      segment(s.open, s.break_start);
      segment(s.break_end, s.close);
    } else {
      segment(s.open, s.close);
    }
  });
  return TimeRangeSet(std::span<const TimeRange>(spans));
}

}  // namespace finex::calendar::detail
