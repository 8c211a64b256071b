// Exchange calendars: when could bars exist? Sessions in exchange time,
// holidays (rule-based plus special closures), early closes, and the bar
// alignment of each interval on each market. Crypto trades 24/7; FX 24/5
// (Sunday 17:00 New York to Friday 17:00 New York).
//
// Bar stamps follow API.md: intraday bars are stamped with their open time in
// UTC, anchored at the session open (NYSE 1h bars start 09:30, 10:30, ...,
// 15:30 New York time; the last one is short); 1d/1w/1mo bars are stamped
// 00:00:00 UTC of the bar's first trading date in the exchange's calendar
// (1w: the Monday of the week, 1mo: the 1st of the month, even when that day
// is a holiday — providers label weeks and months by their start).
//
// Thread-safety: calendars are immutable after construction; every method is
// thread-safe. Ownership: calendars are process-wide singletons returned by
// reference; they live for the whole program.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/interval.h"
#include "finex/core/status.h"
#include "finex/core/time.h"
#include "finex/core/time_range.h"

namespace finex::calendar {

enum class MarketKind { kExchange, kCrypto, kFx };

// A regular trading session in UTC, [open, close).
struct Session {
  Timestamp open = 0;
  Timestamp close = 0;
  bool early_close = false;
  friend bool operator==(const Session&, const Session&) = default;
};

class Calendar {
 public:
  virtual ~Calendar() = default;
  // MIC-style code: "XNYS", "XNAS", "XLON", "XETR", "XPAR", "XTKS", "XHKG",
  // "XASX", "CRYPTO", "FX".
  virtual std::string_view code() const = 0;
  // IANA zone of the exchange ("America/New_York"; "UTC" for crypto).
  virtual std::string_view timezone() const = 0;
  virtual MarketKind kind() const = 0;

  // Whether `date` (exchange-local civil date) has a session.
  virtual bool IsTradingDay(CivilDate date) const = 0;
  // The session of that date, early closes applied; nullopt on closed days.
  // For crypto: 00:00..24:00 UTC. For FX: the part of the UTC day the market
  // is open (stamped by UTC date).
  virtual std::optional<Session> SessionOn(CivilDate date) const = 0;

  // Every bar start of `iv` within [r.start, r.end), ascending.
  virtual std::vector<Timestamp> BarStarts(TimeRange r, Interval iv) const = 0;
  // Union over those bars of [bar_start, bar_end) where bar_end is the next
  // bar's nominal start clipped to the session close (1d/1w/1mo: to the next
  // stamp). Clipped to r. Time outside it can hold no bar of `iv`.
  virtual TimeRangeSet TradingTime(TimeRange r, Interval iv) const = 0;
  // The exchange-local civil date of a UTC instant.
  virtual CivilDate LocalDate(Timestamp ts) const = 0;
  // Whether the market is in session at `ts`.
  virtual bool IsOpen(Timestamp ts) const = 0;
  // The first session close at or after ts (for finality: a bar is final once
  // its session closed). For crypto/FX, the end of the bar's UTC day.
  virtual Timestamp NextClose(Timestamp ts) const = 0;
};

// The calendar for a code above; NotFound otherwise.
Result<const Calendar*> FindCalendar(std::string_view code);

// Picks the calendar for a symbol: an explicit exchange hint from provider
// metadata wins ("NMS", "NYQ", "NASDAQ", "NYSE", "LSE", "XETRA", "BINANCE",
// "CCC", "CCY", MIC codes...); else the symbol's shape: "=X" → FX,
// "-USD"/"USDT"/"/USDT"/"BUSD"/known coin ids → crypto, ".L" → XLON, ".DE" →
// XETR, ".PA"/".AS" → XPAR, ".T" → XTKS, ".HK" → XHKG, ".AX" → XASX, anything
// else (US tickers, ^GSPC, futures "=F") → XNYS.
const Calendar& CalendarFor(std::string_view symbol, std::string_view exchange_hint = "");

}  // namespace finex::calendar
