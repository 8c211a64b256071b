// The fixed column layout finex writes, shared by writer and reader.
// Thread-safety: constants only.
#pragma once

#include <array>
#include <string_view>

namespace finex::codec::pq {

// Column order in files finex writes.
enum class Col : int {
  kSymbol = 0,
  kTimestamp,
  kOpen,
  kHigh,
  kLow,
  kClose,
  kVolume,
  kAdjClose,
  kMarketCap,
  kProvider,
  kCurrency,
  kTimezone,
};
inline constexpr int kNumCols = 12;
inline constexpr std::array<std::string_view, kNumCols> kColNames = {
    "symbol", "timestamp", "open",       "high",     "low",      "close",
    "volume", "adj_close", "market_cap", "provider", "currency", "timezone"};

inline constexpr std::string_view kCreatedByPrefix = "finex";
// A finex file names its writer in created_by; every finex file carries the
// envelope checksum except those written with envelope_checksum=false, which
// say so with the second spelling. (A damaged created_by cannot turn one
// spelling into the other with a single flip: their lengths differ.)
inline constexpr std::string_view kCreatedBy = "finex parquet codec 1 (finex 0.1.0)";
inline constexpr std::string_view kCreatedByNoEnvelope =
    "finex parquet codec 1 (finex 0.1.0; no envelope)";

}  // namespace finex::codec::pq
