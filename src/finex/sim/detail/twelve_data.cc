// Twelve Data: /time_series, /quote, /symbol_search. Numbers are strings with
// five decimals, datetimes are exchange-local without an offset, newest first.
#include <algorithm>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/twelve_data/twelve_data_facts.h"
#include "finex/provider/twelve_data/twelve_data_wire.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim::detail {
namespace {

using http::Response;
namespace twelve_data = provider::twelve_data;

Response TdError(int http_status, int code, std::string_view message) {
  return FromWire(twelve_data::Error(http_status, code, message));
}

std::string GeneratorSymbol(std::string_view td) { return twelve_data::CanonicalSymbol(td); }

std::optional<Interval> TdInterval(std::string_view s) {
  return provider::IntervalOfWire(twelve_data::kFacts.intervals, s);
}

twelve_data::Instrument InstrumentOf(const SymbolInfo& info, const std::string& td_symbol) {
  twelve_data::Instrument in;
  in.symbol = td_symbol;
  in.name = info.name;
  in.fx = info.type == "CURRENCY";
  in.currency = info.currency;
  in.exchange_timezone = std::string(info.calendar->timezone());
  in.exchange = twelve_data::ExchangeName(info.calendar->code());
  in.mic_code = twelve_data::MicCode(info.calendar->code());
  in.type = twelve_data::TypeName(info.type);
  in.country = info.country;
  return in;
}

// Parses start_date/end_date: "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" in `tz`.
Result<Timestamp> ParseTdTime(std::string_view tz, std::string_view text) {
  return calendar::ParseLocal(tz, text);
}

// One symbol's time_series object (meta, values, status) or its error object.
twelve_data::Series SeriesFor(const WireContext& ctx, const std::string& td_symbol, Interval iv,
                              const std::string& iv_text) {
  const http::Request& req = ctx.req;
  twelve_data::Series out;
  auto fail = [&](std::string message) {
    out.error = std::make_pair(400, std::move(message));
    return out;
  };
  if (IsUnknownSymbol(GeneratorSymbol(td_symbol)) ||
      IsUnknownSymbol(td_symbol.substr(0, td_symbol.find('/')))) {
    return fail("**symbol** not found: " + Printable(td_symbol) +
                ". Please specify it correctly according to API Documentation.");
  }
  const std::string sym = GeneratorSymbol(td_symbol);
  const SymbolInfo info = ctx.gen.Info(sym);
  std::string tz(info.calendar->timezone());
  if (const std::string* t = req.Query("timezone"); t && !t->empty() && *t != "Exchange") {
    if (!calendar::ToLocal(*t, 0).ok()) {
      return fail("**timezone** parameter is invalid: " + Printable(*t));
    }
    tz = *t;
  }
  const bool has_start = req.Query("start_date") != nullptr;
  // Default 30; with a start date, as many as allowed.
  int64_t outputsize = has_start ? twelve_data::kMaxOutputSize : twelve_data::kDefaultOutputSize;
  if (const std::string* os = req.Query("outputsize")) {
    auto v = ParseInt(*os);
    if (!v || *v < 1 || *v > twelve_data::kMaxOutputSize) {
      return fail("**outputsize** must be between 1 and " +
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
        return fail("**" + std::string(name) + "** parameter is invalid: " + Printable(*d));
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
    return fail(std::string(twelve_data::kNoDataText) +
                " on the specified dates. Try setting different start/end dates.");
  }
  size_t first =
      f->rows() > static_cast<size_t>(outputsize) ? f->rows() - static_cast<size_t>(outputsize) : 0;
  const bool asc = req.Query("order") && Upper(*req.Query("order")) == "ASC";
  out.meta = InstrumentOf(info, td_symbol);
  out.interval = iv_text;
  auto emit = [&](size_t i) {
    const Timestamp ts = f->timestamps()[i];
    twelve_data::Value v;
    v.datetime = IsIntraday(iv) ? LocalDateTime(tz, ts) : FormatDate(ts);
    v.open = f->open()[i];
    v.high = f->high()[i];
    v.low = f->low()[i];
    v.close = f->close()[i];
    v.volume = f->volume()[i];
    out.values.push_back(std::move(v));
  };
  if (asc) {
    for (size_t i = first; i < f->rows(); ++i) emit(i);
  } else {
    for (size_t i = f->rows(); i-- > first;) emit(i);
  }
  return out;
}

Response TimeSeries(const WireContext& ctx) {
  const std::string* sym = ctx.req.Query("symbol");
  if (sym == nullptr || sym->empty()) return FromWire(twelve_data::MissingSymbol());
  const std::string iv_text = ctx.req.Query("interval") ? *ctx.req.Query("interval") : "";
  auto iv = TdInterval(iv_text);
  if (!iv) return FromWire(twelve_data::BadInterval());
  if (sym->find(',') == std::string::npos)
    return FromWire(twelve_data::WriteSeries(SeriesFor(ctx, *sym, *iv, iv_text)));
  // Batch: one member per symbol, each with its own status (partial success).
  std::vector<std::pair<std::string, twelve_data::Series>> members;
  size_t pos = 0;
  while (pos <= sym->size()) {
    size_t comma = sym->find(',', pos);
    if (comma == std::string::npos) comma = sym->size();
    std::string one = sym->substr(pos, comma - pos);
    pos = comma + 1;
    while (!one.empty() && one.front() == ' ') one.erase(0, 1);
    if (one.empty()) continue;
    members.emplace_back(one, SeriesFor(ctx, one, *iv, iv_text));
  }
  return FromWire(twelve_data::WriteBatch(members));
}

Response TdQuote(const WireContext& ctx) {
  const std::string* td = ctx.req.Query("symbol");
  if (td == nullptr || td->empty()) return FromWire(twelve_data::MissingSymbol());
  const std::string sym = GeneratorSymbol(*td);
  if (IsUnknownSymbol(sym)) return FromWire(twelve_data::SymbolNotFound(*td));
  const SymbolInfo info = ctx.gen.Info(sym);
  FramePtr days = ctx.gen.Bars(sym, Interval::k1d,
                               TimeRange{ctx.now - 20 * kSecondsPerDay, ctx.now + 1}, ctx.now);
  if (days->empty()) {
    return TdError(400, 400, std::string(twelve_data::kNoDataText) + " for " + Printable(*td));
  }
  const size_t last = days->rows() - 1;
  const Quote q = ctx.gen.QuoteAt(sym, ctx.now);
  twelve_data::Quote o;
  o.instrument = InstrumentOf(info, *td);
  o.datetime = FormatDate(days->timestamps()[last]);
  o.timestamp = q.timestamp;
  o.open = days->open()[last];
  o.high = days->high()[last];
  o.low = days->low()[last];
  o.close = days->close()[last];
  o.volume = days->volume()[last];
  o.previous_close = last > 0 ? days->close()[last - 1] : days->open()[last];
  int64_t avg = 0;
  for (size_t i = 0; i < days->rows(); ++i) avg += days->volume()[i];
  o.average_volume = avg / static_cast<int64_t>(days->rows());
  o.is_market_open = q.market_state == "REGULAR";
  return FromWire(twelve_data::WriteQuote(o));
}

Response SymbolSearch(const WireContext& ctx) {
  const std::string* q = ctx.req.Query("symbol");
  if (q == nullptr || q->empty()) {
    return TdError(400, 400, "**symbol** parameter is missing or invalid.");
  }
  std::vector<twelve_data::Instrument> data;
  for (const auto& [sym, score] : SearchSymbols(ctx.gen, *q, false)) {
    if (data.size() >= 30) break;
    data.push_back(InstrumentOf(ctx.gen.Info(sym), sym));
  }
  return FromWire(twelve_data::WriteSymbolSearch(data));
}

}  // namespace

Response ServeTwelveData(const WireContext& ctx) {
  if (ctx.sub != twelve_data::kTimeSeriesPath && ctx.sub != twelve_data::kQuotePath &&
      ctx.sub != twelve_data::kSymbolSearchPath) {
    return FromWire(twelve_data::NoEndpoint());
  }
  const std::string* key = ctx.req.Query(twelve_data::kApiKeyParam);
  if ((key == nullptr || key->empty()) &&
      ctx.req.Header(Lower(twelve_data::kApiKeyHeader)).empty()) {
    return FromWire(twelve_data::MissingKey());
  }
  if (ctx.sub == twelve_data::kTimeSeriesPath) return TimeSeries(ctx);
  if (ctx.sub == twelve_data::kQuotePath) return TdQuote(ctx);
  return SymbolSearch(ctx);
}

}  // namespace finex::sim::detail
