// Binance spot REST response writers: klines (the 12-field rows),
// ticker/24hr, exchangeInfo (symbols with their filters), ping, time and the
// {"code","msg"} error body, as Binance sends them (captured bodies in
// ../shared/data/provider-responses/binance). The one place both the
// simulator (sim/detail/binance.cc) and `finex serve`'s /binance routes
// (server/compat/binance.cc) render Binance; the adapter's parser stays
// separate. Prices and quantities are strings with 8 decimals.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/time.h"
#include "finex/provider/wire.h"

namespace finex::provider::binance {

// Base and quote asset of a Binance pair ("BTCUSDT" → BTC, USDT); nullopt
// when the text is not a pair of a known quote asset.
std::optional<std::pair<std::string, std::string>> SplitPair(std::string_view s);

// symbols=["BTCUSDT","ETHUSDT"] (Binance's JSON-array parameter): the names,
// nullopt when the text is not such an array of 1..20-character names.
std::optional<std::vector<std::string>> ParseSymbolList(std::string_view s);
// Binance's 400 -1100 for a malformed symbols= (its legal-range text).
WireAnswer IllegalSymbolList();
// Binance's 400 -1128 when symbol= and symbols= are both sent.
WireAnswer SymbolAndSymbols();

struct Kline {
  int64_t open_time_ms = 0, close_time_ms = 0;
  double open = 0, high = 0, low = 0, close = 0, volume = 0;
  // Not in a cached OHLCV frame: the server writes 0 as Binance does for a
  // kline without trades.
  double quote_volume = 0;
  int64_t trades = 0;
  double taker_base_volume = 0, taker_quote_volume = 0;
};
// 200 [[openTime,"o","h","l","c","v",closeTime,"qv",trades,"tbv","tqv","0"], ...].
WireAnswer WriteKlines(std::span<const Kline> rows);

struct Ticker24 {
  std::string symbol;
  double price_change = 0, price_change_percent = 0, weighted_avg_price = 0, prev_close = 0;
  double last = 0, last_qty = 0, bid = 0, bid_qty = 0, ask = 0, ask_qty = 0;
  double open = 0, high = 0, low = 0, volume = 0, quote_volume = 0;
  int64_t open_time_ms = 0, close_time_ms = 0;
  int64_t first_id = -1, last_id = -1, count = 0;
};
// One object (symbol=) or an array (symbols= / none).
WireAnswer WriteTicker(const Ticker24& t);
WireAnswer WriteTickers(std::span<const Ticker24> ts);

// exchangeInfo for these pairs (each must SplitPair).
WireAnswer WriteExchangeInfo(std::span<const std::string> pairs, int64_t server_time_ms);
WireAnswer WritePing();
WireAnswer WriteTime(int64_t server_time_ms);

// {"code": code, "msg": msg} with the HTTP status.
WireAnswer Error(int status, int code, std::string_view msg);
// Binance's 404 for an unknown path (an HTML page).
WireAnswer NotFoundPage();

}  // namespace finex::provider::binance
