// /alpha_vantage: Alpha Vantage's /query (TIME_SERIES_DAILY, _WEEKLY,
// _MONTHLY, _INTRADAY, GLOBAL_QUOTE, SYMBOL_SEARCH) from the cache
// (provider/alpha_vantage/alpha_vantage_wire.h renders every body). Like the
// service, every answer is HTTP 200 and errors are {"Error Message": ...};
// a missing apikey is refused as Alpha Vantage refuses it, but the key itself
// is not part of what is asked of the cache.
#include <algorithm>
#include <cstdio>

#include "finex/calendar/calendar.h"
#include "finex/calendar/timezone.h"
#include "finex/core/interval.h"
#include "finex/core/symbol.h"
#include "finex/provider/alpha_vantage/alpha_vantage_facts.h"
#include "finex/provider/alpha_vantage/alpha_vantage_wire.h"
#include "finex/server/compat/compat.h"

namespace finex::server::compat {

namespace {

namespace av = provider::alpha_vantage;

std::string Provider() { return std::string(ProviderName(ProviderId::kAlphaVantage)); }

std::string Upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}

// Unknown symbols, like every bad call, are Alpha Vantage's "Invalid API call".
http::Response FromStatus(const Status& s, std::string_view function) {
  if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kInvalidArgument)
    return FromWire(av::InvalidCall(function));
  if (s.code() == StatusCode::kResourceExhausted) {
    provider::WireAnswer w;
    w.content_type = "application/json";
    w.body =
        "{\"Note\": \"Thank you for using Alpha Vantage! Our standard API rate limit has been "
        "reached; finex could not fetch this range upstream.\"}";
    return FromWire(std::move(w));
  }
  return FromWire(av::ErrorMessage("finex could not reach the provider: " + s.message()));
}

// Merges the CacheInfo of a second History call into `into`.
void MergeInfo(cache::CacheInfo* into, const cache::CacheInfo& more) {
  into->api_calls_made += more.api_calls_made;
  into->cache_keys_used.insert(into->cache_keys_used.end(), more.cache_keys_used.begin(),
                               more.cache_keys_used.end());
  into->data_freshness_s = std::max(into->data_freshness_s, more.data_freshness_s);
  into->response_time_ms += more.response_time_ms;
  into->stale = into->stale || more.stale;
  if (into->note.empty()) into->note = more.note;
}

// Per row of `f` (an _ADJUSTED series' frame with adj_close): the dividend
// amount and split coefficient of its ex-dates. Daily: read from `f` itself
// (the rows before `first` give the oldest shown row its predecessor).
// Weekly/monthly: the dividends of the days each bar covers, read from the
// cached daily series with adj_close (Alpha Vantage's weekly and monthly
// series carry no split coefficient).
Result<std::vector<InferredAction>> AdjustedEvents(const Context& ctx, const std::string& sym,
                                                   const av::SeriesSpec& spec, const Frame& f,
                                                   size_t first, cache::CacheInfo* info) {
  if (spec.iv == Interval::k1d) return InferActions(f, /*close_as_traded=*/true);
  std::vector<InferredAction> out(f.rows());
  cache::HistoryOptions d;
  d.interval = Interval::k1d;
  d.provider = Provider();
  d.fields = FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose));
  // From a week before the first shown bar (its first day needs the day before).
  d.start = f.timestamps()[first] - 7 * kSecondsPerDay;
  const std::string one[] = {sym};
  auto days = ctx.api.History(one, d);
  if (!days.ok()) return days.status();
  MergeInfo(info, days->info);
  if (!days->frame || days->frame->empty()) return out;
  const Frame& df = *days->frame;
  const std::vector<InferredAction> daily = InferActions(df, /*close_as_traded=*/true);
  size_t j = 0;
  for (size_t i = first; i < f.rows(); ++i) {
    const int64_t d0 = DayOf(f.timestamps()[i]);
    const int64_t d1 = DayOf(NextBar(f.timestamps()[i], spec.iv)) - 1;
    while (j < df.rows() && DayOf(df.timestamps()[j]) < d0) ++j;
    for (size_t k = j; k < df.rows() && DayOf(df.timestamps()[k]) <= d1; ++k)
      out[i].dividend += daily[k].dividend;
  }
  return out;
}

