// Twelve Data: /time_series, /quote, /symbol_search. Numbers are strings with
// five decimals, datetimes are exchange-local without an offset, newest first.
#include <algorithm>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/twelve_data/twelve_data_facts.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim::detail {
namespace {

using http::Response;
namespace twelve_data = provider::twelve_data;

Response TdError(int http_status, int code, std::string_view message) {
  return JsonResponse(http_status, TwelveDataErrorBody(code, message));
}

std::string P5(double v) { return Num(v, 5); }

constexpr const char* kCryptoBases[] = {"BTC", "ETH", "SOL", "XRP", "DOGE",
                                        "ADA", "BNB", "LTC", "DOT", "AVAX"};

// Twelve Data writes pairs as "BTC/USD" and "EUR/USD"; the generator knows
// them by their Yahoo names (BTC-USD, EURUSD=X) so the paths agree.
std::string GeneratorSymbol(std::string_view td) {
  const size_t slash = td.find('/');
  if (slash == std::string_view::npos) return std::string(td);
  const std::string base(td.substr(0, slash)), quote(td.substr(slash + 1));
  for (const char* c : kCryptoBases) {
    if (base == c) return base + "-" + quote;
  }
  return base + quote + "=X";
}

std::optional<Interval> TdInterval(std::string_view s) {
  return provider::IntervalOfWire(twelve_data::kFacts.intervals, s);
}

std::string MicCode(const SymbolInfo& info) {
  const std::string_view code = info.calendar->code();
  if (code == "XNAS") return "XNGS";
  return std::string(code);
}

std::string TdExchange(const SymbolInfo& info) {
  const std::string_view code = info.calendar->code();
  if (code == "XNAS") return "NASDAQ";
  if (code == "XNYS") return info.type == "INDEX" ? "NYSE" : "NYSE";
  if (code == "XLON") return "LSE";
  if (code == "XETR") return "XETR";
  if (code == "XPAR") return "Euronext";
  if (code == "XTKS") return "JPX";
  if (code == "XHKG") return "HKEX";
  if (code == "XASX") return "ASX";
  if (code == "CRYPTO") return "Coinbase Pro";
  return "Forex";
}

std::string TdType(const SymbolInfo& info) {
  if (info.type == "EQUITY") return "Common Stock";
  if (info.type == "ETF") return "ETF";
  if (info.type == "INDEX") return "Index";
  if (info.type == "CRYPTOCURRENCY") return "Digital Currency";
  if (info.type == "CURRENCY") return "Physical Currency";
  return info.type;
}

// Parses start_date/end_date: "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" in `tz`.
Result<Timestamp> ParseTdTime(std::string_view tz, std::string_view text) {
  return calendar::ParseLocal(tz, text);
}

// One symbol's time_series object (meta, values, status) or its error object.
Json SeriesFor(const WireContext& ctx, const std::string& td_symbol, Interval iv,
               const std::string& iv_text, int* http_status) {
  const http::Request& req = ctx.req;
  *http_status = 200;
  if (IsUnknownSymbol(GeneratorSymbol(td_symbol)) ||
      IsUnknownSymbol(td_symbol.substr(0, td_symbol.find('/')))) {
    *http_status = 400;
    return TwelveDataErrorBody(400,
                               "**symbol** not found: " + Printable(td_symbol) +
                                   ". Please specify it correctly according to API Documentation.");
  }
  const std::string sym = GeneratorSymbol(td_symbol);
  const SymbolInfo info = ctx.gen.Info(sym);
  std::string tz(info.calendar->timezone());
  if (const std::string* t = req.Query("timezone"); t && !t->empty() && *t != "Exchange") {
    if (!calendar::ToLocal(*t, 0).ok()) {
      *http_status = 400;
      return TwelveDataErrorBody(400, "**timezone** parameter is invalid: " + Printable(*t));
    }
    tz = *t;
  }
  const bool has_start = req.Query("start_date") != nullptr;
  // Default 30; with a start date, as many as allowed.
  int64_t outputsize = has_start ? twelve_data::kMaxOutputSize : twelve_data::kDefaultOutputSize;
  if (const std::string* os = req.Query("outputsize")) {
    auto v = ParseInt(*os);
    if (!v || *v < 1 || *v > twelve_data::kMaxOutputSize) {
      *http_status = 400;
      return TwelveDataErrorBody(400, "**outputsize** must be between 1 and " +
                                          std::to_string(twelve_data::kMaxOutputSize));
    }
    outputsize = *v;
  }
  Timestamp lo = info.listed, hi = ctx.now + 1;
  for (const char* name : {"start_date", "end_date"}) {
    if (const std::string* d = req.Query(name)) {
      // Daily and longer rows are dated, not timed: compare dates.
      auto t = IsIntraday(iv) ? ParseTdTime(tz, *d) : ParseTdTime("UTC", d->substr(0, 10));
      if (!t.ok()) {
        *http_status = 400;
        return TwelveDataErrorBody(
            400, "**" + std::string(name) + "** parameter is invalid: " + Printable(*d));
      }
      if (std::string_view(name) == "start_date") {
        lo = std::max(lo, *t);
      } else {
        hi = std::min(hi, *t + 1);  // datetimes up to and including end_date
      }
    }
  }
  if (!has_start) {
    // Only the newest `outputsize` rows are wanted: bound the work.
    const Timestamp span =
        (iv == Interval::k1mo ? 31 * kSecondsPerDay : NominalSeconds(iv)) * (outputsize + 2);
    const Timestamp factor = IsIntraday(iv) ? 5 : 2;  // sessions are shorter than days; weekends
    lo = std::max(lo, hi - span * factor - 10 * kSecondsPerDay);
  }
  FramePtr f = lo < hi ? ctx.gen.Bars(sym, iv, TimeRange{lo, hi}, ctx.now) : Frame::Empty();
  if (f->empty()) {
    *http_status = 400;
    return TwelveDataErrorBody(400, std::string(twelve_data::kNoDataText) +
                                        " on the specified dates. Try setting different "
                                        "start/end dates.");
  }
  size_t first =
      f->rows() > static_cast<size_t>(outputsize) ? f->rows() - static_cast<size_t>(outputsize) : 0;
  const bool asc = req.Query("order") && Upper(*req.Query("order")) == "ASC";
  const bool fx = info.type == "CURRENCY";
  Json values = Json::array();
  auto emit = [&](size_t i) {
    const Timestamp ts = f->timestamps()[i];
    Json v;
    v["datetime"] = IsIntraday(iv) ? LocalDateTime(tz, ts) : FormatDate(ts);
    v["open"] = P5(f->open()[i]);
    v["high"] = P5(f->high()[i]);
    v["low"] = P5(f->low()[i]);
    v["close"] = P5(f->close()[i]);
    if (!fx) v["volume"] = std::to_string(f->volume()[i]);
    values.push_back(std::move(v));
  };
  if (asc) {
    for (size_t i = first; i < f->rows(); ++i) emit(i);
  } else {
    for (size_t i = f->rows(); i-- > first;) emit(i);
  }
  Json meta;
  meta["symbol"] = td_symbol;
  meta["interval"] = iv_text;
  if (fx) {
    const size_t slash = td_symbol.find('/');
    meta["currency_base"] = td_symbol.substr(0, slash);
    meta["currency_quote"] = slash == std::string::npos ? "" : td_symbol.substr(slash + 1);
  } else {
    meta["currency"] = info.currency;
  }
  meta["exchange_timezone"] = std::string(info.calendar->timezone());
  meta["exchange"] = TdExchange(info);
  meta["mic_code"] = MicCode(info);
  meta["type"] = TdType(info);
  return Json{{"meta", std::move(meta)}, {"values", std::move(values)}, {"status", "ok"}};
}

Response TimeSeries(const WireContext& ctx) {
  const std::string* sym = ctx.req.Query("symbol");
  if (sym == nullptr || sym->empty()) {
    return TdError(400, 400,
                   "**symbol** parameter is missing or invalid. Please provide a valid symbol "
                   "according to API "
                   "documentation: https://twelvedata.com/docs#reference-data");
  }
  const std::string iv_text = ctx.req.Query("interval") ? *ctx.req.Query("interval") : "";
  auto iv = TdInterval(iv_text);
  if (!iv) {
    return TdError(400, 400,
                   "**interval** parameter is missing or not valid. Supported intervals: 1min, "
                   "5min, 15min, 30min, "
                   "45min, 1h, 2h, 4h, 8h, 1day, 1week, 1month");
  }
  if (sym->find(',') == std::string::npos) {
    int status = 200;
    Json j = SeriesFor(ctx, *sym, *iv, iv_text, &status);
    return JsonResponse(status, j);
  }
  // Batch: one member per symbol, each with its own status (partial success).
  Json j = Json::object();
  size_t pos = 0;
  while (pos <= sym->size()) {
    size_t comma = sym->find(',', pos);
    if (comma == std::string::npos) comma = sym->size();
    std::string one = sym->substr(pos, comma - pos);
    pos = comma + 1;
    while (!one.empty() && one.front() == ' ') one.erase(0, 1);
    if (one.empty()) continue;
    int status = 200;
    j[one] = SeriesFor(ctx, one, *iv, iv_text, &status);
  }
  return JsonResponse(200, j);
}

Response TdQuote(const WireContext& ctx) {
  const std::string* td = ctx.req.Query("symbol");
  if (td == nullptr || td->empty()) {
    return TdError(
        400, 400,
        "**symbol** parameter is missing or invalid. Please provide a valid symbol according to "
        "API documentation: https://twelvedata.com/docs#reference-data");
  }
  const std::string sym = GeneratorSymbol(*td);
  if (IsUnknownSymbol(sym)) {
    return TdError(400, 400,
                   "**symbol** not found: " + Printable(*td) +
                       ". Please specify it correctly according to API Documentation.");
  }
  const SymbolInfo info = ctx.gen.Info(sym);
  const std::string tz(info.calendar->timezone());
  FramePtr days = ctx.gen.Bars(sym, Interval::k1d,
                               TimeRange{ctx.now - 20 * kSecondsPerDay, ctx.now + 1}, ctx.now);
  if (days->empty()) {
    return TdError(400, 400, std::string(twelve_data::kNoDataText) + " for " + Printable(*td));
  }
  const size_t last = days->rows() - 1;
  const double price = days->close()[last];
  const double prev = last > 0 ? days->close()[last - 1] : days->open()[last];
  const Quote q = ctx.gen.QuoteAt(sym, ctx.now);
  Json j;
  j["symbol"] = *td;
  j["name"] = info.name;
  j["exchange"] = TdExchange(info);
  j["mic_code"] = MicCode(info);
  j["currency"] = info.currency;
  j["datetime"] = FormatDate(days->timestamps()[last]);
  j["timestamp"] = q.timestamp;
  j["open"] = P5(days->open()[last]);
  j["high"] = P5(days->high()[last]);
  j["low"] = P5(days->low()[last]);
  j["close"] = P5(price);
  j["volume"] = std::to_string(days->volume()[last]);
  j["previous_close"] = P5(prev);
  j["change"] = P5(price - prev);
  j["percent_change"] = P5(prev != 0 ? (price - prev) / prev * 100 : 0);
  int64_t avg = 0;
  for (size_t i = 0; i < days->rows(); ++i) avg += days->volume()[i];
  j["average_volume"] = std::to_string(avg / static_cast<int64_t>(days->rows()));
  j["is_market_open"] = q.market_state == "REGULAR";
  return JsonResponse(200, j);
}

Response SymbolSearch(const WireContext& ctx) {
  const std::string* q = ctx.req.Query("symbol");
  if (q == nullptr || q->empty()) {
    return TdError(400, 400, "**symbol** parameter is missing or invalid.");
  }
  Json data = Json::array();
  for (const auto& [sym, score] : SearchSymbols(ctx.gen, *q, false)) {
    if (data.size() >= 30) break;
    const SymbolInfo info = ctx.gen.Info(sym);
    Json d;
    d["symbol"] = sym;
    d["instrument_name"] = info.name;
    d["exchange"] = TdExchange(info);
    d["mic_code"] = MicCode(info);
    d["exchange_timezone"] = std::string(info.calendar->timezone());
    d["instrument_type"] = TdType(info);
    d["country"] = info.country;
    d["currency"] = info.currency;
    data.push_back(std::move(d));
  }
  return JsonResponse(200, Json{{"data", std::move(data)}, {"status", "ok"}});
}

}  // namespace

Response ServeTwelveData(const WireContext& ctx) {
  if (ctx.sub != twelve_data::kTimeSeriesPath && ctx.sub != twelve_data::kQuotePath &&
      ctx.sub != twelve_data::kSymbolSearchPath) {
    return TdError(404, 404, "This endpoint is not available.");
  }
  const std::string* key = ctx.req.Query(twelve_data::kApiKeyParam);
  if ((key == nullptr || key->empty()) &&
      ctx.req.Header(Lower(twelve_data::kApiKeyHeader)).empty()) {
    return TdError(401, 401,
                   "**apikey** parameter is incorrect or not specified. You can get your free API "
                   "key instantly "
                   "following this link: https://twelvedata.com/pricing. If you believe that "
                   "everything is correct, "
                   "you can contact us at https://twelvedata.com/contact/customer");
  }
  if (ctx.sub == twelve_data::kTimeSeriesPath) return TimeSeries(ctx);
  if (ctx.sub == twelve_data::kQuotePath) return TdQuote(ctx);
  return SymbolSearch(ctx);
}

}  // namespace finex::sim::detail
