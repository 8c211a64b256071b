// Yahoo Finance facts (unofficial API, no published docs; see
// ../shared/data/PROVIDERS.md): interval spellings, intraday reach, URL paths,
// error-envelope keys and codes, quota. Read by the adapter (yahoo_provider.cc),
// the simulator (sim/detail/wire.cc) and, through TraitsOf, the cache.
//
// Thread-safety: constants.
#pragma once

#include <string_view>

#include "finex/provider/facts.h"

namespace finex::provider::yahoo {

// Intraday reach (yfinance history.py; Yahoo's 422 texts): 1m within the last
// 30 days and 7 days per request; 5m..30m within the last 60 days; 1h within
// the last 730 days. Daily and longer: the whole history in one call
// (period1=0 answers everything from firstTradeDate), no row cap.
inline constexpr Timestamp k1mSpanS = 7 * kSecondsPerDay;
inline constexpr Timestamp k1mLookbackS = 30 * kSecondsPerDay;
inline constexpr Timestamp kMinutesReachS = 60 * kSecondsPerDay;  // 5m, 15m, 30m
inline constexpr Timestamp kHourlyReachS = 730 * kSecondsPerDay;

inline constexpr ProviderFacts kFacts = {
    .id = ProviderId::kYahoo,
    .default_base_url = "https://query2.finance.yahoo.com",
    .intervals = {"1m", "5m", "15m", "30m", "60m", "1d", "1wk", "1mo"},
    .reach = {{{true, k1mSpanS, k1mLookbackS},
               {true, kMinutesReachS, kMinutesReachS},
               {true, kMinutesReachS, kMinutesReachS},
               {true, kMinutesReachS, kMinutesReachS},
               {true, kHourlyReachS, kHourlyReachS},
               {},
               {},
               {}}},
    .max_rows_per_call = 0,
    // The answer holds what period1..period2 asked, not the whole series.
    .whole_daily_history_per_call = false,
    // OHLC are split-adjusted as of the fetch: history changes after a split.
    .restates_ohlc_on_split = true,
    .needs_api_key = false,
    .api_key_env = "",
    // Undocumented per-IP limit; bursts get 429 for minutes. A conservative default.
    .calls_per_minute = 60,
};

// Yahoo also accepts "1h" for the 60m interval.
inline constexpr std::string_view kHourAlias = "1h";

// Newer Yahoo servers allow 8 days of 1m data per request ("Only 8 days worth
// of 1m granularity data are allowed to be fetched per request."); older ones
// said 7, which is what the adapter asks at most (k1mSpanS).
inline constexpr Timestamp k1mDaysPerRequestServed = 8;

// URL paths under the base URL.
inline constexpr std::string_view kChartPath = "/v8/finance/chart/";  // + symbol
inline constexpr std::string_view kQuotePath = "/v7/finance/quote";
inline constexpr std::string_view kSearchPath = "/v1/finance/search";
inline constexpr std::string_view kCrumbPath = "/v1/test/getcrumb";
// Sets the session cookie the v7 quote's crumb goes with (answers 404).
inline constexpr std::string_view kCookieUrl = "https://fc.yahoo.com";

// Error envelopes: {"chart":{"result":null,"error":{"code","description"}}};
// quote and search use "quoteResponse" and "finance" for "chart".
inline constexpr std::string_view kChartKey = "chart";
inline constexpr std::string_view kQuoteResponseKey = "quoteResponse";
inline constexpr std::string_view kFinanceKey = "finance";
inline constexpr std::string_view kErrorKey = "error";
inline constexpr std::string_view kErrorCodeKey = "code";
inline constexpr std::string_view kErrorDescriptionKey = "description";
// error.code values: 404 unknown symbol, 422 intraday reach exceeded.
inline constexpr std::string_view kCodeNotFound = "Not Found";
inline constexpr std::string_view kCodeUnprocessable = "Unprocessable Entity";
// How a 400 description starts when the whole range lies before the listing
// (an empty answer, not an error, for a cache).
inline constexpr std::string_view kBeforeListingText = "Data doesn't exist";

}  // namespace finex::provider::yahoo