http::Response TimeSeries(const Context& ctx, const std::string& function) {
  const http::Request& req = ctx.req;
  const std::string* sym = req.Query("symbol");
  const std::string interval = req.Query("interval") ? *req.Query("interval") : "";
  auto spec = av::SpecFor(function, interval);
  if (!spec || sym == nullptr || sym->empty() || !ValidateSymbol(*sym).ok())
    return FromWire(av::InvalidCall(function));
  const std::string outputsize =
      req.Query("outputsize") ? *req.Query("outputsize") : std::string(av::kOutputSizeCompact);
  if (outputsize != av::kOutputSizeCompact && outputsize != av::kOutputSizeFull)
    return FromWire(av::InvalidCall(function));
  const bool full = outputsize == av::kOutputSizeFull;
  const std::string datatype = req.Query("datatype") ? *req.Query("datatype") : "json";
  if (datatype != "json" && datatype != "csv") return FromWire(av::InvalidCall(function));
  const calendar::Calendar& cal = calendar::CalendarFor(*sym);
  const std::string tz(cal.timezone());
  const Timestamp now = ctx.now;

  cache::HistoryOptions opts;
  opts.interval = spec->iv;
  opts.provider = Provider();
  // _ADJUSTED: the adjusted close is a cached field; dividends and split
  // coefficients are read back from it (InferActions).
  if (spec->adjusted) opts.fields = FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose));
  if (spec->intraday) {
    if (const std::string* month = req.Query("month")) {
      // month=YYYY-MM: one month of intraday history (since 2000-01).
      auto y =
          month->size() == 7 && (*month)[4] == '-' ? ParseCount(month->substr(0, 4)) : std::nullopt;
      auto m = month->size() == 7 ? ParseCount(month->substr(5, 2)) : std::nullopt;
      if (!y || !m || *m < 1 || *m > 12 || *y < av::kIntradayFirstYear)
        return FromWire(av::InvalidCall(function));
      auto a = calendar::FromLocal(tz, CivilDate{static_cast<int>(*y), static_cast<int>(*m), 1}, 0);
      auto b = calendar::FromLocal(
          tz,
          *m == 12 ? CivilDate{static_cast<int>(*y) + 1, 1, 1}
                   : CivilDate{static_cast<int>(*y), static_cast<int>(*m) + 1, 1},
          0);
      if (!a.ok() || !b.ok() || *a > now) return FromWire(av::InvalidCall(function));
      opts.start = *a;
      if (*b <= now) opts.end = *b - 1;
    } else if (full) {
      opts.start = now - 30 * kSecondsPerDay;  // the trailing 30 days
    } else {
      // compact: the latest kCompactPoints bars; a week holds them for any
      // intraday interval up to 60min outside long closures.
      opts.start = now - 7 * kSecondsPerDay;
    }
  } else if (full) {
    opts.period = "max";
  } else {
    // compact: the latest kCompactPoints points; ask a window comfortably larger.
    const Timestamp span = spec->iv == Interval::k1d ? 160 : spec->iv == Interval::k1w ? 760 : 3100;
    opts.start = now - span * kSecondsPerDay;
  }
  const std::string one[] = {*sym};
  auto res = ctx.api.History(one, opts);
  if (!res.ok()) return FromStatus(res.status(), function);
  av::SeriesAnswer a;
  a.spec = *spec;
  a.symbol = *sym;
  a.full = full;
  a.time_zone = av::ZoneName(tz);
  a.last_refreshed = av::LocalDateTime(tz, now);
  const FramePtr f = res->frame ? res->frame : Frame::Empty();
  size_t first = 0;
  const size_t compact = static_cast<size_t>(av::kCompactPoints);
  if (!full && f->rows() > compact) first = f->rows() - compact;
  cache::CacheInfo info = res->info;
  std::vector<InferredAction> actions;
  if (spec->adjusted && !f->empty()) {
    auto acts = AdjustedEvents(ctx, *sym, *spec, *f, first, &info);
    if (!acts.ok()) return FromStatus(acts.status(), function);
    actions = std::move(*acts);
  }
  for (size_t i = f->rows(); i-- > first;) {  // newest first
    av::SeriesRow r;
    r.label = av::RowLabel(cal, *spec, f->timestamps()[i], now);
    r.open = f->open().Get(i).value_or(0);
    r.high = f->high().Get(i).value_or(0);
    r.low = f->low().Get(i).value_or(0);
    r.close = f->close().Get(i).value_or(0);
    r.volume = f->volume().Get(i).value_or(0);
    if (spec->adjusted) {
      r.adj_close = f->adj_close().Get(i).value_or(r.close);
      r.dividend = actions[i].dividend;
      r.split = actions[i].split;
    }
    a.rows.push_back(std::move(r));
  }
  if (!f->empty()) {
    const Timestamp ts = f->timestamps()[f->rows() - 1];
    if (spec->intraday) {
      a.last_refreshed = av::LocalDateTime(tz, ts + NominalSeconds(spec->iv));
    } else {
      // A live daily bar shows the time of the last trade; a final one its date.
      auto s = cal.SessionOn(
          CivilFromDays(DayOf(spec->iv == Interval::k1d ? ts : DayOf(now) * kSecondsPerDay)));
      a.last_refreshed =
          s && now >= s->open && now < s->close ? av::LocalDateTime(tz, now) : a.rows.front().label;
    }
  }
  return WithCacheInfo(datatype == "csv" ? av::WriteSeriesCsv(a) : av::WriteSeriesJson(a), info);
}

