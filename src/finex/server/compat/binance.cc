// /binance: Binance spot klines, 24 h ticker, exchangeInfo, ping and time,
// from the cache (provider/binance/binance_wire.h renders every body).
#include <algorithm>

#include "finex/core/interval.h"
#include "finex/core/symbol.h"
#include "finex/provider/binance/binance_facts.h"
#include "finex/provider/binance/binance_wire.h"
#include "finex/provider/facts.h"
#include "finex/server/compat/compat.h"

namespace finex::server::compat {

namespace {

namespace binance = provider::binance;

// An end this close to "now" (or later) means "up to now" (see yahoo.cc).
constexpr Timestamp kNowSlackS = 60;

// The pairs exchangeInfo lists when asked for none: finex has no listing of
// its own, so it names the majors (a client asking for a pair gets it).
constexpr const char* kDefaultPairs[] = {"BTCUSDT", "ETHUSDT",  "BNBUSDT", "SOLUSDT", "XRPUSDT",
                                         "ADAUSDT", "DOGEUSDT", "LTCUSDT", "ETHBTC",  "BNBBTC"};

http::Response Err(int status, int code, std::string_view msg) {
  return FromWire(binance::Error(status, code, msg));
}

http::Response Mandatory(std::string_view name) {
  return Err(400, -1102,
             "Mandatory parameter '" + std::string(name) +
                 "' was not sent, was empty/null, or malformed.");
}

http::Response Illegal(std::string_view name) {
  return Err(400, binance::kCodeIllegalParameter,
             "Illegal characters found in parameter '" + std::string(name) +
                 "'; legal range is '^[0-9]{1,20}$'.");
}

http::Response FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
    case StatusCode::kInvalidArgument:
      return Err(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
    case StatusCode::kResourceExhausted:
      return Err(429, binance::kCodeTooMuchWeight,
                 "Too much request weight used; please use the websocket for live updates to "
                 "avoid polling the API.");
    default:
      return Err(503, -1001, "Internal error; unable to process your request. Please try again.");
  }
}

bool IsPair(std::string_view s) { return ValidateSymbol(s).ok() && binance::SplitPair(s); }

http::Response Klines(const Context& ctx) {
  const http::Request& req = ctx.req;
  const std::string* sym = req.Query("symbol");
  if (sym == nullptr || sym->empty()) return Mandatory("symbol");
  if (!IsPair(*sym)) return Err(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
  const std::string* ivs = req.Query("interval");
  if (ivs == nullptr || ivs->empty()) return Mandatory("interval");
  const auto iv = provider::IntervalOfWire(binance::kFacts.intervals, *ivs);
  if (!iv) return Err(400, -1120, "Invalid interval.");
  int64_t limit = binance::kKlinesDefaultLimit;
  if (const std::string* l = req.Query("limit")) {
    auto v = ParseCount(*l);
    if (!v) return Illegal("limit");
    limit = std::clamp<int64_t>(*v, 1, binance::kKlinesMaxLimit);
  }
  std::optional<int64_t> start_ms, end_ms;
  if (const std::string* t = req.Query("startTime")) {
    if (!(start_ms = ParseCount(*t))) return Illegal("startTime");
  }
  if (const std::string* t = req.Query("endTime")) {
    if (!(end_ms = ParseCount(*t))) return Illegal("endTime");
  }
  if (start_ms && end_ms && *start_ms > *end_ms)
    return Err(400, -1023, "Start time is greater than end time.");
  const int64_t span =
      (*iv == Interval::k1mo ? 31 * kSecondsPerDay : NominalSeconds(*iv)) * (limit + 1);
  // Open times are inclusive at both ends (ms): [lo, hi) in seconds.
  Timestamp lo, hi;
  if (start_ms) {
    lo = (*start_ms + 999) / 1000;
    hi = end_ms ? *end_ms / 1000 + 1 : lo + span;
  } else {
    hi = end_ms ? *end_ms / 1000 + 1 : ctx.now + 1;
    lo = hi - span;
  }
  hi = std::min(hi, ctx.now + 1);
  std::vector<binance::Kline> rows;
  cache::CacheInfo info;
  if (lo < hi) {
    cache::HistoryOptions opts;
    opts.interval = *iv;
    opts.start = lo;
    if (hi < ctx.now - kNowSlackS) opts.end = hi - 1;  // else up to now: the same request
    opts.provider = std::string(ProviderName(ProviderId::kBinance));
    const std::string one[] = {*sym};
    auto res = ctx.api.History(one, opts);
    if (!res.ok()) return FromStatus(res.status());
    info = res->info;
    if (const FramePtr& f = res->frame) {
      std::vector<size_t> keep;
      for (size_t i = 0; i < f->rows(); ++i) {
        const Timestamp ts = f->timestamps()[i];
        if (ts >= lo && ts < hi) keep.push_back(i);
      }
      size_t first = 0, n = keep.size();
      if (n > static_cast<size_t>(limit)) {
        if (!start_ms) first = n - static_cast<size_t>(limit);  // the newest `limit`
        n = static_cast<size_t>(limit);
      }
      for (size_t k = first; k < first + n; ++k) {
        const size_t i = keep[k];
        const Timestamp ts = f->timestamps()[i];
        binance::Kline kl;
        kl.open_time_ms = ts * 1000;
        kl.close_time_ms = NextBar(ts, *iv) * 1000 - 1;
        kl.open = f->open().Get(i).value_or(0);
        kl.high = f->high().Get(i).value_or(0);
        kl.low = f->low().Get(i).value_or(0);
        kl.close = f->close().Get(i).value_or(0);
        kl.volume = static_cast<double>(f->volume().Get(i).value_or(0));
        rows.push_back(kl);
      }
    }
  }
  return WithCacheInfo(binance::WriteKlines(rows), info);
}

binance::Ticker24 TickerOf(const finex::Quote& q, const std::string& symbol) {
  binance::Ticker24 t;
  t.symbol = symbol;
  t.last = q.price;
  t.price_change = q.change.value_or(0);
  t.price_change_percent = q.change_percent.value_or(0);
  t.prev_close = q.price - t.price_change;
  t.open = t.prev_close;
  t.high = q.high_24h.value_or(q.price);
  t.low = q.low_24h.value_or(q.price);
  t.volume = static_cast<double>(q.volume.value_or(0));
  t.weighted_avg_price = q.price;
  t.close_time_ms = q.timestamp * 1000;
  t.open_time_ms = t.close_time_ms - 86'400'000;
  return t;  // bid/ask/quantities/trade ids: what finex does not know stays 0 / -1
}

// symbol= (one object), symbols=[...] (an array, in the order asked) or
// neither (an array for every pair finex lists: exchangeInfo's).
http::Response Ticker(const Context& ctx) {
  std::vector<std::string> want;
  const std::string* one = ctx.req.Query("symbol");
  const std::string* many = ctx.req.Query("symbols");
  if (one && many) return FromWire(binance::SymbolAndSymbols());
  if (one) {
    want.push_back(*one);
  } else if (many) {
    auto list = binance::ParseSymbolList(*many);
    if (!list) return FromWire(binance::IllegalSymbolList());
    want = std::move(*list);
  } else {
    want.assign(std::begin(kDefaultPairs), std::end(kDefaultPairs));
  }
  for (const std::string& s : want) {
    if (!IsPair(s)) return Err(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
  }
  cache::QuoteOptions opts;
  opts.provider = std::string(ProviderName(ProviderId::kBinance));
  auto res = ctx.api.Quote(want, opts);
  if (!res.ok()) return FromStatus(res.status());
  std::vector<binance::Ticker24> ts;
  for (const std::string& s : want) {
    for (const finex::Quote& q : res->quotes) {
      if (q.symbol == s) ts.push_back(TickerOf(q, s));
    }
  }
  if (one) {
    if (ts.empty()) return Err(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
    return WithCacheInfo(binance::WriteTicker(ts.front()), res->info);
  }
  return WithCacheInfo(binance::WriteTickers(ts), res->info);
}

http::Response ExchangeInfo(const Context& ctx) {
  std::vector<std::string> pairs;
  if (const std::string* one = ctx.req.Query("symbol")) {
    pairs.push_back(*one);
  } else if (const std::string* many = ctx.req.Query("symbols")) {
    auto list = binance::ParseSymbolList(*many);
    if (!list) return FromWire(binance::IllegalSymbolList());
    pairs = std::move(*list);
  } else {
    pairs.assign(std::begin(kDefaultPairs), std::end(kDefaultPairs));
  }
  for (const std::string& s : pairs) {
    if (!IsPair(s)) return Err(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
  }
  return FromWire(binance::WriteExchangeInfo(pairs, ctx.now_us / 1000));
}

}  // namespace

http::Response ServeBinance(const Context& ctx, std::string_view& route) {
  if (ctx.req.method != "GET") {
    route = "/binance/(other)";
    return Err(405, -1000, "An unknown error occurred while processing the request.");
  }
  if (ctx.sub == binance::kKlinesPath) {
    route = "/binance/api/v3/klines";
    return Klines(ctx);
  }
  if (ctx.sub == binance::kTicker24hPath) {
    route = "/binance/api/v3/ticker/24hr";
    return Ticker(ctx);
  }
  if (ctx.sub == binance::kExchangeInfoPath) {
    route = "/binance/api/v3/exchangeInfo";
    return ExchangeInfo(ctx);
  }
  if (ctx.sub == binance::kPingPath) {
    route = "/binance/api/v3/ping";
    return FromWire(binance::WritePing());
  }
  if (ctx.sub == binance::kTimePath) {
    route = "/binance/api/v3/time";
    return FromWire(binance::WriteTime(ctx.now_us / 1000));
  }
  route = "/binance/(other)";
  return FromWire(binance::NotFoundPage());
}

}  // namespace finex::server::compat
