// Internal: concrete calendar kinds built on TableCalendar.
//
//  * ExchangeCalendar: weekdays minus holidays, with per-date regular hours
//    (optionally a lunch break) and early closes, all in exchange-local time,
//    from an ExchangeSpec (rules in holiday_rules.cc).
//  * CryptoCalendar: every UTC day, 00:00..24:00.
//  * FxCalendar: 24/5, Sunday 17:00 New York to Friday 17:00 New York.
//    Trading days are the UTC dates Monday..Friday; Monday's session starts
//    on Sunday at 17:00 New York (21:00/22:00 UTC) because FX providers fold
//    the Sunday evening into Monday's daily bar; Friday's ends at 17:00 New
//    York. No holidays (the interbank market never fully closes on weekdays).
//
// Thread-safety / ownership: see table_calendar.h.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "finex/calendar/detail/table_calendar.h"

namespace finex::calendar::detail {

// Local regular hours of one date, seconds after local midnight. A lunch
// break is [break_start, break_end); -1 when none.
struct Hours {
  int open = 0;
  int close = 0;
  int break_start = -1;
  int break_end = -1;
};

// Closed days and early closes of one year (local civil day numbers).
struct YearHolidays {
  std::vector<int64_t> closed;
  std::vector<std::pair<int64_t, int>> early;  // (day, local close seconds)
  void Close(int64_t day) { closed.push_back(day); }
  void Early(int64_t day, int close_s) { early.emplace_back(day, close_s); }
};

struct ExchangeSpec {
  const char* code;
  const char* tz;
  Hours (*hours)(int64_t day);
  void (*holidays)(int year, YearHolidays* out);
};

class ExchangeCalendar final : public TableCalendar {
 public:
  explicit ExchangeCalendar(const ExchangeSpec& spec);

 protected:
  void BuildYear(int year, std::vector<DaySession>* out) const override;

 private:
  ExchangeSpec spec_;
};

class CryptoCalendar final : public TableCalendar {
 public:
  CryptoCalendar();
  Timestamp NextClose(Timestamp ts) const override;

 protected:
  void BuildYear(int year, std::vector<DaySession>* out) const override;
};

class FxCalendar final : public TableCalendar {
 public:
  FxCalendar();
  Timestamp NextClose(Timestamp ts) const override;

 protected:
  void BuildYear(int year, std::vector<DaySession>* out) const override;

 private:
  const Zone* new_york_;
};

// Rule sets (holiday_rules.cc).
const ExchangeSpec& XnysSpec();
const ExchangeSpec& XnasSpec();
const ExchangeSpec& XlonSpec();
const ExchangeSpec& XetrSpec();
const ExchangeSpec& XparSpec();
const ExchangeSpec& XtksSpec();
const ExchangeSpec& XhkgSpec();
const ExchangeSpec& XasxSpec();

}  // namespace finex::calendar::detail
