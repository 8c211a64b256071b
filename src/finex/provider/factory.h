// Provider factory: one entry point to build any adapter by id, plus the
// NewXxxProvider constructors of each adapter (which cannot fail).
//
// Ownership: the returned Provider borrows `http` and `clock`; both must
// outlive it. Thread-safety: the returned providers are thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "finex/core/clock.h"
#include "finex/core/status.h"
#include "finex/provider/config.h"
#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider {

// The real provider's root URL: "https://query2.finance.yahoo.com",
// "https://api.binance.com", "https://www.alphavantage.co",
// "https://api.twelvedata.com", "https://api.coingecko.com".
std::string_view DefaultBaseUrl(ProviderId id);

std::unique_ptr<Provider> NewYahooProvider(const ProviderConfig& config, HttpClient& http,
                                           Clock& clock);
std::unique_ptr<Provider> NewBinanceProvider(const ProviderConfig& config, HttpClient& http,
                                             Clock& clock);
std::unique_ptr<Provider> NewAlphaVantageProvider(const ProviderConfig& config, HttpClient& http,
                                                  Clock& clock);
std::unique_ptr<Provider> NewTwelveDataProvider(const ProviderConfig& config, HttpClient& http,
                                                Clock& clock);
std::unique_ptr<Provider> NewCoinGeckoProvider(const ProviderConfig& config, HttpClient& http,
                                               Clock& clock);

// Builds the adapter for `id`. InvalidArgument (param "base_url") when the
// base URL is not http(s)://..., or (param "timeout_ms") when the timeout is
// not in 1..600000 ms.
Result<std::unique_ptr<Provider>> OpenProvider(ProviderId id, const ProviderConfig& config,
                                               HttpClient& http, Clock& clock);

}  // namespace finex::provider
