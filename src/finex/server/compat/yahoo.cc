// /yahoo: Yahoo Finance's chart, quote and search from the cache, plus the
// cookie/crumb handshake (provider/yahoo/yahoo_wire.h renders every body).
#include <algorithm>
#include <cctype>

#include "finex/calendar/calendar.h"
#include "finex/core/interval.h"
#include "finex/core/symbol.h"
#include "finex/provider/facts.h"
#include "finex/provider/yahoo/yahoo_facts.h"
#include "finex/provider/yahoo/yahoo_wire.h"
#include "finex/server/compat/compat.h"

namespace finex::server::compat {

namespace {

namespace yahoo = provider::yahoo;

// A period2 this close to "now" (or later) means "up to now": the request is
// then the same data request whatever second it was made in.
constexpr Timestamp kNowSlackS = 120;

std::string Upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}

// Yahoo's exchange names for the calendars finex knows (a listing on an
// exchange without a calendar of its own reports its calendar's exchange).
std::pair<std::string, std::string> ExchangeNames(std::string_view code) {
  if (code == "XNAS") return {"NMS", "NasdaqGS"};
  if (code == "XLON") return {"LSE", "LSE"};
  if (code == "XETR") return {"GER", "XETRA"};
  if (code == "XPAR") return {"PAR", "Paris"};
  if (code == "XTKS") return {"JPX", "Tokyo"};
  if (code == "XHKG") return {"HKG", "HKSE"};
  if (code == "XASX") return {"ASX", "ASX"};
  if (code == "CRYPTO") return {"CCC", "CCC"};
  if (code == "FX") return {"CCY", "CCY"};
  return {"NYQ", "NYSE"};
}

yahoo::Instrument InstrumentOf(std::string_view symbol, std::string_view currency) {
  const calendar::Calendar& cal = calendar::CalendarFor(symbol);
  yahoo::Instrument in;
  in.symbol = std::string(symbol);
  in.currency = Upper(currency);
  auto [ex, full] = ExchangeNames(cal.code());
  in.exchange_name = ex;
  in.full_exchange_name = full;
  if (cal.kind() == calendar::MarketKind::kCrypto) {
    in.instrument_type = "CRYPTOCURRENCY";
  } else if (cal.kind() == calendar::MarketKind::kFx) {
    in.instrument_type = "CURRENCY";
  } else if (symbol.ends_with("=F")) {
    in.instrument_type = "FUTURE";
  } else if (symbol.starts_with("^")) {
    in.instrument_type = "INDEX";
  } else {
    in.instrument_type = "EQUITY";
  }
  in.timezone = std::string(yahoo::ExchangeZone(cal));
  return in;
}

// finex's Interval for Yahoo's interval= spelling; nullopt for one finex does
// not serve (2m, 90m, 5d, 3mo) or Yahoo does not know.
std::optional<Interval> ChartInterval(std::string_view s) {
  if (s == yahoo::kHourAlias) return Interval::k1h;
  return provider::IntervalOfWire(yahoo::kFacts.intervals, s);
}

http::Response StatusToChartError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return FromWire(
          yahoo::ChartError(404, yahoo::kCodeNotFound, "No data found, symbol may be delisted"));
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return FromWire(yahoo::ChartError(400, "Bad Request", "Invalid input - " + s.message()));
    case StatusCode::kResourceExhausted:
      return FromWire(yahoo::ChartError(429, "Too Many Requests", s.message()));
    default:
      return FromWire(yahoo::ChartError(500, "Internal Server Error", s.message()));
  }
}

void Merge(cache::CacheInfo& into, const cache::CacheInfo& more);

// Yahoo's dividends with ex-date in [p1, p2), split-adjusted as of now like
// its prices: read back from the cached daily series' adj_close/close
// (InferActions). `daily` is that series when the chart itself was daily,
// else it is asked of the cache (with the CacheInfo of that call).
Result<std::pair<std::vector<yahoo::ChartDividend>, cache::CacheInfo>> Dividends(
    const Context& ctx, const std::string& symbol, const calendar::Calendar& cal, Interval iv,
    FramePtr daily, Timestamp p1, Timestamp p2) {
  cache::CacheInfo info;
  if (iv != Interval::k1d || !daily) {
    cache::HistoryOptions opts;
    opts.interval = Interval::k1d;
    opts.start = p1 - 12 * kSecondsPerDay;  // the ex-date's previous close too
    if (p2 < ctx.now - kNowSlackS) opts.end = p2 - 1;
    opts.provider = std::string(ProviderName(ProviderId::kYahoo));
    opts.fields = FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose);
    const std::string sym[] = {symbol};
    auto res = ctx.api.History(sym, opts);
    if (!res.ok()) return res.status();
    info = res->info;
    daily = res->frame;
  }
  std::vector<yahoo::ChartDividend> out;
  if (!daily) return std::make_pair(std::move(out), std::move(info));
  const std::vector<InferredAction> acts = InferActions(*daily, /*close_as_traded=*/false);
  for (size_t i = 0; i < daily->rows(); ++i) {
    if (acts[i].dividend <= 0) continue;
    const Timestamp ts = yahoo::DailyStamp(cal, daily->timestamps()[i]);
    if (ts >= p1 && ts < p2) out.push_back({ts, acts[i].dividend});
  }
  return std::make_pair(std::move(out), std::move(info));
}

