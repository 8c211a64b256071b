// Alpha Vantage: /query?function=TIME_SERIES_*|GLOBAL_QUOTE|SYMBOL_SEARCH.
// Errors and throttles arrive as HTTP 200 with "Error Message"/"Note"/
// "Information" bodies, exactly like the real service.
#include <algorithm>
#include <cstdio>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/alpha_vantage/alpha_vantage_facts.h"
#include "finex/provider/alpha_vantage/alpha_vantage_wire.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim::detail {
namespace {

using http::Response;
namespace av = provider::alpha_vantage;

Response InvalidCall(std::string_view function) { return FromWire(av::InvalidCall(function)); }

bool IsTimeSeries(std::string_view f) { return f.starts_with("TIME_SERIES_"); }

Response TimeSeries(const WireContext& ctx, const std::string& function) {
  const http::Request& req = ctx.req;
  const std::string* sym = req.Query("symbol");
  const std::string interval = req.Query("interval") ? *req.Query("interval") : "";
  auto spec = av::SpecFor(function, interval);
  if (!spec || sym == nullptr || sym->empty() || IsUnknownSymbol(*sym))
    return InvalidCall(function);
  const std::string outputsize =
      req.Query("outputsize") ? *req.Query("outputsize") : std::string(av::kOutputSizeCompact);
  const bool full = outputsize == av::kOutputSizeFull;
  const std::string datatype = req.Query("datatype") ? *req.Query("datatype") : "json";
  if (datatype != "json" && datatype != "csv") return InvalidCall(function);
  const SymbolInfo info = ctx.gen.Info(*sym);
  const calendar::Calendar& cal = *info.calendar;
  const std::string tz(cal.timezone());
  const Timestamp now = ctx.now;

  TimeRange range{info.listed, now + 1};
  if (spec->intraday) {
    if (const std::string* month = req.Query("month")) {
      // month=YYYY-MM: one month of intraday history (since 2000-01).
      if (month->size() != 7 || (*month)[4] != '-') return InvalidCall(function);
      auto y = ParseInt(month->substr(0, 4));
      auto m = ParseInt(month->substr(5, 2));
      if (!y || !m || *m < 1 || *m > 12 || *y < av::kIntradayFirstYear)
        return InvalidCall(function);
      auto a = calendar::FromLocal(tz, CivilDate{static_cast<int>(*y), static_cast<int>(*m), 1}, 0);
      auto b = calendar::FromLocal(
          tz,
          *m == 12 ? CivilDate{static_cast<int>(*y) + 1, 1, 1}
                   : CivilDate{static_cast<int>(*y), static_cast<int>(*m) + 1, 1},
          0);
      if (!a.ok() || !b.ok()) return InvalidCall(function);
      range = TimeRange{*a, std::min(*b, now + 1)};
    } else {
      range = TimeRange{now - 30 * kSecondsPerDay, now + 1};  // the trailing 30 days
    }
  } else if (!full) {
    // compact: the latest kCompactPoints points; fetch a window comfortably larger.
    const Timestamp span = spec->iv == Interval::k1d ? 160 : spec->iv == Interval::k1w ? 760 : 3100;
    range.start = std::max(range.start, now - span * kSecondsPerDay);
  }
  // DAILY/WEEKLY/MONTHLY are as traded; INTRADAY is split-adjusted (adjusted=true default).
  const Adjustment adj = spec->intraday ? Adjustment::kSplitAdjusted : Adjustment::kRaw;
  FramePtr f = range.empty() ? Frame::Empty() : ctx.gen.Bars(*sym, spec->iv, range, now, adj);
  size_t first = 0;
  const size_t compact = static_cast<size_t>(av::kCompactPoints);
  if (!full && f->rows() > compact) first = f->rows() - compact;

  std::vector<Event> events;
  if (spec->adjusted && !f->empty())
    events = ctx.gen.Events(*sym, TimeRange{f->timestamps()[first], now + 1}, now);

  auto label = [&](size_t i) { return av::RowLabel(cal, *spec, f->timestamps()[i], now); };
  auto row_events = [&](size_t i, double* dividend, double* split) {
    *dividend = 0;
    *split = 1;
    const Timestamp ts = f->timestamps()[i];
    const int64_t d0 = DayOf(ts);
    const int64_t d1 = spec->iv == Interval::k1d ? d0 : DayOf(NextBar(ts, spec->iv)) - 1;
    for (const Event& e : events) {
      const int64_t d = DaysFromCivil(e.date);
      if (d < d0 || d > d1) continue;
      if (e.kind == Event::Kind::kDividend) *dividend += e.amount;
      if (e.kind == Event::Kind::kSplit) *split *= static_cast<double>(e.numerator) / e.denominator;
    }
  };

  av::SeriesAnswer a;
  a.spec = *spec;
  a.symbol = *sym;
  a.full = full;
  a.time_zone = av::ZoneName(tz);
  for (size_t i = f->rows(); i-- > first;) {  // newest first
    av::SeriesRow r;
    r.label = label(i);
    r.open = f->open()[i];
    r.high = f->high()[i];
    r.low = f->low()[i];
    r.close = f->close()[i];
    r.volume = f->volume()[i];
    if (spec->adjusted) {
      r.adj_close = f->adj_close()[i];
      row_events(i, &r.dividend, &r.split);
    }
    a.rows.push_back(std::move(r));
  }
  if (datatype == "csv") return FromWire(av::WriteSeriesCsv(a));
  a.last_refreshed = LocalDateTime(tz, now);
  if (!f->empty()) {
    const size_t last = f->rows() - 1;
    const Timestamp ts = f->timestamps()[last];
    if (spec->intraday) {
      a.last_refreshed = LocalDateTime(tz, ts + NominalSeconds(spec->iv));
    } else {
      // A live daily bar shows the time of the last trade; a final one its date.
      auto s = cal.SessionOn(
          CivilFromDays(DayOf(spec->iv == Interval::k1d ? ts : DayOf(now) * kSecondsPerDay)));
      a.last_refreshed =
          s && now >= s->open && now < s->close ? LocalDateTime(tz, now) : label(last);
    }
  }
  return FromWire(av::WriteSeriesJson(a));
}

Response GlobalQuote(const WireContext& ctx) {
  const std::string* sym = ctx.req.Query("symbol");
  if (sym == nullptr || sym->empty()) return InvalidCall(av::kGlobalQuoteFunction);
  if (IsUnknownSymbol(*sym)) return FromWire(av::WriteGlobalQuote(std::nullopt));
  FramePtr days =
      ctx.gen.Bars(*sym, Interval::k1d, TimeRange{ctx.now - 20 * kSecondsPerDay, ctx.now + 1},
                   ctx.now, Adjustment::kRaw);
  if (days->empty()) return FromWire(av::WriteGlobalQuote(std::nullopt));
  const size_t last = days->rows() - 1;
  av::GlobalQuote g;
  g.symbol = *sym;
  g.open = days->open()[last];
  g.high = days->high()[last];
  g.low = days->low()[last];
  g.price = days->close()[last];
  g.volume = days->volume()[last];
  g.latest_trading_day = FormatDate(days->timestamps()[last]);
  g.previous_close = last > 0 ? days->close()[last - 1] : days->open()[last];
  return FromWire(av::WriteGlobalQuote(g));
}

Response SymbolSearch(const WireContext& ctx) {
  const std::string* kw = ctx.req.Query("keywords");
  if (kw == nullptr || kw->empty()) return InvalidCall(av::kSymbolSearchFunction);
  std::vector<av::Match> matches;
  for (const auto& [sym, score] : SearchSymbols(ctx.gen, *kw, false)) {
    if (matches.size() >= 10) break;
    const SymbolInfo info = ctx.gen.Info(sym);
    const calendar::Calendar& cal = *info.calendar;
    std::string open = "00:00", close = "23:59";
    if (auto s = cal.SessionOn(cal.LocalDate(ctx.now))) {
      open = LocalDateTime(cal.timezone(), s->open).substr(11, 5);
      close = LocalDateTime(cal.timezone(), s->close).substr(11, 5);
    }
    const int off = UtcOffset(cal.timezone(), ctx.now);
    char tzs[16];
    std::snprintf(tzs, sizeof(tzs), "UTC%s%02d", off < 0 ? "-" : "+", std::abs(off) / 3600);
    av::Match m;
    m.symbol = sym;
    m.name = info.name;
    m.type = info.type == "EQUITY" ? "Equity" : info.type == "ETF" ? "ETF" : info.type;
    m.region = info.country.empty() ? std::string(cal.code()) : info.country;
    m.market_open = open;
    m.market_close = close;
    m.timezone = tzs;
    m.currency = info.currency;
    m.score = score;
    matches.push_back(std::move(m));
  }
  return FromWire(av::WriteSymbolSearch(matches));
}

}  // namespace

Response ServeAlphaVantage(const WireContext& ctx) {
  if (ctx.sub != av::kQueryPath) return FromWire(av::NotFoundPage());
  const std::string* key = ctx.req.Query(av::kApiKeyParam);
  const std::string function = ctx.req.Query("function") ? *ctx.req.Query("function") : "";
  if (key == nullptr || key->empty()) return FromWire(av::MissingKey());
  if (IsTimeSeries(function) &&
      av::SpecFor(function, ctx.req.Query("interval") ? *ctx.req.Query("interval") : "1min")) {
    return TimeSeries(ctx, function);
  }
  if (function == av::kGlobalQuoteFunction) return GlobalQuote(ctx);
  if (function == av::kSymbolSearchFunction) return SymbolSearch(ctx);
  return FromWire(av::UnknownFunction(function));
}

}  // namespace finex::sim::detail
