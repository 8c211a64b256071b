// Currency conversion of history answers (DESIGN.md "Currencies"): a request
// in a currency the instrument is not quoted in is answered from the native
// series times an FX series that the cache fetches and keeps like any other
// series. This file holds the pure parts: which FX series converts one
// currency into another, and the conversion of a frame with it.
//
//   - Codes are finex's lower-case ones; minor units keep their meaning:
//     "gbx" (pence) is 1/100 "gbp", "zac" 1/100 "zar", "ila" 1/100 "ils".
//     gbx → gbp needs no FX series, only the factor.
//   - The FX series of (from, to) is Yahoo's spelling "FROMTO=X" (its close
//     is the price of one FROM in TO), which Yahoo and Alpha Vantage serve.
//   - Each bar is converted with ONE rate: the close of the last FX bar that
//     opened inside the bar's span (for a daily bar, that day's FX close; for
//     a weekly or monthly bar, the last FX close of its period; for an
//     intraday bar, the FX bar of the same time), else the latest before it
//     within `max_gap_s`. open/high/low/close/adj_close/market_cap are
//     multiplied by it; volume is a count of shares and stays.
//   - A bar with no rate within max_gap_s is an OutOfRange error naming the
//     bar's date and the FX series (never a silently unconverted price).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "finex/core/frame.h"
#include "finex/core/interval.h"
#include "finex/core/status.h"

namespace finex::cache {

// How `from` becomes `to`: price_in_to = price_in_from * scale * fx_close,
// where fx_close is the close of fx_symbol (none when fx_symbol is empty).
struct FxRoute {
  std::string fx_symbol;             // "USDEUR=X"; "" = the factor alone converts
  double scale = 1;                  // minor units: gbx → gbp 0.01, gbp → gbx 100
  std::string major_from, major_to;  // the ISO majors the FX series joins ("usd", "eur")
};

// The route from `from` to `to` (finex's lower-case codes). InvalidArgument
// (param "currency") when either is not a three-letter code.
Result<FxRoute> FxRouteFor(std::string_view from, std::string_view to);

// `native` (one symbol, one interval) with its rows in `from` converted into
// `to` through `route` with the closes of `fx` (may be null when
// route.fx_symbol is empty). Rows in another currency are kept as they are
// (the caller converts one currency at a time).
Result<FramePtr> ConvertFrame(const Frame& native, std::string_view from, std::string_view to,
                              const FxRoute& route, const Frame* fx, Interval interval,
                              Timestamp max_gap_s);

}  // namespace finex::cache