http::Response Chart(const Context& ctx) {
  const http::Request& req = ctx.req;
  const std::string symbol(ctx.sub.substr(yahoo::kChartPath.size()));
  if (symbol.empty() || !ValidateSymbol(symbol).ok()) {
    return FromWire(
        yahoo::ChartError(404, yahoo::kCodeNotFound, "No data found, symbol may be delisted"));
  }
  const std::string interval_text = req.Query("interval") ? *req.Query("interval") : "1d";
  const auto iv = ChartInterval(interval_text);
  if (!iv) {
    return FromWire(yahoo::ChartError(
        400, "Bad Request",
        "Invalid input - interval=" + Printable(interval_text) +
            " is not supported. Valid intervals: " + std::string(yahoo::kValidIntervalsText)));
  }
  Timestamp p1 = 0, p2 = ctx.now;
  std::string range_text;
  if (const std::string* rg = req.Query("range"); rg && !req.Query("period1")) {
    const bool known = std::find(std::begin(yahoo::kValidRanges), std::end(yahoo::kValidRanges),
                                 *rg) != std::end(yahoo::kValidRanges);
    auto start =
        known ? ResolvePeriodStart(*rg, ctx.now) : Result<Timestamp>(InvalidArgumentError(""));
    if (!start.ok()) {
      return FromWire(yahoo::ChartError(
          400, "Bad Request",
          "Invalid input - range=" + Printable(*rg) +
              " is not supported. Valid ranges: [1d, 5d, 1mo, 3mo, 6mo, 1y, 2y, 5y, 10y, ytd, "
              "max]"));
    }
    p1 = *start;
    range_text = *rg;
  } else if (const std::string* a = req.Query("period1")) {
    auto v = ParseCount(*a);
    if (!v) {
      return FromWire(
          yahoo::ChartError(400, "Bad Request", "Invalid input - period1=" + Printable(*a)));
    }
    p1 = *v;
    if (const std::string* b = req.Query("period2")) {
      auto w = ParseCount(*b);
      if (!w) {
        return FromWire(
            yahoo::ChartError(400, "Bad Request", "Invalid input - period2=" + Printable(*b)));
      }
      p2 = *w;
    }
  } else {
    p1 = ctx.now - kSecondsPerDay;  // Yahoo's default range is 1d
    range_text = "1d";
  }
  // Yahoo's intraday reach (its 422 texts).
  auto unprocessable = [&](std::string_view why) {
    return FromWire(yahoo::ChartError(
        422, yahoo::kCodeUnprocessable,
        interval_text + " data not available for startTime=" + std::to_string(p1) +
            " and endTime=" + std::to_string(p2) + ". " + std::string(why)));
  };
  if (*iv == Interval::k1m && p2 - p1 > yahoo::k1mDaysPerRequestServed * kSecondsPerDay) {
    return unprocessable("Only " + std::to_string(yahoo::k1mDaysPerRequestServed) +
                         " days worth of 1m granularity data are allowed to be fetched per "
                         "request.");
  }
  if (const Timestamp reach = provider::ReachOf(yahoo::kFacts.reach, *iv).max_lookback_s;
      reach > 0 && p1 < ctx.now - reach) {
    return unprocessable("The requested range must be within the last " +
                         std::to_string(reach / kSecondsPerDay) + " days.");
  }

  const bool daily = !IsIntraday(*iv);
  const calendar::Calendar& cal = calendar::CalendarFor(symbol);
  yahoo::ChartAnswer a;
  a.granularity = interval_text;
  a.range = range_text;
  a.daily = daily;
  a.current_trading_period = yahoo::CurrentTradingPeriods(cal, ctx.now);
  std::string currency;
  cache::CacheInfo info;
  FramePtr daily_frame;  // the 1d frame with adj_close, when that is what was asked
  if (p2 > p1) {
    cache::HistoryOptions opts;
    opts.interval = *iv;
    // Daily bars: from a few days earlier, for their session-open stamps and
    // chartPreviousClose. Ending at "now" leaves end unset, so the request is
    // the same data request whenever it is made.
    opts.start = daily ? p1 - 12 * kSecondsPerDay : p1;
    if (p2 < ctx.now - kNowSlackS) opts.end = p2 - 1;  // period2 is exclusive
    opts.provider = std::string(ProviderName(ProviderId::kYahoo));
    opts.fields = daily ? FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose) : FieldSet::Ohlcv();
    const std::string sym[] = {symbol};
    auto res = ctx.api.History(sym, opts);
    if (!res.ok()) return StatusToChartError(res.status());
    info = res->info;
    if (*iv == Interval::k1d) daily_frame = res->frame;
    if (const FramePtr& f = res->frame) {
      for (size_t i = 0; i < f->rows(); ++i) {
        const Timestamp stamp = f->timestamps()[i];
        const Timestamp yts = daily ? yahoo::DailyStamp(cal, stamp) : stamp;
        if (currency.empty() && f->currency().size() > i) currency = f->currency()[i];
        if (yts < p1) {
          if (f->close().IsValid(i)) a.chart_previous_close = f->close()[i];
          continue;
        }
        if (yts >= p2) break;
        yahoo::ChartBar b;
        b.ts = yts;
        b.open = f->open().Get(i);
        b.high = f->high().Get(i);
        b.low = f->low().Get(i);
        b.close = f->close().Get(i);
        b.volume = f->volume().Get(i);
        if (daily && f->fields().Has(FieldSet::kAdjClose)) b.adj_close = f->adj_close().Get(i);
        a.bars.push_back(b);
      }
    }
  }
  // events=div|split (any separator; yahoo-finance2 sends "div|split|earn").
  const std::string events = req.Query("events") ? *req.Query("events") : "";
  a.events_div = events.find("div") != std::string::npos;
  a.events_split = events.find("split") != std::string::npos;
  if (a.events_div && !a.bars.empty()) {
    auto divs = Dividends(ctx, symbol, cal, *iv, daily_frame, p1, p2);
    if (!divs.ok()) return StatusToChartError(divs.status());
    a.dividends = std::move(divs->first);
    Merge(info, divs->second);
  }
  // Splits: Yahoo's closes are split-adjusted, so a cached Yahoo series does
  // not show them; finex writes none (the block is omitted, as Yahoo omits
  // it when there are none) rather than invent any.
  a.instrument = InstrumentOf(symbol, currency);
  if (!a.bars.empty()) {
    const yahoo::ChartBar& last = a.bars.back();
    a.regular_market_time = last.ts;
    a.regular_market_price = last.close.value_or(0);
  }
  return WithCacheInfo(yahoo::WriteChart(a, ctx.now), info);
}

