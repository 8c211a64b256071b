// Binance spot REST facts (developers.binance.com; PROVIDERS.md [B1]-[B7]):
// interval spellings, the klines row cap, request-weight quota, URL paths,
// headers and the error body. Read by the adapter (binance_provider.cc), the
// simulator (sim/detail/binance.cc, sim/simulator.cc) and, through TraitsOf,
// the cache.
//
// Thread-safety: constants.
#pragma once

#include <string_view>

#include "finex/provider/facts.h"

namespace finex::provider::binance {

// GET /api/v3/klines: `limit` default 500, max 1000 rows per call [B1].
inline constexpr int kKlinesMaxLimit = 1000;
inline constexpr int kKlinesDefaultLimit = 500;
// Request weight per IP and minute (REQUEST_WEIGHT 6000/min) and what one
// klines call costs (weight 2) [B1][B2][B3]; GET /api/v3/ticker/24hr weighs
// 2 for one symbol (4 for `symbols=` lists of up to 20, 40 up to 100, 80
// for every symbol; finex asks one symbol per call); GET
// /api/v3/exchangeInfo (search) weighs 20.
inline constexpr int64_t kWeightPerMinute = 6000;
inline constexpr int64_t kKlinesWeight = 2;
inline constexpr int64_t kTickerOneSymbolWeight = 2;
inline constexpr int64_t kExchangeInfoWeight = 20;

inline constexpr ProviderFacts kFacts = {
    .id = ProviderId::kBinance,
    .default_base_url = "https://api.binance.com",
    .intervals = {"1m", "5m", "15m", "30m", "1h", "1d", "1w", "1M"},
    .reach = {},  // all history since the listing, for every interval [B1]
    .max_rows_per_call = kKlinesMaxLimit,
    .whole_daily_history_per_call = false,
    // No corporate actions; the safe default.
    .restates_ohlc_on_split = true,
    .needs_api_key = false,  // market data is public; the key header is optional
    .api_key_env = "",
    // 6000 weight/min at 2 per klines call, with headroom.
    .calls_per_minute = 1200,
    .calls_per_day = 0,
    // The limiter counts request weight too: a klines page takes 2 of 6000 a
    // minute, a search (exchangeInfo) 20.
    .weight_per_minute = kWeightPerMinute,
    .history_call_weight = kKlinesWeight,
    .quote_call_weight = kTickerOneSymbolWeight,
    .search_call_weight = kExchangeInfoWeight,
};

// URL paths under the base URL.
inline constexpr std::string_view kKlinesPath = "/api/v3/klines";
inline constexpr std::string_view kTicker24hPath = "/api/v3/ticker/24hr";
inline constexpr std::string_view kExchangeInfoPath = "/api/v3/exchangeInfo";
inline constexpr std::string_view kPingPath = "/api/v3/ping";
inline constexpr std::string_view kTimePath = "/api/v3/time";

// The optional API key travels in this request header.
inline constexpr std::string_view kApiKeyHeader = "X-MBX-APIKEY";
// The weight used this minute, on every answer (lower-case, as HttpResponse
// keeps header names; Binance spells it X-MBX-USED-WEIGHT-1M).
inline constexpr std::string_view kUsedWeightHeader = "x-mbx-used-weight-1m";

// Error body {"code": -1121, "msg": "Invalid symbol."} [B7].
inline constexpr std::string_view kErrorCodeKey = "code";
inline constexpr std::string_view kErrorMessageKey = "msg";
inline constexpr int kCodeTooMuchWeight = -1003;  // 429 / 418 ban
inline constexpr int kCodeIllegalParameter = -1100;
inline constexpr int kCodeInvalidSymbol = -1121;
inline constexpr int kCodeParameterCombination = -1128;

}  // namespace finex::provider::binance
