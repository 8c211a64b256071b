// ProviderFacts: the shape of one upstream's facts — how it spells each
// interval, how far each interval reaches, how many rows one call carries,
// whether one call answers a whole daily history, its quota and API key. Each
// provider fills one in its facts header (provider/<name>/<name>_facts.h,
// next to provider-specific facts such as URL paths and error-body keys);
// the adapter, the simulator (sim/detail/<name>.cc) and the cache all read
// that one header, so a fact is written once. The adapter's parsing and the
// simulator's rendering stay separate code: only the facts are shared.
//
// Everything here is constexpr and header-only (no link dependency), which is
// what lets sim/ read the facts without linking the adapters.
//
// Thread-safety: immutable constants and pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "finex/core/interval.h"
#include "finex/core/provider_id.h"
#include "finex/core/time.h"

namespace finex::provider {

// WireNames/ReachTable are indexed by the enum value: kAllIntervals must list 0, 1, 2, ...
static_assert([] {
  for (size_t i = 0; i < kAllIntervals.size(); ++i) {
    if (static_cast<size_t>(kAllIntervals[i]) != i) return false;
  }
  return true;
}());

// One provider's spelling of every Interval on the wire, in kAllIntervals
// order (e.g. Yahoo {"1m", "5m", "15m", "30m", "60m", "1d", "1wk", "1mo"});
// "" where the provider has no such interval parameter.
using WireNames = std::array<std::string_view, kAllIntervals.size()>;

// names's entry for `iv`.
constexpr std::string_view WireName(const WireNames& names, Interval iv) {
  return names[static_cast<size_t>(iv)];
}

// The Interval spelled `wire` in `names` (the finest one if two share a
// spelling); nullopt for "" or a spelling not in `names`.
constexpr std::optional<Interval> IntervalOfWire(const WireNames& names, std::string_view wire) {
  if (wire.empty()) return std::nullopt;
  for (Interval iv : kAllIntervals) {
    if (WireName(names, iv) == wire) return iv;
  }
  return std::nullopt;
}

// How far one interval reaches on a provider (for its plan in the facts).
struct IntervalReach {
  bool supported = true;         // the provider has this interval at all. Default: true
  Timestamp max_span_s = 0;      // longest range one call may ask; 0 (default) = unlimited
  Timestamp max_lookback_s = 0;  // how far back from now it reaches; 0 (default) = unlimited
  // One call answers exactly one calendar month (UTC): Alpha Vantage's
  // intraday `month=YYYY-MM`. The planner aligns such calls to months, so a
  // widened call never costs two upstream requests. Default: false.
  bool month_per_call = false;
};
using ReachTable = std::array<IntervalReach, kAllIntervals.size()>;

// The reach of `iv` in `table`.
constexpr const IntervalReach& ReachOf(const ReachTable& table, Interval iv) {
  return table[static_cast<size_t>(iv)];
}

struct ProviderFacts {
  ProviderId id = ProviderId::kYahoo;
  std::string_view default_base_url;  // the real service, no trailing '/'
  WireNames intervals = {};           // history interval spellings ("" = not a parameter)
  ReachTable reach = {};              // per interval; default: everything, unlimited
  // Rows one history call returns at most; 0 (default) = no cap.
  int64_t max_rows_per_call = 0;
  // Every daily/weekly/monthly history call answers the symbol's whole
  // series (Alpha Vantage: no range parameters). Default: false.
  bool whole_daily_history_per_call = false;
  // The provider restates a series' OHLC after a split (Yahoo, Twelve Data).
  // Default: true (the safe assumption for a cache).
  bool restates_ohlc_on_split = true;
  // The provider refuses every call without an API key. Default: false.
  bool needs_api_key = false;
  // The environment variable finex reads the key from; "" (default) = none.
  std::string_view api_key_env;
  // Sustained calls per minute the provider's default plan allows (the rate
  // limiter's default; config may lower it). Default: 60.
  double calls_per_minute = 60;
  // Calls per UTC day the default plan allows (the daily budget's default;
  // config may change it); the budget resets at 00:00 UTC. 0 (default) = no
  // daily budget.
  int64_t calls_per_day = 0;
  // Request weight (Binance's REQUEST_WEIGHT): the provider meters a
  // per-minute weight budget per IP besides calls, and each kind of call
  // weighs its own. The rate limiter then counts weight against
  // weight_per_minute (calls_per_minute still bounds the calls). 0 (default)
  // = no weight budget; the weights default to 1.
  int64_t weight_per_minute = 0;
  int64_t history_call_weight = 1;  // one history call (one page)
  int64_t quote_call_weight = 1;    // one quote call (one symbol)
  int64_t search_call_weight = 1;   // one search call
  // A history call takes the currency to quote in and answers in it
  // (CoinGecko's vs_currency); others answer in the instrument's own and
  // finex converts (cache/currency.h). Default: false.
  bool quotes_in_any_currency = false;
};

}  // namespace finex::provider