void Merge(cache::CacheInfo& into, const cache::CacheInfo& more) {
  into.api_calls_made += more.api_calls_made;
  into.cache_keys_used.insert(into.cache_keys_used.end(), more.cache_keys_used.begin(),
                              more.cache_keys_used.end());
  into.response_time_ms += more.response_time_ms;
  into.data_freshness_s = std::max(into.data_freshness_s, more.data_freshness_s);
  into.stale = into.stale || more.stale;
}

yahoo::QuoteEntry EntryOf(const finex::Quote& q) {
  yahoo::QuoteEntry e;
  e.instrument = InstrumentOf(q.symbol, q.currency);
  e.market_state = q.market_state;
  e.price = q.price;
  e.change = q.change;
  e.change_percent = q.change_percent;
  e.day_high = q.high_24h;
  e.day_low = q.low_24h;
  e.market_cap = q.market_cap;
  e.volume = q.volume;
  e.time = q.timestamp;
  return e;
}

http::Response QuoteRoute(const Context& ctx) {
  const std::string* symbols = ctx.req.Query("symbols");
  if (symbols == nullptr || symbols->empty()) {
    return FromWire(
        yahoo::QuoteError(400, "argument-error", "Missing value for the \"symbols\" argument"));
  }
  std::vector<std::string> want;
  size_t pos = 0;
  while (pos <= symbols->size() && want.size() < 200) {
    size_t comma = symbols->find(',', pos);
    if (comma == std::string::npos) comma = symbols->size();
    std::string sym = symbols->substr(pos, comma - pos);
    pos = comma + 1;
    // Yahoo silently omits what it does not know.
    if (!sym.empty() && ValidateSymbol(sym).ok() &&
        std::find(want.begin(), want.end(), sym) == want.end())
      want.push_back(std::move(sym));
  }
  cache::QuoteOptions opts;
  opts.provider = std::string(ProviderName(ProviderId::kYahoo));
  std::vector<yahoo::QuoteEntry> entries;
  cache::CacheInfo info;
  if (!want.empty()) {
    auto res = ctx.api.Quote(want, opts);
    if (res.ok()) {
      info = res->info;
      for (const finex::Quote& q : res->quotes) entries.push_back(EntryOf(q));
    } else if (res.status().code() == StatusCode::kNotFound && want.size() > 1) {
      // One unknown symbol fails the batch: ask per symbol, omitting the unknown.
      for (const std::string& s : want) {
        const std::string one[] = {s};
        auto r1 = ctx.api.Quote(one, opts);
        if (!r1.ok()) {
          if (r1.status().code() == StatusCode::kNotFound) continue;
          return FromWire(yahoo::QuoteError(500, "internal-error", r1.status().message()));
        }
        Merge(info, r1->info);
        for (const finex::Quote& q : r1->quotes) entries.push_back(EntryOf(q));
      }
    } else if (res.status().code() != StatusCode::kNotFound) {
      return FromWire(yahoo::QuoteError(500, "internal-error", res.status().message()));
    }
  }
  return WithCacheInfo(yahoo::WriteQuotes(entries, ctx.now), info);
}

