// Binance spot adapter (/api/v3/klines, /ticker/24hr, /exchangeInfo).
//
// Wire facts (../shared/data/PROVIDERS.md): startTime/endTime are epoch ms,
// both inclusive on the kline OPEN time; limit max 1000, so longer ranges are
// paged (each page is one upstream call, counted in http_calls). Rows are
// [openTime ms, "o","h","l","c","volume", closeTime ms (= next open − 1 ms),
// ...] with prices as strings; the open time is the finex stamp (1d/1w/1M
// klines open at 00:00 UTC, crypto's own calendar). The last kline is still
// forming while closeTime ≥ now: the answer is then last_bar_partial.
// Volume is base-asset volume, fractional on the wire, rounded to the int64
// schema column.
//
// Currency: Binance never states it; it is the pair's QUOTE asset,
// lower-cased ("BTCUSDT" → "usdt"), derived from a fixed list of quote assets
// (longest match first). Timezone is always "UTC".
//
// Symbols: "BTCUSDT", "BTC/USDT", "BTC-USDT" (all → BTCUSDT on the wire;
// the frame keeps the symbol as given). Handles() is true only for such
// upper-case pairs ending in a known quote asset.
//
// Errors: {"code":-1121,"msg":"Invalid symbol."} → NotFound; 429/418 →
// ResourceExhausted with Retry-After (418's "banned until <ms>" when the
// header is missing); 5xx → Unavailable (Binance: execution status unknown).
//
// Thread-safety: thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider::binance {

struct Pair {
  std::string wire;   // "BTCUSDT"
  std::string base;   // "BTC"
  std::string quote;  // "USDT"
};
// nullopt when the symbol is not a Binance pair.
std::optional<Pair> ParsePair(std::string_view symbol);

std::string_view WireInterval(Interval iv);  // "1m" .. "1h", "1d", "1w", "1M"

std::string KlinesUrl(std::string_view base, std::string_view wire_symbol, Interval iv,
                      int64_t start_ms, int64_t end_ms, int limit);

// Parses one klines page into `rows` (appending). Returns the number of rows
// and the last row's open/close time (ms) through the out-params.
struct KlinePage {
  int rows = 0;
  int64_t last_open_ms = 0;
  int64_t last_close_ms = 0;
};
Status ParseKlinesError(const HttpResponse& resp, Timestamp now);

// Parses a full single-page answer (tests, bench).
Result<HistoryResponse> ParseKlines(const HttpResponse& resp, const HistoryRequest& req,
                                    Timestamp now);

Result<finex::Quote> ParseTicker(const HttpResponse& resp, std::string_view symbol, Timestamp now);

}  // namespace finex::provider::binance
