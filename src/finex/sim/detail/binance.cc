// Binance spot REST: /api/v3/klines, /api/v3/ticker/24hr, /api/v3/exchangeInfo.
#include <algorithm>
#include <cmath>

#include "finex/core/symbol.h"
#include "finex/provider/binance/binance_facts.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim::detail {
namespace {

using http::Response;
namespace binance = provider::binance;

Response BinanceError(int status, int code, std::string_view msg) {
  return JsonResponse(status, BinanceErrorBody(code, msg));
}

constexpr const char* kQuoteAssets[] = {"USDT", "FDUSD", "BUSD", "USDC", "TUSD",
                                        "BTC",  "ETH",   "BNB",  "EUR",  "TRY"};

// Base and quote asset of a Binance pair; nullopt when it is not one.
std::optional<std::pair<std::string, std::string>> SplitPair(std::string_view s) {
  if (s.size() < 5 || s.size() > 20) return std::nullopt;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return std::nullopt;
  }
  if (IsUnknownSymbol(s)) return std::nullopt;
  for (const char* q : kQuoteAssets) {
    std::string_view qa(q);
    if (s.size() > qa.size() + 1 && s.ends_with(qa)) {
      return std::make_pair(std::string(s.substr(0, s.size() - qa.size())), std::string(qa));
    }
  }
  return std::nullopt;
}

std::optional<Interval> BinanceInterval(std::string_view s) {
  return provider::IntervalOfWire(binance::kFacts.intervals, s);
}

std::string P8(double v) { return Num(v, 8); }

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
  Json rows = Json::array();
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
      rows.push_back(Json::array({ts * 1000, P8(o), P8(h), P8(l), P8(c), P8(static_cast<double>(v)),
                                  NextBar(ts, *iv) * 1000 - 1, P8(quote_vol), Trades(v, ts),
                                  P8(taker), P8(taker * (o + c) / 2), "0"}));
    }
  }
  Response r = JsonResponse(200, rows);
  r.headers.emplace_back("Cache-Control", "no-cache, no-store, must-revalidate");
  return r;
}

Json Ticker(const WireContext& ctx, const std::string& sym) {
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
  Json t;
  t["symbol"] = sym;
  t["priceChange"] = P8(last - open);
  t["priceChangePercent"] = Num(open != 0 ? (last - open) / open * 100 : 0, 3);
  t["weightedAvgPrice"] = P8(vol > 0 ? qvol / vol : last);
  t["prevClosePrice"] = P8(open);
  t["lastPrice"] = P8(last);
  t["lastQty"] = P8(0.01);
  t["bidPrice"] = P8(last);
  t["bidQty"] = P8(0.5);
  t["askPrice"] = P8(last * 1.00001);
  t["askQty"] = P8(0.5);
  t["openPrice"] = P8(open);
  t["highPrice"] = P8(high);
  t["lowPrice"] = P8(low);
  t["volume"] = P8(vol);
  t["quoteVolume"] = P8(qvol);
  t["openTime"] = now_ms - 86'400'000;
  t["closeTime"] = now_ms;
  t["firstId"] = 1000000000 + (now / 60) % 1000000;
  t["lastId"] = 1000000000 + (now / 60) % 1000000 + static_cast<int64_t>(vol * 3);
  t["count"] = static_cast<int64_t>(vol * 3) + 1;
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
  if (const std::string* sym = ctx.req.Query("symbol")) {
    if (!SplitPair(*sym)) return BinanceError(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
    return JsonResponse(200, Ticker(ctx, *sym));
  }
  Json all = Json::array();
  for (const std::string& s : BinanceUniverse(ctx.gen)) all.push_back(Ticker(ctx, s));
  return JsonResponse(200, all);
}

Json SymbolEntry(const std::string& sym) {
  auto pair = SplitPair(sym);
  Json s;
  s["symbol"] = sym;
  s["status"] = "TRADING";
  s["baseAsset"] = pair->first;
  s["baseAssetPrecision"] = 8;
  s["quoteAsset"] = pair->second;
  s["quotePrecision"] = 8;
  s["quoteAssetPrecision"] = 8;
  s["orderTypes"] =
      Json::array({"LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"});
  s["icebergAllowed"] = true;
  s["ocoAllowed"] = true;
  s["isSpotTradingAllowed"] = true;
  s["isMarginTradingAllowed"] = false;
  s["filters"] = Json::array({Json{{"filterType", "PRICE_FILTER"},
                                   {"minPrice", "0.00000100"},
                                   {"maxPrice", "1000000.00000000"},
                                   {"tickSize", "0.00000100"}}});
  s["permissions"] = Json::array({"SPOT"});
  return s;
}

Response ExchangeInfo(const WireContext& ctx) {
  Json j;
  j["timezone"] = "UTC";
  j["serverTime"] = ctx.now_us / 1000;
  j["rateLimits"] = Json::array({Json{{"rateLimitType", "REQUEST_WEIGHT"},
                                      {"interval", "MINUTE"},
                                      {"intervalNum", 1},
                                      {"limit", binance::kWeightPerMinute}},
                                 Json{{"rateLimitType", "ORDERS"},
                                      {"interval", "SECOND"},
                                      {"intervalNum", 10},
                                      {"limit", 100}},
                                 Json{{"rateLimitType", "RAW_REQUESTS"},
                                      {"interval", "MINUTE"},
                                      {"intervalNum", 5},
                                      {"limit", 61000}}});
  j["exchangeFilters"] = Json::array();
  Json syms = Json::array();
  if (const std::string* sym = ctx.req.Query("symbol")) {
    if (!SplitPair(*sym)) return BinanceError(400, binance::kCodeInvalidSymbol, "Invalid symbol.");
    syms.push_back(SymbolEntry(*sym));
  } else {
    for (const std::string& s : BinanceUniverse(ctx.gen)) syms.push_back(SymbolEntry(s));
  }
  j["symbols"] = std::move(syms);
  return JsonResponse(200, j);
}

}  // namespace

Response ServeBinance(const WireContext& ctx) {
  if (ctx.req.method != "GET")
    return BinanceError(405, -1000, "An unknown error occurred while processing the request.");
  if (ctx.sub == binance::kKlinesPath) return Klines(ctx);
  if (ctx.sub == binance::kTicker24hPath) return Ticker24(ctx);
  if (ctx.sub == binance::kExchangeInfoPath) return ExchangeInfo(ctx);
  return Response::Text(404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>");
}

}  // namespace finex::sim::detail
