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
// reference; they live for the whole program. (Internally each calendar
// builds one table of UTC sessions per year on first use and publishes it
// atomically; BarStarts for a year of 1m bars is ~0.1 ms, a year of 1d a
// microsecond or so: see calendar_bench.cc.)
//
// Calendars, hours (exchange-local) and limits:
//   XNYS, XNAS  America/New_York 09:30-16:00 (10:00 open before 1985-09-30,
//               15:30 close before 1974-10-01). Rule-based holidays from 1971
//               (New Year's with Sunday->Monday and NO Saturday->Friday;
//               MLK from 1998; Washington's Birthday; Good Friday; Memorial
//               Day; Juneteenth from 2022; Independence Day, Christmas with
//               Sat->Fri / Sun->Mon; Labor Day; Thanksgiving; presidential
//               Election Days 1972/76/80) plus special closures 1972-12-28,
//               1973-01-25, 1977-07-14, 1985-09-27, 1994-04-27,
//               2001-09-11..14, 2004-06-11, 2007-01-02, 2012-10-29..30,
//               2018-12-05, 2025-01-09. Early closes 13:00: day after
//               Thanksgiving (14:00 in 1992, 13:00 since 1993); July 3 when
//               a Mon/Tue/Thu (since 1995), Friday July 5 when July 4 is a
//               Thursday (1996-2012), Wednesday July 3 (since 2013);
//               Christmas Eve Mon-Thu (since 1999; 1996-98 weekdays at 13:00,
//               1990-92 at 14:00); Dec 26 1997 and 2003. Not modeled:
//               late opens, intraday halts, pre-1971 history (1900-1970
//               get approximate rules and no Saturday sessions). Verified
//               against real daily data 1995-2023 (calendar_data_test.cc,
//               calendar_provider_data_test.cc).
//   XLON  Europe/London 08:00-16:30; England & Wales bank holidays with
//         substitute days and the royal one-offs (1999-12-31, 2002, 2011,
//         2012, 2020 VE day move, 2022 jubilee + funeral, 2023 coronation);
//         12:30 half days on weekday Dec 24 and Dec 31.
//   XETR  Europe/Berlin 09:00-17:30; Jan 1, Good Friday, Easter Monday,
//         May 1, Dec 24, 25, 26, 31; Whit Monday 2015-2021, German Unity
//         Day 2014-2021, Reformation Day 2017. The shortened year-end
//         closing auctions are not modeled (full sessions).
//   XPAR  Europe/Paris 09:00-17:30; Euronext: Jan 1, Good Friday, Easter
//         Monday, May 1, Dec 25, 26; 14:05 half days on weekday Dec 24/31.
//   XTKS  Asia/Tokyo 09:00-11:30 and 12:30-15:00 (15:30 from 2024-11-05;
//         the morning session ended 11:00 before 2011-11-21);
//         national holidays incl. equinoxes (NAOJ formula, 1980-2099),
//         substitute and citizens' holidays, 2019-2021 one-off moves,
//         year-end closure Dec 31-Jan 3, the 2020-10-01 system outage.
//   XHKG  Asia/Hong_Kong 09:30-12:00 and 13:00-16:00 (older hours before
//         2012-03-05); general holidays with Sunday substitution; the lunar
//         holidays (Lunar New Year, Ching Ming, Buddha's Birthday, Tuen Ng,
//         day after Mid-Autumn, Chung Yeung) come from a TABLE covering
//         2010-2028 only; half days (morning only) on weekday Dec 24, Dec 31
//         and Lunar New Year's Eve. Typhoon/rainstorm closures are ad hoc
//         and not modeled.
//   XASX  Australia/Sydney 10:00-16:00; New Year, Australia Day (weekend ->
//         Monday), Good Friday, Easter Monday, Anzac Day (not substituted),
//         King's Birthday, Christmas/Boxing Day with substitutes,
//         2022-09-22; 14:10 early close on the last trading day before
//         Christmas and of the year.
//   CRYPTO  UTC, every day 00:00-24:00.
//   FX      24/5: Sunday 17:00 to Friday 17:00 New York. Trading days are
//           the UTC dates Monday-Friday; Monday's session starts on Sunday
//           at 17:00 New York (providers fold Sunday evening into Monday's
//           daily bar), Friday's ends at 17:00 New York. LocalDate is the
//           UTC date. No holidays.
// For the non-US exchanges correctness is targeted for 2015-2027. All
// calendars cover 1900-2199 (no sessions outside). Zone offsets beyond the
// tzdata transition tables (2037) repeat the last rules (see timezone.cc).
//
// Sources of truth: NYSE "Holidays and Trading Hours" pages and the NYSE
// closings history as tabulated by pandas_market_calendars (holidays_nyse),
// cross-checked with the real daily histories in ../shared/data; LSE, Xetra,
// Euronext, JPX, HKEX and ASX published trading calendars; the UK, Japanese
// and HKSAR government holiday gazettes.
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
//
// Details (calendar.cc): hints are matched case-insensitively, spaces and
// '_' read as '-'. US: XNYS NYSE NYQ NYS NYSEARCA ARCX PCX ASE AMEX BATS
// CBOE BZX OTC PNK US, and the futures/index venues CMX NYM CBT CME NYB WCB
// (no calendar of their own; US equity hours approximate them) → XNYS; XNAS
// NASDAQ NMS NGM NCM NAS NIM NASDAQGS/GM/CM XNGS XNMS XNCM → XNAS. XLON LSE LON IOB; XETR XETRA GER
// ETR XFRA FRA; XPAR PAR EPA EURONEXT ENX XAMS AMS XBRU BRU XLIS LIS; XTKS TYO JPX TSE TOKYO; XHKG
// HKG HKEX HKSE; XASX ASX; CRYPTO CCC BINANCE BINANCEUS COINBASE KRAKEN BITSTAMP COINGECKO; FX CCY
// FOREX CURRENCY. An unknown hint falls through to the shape rules: "BASE/QUOTE" is crypto when
// either side is a coin ticker and FX when both are fiat codes; "X-CCY" is crypto when CCY is a
// fiat or coin code (so "BRK-B" stays US); pairs ending USDT/BUSD/USDC or coin+BTC/ETH are crypto;
// lower-case CoinGecko ids ("bitcoin") are crypto; suffixes .L .IL → XLON, .DE .F → XETR, .PA .AS
// .BR .LS → XPAR, .T → XTKS, .HK → XHKG, .AX → XASX; indices ^FTSE ^FTMC → XLON, ^GDAXI → XETR,
// ^FCHI ^AEX → XPAR, ^N225 → XTKS, ^HSI → XHKG, ^AXJO ^AORD → XASX, ^IXIC ^NDX → XNAS. Listings on
// exchanges without a calendar here (e.g. ".JK" Jakarta) fall back to XNYS like any unrecognized
// symbol.
const Calendar& CalendarFor(std::string_view symbol, std::string_view exchange_hint = "");

// Every calendar above, in the order of the code list in Calendar::code().
const std::vector<const Calendar*>& AllCalendars();

}  // namespace finex::calendar
