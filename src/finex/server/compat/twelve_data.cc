// /twelve_data: Twelve Data's /time_series (one symbol or a comma-separated
// batch; outputsize, start_date/end_date, order, timezone), /quote and
// /symbol_search from the cache (provider/twelve_data/twelve_data_wire.h
// renders every body). An API key (apikey= or "Authorization: apikey ...")
// is required as Twelve Data requires it; its value is not part of what is
// asked of the cache.
#include <algorithm>

#include "finex/calendar/calendar.h"
#include "finex/calendar/timezone.h"
#include "finex/core/interval.h"
#include "finex/core/symbol.h"
#include "finex/provider/facts.h"
#include "finex/provider/twelve_data/twelve_data_facts.h"
#include "finex/provider/twelve_data/twelve_data_wire.h"
#include "finex/server/compat/compat.h"

namespace finex::server::compat {

namespace {

namespace td = provider::twelve_data;

std::string Provider() { return std::string(ProviderName(ProviderId::kTwelveData)); }

std::string Upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}

std::string LocalDateTime(std::string_view tz, Timestamp ts) {
  auto lt = calendar::ToLocal(tz, ts);
  if (!lt.ok()) return FormatIsoUtc(ts);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d", lt->date.year, lt->date.month,
                lt->date.day, lt->seconds_of_day / 3600, lt->seconds_of_day / 60 % 60,
                lt->seconds_of_day % 60);
  return buf;
}

td::Instrument InstrumentOf(const std::string& td_symbol, std::string_view currency) {
  const std::string sym = td::CanonicalSymbol(td_symbol);
  const calendar::Calendar& cal = calendar::CalendarFor(sym);
  td::Instrument in;
  in.symbol = td_symbol;
  in.fx = cal.kind() == calendar::MarketKind::kFx;
  in.currency = Upper(currency);
  in.exchange_timezone = std::string(cal.timezone());
  in.exchange = td::ExchangeName(cal.code());
  in.mic_code = td::MicCode(cal.code());
  in.type = td::TypeName(cal.kind() == calendar::MarketKind::kCrypto ? "CRYPTOCURRENCY"
                         : in.fx                                     ? "CURRENCY"
                                                                     : "EQUITY");
  return in;
}

td::Series Fail(std::string message) {
  td::Series s;
  s.error = std::make_pair(400, std::move(message));
  return s;
}

