// Binance spot REST: /api/v3/klines, /api/v3/ticker/24hr, /api/v3/exchangeInfo.
#include <algorithm>
#include <cmath>

#include "finex/core/symbol.h"
#include "finex/provider/binance/binance_facts.h"
#include "finex/provider/binance/binance_wire.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim::detail {
namespace {

using http::Response;
namespace binance = provider::binance;

Response BinanceError(int status, int code, std::string_view msg) {
  return FromWire(binance::Error(status, code, msg));
}

// Base and quote asset of a Binance pair the simulator knows; nullopt otherwise.
std::optional<std::pair<std::string, std::string>> SplitPair(std::string_view s) {
  if (IsUnknownSymbol(s)) return std::nullopt;
  return binance::SplitPair(s);
}

std::optional<Interval> BinanceInterval(std::string_view s) {
  return provider::IntervalOfWire(binance::kFacts.intervals, s);
}

// Deterministic trade statistics for a kline (not modelled by the generator).
int64_t Trades(int64_t volume, Timestamp ts) {
  return std::max<int64_t>(1, volume * 7 + (ts / 60) % 97);
}

Response Klines(const WireContext& ctx) {
  const http::Request& req = ctx.req;
  const std::string* sym = req.Query("symbol");
  if (sym == nullptr || sym->empty()) {
    return BinanceError(400, -1102,
                        "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
  }
  if (!SplitPair(*sym)) return BinanceError(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
  const std::string* ivs = req.Query("interval");
  if (ivs == nullptr || ivs->empty()) {
    return BinanceError(
        400, -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
  }
  auto iv = BinanceInterval(*ivs);
  if (!iv) return BinanceError(400, -1120, "Invalid interval.");
  int64_t limit = binance::kKlinesDefaultLimit;
  if (const std::string* l = req.Query("limit")) {
    auto v = ParseInt(*l);
    if (!v || *v < 0) {
      return BinanceError(
          400, binance::kCodeIllegalParameter,
          "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.");
    }
    limit = std::clamp<int64_t>(*v, 1, binance::kKlinesMaxLimit);
  }
  std::optional<int64_t> start_ms, end_ms;
  for (const char* name : {"startTime", "endTime"}) {
    if (const std::string* t = req.Query(name)) {
      auto v = ParseInt(*t);
      if (!v || *v < 0) {
        return BinanceError(400, binance::kCodeIllegalParameter,
                            "Illegal characters found in parameter '" + std::string(name) +
                                "'; legal range is '^[0-9]{1,20}$'.");
      }
      (std::string_view(name) == "startTime" ? start_ms : end_ms) = *v;
    }
  }
  if (start_ms && end_ms && *start_ms > *end_ms)
    return BinanceError(400, -1023, "Start time is greater than end time.");
  const int64_t span =
      (*iv == Interval::k1mo ? 31 * kSecondsPerDay : NominalSeconds(*iv)) * (limit + 1);
  // Open times are inclusive at both ends (ms).
  const Timestamp now = ctx.now;
  Timestamp lo, hi;  // [lo, hi) in seconds
  if (start_ms) {
    lo = (*start_ms + 999) / 1000;
    hi = end_ms ? *end_ms / 1000 + 1 : lo + span;
  } else {
    hi = end_ms ? *end_ms / 1000 + 1 : now + 1;
    lo = hi - span;
  }
  hi = std::min(hi, now + 1);
  std::vector<binance::Kline> rows;
  if (lo < hi) {
    FramePtr f = ctx.gen.Bars(*sym, *iv, TimeRange{lo, hi}, now);
    size_t first = 0, n = f->rows();
    if (n > static_cast<size_t>(limit)) {
      if (start_ms) {
        n = static_cast<size_t>(limit);
      } else {
        first = n - static_cast<size_t>(limit);
        n = static_cast<size_t>(limit);
      }
    }
    for (size_t i = first; i < first + n; ++i) {
      const Timestamp ts = f->timestamps()[i];
      const double o = f->open()[i], h = f->high()[i], l = f->low()[i], c = f->close()[i];
      const int64_t v = f->volume()[i];
      const double quote_vol = static_cast<double>(v) * (o + c) / 2;
      const double taker = std::floor(static_cast<double>(v) * 0.48 * 1e8) / 1e8;
      rows.push_back(binance::Kline{ts * 1000, NextBar(ts, *iv) * 1000 - 1, o, h, l, c,
                                    static_cast<double>(v), quote_vol, Trades(v, ts), taker,
                                    taker * (o + c) / 2});
    }
  }
  return FromWire(binance::WriteKlines(rows));
}

binance::Ticker24 Ticker(const WireContext& ctx, const std::string& sym) {
  const Timestamp now = ctx.now;
  FramePtr f = ctx.gen.Bars(sym, Interval::k1m, TimeRange{now - 86400, now + 1}, now);
  double open = 0, high = 0, low = 0, last = 0, vol = 0, qvol = 0;
  if (!f->empty()) {
    open = f->open()[0];
    last = f->close()[f->rows() - 1];
    high = open;
    low = open;
    for (size_t i = 0; i < f->rows(); ++i) {
      high = std::max(high, f->high()[i]);
      low = std::min(low, f->low()[i]);
      vol += static_cast<double>(f->volume()[i]);
      qvol += static_cast<double>(f->volume()[i]) * f->close()[i];
    }
  }
  const int64_t now_ms = ctx.now_us / 1000;
  binance::Ticker24 t;
  t.symbol = sym;
  t.price_change = last - open;
  t.price_change_percent = open != 0 ? (last - open) / open * 100 : 0;
  t.weighted_avg_price = vol > 0 ? qvol / vol : last;
  t.prev_close = open;
  t.last = last;
  t.last_qty = 0.01;
  t.bid = last;
  t.bid_qty = 0.5;
  t.ask = last * 1.00001;
  t.ask_qty = 0.5;
  t.open = open;
  t.high = high;
  t.low = low;
  t.volume = vol;
  t.quote_volume = qvol;
  t.open_time_ms = now_ms - 86'400'000;
  t.close_time_ms = now_ms;
  t.first_id = 1000000000 + (now / 60) % 1000000;
  t.last_id = 1000000000 + (now / 60) % 1000000 + static_cast<int64_t>(vol * 3);
  t.count = static_cast<int64_t>(vol * 3) + 1;
  return t;
}

std::vector<std::string> BinanceUniverse(const Generator& gen) {
  std::vector<std::string> out;
  for (const std::string& s : Universe(gen)) {
    if (SplitPair(s)) out.push_back(s);
  }
  return out;
}

Response Ticker24(const WireContext& ctx) {
  const std::string* many = ctx.req.Query("symbols");
  if (const std::string* sym = ctx.req.Query("symbol")) {
    if (many) return FromWire(binance::SymbolAndSymbols());
    if (!SplitPair(*sym)) return BinanceError(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
    return FromWire(binance::WriteTicker(Ticker(ctx, *sym)));
  }
  if (many) {
    auto list = binance::ParseSymbolList(*many);
    if (!list) return FromWire(binance::IllegalSymbolList());
    std::vector<binance::Ticker24> ts;
    for (const std::string& s : *list) {
      if (!SplitPair(s)) return BinanceError(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
      ts.push_back(Ticker(ctx, s));
    }
    return FromWire(binance::WriteTickers(ts));
  }
  std::vector<binance::Ticker24> all;
  for (const std::string& s : BinanceUniverse(ctx.gen)) all.push_back(Ticker(ctx, s));
  return FromWire(binance::WriteTickers(all));
}

Response ExchangeInfo(const WireContext& ctx) {
  std::vector<std::string> syms;
  if (const std::string* sym = ctx.req.Query("symbol")) {
    if (!SplitPair(*sym)) return BinanceError(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
    syms.push_back(*sym);
  } else {
    syms = BinanceUniverse(ctx.gen);
  }
  return FromWire(binance::WriteExchangeInfo(syms, ctx.now_us / 1000));
}

}  // namespace

Response ServeBinance(const WireContext& ctx) {
  if (ctx.req.method != "GET")
    return BinanceError(405, -1000, "An unknown error occurred while processing the request.");
  if (ctx.sub == binance::kKlinesPath) return Klines(ctx);
  if (ctx.sub == binance::kTicker24hPath) return Ticker24(ctx);
  if (ctx.sub == binance::kExchangeInfoPath) return ExchangeInfo(ctx);
  if (ctx.sub == binance::kPingPath) return FromWire(binance::WritePing());
  if (ctx.sub == binance::kTimePath) return FromWire(binance::WriteTime(ctx.now_us / 1000));
  return FromWire(binance::NotFoundPage());
}

}  // namespace finex::sim::detail
