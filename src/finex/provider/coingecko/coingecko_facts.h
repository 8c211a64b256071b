// CoinGecko facts (PROVIDERS.md [C1]-[C6]): automatic granularity of
// market_chart/range, the public plan's history window, URL paths, API-key
// headers, the error bodies, quota. CoinGecko has no interval parameter: the
// span of a call picks its granularity. Read by the adapter
// (coingecko_provider.cc), the simulator (sim/detail/coingecko.cc) and,
// through TraitsOf, the cache.
//
// Thread-safety: constants.
#pragma once

#include <string_view>

#include "finex/provider/facts.h"

namespace finex::provider::coingecko {

// Automatic granularity [C1]: a call spanning at most 1 day answers
// 5-minutely points, at most 90 days hourly, longer daily (00:00 UTC).
inline constexpr Timestamp kFiveMinutelyMaxSpanS = kSecondsPerDay;
inline constexpr Timestamp kHourlyMaxSpanS = 90 * kSecondsPerDay;
// Keyless/Demo plans: the past 365 days only [C3].
inline constexpr Timestamp kPublicHistoryS = 365 * kSecondsPerDay;

inline constexpr ProviderFacts kFacts = {
    .id = ProviderId::kCoinGecko,
    .default_base_url = "https://api.coingecko.com",
    .intervals = {},                              // no interval parameter
    .reach = {{{false, 0, 0},                     // 1m: no such granularity
               {true, 0, kFiveMinutelyMaxSpanS},  // 5m..30m: 5-minutely points,
               {true, 0, kFiveMinutelyMaxSpanS},  // only for the last day
               {true, 0, kFiveMinutelyMaxSpanS},
               {true, kHourlyMaxSpanS, kPublicHistoryS},  // 1h: hourly needs <= 90-day calls
               {true, 0, kPublicHistoryS},
               {true, 0, kPublicHistoryS},
               {true, 0, kPublicHistoryS}}},
    .max_rows_per_call = 0,
    .whole_daily_history_per_call = false,
    // No corporate actions; the safe default.
    .restates_ohlc_on_split = true,
    .needs_api_key = false,  // keyless works (per-IP, shared limits)
    .api_key_env = "",
    // Demo key: 30/min in older docs (100 in current) [C4][C5]; the conservative one.
    .calls_per_minute = 30,
    .quotes_in_any_currency = true,  // vs_currency
};

// A pro key (ProviderConfig::plan "premium" on CoinGecko: the configured key
// is a paid plan's) goes to the pro host in the x-cg-pro-api-key header and
// lifts the public plan's history window [C2][C3]: daily and hourly points
// reach back to the coin's listing. Sub-hourly points stay the last day's
// (automatic granularity; 5m as a parameter is Enterprise only).
inline constexpr std::string_view kProBaseUrl = "https://pro-api.coingecko.com";
constexpr ProviderFacts ProFacts() {
  ProviderFacts f = kFacts;
  for (Interval iv : {Interval::k1h, Interval::k1d, Interval::k1w, Interval::k1mo})
    f.reach[static_cast<size_t>(iv)].max_lookback_s = 0;
  return f;
}
inline constexpr ProviderFacts kProFacts = ProFacts();

// URL paths under the base URL: /api/v3/coins/{id}/market_chart/range.
inline constexpr std::string_view kCoinsPath = "/api/v3/coins/";
inline constexpr std::string_view kMarketChartRangeSuffix = "/market_chart/range";
inline constexpr std::string_view kSimplePricePath = "/api/v3/simple/price";
inline constexpr std::string_view kSearchPath = "/api/v3/search";

// Keys: the demo plan's request header; a pro key as header or parameter
// lifts the public history window.
inline constexpr std::string_view kDemoKeyHeader = "x-cg-demo-api-key";
inline constexpr std::string_view kProKeyHeader = "x-cg-pro-api-key";
inline constexpr std::string_view kProKeyParam = "x_cg_pro_api_key";

// Error bodies: {"error": "..."} or {"status": {"error_code", "error_message"}}
// (also nested: {"error": {"status": {...}}}, the 10012 refusal)
// (429, plan/key codes 10002/10005/10010/10011/10012) [C5][C6].
inline constexpr std::string_view kErrorKey = "error";
inline constexpr std::string_view kStatusKey = "status";
inline constexpr std::string_view kErrorCodeKey = "error_code";
inline constexpr std::string_view kErrorMessageKey = "error_message";
inline constexpr int kCodeBeyondPlanHistory = 10012;

}  // namespace finex::provider::coingecko
