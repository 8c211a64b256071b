#include <string>

#include "finex/core/symbol.h"
#include "finex/provider/provider.h"

namespace finex::provider {

std::string_view ProviderName(ProviderId id) {
  switch (id) {
    case ProviderId::kYahoo:
      return "yahoo";
    case ProviderId::kBinance:
      return "binance";
    case ProviderId::kAlphaVantage:
      return "alpha_vantage";
    case ProviderId::kTwelveData:
      return "twelve_data";
    case ProviderId::kCoinGecko:
      return "coingecko";
  }
  return "unknown";
}

Result<ProviderId> ParseProviderId(std::string_view name) {
  for (ProviderId id : kAllProviders) {
    if (ProviderName(id) == name) return id;
  }
  return InvalidArgumentError("provider '" + Printable(name) +
                              "' is not one of yahoo binance alpha_vantage twelve_data coingecko")
      .WithParam("provider");
}

}  // namespace finex::provider

#include "finex/provider/traits.h"

namespace finex::provider {

const ProviderTraits& TraitsOf(ProviderId id) {
  static const ProviderTraits kRestating{true};
  static const ProviderTraits kAsTraded{false};
  return id == ProviderId::kAlphaVantage ? kAsTraded : kRestating;
}

}  // namespace finex::provider
