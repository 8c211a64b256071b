#include "finex/provider/binance/binance_wire.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "finex/provider/binance/binance_facts.h"

namespace finex::provider::binance {

namespace {

using Json = nlohmann::ordered_json;

WireAnswer JsonAnswer(int status, const Json& j) {
  WireAnswer a;
  a.status = status;
  a.content_type = "application/json;charset=UTF-8";
  a.body = j.dump();
  return a;
}

std::string P8(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.8f", v);
  return buf;
}

std::string P3(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3f", v);
  return buf;
}

constexpr const char* kQuoteAssets[] = {"USDT", "FDUSD", "BUSD", "USDC", "TUSD",
                                        "BTC",  "ETH",   "BNB",  "EUR",  "TRY"};

Json TickerJson(const Ticker24& t) {
  Json j;
  j["symbol"] = t.symbol;
  j["priceChange"] = P8(t.price_change);
  j["priceChangePercent"] = P3(t.price_change_percent);
  j["weightedAvgPrice"] = P8(t.weighted_avg_price);
  j["prevClosePrice"] = P8(t.prev_close);
  j["lastPrice"] = P8(t.last);
  j["lastQty"] = P8(t.last_qty);
  j["bidPrice"] = P8(t.bid);
  j["bidQty"] = P8(t.bid_qty);
  j["askPrice"] = P8(t.ask);
  j["askQty"] = P8(t.ask_qty);
  j["openPrice"] = P8(t.open);
  j["highPrice"] = P8(t.high);
  j["lowPrice"] = P8(t.low);
  j["volume"] = P8(t.volume);
  j["quoteVolume"] = P8(t.quote_volume);
  j["openTime"] = t.open_time_ms;
  j["closeTime"] = t.close_time_ms;
  j["firstId"] = t.first_id;
  j["lastId"] = t.last_id;
  j["count"] = t.count;
  return j;
}

Json SymbolEntry(const std::string& sym, const std::pair<std::string, std::string>& pair) {
  Json s;
  s["symbol"] = sym;
  s["status"] = "TRADING";
  s["baseAsset"] = pair.first;
  s["baseAssetPrecision"] = 8;
  s["quoteAsset"] = pair.second;
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
                                   {"tickSize", "0.00000100"}},
                              Json{{"filterType", "LOT_SIZE"},
                                   {"minQty", "0.00001000"},
                                   {"maxQty", "9000.00000000"},
                                   {"stepSize", "0.00001000"}}});
  s["permissions"] = Json::array({"SPOT"});
  return s;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> SplitPair(std::string_view s) {
  if (s.size() < 5 || s.size() > 20) return std::nullopt;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return std::nullopt;
  }
  for (const char* q : kQuoteAssets) {
    std::string_view qa(q);
    if (s.size() > qa.size() + 1 && s.ends_with(qa)) {
      return std::make_pair(std::string(s.substr(0, s.size() - qa.size())), std::string(qa));
    }
  }
  return std::nullopt;
}

WireAnswer WriteKlines(std::span<const Kline> rows) {
  Json arr = Json::array();
  for (const Kline& k : rows) {
    arr.push_back(Json::array({k.open_time_ms, P8(k.open), P8(k.high), P8(k.low), P8(k.close),
                               P8(k.volume), k.close_time_ms, P8(k.quote_volume), k.trades,
                               P8(k.taker_base_volume), P8(k.taker_quote_volume), "0"}));
  }
  WireAnswer w = JsonAnswer(200, arr);
  w.headers.emplace_back("Cache-Control", "no-cache, no-store, must-revalidate");
  return w;
}

WireAnswer WriteTicker(const Ticker24& t) { return JsonAnswer(200, TickerJson(t)); }

WireAnswer WriteTickers(std::span<const Ticker24> ts) {
  Json arr = Json::array();
  for (const Ticker24& t : ts) arr.push_back(TickerJson(t));
  return JsonAnswer(200, arr);
}

WireAnswer WriteExchangeInfo(std::span<const std::string> pairs, int64_t server_time_ms) {
  Json j;
  j["timezone"] = "UTC";
  j["serverTime"] = server_time_ms;
  j["rateLimits"] = Json::array({Json{{"rateLimitType", "REQUEST_WEIGHT"},
                                      {"interval", "MINUTE"},
                                      {"intervalNum", 1},
                                      {"limit", kWeightPerMinute}},
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
  for (const std::string& s : pairs) {
    if (auto p = SplitPair(s)) syms.push_back(SymbolEntry(s, *p));
  }
  j["symbols"] = std::move(syms);
  return JsonAnswer(200, j);
}

std::optional<std::vector<std::string>> ParseSymbolList(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    if (item.size() < 3 || item.size() > 22 || item.front() != '"' || item.back() != '"')
      return std::nullopt;
    item = item.substr(1, item.size() - 2);
    for (char c : item) {
      const bool ok =
          (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      if (!ok) return std::nullopt;
    }
    out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
    if (s.empty()) return std::nullopt;  // a trailing comma
  }
  if (out.empty()) return std::nullopt;
  return out;
}

WireAnswer IllegalSymbolList() {
  return Error(400, kCodeIllegalParameter,
               "Illegal characters found in parameter 'symbols'; legal range is "
               "'^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.");
}

WireAnswer SymbolAndSymbols() {
  return Error(400, kCodeParameterCombination, "Combination of optional parameters invalid.");
}

WireAnswer WritePing() { return JsonAnswer(200, Json::object()); }

WireAnswer WriteTime(int64_t server_time_ms) {
  return JsonAnswer(200, Json{{"serverTime", server_time_ms}});
}

WireAnswer Error(int status, int code, std::string_view msg) {
  return JsonAnswer(status,
                    Json{{std::string(kErrorCodeKey), code}, {std::string(kErrorMessageKey), msg}});
}

WireAnswer NotFoundPage() {
  WireAnswer a;
  a.status = 404;
  a.content_type = "text/html";
  a.body = "<html><body><h1>404 Not Found</h1></body></html>";
  return a;
}

}  // namespace finex::provider::binance
