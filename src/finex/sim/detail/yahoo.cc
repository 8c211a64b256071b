// Yahoo Finance (unofficial): /v8/finance/chart/{symbol}, /v7/finance/quote,
// /v1/finance/search. Float32 prices, daily bars stamped at the session open
// (FX: 00:00 London, yahoo::DailyStamp),
// an exclusive period2, a trailing live bar, occasional all-null intraday
// bars, and 422s past the intraday reach (provider/yahoo/yahoo_facts.h).
#include <algorithm>
#include <cctype>
#include <cmath>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/yahoo/yahoo_facts.h"
#include "finex/provider/yahoo/yahoo_wire.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim::detail {

using http::Response;
namespace yahoo = provider::yahoo;

namespace {

using yahoo::F32;

std::optional<Interval> YahooInterval(std::string_view s) {
  if (s == yahoo::kHourAlias) return Interval::k1h;
  return provider::IntervalOfWire(yahoo::kFacts.intervals, s);
}

// The latest instant with a price: now in session, else the last session close.
Timestamp LastTradeTime(const calendar::Calendar& cal, Timestamp now) {
  if (cal.kind() == calendar::MarketKind::kCrypto || cal.IsOpen(now)) return now;
  const int64_t today = DaysFromCivil(cal.LocalDate(now));
  for (int i = 0; i < 15; ++i) {
    if (auto s = cal.SessionOn(CivilFromDays(today - i)); s && s->open <= now)
      return std::min(s->close, now);
  }
  return now;
}

yahoo::Instrument InstrumentOf(const SymbolInfo& info) {
  yahoo::Instrument in;
  in.symbol = info.symbol;
  in.currency = info.currency;
  in.exchange_name = info.exchange;
  in.full_exchange_name = info.full_exchange;
  in.instrument_type = info.type;
  in.long_name = info.name;
  in.short_name = info.name;
  in.timezone = std::string(yahoo::ExchangeZone(*info.calendar));
  in.first_trade_date = info.listed;
  return in;
}

Response YahooChart(const WireContext& ctx) {
  const http::Request& req = ctx.req;
  const std::string symbol(ctx.sub.substr(yahoo::kChartPath.size()));
  if (symbol.empty() || IsUnknownSymbol(symbol)) {
    return YahooChartError(404, yahoo::kCodeNotFound, "No data found, symbol may be delisted");
  }
  const std::string interval_text = req.Query("interval") ? *req.Query("interval") : "1d";
  auto iv = YahooInterval(interval_text);
  if (!iv) {
    return YahooChartError(
        400, "Bad Request",
        "Invalid input - interval=" + Printable(interval_text) +
            " is not supported. Valid intervals: [1m, 2m, 5m, 15m, 30m, 60m, 90m, 1h, 1d, 5d, "
            "1wk, 1mo, 3mo]");
  }
  Timestamp p1 = 0, p2 = ctx.now;
  std::string range_text;
  if (const std::string* rg = req.Query("range"); rg && !req.Query("period1")) {
    auto start = ResolvePeriodStart(*rg, ctx.now);
    if (!start.ok()) {
      return YahooChartError(400, "Bad Request",
                             "Invalid input - range=" + Printable(*rg) +
                                 " is not supported. Valid ranges: [1d, 5d, 1mo, 3mo, 6mo, 1y, 2y, "
                                 "5y, 10y, ytd, max]");
    }
    p1 = *start;
    range_text = *rg;
  } else if (const std::string* a = req.Query("period1")) {
    auto v = ParseInt(*a);
    if (!v) return YahooChartError(400, "Bad Request", "Invalid input - period1=" + Printable(*a));
    p1 = *v;
    if (const std::string* b = req.Query("period2")) {
      auto w = ParseInt(*b);
      if (!w)
        return YahooChartError(400, "Bad Request", "Invalid input - period2=" + Printable(*b));
      p2 = *w;
    }
  } else {
    p1 = ctx.now - kSecondsPerDay;  // Yahoo's default range is 1d
    range_text = "1d";
  }
  const SymbolInfo info = ctx.gen.Info(symbol);
  const calendar::Calendar& cal = *info.calendar;
  // Intraday reach limits (422, Yahoo's own texts).
  auto unprocessable = [&](std::string_view why) {
    return YahooChartError(422, yahoo::kCodeUnprocessable,
                           interval_text +
                               " data not available for startTime=" + std::to_string(p1) +
                               " and endTime=" + std::to_string(p2) + ". " + std::string(why));
  };
  if (*iv == Interval::k1m && p2 - p1 > yahoo::k1mDaysPerRequestServed * kSecondsPerDay) {
    return unprocessable("Only " + std::to_string(yahoo::k1mDaysPerRequestServed) +
                         " days worth of 1m granularity data are allowed to be fetched per "
                         "request.");
  }
  if (const Timestamp reach = ReachOf(yahoo::kFacts.reach, *iv).max_lookback_s;
      reach > 0 && p1 < ctx.now - reach) {
    return unprocessable("The requested range must be within the last " +
                         std::to_string(reach / kSecondsPerDay) + " days.");
  }
  if (p2 > p1 && p2 <= info.listed) {
    return YahooChartError(400, "Bad Request",
                           std::string(yahoo::kBeforeListingText) + " for startDate = " +
                               std::to_string(p1) + ", endDate = " + std::to_string(p2));
  }
  const Quote q = ctx.gen.QuoteAt(symbol, ctx.now);
  const bool daily = !IsIntraday(*iv);

  // Bars whose Yahoo stamp (daily: yahoo::DailyStamp) lies in [p1, p2).
  yahoo::ChartAnswer a;
  a.instrument = InstrumentOf(info);
  a.regular_market_time = LastTradeTime(cal, ctx.now);
  a.regular_market_price = q.price;
  a.day_high = q.high_24h;
  a.day_low = q.low_24h;
  a.day_volume = q.volume;
  a.current_trading_period = yahoo::CurrentTradingPeriods(cal, ctx.now);
  a.granularity = interval_text;
  a.range = range_text;
  a.daily = daily;
  std::vector<yahoo::ChartBar>& rows = a.bars;
  double prev_close = q.price;
  if (p2 > p1) {
    const TimeRange query{daily ? p1 - 2 * kSecondsPerDay : p1, p2};
    FramePtr f = ctx.gen.Bars(symbol, *iv, query, ctx.now);
    for (size_t i = 0; i < f->rows(); ++i) {
      const Timestamp stamp = f->timestamps()[i];
      const Timestamp yts = daily ? yahoo::DailyStamp(cal, stamp) : stamp;
      if (yts < p1 || yts >= p2) continue;
      yahoo::ChartBar r;
      r.ts = yts;
      if (!daily && ctx.gen.YahooNullBar(symbol, stamp)) {
        rows.push_back(r);  // Yahoo's occasional all-null bar
        continue;
      }
      r.open = f->open()[i];
      r.high = f->high()[i];
      r.low = f->low()[i];
      r.close = f->close()[i];
      r.volume = f->volume()[i];
      r.adj_close = f->adj_close()[i];
      rows.push_back(r);
    }
    // chartPreviousClose: the close of the last daily bar before p1.
    FramePtr before =
        ctx.gen.Bars(symbol, Interval::k1d, TimeRange{p1 - 12 * kSecondsPerDay, p1}, ctx.now);
    for (size_t i = before->rows(); i-- > 0;) {
      if (yahoo::DailyStamp(cal, before->timestamps()[i]) < p1) {
        prev_close = before->close()[i];
        break;
      }
    }
  }
  a.chart_previous_close = prev_close;
  // The trailing live bar: intraday answers end with a bar at the latest
  // trade time (volume 0) when the requested range ends before it.
  if (!daily && !rows.empty()) {
    const Timestamp last = LastTradeTime(cal, ctx.now);
    if (last >= p2 && rows.back().ts < last) {
      const double px = F32(ctx.gen.PriceAt(symbol, last, ctx.now));
      rows.push_back(yahoo::ChartBar{last, px, px, px, px, std::nullopt, int64_t{0}});
    }
  }
  // Corporate actions when asked (events=div|split).
  const std::string events = req.Query("events") ? *req.Query("events") : "";
  a.events_div = events.find("div") != std::string::npos;
  a.events_split = events.find("split") != std::string::npos;
  if (!rows.empty() && (a.events_div || a.events_split)) {
    std::vector<Event> all = ctx.gen.Events(symbol, TimeRange{p1, p2}, ctx.now);
    std::vector<Event> after = ctx.gen.Events(symbol, TimeRange{p1, ctx.now + 1}, ctx.now);
    for (const Event& e : all) {
      if (e.kind == Event::Kind::kDividend) {
        double later_splits = 1;  // dividends are shown split-adjusted as of now
        for (const Event& s : after) {
          if (s.kind == Event::Kind::kSplit && s.ts > e.ts)
            later_splits *= double(s.numerator) / s.denominator;
        }
        a.dividends.push_back({e.ts, e.amount / later_splits});
      }
      if (e.kind == Event::Kind::kSplit)
        a.splits.push_back({e.ts, static_cast<int>(e.numerator), static_cast<int>(e.denominator)});
    }
  }
  return FromWire(yahoo::WriteChart(a, ctx.now));
}

Response YahooQuote(const WireContext& ctx) {
  const std::string* symbols = ctx.req.Query("symbols");
  if (symbols == nullptr || symbols->empty()) {
    return FromWire(
        yahoo::QuoteError(400, "argument-error", "Missing value for the \"symbols\" argument"));
  }
  std::vector<yahoo::QuoteEntry> result;
  size_t pos = 0;
  int count = 0;
  while (pos <= symbols->size() && count < 200) {
    size_t comma = symbols->find(',', pos);
    if (comma == std::string::npos) comma = symbols->size();
    std::string sym = symbols->substr(pos, comma - pos);
    pos = comma + 1;
    ++count;
    if (sym.empty() || IsUnknownSymbol(sym)) continue;  // unknown symbols are silently omitted
    const Quote q = ctx.gen.QuoteAt(sym, ctx.now);
    yahoo::QuoteEntry e;
    const SymbolInfo info = ctx.gen.Info(sym);
    e.instrument = InstrumentOf(info);
    e.instrument.symbol = sym;
    // Yahoo's quote has no longName for coins and currency pairs (its chart has).
    if (info.type == "CRYPTOCURRENCY" || info.type == "CURRENCY") e.instrument.long_name.clear();
    e.market_state = q.market_state;
    e.price = q.price;
    e.change = q.change.value_or(0);
    e.change_percent = q.change_percent.value_or(0);
    e.day_high = q.high_24h.value_or(q.price);
    e.day_low = q.low_24h.value_or(q.price);
    e.volume = q.volume.value_or(0);
    e.market_cap = q.market_cap;
    e.time = q.timestamp;
    result.push_back(std::move(e));
  }
  return FromWire(yahoo::WriteQuotes(result, ctx.now));
}

Response YahooSearch(const WireContext& ctx) {
  const std::string* q = ctx.req.Query("q");
  if (q == nullptr || q->empty())
    return YahooFinanceError(400, "Bad Request", "Missing required query parameter=q");
  struct Match {
    std::string symbol;
    double score;
  };
  std::vector<Match> matches;
  for (auto& [sym, score] : SearchSymbols(ctx.gen, *q, false)) matches.push_back({sym, score});
  // Any other well-formed ticker is "found" as itself (the generator knows every symbol).
  if (!IsUnknownSymbol(*q) && Upper(*q) == *q &&
      std::none_of(matches.begin(), matches.end(),
                   [&](const Match& m) { return m.symbol == *q; })) {
    matches.insert(matches.begin(), Match{*q, 1.0});
  }
  std::vector<yahoo::SearchEntry> quotes;
  for (const Match& m : matches) {
    if (quotes.size() >= 7) break;
    const SymbolInfo info = ctx.gen.Info(m.symbol);
    yahoo::SearchEntry e;
    e.symbol = m.symbol;
    e.exchange = info.exchange;
    e.short_name = info.name;
    if (info.type != "CRYPTOCURRENCY" && info.type != "CURRENCY") e.long_name = info.name;
    e.quote_type = info.type;
    e.exch_disp = info.full_exchange;
    e.sector = info.sector;
    e.industry = info.industry;
    e.score = m.score;
    quotes.push_back(std::move(e));
  }
  return FromWire(yahoo::WriteSearch(quotes, 12));
}

}  // namespace

Response ServeYahoo(const WireContext& ctx) {
  if (ctx.req.method != "GET")
    return YahooFinanceError(405, "Method Not Allowed", "HTTP 405 Method Not Allowed");
  if (ctx.sub.starts_with(yahoo::kChartPath)) return YahooChart(ctx);
  if (ctx.sub == yahoo::kQuotePath) return YahooQuote(ctx);
  if (ctx.sub == yahoo::kSearchPath) return YahooSearch(ctx);
  if (ctx.sub == yahoo::kCrumbPath) return FromWire(yahoo::Crumb(ctx.req.Header("cookie")));
  if (ctx.sub.starts_with(yahoo::kQuotePagePath)) {
    return FromWire(yahoo::QuotePage(ctx.sub.substr(yahoo::kQuotePagePath.size()), ctx.now));
  }
  return YahooFinanceError(404, "Not Found", "HTTP 404 Not Found");
}

}  // namespace finex::sim::detail