// GLOBAL_QUOTE from the daily series (today's bar and the one before), as the
// service derives it.
http::Response GlobalQuote(const Context& ctx) {
  const std::string* sym = ctx.req.Query("symbol");
  if (sym == nullptr || sym->empty()) return FromWire(av::InvalidCall(av::kGlobalQuoteFunction));
  if (!ValidateSymbol(*sym).ok()) return FromWire(av::WriteGlobalQuote(std::nullopt));
  cache::HistoryOptions opts;
  opts.interval = Interval::k1d;
  opts.provider = Provider();
  opts.start = ctx.now - 20 * kSecondsPerDay;
  const std::string one[] = {*sym};
  auto res = ctx.api.History(one, opts);
  if (!res.ok()) {
    if (res.status().code() == StatusCode::kNotFound)
      return FromWire(av::WriteGlobalQuote(std::nullopt));
    return FromStatus(res.status(), av::kGlobalQuoteFunction);
  }
  const FramePtr& f = res->frame;
  if (!f || f->empty()) return WithCacheInfo(av::WriteGlobalQuote(std::nullopt), res->info);
  const size_t last = f->rows() - 1;
  av::GlobalQuote g;
  g.symbol = *sym;
  g.open = f->open().Get(last).value_or(0);
  g.high = f->high().Get(last).value_or(0);
  g.low = f->low().Get(last).value_or(0);
  g.price = f->close().Get(last).value_or(0);
  g.volume = f->volume().Get(last).value_or(0);
  g.latest_trading_day = FormatDate(f->timestamps()[last]);
  g.previous_close = last > 0 ? f->close().Get(last - 1).value_or(0) : g.open;
  return WithCacheInfo(av::WriteGlobalQuote(g), res->info);
}

http::Response SymbolSearch(const Context& ctx) {
  const std::string* kw = ctx.req.Query("keywords");
  if (kw == nullptr || kw->empty()) return FromWire(av::InvalidCall(av::kSymbolSearchFunction));
  cache::SearchOptions opts;
  opts.provider = Provider();
  opts.limit = 10;
  auto res = ctx.api.Search(*kw, opts);
  if (!res.ok() && res.status().code() != StatusCode::kNotFound)
    return FromStatus(res.status(), av::kSymbolSearchFunction);
  std::vector<av::Match> matches;
  cache::CacheInfo info;
  if (res.ok()) {
    info = res->info;
    for (const SearchResult& r : res->results) {
      const calendar::Calendar& cal = calendar::CalendarFor(r.symbol, r.exchange);
      std::string open = "00:00", close = "23:59";
      if (auto s = cal.SessionOn(cal.LocalDate(ctx.now))) {
        open = av::LocalDateTime(cal.timezone(), s->open).substr(11, 5);
        close = av::LocalDateTime(cal.timezone(), s->close).substr(11, 5);
      }
      const auto lt = calendar::ToLocal(cal.timezone(), ctx.now);
      const int off = lt.ok() ? lt->utc_offset_s : 0;
      char tzs[16];
      std::snprintf(tzs, sizeof(tzs), "UTC%s%02d", off < 0 ? "-" : "+", std::abs(off) / 3600);
      av::Match m;
      m.symbol = r.symbol;
      m.name = r.name;
      m.type = r.type == "equity" ? "Equity" : r.type == "etf" ? "ETF" : Upper(r.type);
      m.region = r.country.empty() ? std::string(cal.code()) : r.country;
      m.market_open = open;
      m.market_close = close;
      m.timezone = tzs;
      m.currency = Upper(r.currency);
      m.score = r.match_score;
      matches.push_back(std::move(m));
    }
  }
  return WithCacheInfo(av::WriteSymbolSearch(matches), info);
}

}  // namespace

http::Response ServeAlphaVantage(const Context& ctx, std::string_view& route) {
  route = "/alpha_vantage/query";
  if (ctx.sub != av::kQueryPath) {
    route = "/alpha_vantage/(other)";
    return FromWire(av::NotFoundPage());
  }
  const std::string* key = ctx.req.Query(av::kApiKeyParam);
  const std::string function = ctx.req.Query("function") ? *ctx.req.Query("function") : "";
  if (key == nullptr || key->empty()) return FromWire(av::MissingKey());
  if (function.starts_with("TIME_SERIES_")) return TimeSeries(ctx, function);
  if (function == av::kGlobalQuoteFunction) return GlobalQuote(ctx);
  if (function == av::kSymbolSearchFunction) return SymbolSearch(ctx);
  return FromWire(av::UnknownFunction(function));
}

}  // namespace finex::server::compat
