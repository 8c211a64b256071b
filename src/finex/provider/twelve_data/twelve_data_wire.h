// Twelve Data response writers: /time_series (one symbol or a batch, values
// newest first as strings with five decimals), /quote, /symbol_search and the
// {"code","message","status":"error"} error body, as Twelve Data sends them
// (captured bodies in ../shared/data/provider-responses/twelvedata). The one
// place both the simulator (sim/detail/twelve_data.cc) and `finex serve`'s
// /twelve_data route (server/compat/twelve_data.cc) render Twelve Data; the
// adapter's parser stays separate.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/time.h"
#include "finex/provider/wire.h"

namespace finex::provider::twelve_data {

// finex's (Yahoo-style) name of a Twelve Data symbol: crypto pairs
// "BTC/USD" → "BTC-USD", currency pairs "EUR/USD" → "EURUSD=X", others as
// they are.
std::string CanonicalSymbol(std::string_view td_symbol);
// Twelve Data's exchange, MIC and instrument type for a calendar code
// ("XNAS", "CRYPTO", ...) and a Yahoo-style type ("EQUITY", ...).
std::string ExchangeName(std::string_view calendar_code);
std::string MicCode(std::string_view calendar_code);
std::string TypeName(std::string_view type);

struct Instrument {
  std::string symbol;  // as asked ("AAPL", "BTC/USD")
  std::string name;
  bool fx = false;       // currency pairs: currency_base/currency_quote, no volume
  std::string currency;  // non-fx
  std::string exchange_timezone, exchange, mic_code, type, country;
};

struct Value {
  std::string datetime;  // exchange-local "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD"
  double open = 0, high = 0, low = 0, close = 0;
  int64_t volume = 0;  // not written for fx
};

// One symbol's time_series: the series, or an error (code + message).
struct Series {
  std::optional<std::pair<int, std::string>> error;
  Instrument meta;
  std::string interval;       // as asked ("1min", "1day")
  std::vector<Value> values;  // in the order to write
};
// Single symbol: 200 with {"meta","values","status":"ok"}, or the error
// body with its status. Batch: 200 with one member per symbol, each its
// series or its error object (partial success).
WireAnswer WriteSeries(const Series& s);
WireAnswer WriteBatch(std::span<const std::pair<std::string, Series>> members);

struct Quote {
  Instrument instrument;
  std::string datetime;  // the latest day's date
  Timestamp timestamp = 0;
  double open = 0, high = 0, low = 0, close = 0, previous_close = 0;
  int64_t volume = 0, average_volume = 0;
  bool is_market_open = false;
};
WireAnswer WriteQuote(const Quote& q);

WireAnswer WriteSymbolSearch(std::span<const Instrument> data);

// {"code": code, "message": message, "status": "error"} with HTTP `status`.
WireAnswer Error(int status, int code, std::string_view message);
WireAnswer MissingSymbol();
WireAnswer SymbolNotFound(std::string_view symbol);
WireAnswer BadInterval();
WireAnswer MissingKey();
WireAnswer NoEndpoint();

}  // namespace finex::provider::twelve_data
