// FakeCalendar: a small, exact calendar for planner and cache tests that must
// not depend on the real exchange rules. Exchange mode: Monday..Friday minus
// `holidays` (UTC dates), one session 14:30..21:00 UTC (NYSE in winter);
// crypto mode: every day, 24 h. Daily/weekly/monthly bars are stamped
// 00:00 UTC of their first date (API.md); intraday bars anchor at the session
// open. Counts TradingTime calls so tests can assert a hit does no calendar
// work.
//
// Thread-safety: immutable after construction except the atomic counter.
#pragma once

#include <algorithm>
#include <atomic>
#include <set>

#include "finex/calendar/calendar.h"

namespace finex::testing {

class FakeCalendar final : public calendar::Calendar {
 public:
  explicit FakeCalendar(bool crypto = false, std::set<int64_t> holiday_days = {})
      : crypto_(crypto), holidays_(std::move(holiday_days)) {}

  std::string_view code() const override { return crypto_ ? "CRYPTO" : "XNYS"; }
  std::string_view timezone() const override { return "UTC"; }
  calendar::MarketKind kind() const override {
    return crypto_ ? calendar::MarketKind::kCrypto : calendar::MarketKind::kExchange;
  }
  bool IsTradingDayNum(int64_t day) const {
    if (crypto_) return true;
    const int wd = WeekdayFromDays(day);
    return wd != 0 && wd != 6 && holidays_.count(day) == 0;
  }
  bool IsTradingDay(CivilDate date) const override { return IsTradingDayNum(DaysFromCivil(date)); }
  std::optional<calendar::Session> SessionOn(CivilDate date) const override {
    const int64_t d = DaysFromCivil(date);
    if (!IsTradingDayNum(d)) return std::nullopt;
    const Timestamp base = d * kSecondsPerDay;
    if (crypto_) return calendar::Session{base, base + kSecondsPerDay, false};
    return calendar::Session{base + 14 * 3600 + 1800, base + 21 * 3600, false};
  }
  // Bars (start, end) whose start lies in r.
  std::vector<TimeRange> Bars(TimeRange r, Interval iv) const {
    std::vector<TimeRange> out;
    if (r.empty()) return out;
    if (!IsIntraday(iv)) {
      Timestamp t = FloorToBar(r.start, iv);
      if (t < r.start) t = NextBar(t, iv);
      for (; t < r.end; t = NextBar(t, iv)) {
        const Timestamp e = NextBar(t, iv);
        bool any = false;
        for (int64_t d = DayOf(t); d < DayOf(e) && !any; ++d) any = IsTradingDayNum(d);
        if (any) out.push_back({t, e});
      }
      return out;
    }
    const Timestamp len = NominalSeconds(iv);
    for (int64_t d = DayOf(r.start) - 1; d <= DayOf(r.end - 1); ++d) {
      auto s = SessionOn(CivilFromDays(d));
      if (!s) continue;
      for (Timestamp b = s->open; b < s->close; b += len) {
        if (b >= r.start && b < r.end) out.push_back({b, std::min(b + len, s->close)});
      }
    }
    return out;
  }
  std::vector<Timestamp> BarStarts(TimeRange r, Interval iv) const override {
    std::vector<Timestamp> out;
    for (const TimeRange& b : Bars(r, iv)) out.push_back(b.start);
    return out;
  }
  TimeRangeSet TradingTime(TimeRange r, Interval iv) const override {
    trading_time_calls.fetch_add(1);
    TimeRangeSet out;
    for (const TimeRange& b : Bars(r, iv)) out.Add(b.Intersect(r));
    return out;
  }
  CivilDate LocalDate(Timestamp ts) const override { return CivilFromDays(DayOf(ts)); }
  bool IsOpen(Timestamp ts) const override {
    auto s = SessionOn(LocalDate(ts));
    return s && ts >= s->open && ts < s->close;
  }
  Timestamp NextClose(Timestamp ts) const override {
    for (int64_t d = DayOf(ts);; ++d) {
      auto s = SessionOn(CivilFromDays(d));
      if (s && s->close >= ts) return s->close;
    }
  }

  mutable std::atomic<int> trading_time_calls{0};

 private:
  bool crypto_;
  std::set<int64_t> holidays_;
};

}  // namespace finex::testing
