// CacheKey: the name of one stored fragment, and its versioned text codec.
//
//   finex:{symbol}:{interval}:{start_ts}:{end_ts}:{provider}:{currency}:{fields}_v{version}
//   finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1
//   finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv+adj_close_v1
//   finex:DELISTED:1d:1704067200:1706918400:yahoo:usd:empty_v1
//
// start_ts/end_ts are the first and last bar the provider ACTUALLY returned
// (both inclusive, UTC epoch seconds), never the requested range. A
// known-empty answer (before a listing, after a delisting, a holiday-only
// window) is a fragment too: its FieldSet is empty, its fields part reads
// "empty", and start_ts..end_ts (inclusive) is the range the empty answer
// vouches for. The byte format is specified in docs/key_format.md.
//
// Every part is validated on Encode and on Parse, so no input can forge a key,
// break parsing or widen an invalidation pattern: symbols follow
// ValidateSymbol (no ':' '*' '?' '[' ']' whitespace, control or non-ASCII
// bytes), intervals and field sets must be in canonical spelling, numbers are
// canonical decimal (no '+', no leading zeros), and start_ts <= end_ts. So
// there is exactly one encoding per key: Parse(Encode(k)) == k and
// Encode(Parse(s)) == s.
//
// Versioning: Encode writes `k.version` (kCurrentKeyVersion for new keys);
// Parse dispatches on the trailing "_v<N>" so keys written by older versions
// keep decoding after the format moves on.
//
// Thread-safety: values and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "finex/core/field_set.h"
#include "finex/core/interval.h"
#include "finex/core/status.h"
#include "finex/core/time.h"

namespace finex::key {

// The version new keys are written with.
inline constexpr int kCurrentKeyVersion = 1;
// Every finex key starts with this.
inline constexpr std::string_view kKeyPrefix = "finex:";
// Longest key text Parse will look at (real keys are < 200 bytes).
inline constexpr size_t kMaxKeyLength = 512;
// Limits of the provider and currency parts.
inline constexpr size_t kMaxProviderLength = 32;
inline constexpr size_t kMaxCurrencyLength = 12;
// Timestamps must lie in years 0001..9999 (as ParseTime accepts).
inline constexpr Timestamp kMinKeyTimestamp = -62135596800LL;  // 0001-01-01T00:00:00Z
inline constexpr Timestamp kMaxKeyTimestamp = 253402300799LL;  // 9999-12-31T23:59:59Z

struct CacheKey {
  std::string symbol;  // ValidateSymbol
  Interval interval = Interval::k1d;
  Timestamp start_ts = 0;               // first bar returned (inclusive)
  Timestamp end_ts = 0;                 // last bar returned (inclusive); >= start_ts
  std::string provider;                 // [a-z][a-z_]{0,31}, e.g. "yahoo", "alpha_vantage"
  std::string currency;                 // [a-z0-9]{1,12}, e.g. "usd", "usdt"
  FieldSet fields = FieldSet::Ohlcv();  // empty = a known-empty answer ("empty")
  int version = kCurrentKeyVersion;

  // True for a known-empty answer (fields part "empty").
  bool is_empty_answer() const { return fields.empty(); }

  // OK, or InvalidArgument naming the part and the reason (param: "symbols"
  // for the symbol as ValidateSymbol reports it, else "provider", "currency",
  // "start", "version").
  Status Validate() const;

  // The key text. InvalidArgument (see Validate) when any part is invalid;
  // never produces a key that Parse would reject or read differently.
  Result<std::string> Encode() const;

  // Decodes key text written by any supported version. InvalidArgument with
  // param "key" naming the part at fault for anything else.
  static Result<CacheKey> Parse(std::string_view text);

  friend bool operator==(const CacheKey&, const CacheKey&) = default;
};

// Part validators used by Encode/Parse (and by callers that build keys from
// user input, to fail early with the same messages).
Status ValidateProviderName(std::string_view provider);  // param "provider"
Status ValidateCurrencyCode(std::string_view currency);  // param "currency"

// "finex:AAPL:" — every key of a symbol (any interval, provider, ...). Because
// ':' cannot occur in a symbol, this prefix never matches "finex:AAPL.L:...".
// InvalidArgument if the symbol is invalid.
Result<std::string> SymbolPrefix(std::string_view symbol);
// "finex:AAPL:1d:" — every fragment of one symbol at one interval; callers
// filter provider/currency after parsing (they follow the range in the key).
Result<std::string> SeriesPrefix(std::string_view symbol, Interval interval);

}  // namespace finex::key
