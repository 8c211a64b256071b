// Yahoo Finance response writers: the chart, quote and search bodies, their
// error envelopes and the cookie/crumb handshake, exactly as Yahoo sends them
// (fields, types and order of the captured bodies in
// ../shared/data/provider-responses/yahoo). The one place both the simulator
// (sim/detail/yahoo.cc, from generated data) and `finex serve`'s /yahoo
// routes (server/compat/yahoo.cc, from cached frames) render Yahoo; the
// adapter's parser (yahoo_provider.cc) stays separate.
//
// Callers fill plain structs; fields finex cannot know are std::nullopt and
// written the way Yahoo writes them when it lacks them (omitted, or null in a
// bar). Prices are written as Yahoo's float32 values widened to double.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/core/time.h"
#include "finex/provider/wire.h"

namespace finex::provider::yahoo {

// Yahoo serves float32 values widened to double (e.g. 75.0875015258789).
double F32(double v);
// Offset of an IANA zone at ts (seconds) and Yahoo's abbreviation ("EDT", "GMT", ...).
int UtcOffset(std::string_view tz, Timestamp ts);
std::string TzAbbrev(std::string_view tz, int offset_s);

// The ranges Yahoo accepts in range= (also meta.validRanges).
inline constexpr std::string_view kValidRanges[] = {"1d", "5d", "1mo", "3mo", "6mo", "1y",
                                                    "2y", "5y", "10y", "ytd", "max"};
// The intervals Yahoo accepts in interval= (its 400 text lists them).
inline constexpr std::string_view kValidIntervalsText =
    "[1m, 2m, 5m, 15m, 30m, 60m, 90m, 1h, 1d, 5d, 1wk, 1mo, 3mo]";

struct Instrument {
  std::string symbol;
  std::string currency;            // "USD", "GBp"
  std::string exchange_name;       // "NMS"
  std::string full_exchange_name;  // "NasdaqGS"
  std::string instrument_type;     // "EQUITY", "CRYPTOCURRENCY", ...
  std::string long_name, short_name;
  std::string timezone;  // IANA zone of the exchange
  std::optional<Timestamp> first_trade_date;
};

struct ChartBar {
  Timestamp ts = 0;
  std::optional<double> open, high, low, close, adj_close;  // nullopt = Yahoo's null
  std::optional<int64_t> volume;
};
struct ChartDividend {
  Timestamp ts = 0;
  double amount = 0;
};
struct ChartSplit {
  Timestamp ts = 0;
  int numerator = 1, denominator = 1;
};
// Today's (or the next) session: pre = [pre_start, regular_start), regular =
// [regular_start, regular_end), post = [regular_end, post_end).
struct TradingPeriods {
  Timestamp pre_start = 0, regular_start = 0, regular_end = 0, post_end = 0;
};

struct ChartAnswer {
  Instrument instrument;
  Timestamp regular_market_time = 0;
  double regular_market_price = 0;
  std::optional<double> day_high, day_low;
  std::optional<int64_t> day_volume;
  std::optional<double> fifty_two_week_high, fifty_two_week_low;
  std::optional<double> chart_previous_close;  // close before the range; omitted if unknown
  std::optional<TradingPeriods> current_trading_period;
  std::string granularity;  // interval= as asked ("1d", "1h")
  std::string range;        // range= as asked, "" for period1/period2
  bool daily = true;        // daily and longer carry indicators.adjclose
  std::vector<ChartBar> bars;
  bool events_div = false, events_split = false;  // events= asked for them
  std::vector<ChartDividend> dividends;
  std::vector<ChartSplit> splits;
};

// Today's (or the next) session of `cal` with Yahoo's pre (5.5 h) and post
// (4 h) periods; nullopt when no session lies within 10 days.
std::optional<TradingPeriods> CurrentTradingPeriods(const calendar::Calendar& cal, Timestamp now);
// Yahoo's exchange zone (meta.exchangeTimezoneName) for instruments trading
// on `cal`: "Europe/London" for FX pairs (Yahoo's CCY exchange: EURUSD=X's
// captured chart and quote say so), else the calendar's own zone.
std::string_view ExchangeZone(const calendar::Calendar& cal);
// Yahoo's stamp of a daily/weekly/monthly bar stamped 00:00 UTC of its first
// date, for the first trading day at or after that date: the session open,
// except for FX pairs, whose daily bars Yahoo stamps at 00:00 London (the
// captured EURUSD=X chart: 00:00Z in winter, so 23:00Z the day before in
// summer), not at the Sunday 17:00 New York open of Monday's session.
Timestamp DailyStamp(const calendar::Calendar& cal, Timestamp stamp);

// 200 {"chart":{"result":[{meta, timestamp, events?, indicators}],"error":null}};
// `now` sets meta's gmtoffset/timezone.
WireAnswer WriteChart(const ChartAnswer& a, Timestamp now);

struct QuoteEntry {
  Instrument instrument;
  std::string market_state;  // "REGULAR", "CLOSED", ...
  double price = 0;
  std::optional<double> change, change_percent, day_high, day_low, market_cap;
  std::optional<int64_t> volume;
  Timestamp time = 0;  // regularMarketTime
};
// 200 {"quoteResponse":{"result":[...],"error":null}}; `now` sets the zone offsets.
WireAnswer WriteQuotes(std::span<const QuoteEntry> quotes, Timestamp now);

struct SearchEntry {
  std::string symbol, exchange, short_name, long_name, quote_type, exch_disp, sector, industry;
  double score = 0;  // 0..1; written as Yahoo's integer score
};
// 200 with explains/count/quotes/news/nav/lists/researchReports/
// screenerFieldResults/totalTime and the timeTakenFor* timings.
WireAnswer WriteSearch(std::span<const SearchEntry> quotes, int total_time_ms);

// Error envelopes: {"chart"|"finance"|"quoteResponse": {"result": null,
// "error": {"code", "description"}}}.
WireAnswer ChartError(int status, std::string_view code, std::string_view description);
WireAnswer FinanceError(int status, std::string_view code, std::string_view description);
WireAnswer QuoteError(int status, std::string_view code, std::string_view description);

// The cookie/crumb handshake real clients make before v7 quote:
// GET /quote/{symbol} answers a page with Set-Cookie (Yahoo's A3 session
// cookie, Domain=.yahoo.com so clients that rewrite hosts keep it), GET
// /v1/test/getcrumb answers the crumb as text/plain. The crumb is a pure
// function of the cookie; quotes do not need one (finex does not check).
inline constexpr std::string_view kQuotePagePath = "/quote/";  // + symbol
WireAnswer QuotePage(std::string_view symbol, Timestamp now);
WireAnswer Crumb(std::string_view cookie_header);

}  // namespace finex::provider::yahoo
