// Alpha Vantage facts (PROVIDERS.md [A1]-[A7]): function names and intraday
// interval spellings, what one call carries (a month of intraday, the whole
// daily series), output sizes, the API key, throttle/error body keys, quota.
// Read by the adapter (alpha_vantage_provider.cc), the simulator
// (sim/detail/alpha_vantage.cc) and, through TraitsOf, the cache and config.
//
// Thread-safety: constants and pure functions.
#pragma once

#include <string_view>

#include "finex/provider/facts.h"

namespace finex::provider::alpha_vantage {

// TIME_SERIES_INTRADAY/FX_INTRADAY answer one month per call (month=YYYY-MM,
// any month since 2000-01) [A4].
inline constexpr Timestamp kIntradaySpanS = 31 * kSecondsPerDay;
inline constexpr int kIntradayFirstYear = 2000;

inline constexpr ProviderFacts kFacts = {
    .id = ProviderId::kAlphaVantage,
    .default_base_url = "https://www.alphavantage.co",
    // The `interval` of the intraday functions; daily and longer are
    // functions of their own (SeriesFunction) without an interval.
    .intervals = {"1min", "5min", "15min", "30min", "60min", "", "", ""},
    .reach = {{{true, kIntradaySpanS, 0, true},
               {true, kIntradaySpanS, 0, true},
               {true, kIntradaySpanS, 0, true},
               {true, kIntradaySpanS, 0, true},
               {true, kIntradaySpanS, 0, true},
               {},
               {},
               {}}},
    .max_rows_per_call = 0,
    // No range parameters: outputsize=full ("bonus data") and WEEKLY/MONTHLY
    // always answer the whole series [A2][A3].
    .whole_daily_history_per_call = true,
    // TIME_SERIES_DAILY/WEEKLY/MONTHLY are as traded; only the _ADJUSTED
    // variants' adjusted close is restated.
    .restates_ohlc_on_split = false,
    .needs_api_key = true,
    .api_key_env = "FINEX_ALPHA_VANTAGE_KEY",
    // Free key: 25/day now (older terms 5/min, 500/day) [A5][A6]. The per-minute figure.
    .calls_per_minute = 5,
    // Free key: 25 requests per day (older terms: 500); premium plans have
    // no daily limit (configure calls_per_day = 0) [A5][A6].
    .calls_per_day = 25,
};

// Everything is GET /query?function=...&apikey=KEY (the key only in the URL).
inline constexpr std::string_view kQueryPath = "/query";
inline constexpr std::string_view kApiKeyParam = "apikey";

// Functions.
inline constexpr std::string_view kIntradayFunction = "TIME_SERIES_INTRADAY";
inline constexpr std::string_view kFxIntradayFunction = "FX_INTRADAY";
inline constexpr std::string_view kGlobalQuoteFunction = "GLOBAL_QUOTE";
inline constexpr std::string_view kSymbolSearchFunction = "SYMBOL_SEARCH";
// The variant with adjusted close, dividends (and, daily, split coefficients).
inline constexpr std::string_view kAdjustedSuffix = "_ADJUSTED";
// The equity series function of a daily+ interval (TIME_SERIES_DAILY,
// _WEEKLY, _MONTHLY); "" for intraday intervals (kIntradayFunction).
constexpr std::string_view SeriesFunction(Interval iv) {
  switch (iv) {
    case Interval::k1d:
      return "TIME_SERIES_DAILY";
    case Interval::k1w:
      return "TIME_SERIES_WEEKLY";
    case Interval::k1mo:
      return "TIME_SERIES_MONTHLY";
    default:
      return "";
  }
}
// The FX series function of a daily+ interval (FX_DAILY, _WEEKLY, _MONTHLY).
constexpr std::string_view FxFunction(Interval iv) {
  switch (iv) {
    case Interval::k1d:
      return "FX_DAILY";
    case Interval::k1w:
      return "FX_WEEKLY";
    case Interval::k1mo:
      return "FX_MONTHLY";
    default:
      return "";
  }
}

// outputsize: compact = the latest kCompactPoints points, full = everything.
inline constexpr std::string_view kOutputSizeCompact = "compact";
inline constexpr std::string_view kOutputSizeFull = "full";
inline constexpr int kCompactPoints = 100;

// The currency an equity symbol trades in, from its exchange suffix as the
// SYMBOL_SEARCH answers spell them ("TSCO.LON" GBX, "TCO2.FRK" EUR; no
// suffix: a US listing, USD). Series answers state no currency for
// equities, so the adapter fills it from here; "" for a suffix not listed.
struct ExchangeCurrency {
  std::string_view suffix;    // after the '.'
  std::string_view currency;  // lower-case, as finex stores it
};
inline constexpr ExchangeCurrency kExchangeCurrencies[] = {
    {"LON", "gbx"}, {"TRT", "cad"}, {"TRV", "cad"}, {"DEX", "eur"}, {"FRK", "eur"},
    {"BSE", "inr"}, {"NSE", "inr"}, {"SHH", "cny"}, {"SHZ", "cny"}, {"SAO", "brl"},
};
constexpr std::string_view EquityCurrency(std::string_view symbol) {
  const size_t dot = symbol.rfind('.');
  if (dot == std::string_view::npos) return "usd";
  const std::string_view suffix = symbol.substr(dot + 1);
  for (const ExchangeCurrency& e : kExchangeCurrencies)
    if (e.suffix == suffix) return e.currency;
  return "";
}

// The "Meta Data" object of a series answer, and how it names US/Eastern.
inline constexpr std::string_view kMetaDataKey = "Meta Data";
inline constexpr std::string_view kEasternZoneName = "US/Eastern";

// Errors and throttles arrive with HTTP 200: {"Error Message": ...} (bad
// call, unknown symbol, missing key), {"Note": ...} (per-minute throttle,
// older terms) or {"Information": ...} (daily throttle, premium) [A6][A7].
inline constexpr std::string_view kErrorMessageKey = "Error Message";
inline constexpr std::string_view kNoteKey = "Note";
inline constexpr std::string_view kInformationKey = "Information";

}  // namespace finex::provider::alpha_vantage