// Yahoo's quoteType for finex's search type.
std::string QuoteType(std::string_view t) {
  if (t == "crypto") return "CRYPTOCURRENCY";
  if (t == "fx") return "CURRENCY";
  if (t == "fund") return "MUTUALFUND";
  return Upper(t.empty() ? "equity" : t);
}

http::Response SearchRoute(const Context& ctx) {
  const std::string* q = ctx.req.Query("q");
  if (q == nullptr || q->empty()) {
    return FromWire(yahoo::FinanceError(400, "Bad Request", "Missing required query parameter=q"));
  }
  cache::SearchOptions opts;
  opts.provider = std::string(ProviderName(ProviderId::kYahoo));
  opts.limit = 7;
  if (const std::string* n = ctx.req.Query("quotesCount")) {
    auto v = ParseCount(*n);
    if (!v) {
      return FromWire(
          yahoo::FinanceError(400, "Bad Request", "Invalid input - quotesCount=" + Printable(*n)));
    }
    opts.limit = static_cast<size_t>(std::min<int64_t>(*v, 100));
  }
  std::vector<yahoo::SearchEntry> entries;
  cache::CacheInfo info;
  if (opts.limit > 0) {
    auto res = ctx.api.Search(*q, opts);
    if (!res.ok() && res.status().code() != StatusCode::kNotFound) {
      return FromWire(yahoo::FinanceError(500, "Internal Server Error", res.status().message()));
    }
    if (res.ok()) {
      info = res->info;
      for (const SearchResult& r : res->results) {
        yahoo::SearchEntry e;
        e.symbol = r.symbol;
        e.exchange = r.exchange;
        e.short_name = r.name;
        e.long_name = r.name;
        e.quote_type = QuoteType(r.type);
        e.exch_disp = r.exchange;
        e.sector = r.sector;
        e.industry = r.industry;
        e.score = r.match_score;
        entries.push_back(std::move(e));
      }
    }
  }
  return WithCacheInfo(
      yahoo::WriteSearch(entries, static_cast<int>(std::max(1.0, info.response_time_ms))), info);
}

}  // namespace

http::Response ServeYahoo(const Context& ctx, std::string_view& route) {
  if (ctx.req.method != "GET") {
    route = "/yahoo/(other)";
    return FromWire(yahoo::FinanceError(405, "Method Not Allowed", "HTTP 405 Method Not Allowed"));
  }
  if (ctx.sub.starts_with(yahoo::kChartPath)) {
    route = "/yahoo/v8/finance/chart/{symbol}";
    return Chart(ctx);
  }
  if (ctx.sub == yahoo::kQuotePath) {
    route = "/yahoo/v7/finance/quote";
    return QuoteRoute(ctx);
  }
  if (ctx.sub == yahoo::kSearchPath) {
    route = "/yahoo/v1/finance/search";
    return SearchRoute(ctx);
  }
  if (ctx.sub == yahoo::kCrumbPath) {
    route = "/yahoo/v1/test/getcrumb";
    return FromWire(yahoo::Crumb(ctx.req.Header("cookie")));
  }
  if (ctx.sub.starts_with(yahoo::kQuotePagePath)) {
    route = "/yahoo/quote/{symbol}";
    return FromWire(yahoo::QuotePage(ctx.sub.substr(yahoo::kQuotePagePath.size()), ctx.now));
  }
  route = "/yahoo/(other)";
  return FromWire(yahoo::FinanceError(404, "Not Found", "HTTP 404 Not Found"));
}

}  // namespace finex::server::compat
