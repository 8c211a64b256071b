// FieldSet: which value columns a request or fragment carries beyond the key
// columns (symbol, timestamp). `ohlcv` = open, high, low, close, volume; plus
// `adj_close` and `market_cap`. A fragment holding `ohlcv` does not answer a
// request for `adj_close` (a field gap).
//
// Canonical name: members in the fixed order ohlcv, adj_close, market_cap,
// joined by '+' ("ohlcv+adj_close"). Parse accepts ',' or '+' separators.
//
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "finex/core/status.h"

namespace finex {

class FieldSet {
 public:
  enum Bit : uint8_t { kOhlcv = 1, kAdjClose = 2, kMarketCap = 4 };
  static constexpr uint8_t kAllBits = 7;

  constexpr FieldSet() = default;
  constexpr explicit FieldSet(uint8_t bits) : bits_(bits & kAllBits) {}
  static constexpr FieldSet Ohlcv() { return FieldSet(kOhlcv); }
  static constexpr FieldSet All() { return FieldSet(kAllBits); }

  // "ohlcv", "ohlcv,adj_close", "adj_close+market_cap"; InvalidArgument
  // (param "fields") for unknown names, empty sets or duplicates.
  static Result<FieldSet> Parse(std::string_view text);

  // Canonical '+'-joined name; "" for the empty set.
  std::string Name() const;

  constexpr uint8_t bits() const { return bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool Has(Bit b) const { return (bits_ & b) != 0; }
  // True when every field of `o` is in this set.
  constexpr bool Contains(FieldSet o) const { return (bits_ & o.bits_) == o.bits_; }
  constexpr FieldSet Union(FieldSet o) const { return FieldSet(bits_ | o.bits_); }
  constexpr FieldSet Intersect(FieldSet o) const { return FieldSet(bits_ & o.bits_); }
  constexpr FieldSet Minus(FieldSet o) const { return FieldSet(bits_ & ~o.bits_); }

  friend constexpr bool operator==(FieldSet a, FieldSet b) { return a.bits_ == b.bits_; }

 private:
  uint8_t bits_ = 0;
};

}  // namespace finex
