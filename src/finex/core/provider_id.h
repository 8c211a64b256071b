// ProviderId: the upstream market-data sources finex knows, and the one list
// of them (kAllProviders). Every list of provider names in the tree — config
// keys, query-parameter validation, the simulator's prefixes, error messages —
// is built from kAllProviders and ProviderName, so adding a provider is one
// edit here (plus its adapter and facts under provider/<name>/).
//
// Thread-safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "finex/core/status.h"

namespace finex {

enum class ProviderId : uint8_t { kYahoo, kBinance, kAlphaVantage, kTwelveData, kCoinGecko };

// Every provider, in enum order (also the order of every provider list finex prints).
inline constexpr ProviderId kAllProviders[] = {ProviderId::kYahoo, ProviderId::kBinance,
                                               ProviderId::kAlphaVantage, ProviderId::kTwelveData,
                                               ProviderId::kCoinGecko};

// "yahoo", "binance", "alpha_vantage", "twelve_data", "coingecko": the name
// used in config keys, query parameters, URLs and stats.
constexpr std::string_view ProviderName(ProviderId id) {
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

// Accepts exactly the names above (case-sensitive); InvalidArgument (param
// "provider") naming the known providers otherwise.
Result<ProviderId> ParseProviderId(std::string_view name);

// Whether `name` is one of the names above.
bool IsProviderName(std::string_view name);

// The names of kAllProviders, each preceded by `prefix`, joined by
// `separator`: JoinProviderNames(", ") == "yahoo, binance, alpha_vantage,
// twelve_data, coingecko"; JoinProviderNames(" ", "/") == "/yahoo /binance ...".
std::string JoinProviderNames(std::string_view separator, std::string_view prefix = "");

}  // namespace finex