td::Series SeriesFor(const Context& ctx, const std::string& td_symbol, Interval iv,
                     const std::string& iv_text, cache::CacheInfo& info) {
  const http::Request& req = ctx.req;
  const std::string sym = td::CanonicalSymbol(td_symbol);
  auto not_found = [&] {
    return Fail("**symbol** not found: " + Printable(td_symbol) +
                ". Please specify it correctly according to API Documentation.");
  };
  if (!ValidateSymbol(sym).ok()) return not_found();
  const calendar::Calendar& cal = calendar::CalendarFor(sym);
  std::string tz(cal.timezone());
  if (const std::string* t = req.Query("timezone"); t && !t->empty() && *t != "Exchange") {
    if (!calendar::ToLocal(*t, 0).ok())
      return Fail("**timezone** parameter is invalid: " + Printable(*t));
    tz = *t;
  }
  const bool has_start = req.Query("start_date") != nullptr;
  // Default 30; with a start date, as many as allowed.
  int64_t outputsize = has_start ? td::kMaxOutputSize : td::kDefaultOutputSize;
  if (const std::string* os = req.Query("outputsize")) {
    auto v = ParseCount(*os);
    if (!v || *v < 1 || *v > td::kMaxOutputSize)
      return Fail("**outputsize** must be between 1 and " + std::to_string(td::kMaxOutputSize));
    outputsize = *v;
  }
  std::optional<Timestamp> lo, hi;  // hi exclusive
  for (const char* name : {"start_date", "end_date"}) {
    if (const std::string* d = req.Query(name)) {
      // Daily and longer rows are dated, not timed: compare dates.
      auto t = IsIntraday(iv) ? calendar::ParseLocal(tz, *d)
                              : calendar::ParseLocal("UTC", d->substr(0, 10));
      if (!t.ok())
        return Fail("**" + std::string(name) + "** parameter is invalid: " + Printable(*d));
      if (std::string_view(name) == "start_date") {
        lo = *t;
      } else {
        hi = *t + 1;  // datetimes up to and including end_date
      }
    }
  }
  const Timestamp end = hi ? std::min(*hi, ctx.now + 1) : ctx.now + 1;
  if (!lo) {
    // Only the newest `outputsize` rows are wanted: ask a window that holds them.
    const Timestamp span =
        (iv == Interval::k1mo ? 31 * kSecondsPerDay : NominalSeconds(iv)) * (outputsize + 2);
    const Timestamp factor = IsIntraday(iv) ? 5 : 2;  // sessions are shorter than days; weekends
    lo = end - span * factor - 10 * kSecondsPerDay;
  }
  FramePtr f;
  if (*lo < end) {
    cache::HistoryOptions opts;
    opts.interval = iv;
    opts.provider = Provider();
    opts.start = *lo;
    if (end <= ctx.now - 60) opts.end = end - 1;  // else up to now: the same request
    const std::string one[] = {sym};
    auto res = ctx.api.History(one, opts);
    if (!res.ok()) {
      if (res.status().code() == StatusCode::kNotFound ||
          res.status().code() == StatusCode::kInvalidArgument)
        return not_found();
      td::Series s;
      s.error = std::make_pair(
          res.status().code() == StatusCode::kResourceExhausted ? td::kCodeRateLimited : 500,
          "finex could not fetch this range upstream: " + res.status().message());
      return s;
    }
    info = res->info;
    f = res->frame;
  }
  // Rows in [lo, end).
  std::vector<size_t> rows;
  if (f) {
    for (size_t i = 0; i < f->rows(); ++i) {
      const Timestamp ts = f->timestamps()[i];
      if (ts >= *lo && ts < end) rows.push_back(i);
    }
  }
  if (rows.empty()) {
    return Fail(std::string(td::kNoDataText) +
                " on the specified dates. Try setting different start/end dates.");
  }
  const size_t first = rows.size() > static_cast<size_t>(outputsize)
                           ? rows.size() - static_cast<size_t>(outputsize)
                           : 0;
  td::Series s;
  s.meta = InstrumentOf(td_symbol, f->currency().size() > rows.back()
                                       ? std::string(f->currency()[rows.back()])
                                       : std::string());
  s.interval = iv_text;
  auto emit = [&](size_t i) {
    const Timestamp ts = f->timestamps()[i];
    td::Value v;
    v.datetime = IsIntraday(iv) ? LocalDateTime(tz, ts) : FormatDate(ts);
    v.open = f->open().Get(i).value_or(0);
    v.high = f->high().Get(i).value_or(0);
    v.low = f->low().Get(i).value_or(0);
    v.close = f->close().Get(i).value_or(0);
    v.volume = f->volume().Get(i).value_or(0);
    s.values.push_back(std::move(v));
  };
  const bool asc = req.Query("order") && Upper(*req.Query("order")) == "ASC";
  if (asc) {
    for (size_t k = first; k < rows.size(); ++k) emit(rows[k]);
  } else {
    for (size_t k = rows.size(); k-- > first;) emit(rows[k]);
  }
  return s;
}

http::Response TimeSeries(const Context& ctx) {
  const std::string* sym = ctx.req.Query("symbol");
  if (sym == nullptr || sym->empty()) return FromWire(td::MissingSymbol());
  const std::string iv_text = ctx.req.Query("interval") ? *ctx.req.Query("interval") : "";
  const auto iv = provider::IntervalOfWire(td::kFacts.intervals, iv_text);
  if (!iv) return FromWire(td::BadInterval());
  cache::CacheInfo info;
  if (sym->find(',') == std::string::npos)
    return WithCacheInfo(td::WriteSeries(SeriesFor(ctx, *sym, *iv, iv_text, info)), info);
  // Batch: one member per symbol, each with its own status (partial success).
  std::vector<std::pair<std::string, td::Series>> members;
  cache::CacheInfo all;
  size_t pos = 0;
  while (pos <= sym->size() && members.size() < 120) {
    size_t comma = sym->find(',', pos);
    if (comma == std::string::npos) comma = sym->size();
    std::string one = sym->substr(pos, comma - pos);
    pos = comma + 1;
    while (!one.empty() && one.front() == ' ') one.erase(0, 1);
    if (one.empty()) continue;
    cache::CacheInfo i1;
    members.emplace_back(one, SeriesFor(ctx, one, *iv, iv_text, i1));
    all.api_calls_made += i1.api_calls_made;
    all.cache_keys_used.insert(all.cache_keys_used.end(), i1.cache_keys_used.begin(),
                               i1.cache_keys_used.end());
  }
  return WithCacheInfo(td::WriteBatch(members), all);
}

