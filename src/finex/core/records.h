// Standardized quote and search rows: every provider's answer to a quote or a
// symbol search is translated into these, whatever its wire format.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "finex/core/time.h"

namespace finex {

struct Quote {
  std::string symbol;
  double price = 0;
  std::optional<double> change, change_percent;
  std::optional<int64_t> volume;
  std::optional<double> high_24h, low_24h, market_cap;
  Timestamp timestamp = 0;  // when the price was observed (UTC seconds)
  std::string provider;
  std::string currency;      // lower-case ISO code as the provider reported it ("usd")
  std::string market_state;  // "PRE" | "REGULAR" | "POST" | "CLOSED" | "" (unknown)
  friend bool operator==(const Quote&, const Quote&) = default;
};

struct SearchResult {
  std::string symbol;
  std::string name;
  std::string type;  // "equity", "etf", "index", "crypto", "fx", "future", "fund", ...
  std::string exchange, currency, country, sector, industry;
  std::optional<double> market_cap;
  std::string provider;
  double match_score = 0;  // 0..1, higher is better
  friend bool operator==(const SearchResult&, const SearchResult&) = default;
};

}  // namespace finex
