// Internal: the shared machinery behind every Calendar. A derived class only
// says which local dates trade and with which hours (BuildYear); this base
// caches one immutable table of UTC sessions per year, built lazily on first
// use and published with an atomic pointer, and answers every Calendar query
// from those tables (binary search + linear walks, no zone math on the hot
// path except LocalDate).
//
// Supported years: kMinYear..kMaxYear. Outside them a calendar has no
// sessions (IsTradingDay false, BarStarts empty).
//
// Thread-safety: all const methods are thread-safe; year tables are built at
// most once per year per calendar (a losing racer discards its copy).
// Ownership: tables are owned by the calendar and live as long as it does.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/calendar/detail/zone.h"

namespace finex::calendar::detail {

inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2199;

// One trading day, in UTC. The break (lunch) is [break_start, break_end),
// empty (both 0) when there is none.
struct DaySession {
  int64_t day = 0;  // local civil date, days since 1970-01-01
  Timestamp open = 0;
  Timestamp close = 0;
  Timestamp break_start = 0;
  Timestamp break_end = 0;
  bool early_close = false;
  bool has_break() const { return break_start < break_end; }
};

struct YearTable {
  int year = 0;
  int64_t first_day = 0;              // days of Jan 1
  std::vector<DaySession> sessions;   // ascending by day (and by open)
  std::array<int16_t, 366> by_doy{};  // day-of-year -> index in sessions, -1 if closed
};

class TableCalendar : public Calendar {
 public:
  TableCalendar(std::string code, std::string tz, MarketKind kind);
  ~TableCalendar() override;

  std::string_view code() const override { return code_; }
  std::string_view timezone() const override { return tz_name_; }
  MarketKind kind() const override { return kind_; }

  bool IsTradingDay(CivilDate date) const override;
  std::optional<Session> SessionOn(CivilDate date) const override;
  std::vector<Timestamp> BarStarts(TimeRange r, Interval iv) const override;
  TimeRangeSet TradingTime(TimeRange r, Interval iv) const override;
  CivilDate LocalDate(Timestamp ts) const override;
  bool IsOpen(Timestamp ts) const override;
  Timestamp NextClose(Timestamp ts) const override;

  // The cached table of `year`; nullptr outside kMinYear..kMaxYear.
  const YearTable* Year(int year) const;
  // The session of a local day number; nullptr on closed days.
  const DaySession* SessionOfDay(int64_t day) const;
  // The first session whose close is > ts; nullptr if none within the
  // supported years.
  const DaySession* FirstEndingAfter(Timestamp ts) const;

 protected:
  // Appends the sessions of every trading day of `year`, ascending.
  virtual void BuildYear(int year, std::vector<DaySession>* out) const = 0;
  const Zone& zone() const { return *zone_; }

 private:
  // Calls f(session) for each session with close > from and open < to, in order.
  template <typename F>
  void ForEachSession(Timestamp from, Timestamp to, F&& f) const;
  bool AnyTradingDay(int64_t first_day, int64_t end_day) const;
  // Sorted bar stamps of a day-based interval (1d/1w/1mo) within r.
  std::vector<Timestamp> DayBarStarts(TimeRange r, Interval iv) const;

  std::string code_;
  std::string tz_name_;
  MarketKind kind_;
  const Zone* zone_;
  mutable std::array<std::atomic<const YearTable*>, kMaxYear - kMinYear + 1> years_;
};

}  // namespace finex::calendar::detail
