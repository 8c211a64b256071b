// Interval: the bar sizes finex serves (1m 5m 15m 30m 1h 1d 1w 1mo), with
// parsing, printing and UTC bar-boundary arithmetic.
//
// Bar boundaries here are UTC: minute/hour bars floor to multiples of their
// length since the epoch, 1d to 00:00 UTC, 1w to Monday 00:00 UTC, 1mo to the
// first of the month 00:00 UTC. (Daily/weekly/monthly bars are stamped with
// 00:00 UTC of their exchange trading date, so these are also their stamps.)
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <string_view>

#include "finex/core/status.h"
#include "finex/core/time.h"

namespace finex {

enum class Interval : uint8_t { k1m, k5m, k15m, k30m, k1h, k1d, k1w, k1mo };

inline constexpr std::array<Interval, 8> kAllIntervals = {
    Interval::k1m, Interval::k5m, Interval::k15m, Interval::k30m,
    Interval::k1h, Interval::k1d, Interval::k1w,  Interval::k1mo};

// Parses "1m".."1mo". Also accepts common aliases: "60m" -> 1h, "1wk" -> 1w,
// "1h"/"1d". Anything else: InvalidArgument with param "interval".
Result<Interval> ParseInterval(std::string_view text);
// Canonical name: "1m", "5m", "15m", "30m", "1h", "1d", "1w", "1mo".
std::string_view IntervalName(Interval iv);

// Nominal length in seconds (1mo = 30 days, 1w = 7 days). Exact for <= 1w.
Timestamp NominalSeconds(Interval iv);
// True for 1m..1h.
inline bool IsIntraday(Interval iv) { return iv <= Interval::k1h; }

// Start of the bar containing ts (UTC boundaries, see file comment).
Timestamp FloorToBar(Timestamp ts, Interval iv);
// Smallest bar start >= ts.
Timestamp CeilToBar(Timestamp ts, Interval iv);
// Start of the bar after the one starting at bar_start.
Timestamp NextBar(Timestamp bar_start, Interval iv);
// True if ts is exactly a bar start.
inline bool IsBarAligned(Timestamp ts, Interval iv) { return FloorToBar(ts, iv) == ts; }

}  // namespace finex
