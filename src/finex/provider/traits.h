// ProviderTraits: what the cache (and the config layer) must know about a
// provider's data beyond what one call carries (CallLimits) — facts of the
// provider, not of a call. Each value comes from the provider's facts header
// (provider/<name>/<name>_facts.h), the one place the adapter and the
// simulator also read; FactsOf gives the whole facts record.
//
// Header-only (constexpr tables), so layers above provider/ can read the
// traits without linking an adapter.
//
// Thread-safety: immutable values.
#pragma once

#include <cstddef>
#include <string_view>

#include "finex/core/provider_id.h"
#include "finex/provider/alpha_vantage/alpha_vantage_facts.h"
#include "finex/provider/binance/binance_facts.h"
#include "finex/provider/coingecko/coingecko_facts.h"
#include "finex/provider/facts.h"
#include "finex/provider/provider.h"
#include "finex/provider/twelve_data/twelve_data_facts.h"
#include "finex/provider/yahoo/yahoo_facts.h"

namespace finex::provider {

struct ProviderTraits {
  // Whether the provider restates a series' OHLC after a split (Yahoo,
  // Twelve Data), so pieces fetched before the split are stale. Alpha
  // Vantage's daily series are as-traded (only adj_close is restated);
  // Binance and CoinGecko have no corporate actions. Default: true (safe).
  bool restates_ohlc_on_split = true;
  // Whether every daily/weekly/monthly history call answers the symbol's
  // whole series (Alpha Vantage), so one call pays for all of it. Default: false.
  bool whole_daily_history_per_call = false;
  // Whether the provider refuses every call without an API key (Alpha
  // Vantage, Twelve Data). Default: false.
  bool needs_api_key = false;
  // The environment variable finex reads the provider's key from by
  // default; "" = none. Default: "".
  std::string_view api_key_env;
  // Sustained calls per minute the provider's default plan allows: the
  // default of providers.<name>.rate_limit_per_min. Default: 60.
  double calls_per_minute = 60;
  // Calls per UTC day the default plan allows: the default of
  // providers.<name>.calls_per_day. Default: 0 (no daily budget).
  int64_t calls_per_day = 0;
};

// The facts record of a provider.
constexpr const ProviderFacts& FactsOf(ProviderId id) {
  switch (id) {
    case ProviderId::kYahoo:
      return yahoo::kFacts;
    case ProviderId::kBinance:
      return binance::kFacts;
    case ProviderId::kAlphaVantage:
      return alpha_vantage::kFacts;
    case ProviderId::kTwelveData:
      return twelve_data::kFacts;
    case ProviderId::kCoinGecko:
      return coingecko::kFacts;
  }
  return yahoo::kFacts;
}

// The traits carried by a facts record.
constexpr ProviderTraits TraitsFromFacts(const ProviderFacts& f) {
  ProviderTraits t;
  t.restates_ohlc_on_split = f.restates_ohlc_on_split;
  t.whole_daily_history_per_call = f.whole_daily_history_per_call;
  t.needs_api_key = f.needs_api_key;
  t.api_key_env = f.api_key_env;
  t.calls_per_minute = f.calls_per_minute;
  t.calls_per_day = f.calls_per_day;
  return t;
}

namespace traits_detail {
// Indexed by ProviderId (kAllProviders is in enum order).
inline constexpr ProviderTraits kTraits[] = {
    TraitsFromFacts(FactsOf(ProviderId::kYahoo)),
    TraitsFromFacts(FactsOf(ProviderId::kBinance)),
    TraitsFromFacts(FactsOf(ProviderId::kAlphaVantage)),
    TraitsFromFacts(FactsOf(ProviderId::kTwelveData)),
    TraitsFromFacts(FactsOf(ProviderId::kCoinGecko)),
};
static_assert(std::size(kTraits) == std::size(kAllProviders));
}  // namespace traits_detail

// The traits of a provider.
inline const ProviderTraits& TraitsOf(ProviderId id) {
  return traits_detail::kTraits[static_cast<size_t>(id)];
}

}  // namespace finex::provider
