// ProviderTraits: what the cache must know about a provider's data beyond
// what one call carries (CallLimits) — facts of the provider, not of a call.
// Each value comes from the provider's facts header (provider/<name>/
// <name>_facts.h), the one place the adapter and the simulator also read.
//
// Thread-safety: immutable values.
#pragma once

#include "finex/provider/provider.h"

namespace finex::provider {

struct ProviderTraits {
  // Whether the provider restates a series' OHLC after a split (Yahoo,
  // Twelve Data), so pieces fetched before the split are stale. Alpha
  // Vantage's daily series are as-traded (only adj_close is restated);
  // Binance and CoinGecko have no corporate actions. Default: true (safe).
  bool restates_ohlc_on_split = true;
};

// The traits of a provider.
const ProviderTraits& TraitsOf(ProviderId id);

}  // namespace finex::provider
