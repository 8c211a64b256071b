// Twelve Data facts (PROVIDERS.md [T1]-[T5]): interval spellings, the
// outputsize cap, URL paths, the API key, the error envelope, quota. Read by
// the adapter (twelve_data_provider.cc), the simulator
// (sim/detail/twelve_data.cc) and, through TraitsOf, the cache and config.
//
// Thread-safety: constants.
#pragma once

#include <string_view>

#include "finex/provider/facts.h"

namespace finex::provider::twelve_data {

// "A maximum of 5,000 data points can be retrieved in a single request";
// without start_date the default outputsize is 30 [T2].
inline constexpr int kMaxOutputSize = 5000;
inline constexpr int kDefaultOutputSize = 30;

inline constexpr ProviderFacts kFacts = {
    .id = ProviderId::kTwelveData,
    .default_base_url = "https://api.twelvedata.com",
    .intervals = {"1min", "5min", "15min", "30min", "1h", "1day", "1week", "1month"},
    .reach = {},  // depends on the plan; not covered by the stored docs
    .max_rows_per_call = kMaxOutputSize,
    .whole_daily_history_per_call = false,
    .restates_ohlc_on_split = true,
    .needs_api_key = true,
    .api_key_env = "FINEX_TWELVE_DATA_KEY",
    // Basic plan: 8 credits/min (800/day), /time_series = 1 credit per symbol [T3][T4].
    .calls_per_minute = 8,
    // Basic: 800 credits per day, reset at 00:00 UTC; paid plans have no
    // daily cap (calls_per_day = 0) [T3][T4]. /time_series: 1 credit per symbol.
    .calls_per_day = 800,
};

// URL paths under the base URL.
inline constexpr std::string_view kTimeSeriesPath = "/time_series";
inline constexpr std::string_view kQuotePath = "/quote";
inline constexpr std::string_view kSymbolSearchPath = "/symbol_search";

// The key: "Authorization: apikey KEY", or the `apikey` query parameter.
inline constexpr std::string_view kApiKeyHeader = "Authorization";
inline constexpr std::string_view kApiKeyHeaderPrefix = "apikey ";
inline constexpr std::string_view kApiKeyParam = "apikey";

// Error envelope {"code": 400|401|404|429, "message": ..., "status": "error"},
// sometimes with HTTP 200 [T5].
inline constexpr std::string_view kErrorCodeKey = "code";
inline constexpr std::string_view kErrorMessageKey = "message";
inline constexpr std::string_view kStatusKey = "status";
inline constexpr std::string_view kStatusError = "error";
inline constexpr int kCodeRateLimited = 429;
// How a code-400 message starts when the range holds no data (an empty
// answer, not an error, for a cache).
inline constexpr std::string_view kNoDataText = "No data is available";

}  // namespace finex::provider::twelve_data
