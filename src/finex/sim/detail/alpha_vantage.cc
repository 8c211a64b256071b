// Alpha Vantage: /query?function=TIME_SERIES_*|GLOBAL_QUOTE|SYMBOL_SEARCH.
// Errors and throttles arrive as HTTP 200 with "Error Message"/"Note"/
// "Information" bodies, exactly like the real service.
#include <algorithm>
#include <cstdio>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/alpha_vantage/alpha_vantage_facts.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim::detail {
namespace {

using http::Response;
namespace av = provider::alpha_vantage;

Response AvError(std::string_view message) {
  return JsonResponse(200, Json{{av::kErrorMessageKey, message}});
}

Response InvalidCall(std::string_view function) {
  return AvError(
      "Invalid API call. Please retry or visit the documentation "
      "(https://www.alphavantage.co/documentation/) for " +
      std::string(function) + ".");
}

std::string P4(double v) { return Num(v, 4); }

struct SeriesSpec {
  Interval iv;
  bool adjusted;  // the _ADJUSTED variants
  bool intraday;
  std::string key;   // "Time Series (Daily)"
  std::string info;  // "1. Information"
};

std::optional<SeriesSpec> SpecFor(std::string_view function, std::string_view interval) {
  if (function == av::kIntradayFunction) {
    const std::optional<Interval> iv = provider::IntervalOfWire(av::kFacts.intervals, interval);
    if (!iv || !IsIntraday(*iv)) return std::nullopt;
    return SeriesSpec{
        *iv, false, true, "Time Series (" + std::string(interval) + ")",
        "Intraday (" + std::string(interval) + ") open, high, low, close prices and volume"};
  }
  // The object key and "1. Information" text of each daily+ series.
  struct Text {
    Interval iv;
    bool adjusted;
    const char* key;
    const char* info;
  };
  static constexpr Text kTexts[] = {
      {Interval::k1d, false, "Time Series (Daily)",
       "Daily Prices (open, high, low, close) and Volumes"},
      {Interval::k1d, true, "Time Series (Daily)",
       "Daily Time Series with Splits and Dividend Events"},
      {Interval::k1w, false, "Weekly Time Series",
       "Weekly Prices (open, high, low, close) and Volumes"},
      {Interval::k1w, true, "Weekly Adjusted Time Series", "Weekly Adjusted Prices and Volumes"},
      {Interval::k1mo, false, "Monthly Time Series",
       "Monthly Prices (open, high, low, close) and Volumes"},
      {Interval::k1mo, true, "Monthly Adjusted Time Series", "Monthly Adjusted Prices and Volumes"},
  };
  for (const Text& t : kTexts) {
    const std::string name =
        std::string(av::SeriesFunction(t.iv)) + std::string(t.adjusted ? av::kAdjustedSuffix : "");
    if (function == name) return SeriesSpec{t.iv, t.adjusted, false, t.key, t.info};
  }
  return std::nullopt;
}

bool IsTimeSeries(std::string_view f) { return f.starts_with("TIME_SERIES_"); }

// Alpha Vantage names US/Eastern the old way.
std::string AvZone(std::string_view tz) {
  if (tz == "America/New_York") return std::string(av::kEasternZoneName);
  return std::string(tz);
}

Response TimeSeries(const WireContext& ctx, const std::string& function) {
  const http::Request& req = ctx.req;
  const std::string* sym = req.Query("symbol");
  const std::string interval = req.Query("interval") ? *req.Query("interval") : "";
  auto spec = SpecFor(function, interval);
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

  // Label of a row: intraday local datetime; daily date; weekly/monthly the last trading day so
  // far.
  auto label = [&](size_t i) -> std::string {
    const Timestamp ts = f->timestamps()[i];
    // Intraday rows are labelled by the bar's CLOSE time (the real session's
    // 1min labels run 09:31..16:00; see the extended-hours CSV capture).
    if (spec->intraday) return LocalDateTime(tz, ts + NominalSeconds(spec->iv));
    if (spec->iv == Interval::k1d) return FormatDate(ts);
    auto days =
        cal.BarStarts(TimeRange{ts, std::min(NextBar(ts, spec->iv), now + 1)}, Interval::k1d);
    return FormatDate(days.empty() ? ts : days.back());
  };
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

  if (datatype == "csv") {
    std::string out =
        spec->adjusted
            ? (spec->iv == Interval::k1d
                   ? "timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_"
                     "coefficient\r\n"
                   : "timestamp,open,high,low,close,adjusted close,volume,dividend amount\r\n")
            : "timestamp,open,high,low,close,volume\r\n";
    for (size_t i = f->rows(); i-- > first;) {
      out += label(i) + "," + P4(f->open()[i]) + "," + P4(f->high()[i]) + "," + P4(f->low()[i]) +
             "," + P4(f->close()[i]);
      if (spec->adjusted) out += "," + P4(f->adj_close()[i]);
      out += "," + std::to_string(f->volume()[i]);
      if (spec->adjusted) {
        double div, split;
        row_events(i, &div, &split);
        out += "," + P4(div);
        if (spec->iv == Interval::k1d) out += "," + P4(split);
      }
      out += "\r\n";
    }
    return Response::Text(200, "application/x-download", std::move(out));
  }

  // Alpha Vantage pretty-prints with 4-space indents. Written by hand: a
  // full history holds thousands of keys, and keys are unique by construction.
  std::vector<std::pair<std::string, std::string>> meta;
  meta.emplace_back("1. Information", spec->info);
  meta.emplace_back("2. Symbol", *sym);
  std::string refreshed = LocalDateTime(tz, now);
  if (!f->empty()) {
    const size_t last = f->rows() - 1;
    const Timestamp ts = f->timestamps()[last];
    if (spec->intraday) {
      refreshed = LocalDateTime(tz, ts + NominalSeconds(spec->iv));
    } else {
      // A live daily bar shows the time of the last trade; a final one its date.
      auto s = cal.SessionOn(
          CivilFromDays(DayOf(spec->iv == Interval::k1d ? ts : DayOf(now) * kSecondsPerDay)));
      refreshed = s && now >= s->open && now < s->close ? LocalDateTime(tz, now) : label(last);
    }
  }
  meta.emplace_back("3. Last Refreshed", refreshed);
  int n = 4;
  if (spec->intraday) meta.emplace_back(std::to_string(n++) + ". Interval", interval);
  if (spec->intraday || spec->iv == Interval::k1d) {
    meta.emplace_back(std::to_string(n++) + ". Output Size", full ? "Full size" : "Compact");
  }
  meta.emplace_back(std::to_string(n++) + ". Time Zone", AvZone(tz));

  std::string out;
  out.reserve(256 + (f->rows() - first) * (spec->adjusted ? 330 : 200));
  out += "{\n    " + Json(av::kMetaDataKey).dump() + ": {\n";
  for (size_t i = 0; i < meta.size(); ++i) {
    out += "        " + Json(meta[i].first).dump() + ": " + Json(meta[i].second).dump();
    out += i + 1 < meta.size() ? ",\n" : "\n";
  }
  out += "    },\n    " + Json(spec->key).dump() + ": {";
  bool first_row = true;
  auto field = [&](const char* name, const std::string& v, bool last) {
    out += "            \"";
    out += name;
    out += "\": \"";
    out += v;
    out += last ? "\"\n" : "\",\n";
  };
  for (size_t i = f->rows(); i-- > first;) {  // newest first
    out += first_row ? "\n" : ",\n";
    first_row = false;
    out += "        \"" + label(i) + "\": {\n";
    field("1. open", P4(f->open()[i]), false);
    field("2. high", P4(f->high()[i]), false);
    field("3. low", P4(f->low()[i]), false);
    field("4. close", P4(f->close()[i]), false);
    if (spec->adjusted) {
      double div, split;
      row_events(i, &div, &split);
      field("5. adjusted close", P4(f->adj_close()[i]), false);
      field("6. volume", std::to_string(f->volume()[i]), false);
      const bool daily = spec->iv == Interval::k1d;
      field("7. dividend amount", P4(div), !daily);
      if (daily) field("8. split coefficient", P4(split), true);
    } else {
      field("5. volume", std::to_string(f->volume()[i]), true);
    }
    out += "        }";
  }
  out += first_row ? "}\n}" : "\n    }\n}";
  return Response::Text(200, "application/json", std::move(out));
}

Response GlobalQuote(const WireContext& ctx) {
  const std::string* sym = ctx.req.Query("symbol");
  if (sym == nullptr || sym->empty()) return InvalidCall(av::kGlobalQuoteFunction);
  if (IsUnknownSymbol(*sym))
    return JsonResponse(200, Json{{"Global Quote", Json::object()}}, "application/json");
  const SymbolInfo info = ctx.gen.Info(*sym);
  const Quote q = ctx.gen.QuoteAt(*sym, ctx.now);
  FramePtr days =
      ctx.gen.Bars(*sym, Interval::k1d, TimeRange{ctx.now - 20 * kSecondsPerDay, ctx.now + 1},
                   ctx.now, Adjustment::kRaw);
  Json g;
  g["01. symbol"] = *sym;
  if (!days->empty()) {
    const size_t last = days->rows() - 1;
    const double prev = last > 0 ? days->close()[last - 1] : days->open()[last];
    const double price = days->close()[last];
    g["02. open"] = P4(days->open()[last]);
    g["03. high"] = P4(days->high()[last]);
    g["04. low"] = P4(days->low()[last]);
    g["05. price"] = P4(price);
    g["06. volume"] = std::to_string(days->volume()[last]);
    g["07. latest trading day"] = FormatDate(days->timestamps()[last]);
    g["08. previous close"] = P4(prev);
    g["09. change"] = P4(price - prev);
    g["10. change percent"] = Num(prev != 0 ? (price - prev) / prev * 100 : 0, 4) + "%";
  }
  (void)info;
  (void)q;
  return JsonResponse(200, Json{{"Global Quote", std::move(g)}}, "application/json");
}

Response SymbolSearch(const WireContext& ctx) {
  const std::string* kw = ctx.req.Query("keywords");
  if (kw == nullptr || kw->empty()) return InvalidCall(av::kSymbolSearchFunction);
  Json matches = Json::array();
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
    Json m;
    m["1. symbol"] = sym;
    m["2. name"] = info.name;
    m["3. type"] = info.type == "EQUITY" ? "Equity" : info.type == "ETF" ? "ETF" : info.type;
    m["4. region"] = info.country.empty() ? std::string(cal.code()) : info.country;
    m["5. marketOpen"] = open;
    m["6. marketClose"] = close;
    m["7. timezone"] = tzs;
    m["8. currency"] = info.currency;
    m["9. matchScore"] = Num(score, 4);
    matches.push_back(std::move(m));
  }
  return JsonResponse(200, Json{{"bestMatches", std::move(matches)}}, "application/json");
}

}  // namespace

Response ServeAlphaVantage(const WireContext& ctx) {
  if (ctx.sub != av::kQueryPath) {
    return Response::Text(404, "text/html", "<html><body><h1>Not Found</h1></body></html>");
  }
  const std::string* key = ctx.req.Query(av::kApiKeyParam);
  const std::string function = ctx.req.Query("function") ? *ctx.req.Query("function") : "";
  if (key == nullptr || key->empty()) {
    return AvError(
        "the parameter apikey is invalid or missing. Please claim your free API key on "
        "(https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.");
  }
  if (IsTimeSeries(function) &&
      SpecFor(function, ctx.req.Query("interval") ? *ctx.req.Query("interval") : "1min")) {
    return TimeSeries(ctx, function);
  }
  if (function == av::kGlobalQuoteFunction) return GlobalQuote(ctx);
  if (function == av::kSymbolSearchFunction) return SymbolSearch(ctx);
  return AvError("This API function (" + Printable(function) + ") does not exist.");
}

}  // namespace finex::sim::detail