// /quote from the daily series (the latest day and the ones before), as the
// service derives it.
http::Response QuoteRoute(const Context& ctx) {
  const std::string* t = ctx.req.Query("symbol");
  if (t == nullptr || t->empty()) return FromWire(td::MissingSymbol());
  const std::string sym = td::CanonicalSymbol(*t);
  if (!ValidateSymbol(sym).ok()) return FromWire(td::SymbolNotFound(*t));
  cache::HistoryOptions opts;
  opts.interval = Interval::k1d;
  opts.provider = Provider();
  opts.start = ctx.now - 20 * kSecondsPerDay;
  const std::string one[] = {sym};
  auto res = ctx.api.History(one, opts);
  if (!res.ok()) {
    if (res.status().code() == StatusCode::kNotFound ||
        res.status().code() == StatusCode::kInvalidArgument)
      return FromWire(td::SymbolNotFound(*t));
    return FromWire(td::Error(500, 500, "finex could not fetch the quote upstream"));
  }
  const FramePtr& f = res->frame;
  if (!f || f->empty())
    return FromWire(td::Error(400, 400, std::string(td::kNoDataText) + " for " + Printable(*t)));
  const size_t last = f->rows() - 1;
  td::Quote q;
  q.instrument = InstrumentOf(
      *t, f->currency().size() > last ? std::string(f->currency()[last]) : std::string());
  q.datetime = FormatDate(f->timestamps()[last]);
  const calendar::Calendar& cal = calendar::CalendarFor(sym);
  q.timestamp = std::min(ctx.now, cal.NextClose(f->timestamps()[last]));
  q.open = f->open().Get(last).value_or(0);
  q.high = f->high().Get(last).value_or(0);
  q.low = f->low().Get(last).value_or(0);
  q.close = f->close().Get(last).value_or(0);
  q.volume = f->volume().Get(last).value_or(0);
  q.previous_close = last > 0 ? f->close().Get(last - 1).value_or(0) : q.open;
  int64_t avg = 0;
  for (size_t i = 0; i < f->rows(); ++i) avg += f->volume().Get(i).value_or(0);
  q.average_volume = avg / static_cast<int64_t>(f->rows());
  q.is_market_open = cal.IsOpen(ctx.now);
  return WithCacheInfo(td::WriteQuote(q), res->info);
}

http::Response SymbolSearch(const Context& ctx) {
  const std::string* q = ctx.req.Query("symbol");
  if (q == nullptr || q->empty())
    return FromWire(td::Error(400, 400, "**symbol** parameter is missing or invalid."));
  cache::SearchOptions opts;
  opts.provider = Provider();
  opts.limit = 30;
  if (const std::string* n = ctx.req.Query("outputsize")) {
    auto v = ParseCount(*n);
    if (!v || *v < 1 || *v > 120)
      return FromWire(td::Error(400, 400, "**outputsize** must be between 1 and 120"));
    opts.limit = static_cast<size_t>(*v);
  }
  auto res = ctx.api.Search(*q, opts);
  if (!res.ok() && res.status().code() == StatusCode::kResourceExhausted) {
    return FromWire(td::Error(td::kCodeRateLimited, td::kCodeRateLimited,
                              "finex could not search upstream: " + res.status().message()));
  }
  if (!res.ok() && res.status().code() != StatusCode::kNotFound)
    return FromWire(td::Error(500, 500, "finex could not search upstream"));
  std::vector<td::Instrument> data;
  cache::CacheInfo info;
  if (res.ok()) {
    info = res->info;
    for (const SearchResult& r : res->results) {
      td::Instrument in = InstrumentOf(r.symbol, r.currency);
      in.name = r.name;
      in.country = r.country;
      data.push_back(std::move(in));
    }
  }
  return WithCacheInfo(td::WriteSymbolSearch(data), info);
}

}  // namespace

http::Response ServeTwelveData(const Context& ctx, std::string_view& route) {
  if (ctx.sub != td::kTimeSeriesPath && ctx.sub != td::kQuotePath &&
      ctx.sub != td::kSymbolSearchPath) {
    route = "/twelve_data/(other)";
    return FromWire(td::NoEndpoint());
  }
  route = ctx.sub == td::kTimeSeriesPath ? "/twelve_data/time_series"
          : ctx.sub == td::kQuotePath    ? "/twelve_data/quote"
                                         : "/twelve_data/symbol_search";
  const std::string* key = ctx.req.Query(td::kApiKeyParam);
  if ((key == nullptr || key->empty()) && ctx.req.Header("authorization").empty())
    return FromWire(td::MissingKey());
  if (ctx.sub == td::kTimeSeriesPath) return TimeSeries(ctx);
  if (ctx.sub == td::kQuotePath) return QuoteRoute(ctx);
  return SymbolSearch(ctx);
}

}  // namespace finex::server::compat
