#include "finex/provider/factory.h"

#include <string>

#include "finex/provider/traits.h"

namespace finex::provider {

std::string_view DefaultBaseUrl(ProviderId id) { return FactsOf(id).default_base_url; }

Result<std::unique_ptr<Provider>> OpenProvider(ProviderId id, const ProviderConfig& config,
                                               HttpClient& http, Clock& clock) {
  const std::string& b = config.base_url;
  if (!b.empty() && b.rfind("http://", 0) != 0 && b.rfind("https://", 0) != 0) {
    return InvalidArgumentError(std::string(ProviderName(id)) +
                                ": base_url must start with http:// or https://")
        .WithParam("base_url");
  }
  if (config.timeout_ms <= 0 || config.timeout_ms > 600000) {
    return InvalidArgumentError(std::string(ProviderName(id)) + ": timeout_ms " +
                                std::to_string(config.timeout_ms) + " is not in 1..600000")
        .WithParam("timeout_ms");
  }
  switch (id) {
    case ProviderId::kYahoo:
      return NewYahooProvider(config, http, clock);
    case ProviderId::kBinance:
      return NewBinanceProvider(config, http, clock);
    case ProviderId::kAlphaVantage:
      return NewAlphaVantageProvider(config, http, clock);
    case ProviderId::kTwelveData:
      return NewTwelveDataProvider(config, http, clock);
    case ProviderId::kCoinGecko:
      return NewCoinGeckoProvider(config, http, clock);
  }
  return InvalidArgumentError("unknown provider id").WithParam("provider");
}

}  // namespace finex::provider
