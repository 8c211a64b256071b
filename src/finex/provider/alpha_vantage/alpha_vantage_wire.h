// Alpha Vantage response writers: TIME_SERIES_* (JSON, pretty-printed like
// the service, newest first, and CSV), GLOBAL_QUOTE, SYMBOL_SEARCH and the
// HTTP-200 {"Error Message": ...} bodies, as Alpha Vantage sends them
// (captured bodies in ../shared/data/provider-responses/alphavantage). The
// one place both the simulator (sim/detail/alpha_vantage.cc) and `finex
// serve`'s /alpha_vantage route (server/compat/alpha_vantage.cc) render Alpha
// Vantage; the adapter's parser stays separate. Prices have 4 decimals.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/core/interval.h"
#include "finex/core/time.h"
#include "finex/provider/wire.h"

namespace finex::provider::alpha_vantage {

// What a TIME_SERIES_* function names: its interval, the adjusted variant,
// the series' object key ("Time Series (Daily)") and "1. Information" text.
struct SeriesSpec {
  Interval iv = Interval::k1d;
  bool adjusted = false;
  bool intraday = false;
  std::string interval_text;  // interval= as asked (intraday)
  std::string key;
  std::string info;
};
// nullopt when `function` (with `interval` for intraday) is no series.
std::optional<SeriesSpec> SpecFor(std::string_view function, std::string_view interval);

// A row's key: intraday the local date-time of the bar's CLOSE (the real
// 1min labels run 09:31..16:00); daily its date; weekly/monthly the last
// trading day of the bar so far.
std::string RowLabel(const calendar::Calendar& cal, const SeriesSpec& spec, Timestamp bar_start,
                     Timestamp now);
// "YYYY-MM-DD HH:MM:SS" local to tz.
std::string LocalDateTime(std::string_view tz, Timestamp ts);
// Alpha Vantage names America/New_York "US/Eastern".
std::string ZoneName(std::string_view tz);

struct SeriesRow {
  std::string label;
  double open = 0, high = 0, low = 0, close = 0;
  double adj_close = 0;  // adjusted variants
  int64_t volume = 0;
  double dividend = 0, split = 1;  // adjusted variants (split: daily only)
};
struct SeriesAnswer {
  SeriesSpec spec;
  std::string symbol;
  std::string last_refreshed;
  bool full = false;            // outputsize=full
  std::string time_zone;        // ZoneName(tz)
  std::vector<SeriesRow> rows;  // newest first
};
WireAnswer WriteSeriesJson(const SeriesAnswer& a);
WireAnswer WriteSeriesCsv(const SeriesAnswer& a);

// GLOBAL_QUOTE: {"Global Quote": {...}}; an empty object for an unknown symbol.
struct GlobalQuote {
  std::string symbol;
  double open = 0, high = 0, low = 0, price = 0, previous_close = 0;
  int64_t volume = 0;
  std::string latest_trading_day;  // "YYYY-MM-DD"
};
WireAnswer WriteGlobalQuote(const std::optional<GlobalQuote>& q);

struct Match {
  std::string symbol, name, type, region, market_open, market_close, timezone, currency;
  double score = 0;
};
WireAnswer WriteSymbolSearch(std::span<const Match> matches);

// HTTP 200 {"Error Message": text}.
WireAnswer ErrorMessage(std::string_view text);
WireAnswer InvalidCall(std::string_view function);
WireAnswer MissingKey();
WireAnswer UnknownFunction(std::string_view function);
WireAnswer NotFoundPage();

}  // namespace finex::provider::alpha_vantage
