// Bars and frames for unit tests: one plausible bar around a close, and the
// frame of a list of bars, so each test states only the values it is about.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "finex/core/frame.h"
#include "finex/core/status.h"

namespace finex::testing {

// A bar of `symbol` at `ts` around `close`: open close-1, high close+2, low
// close-2, volume 1000, adj_close close/2, from yahoo in usd, zone
// America/New_York. Tests set what they need on the result.
inline Bar TestBar(std::string symbol, Timestamp ts, double close) {
  Bar b;
  b.symbol = std::move(symbol);
  b.timestamp = ts;
  b.open = close - 1;
  b.high = close + 2;
  b.low = close - 2;
  b.close = close;
  b.volume = 1000;
  b.adj_close = close * 0.5;
  b.provider = "yahoo";
  b.currency = "usd";
  b.timezone = "America/New_York";
  return b;
}

// The frame of `bars` (any order) holding `fields`. Aborts if the builder
// refuses them (a broken test, not a result).
inline FramePtr FrameOf(const std::vector<Bar>& bars, FieldSet fields) {
  FrameBuilder b(fields);
  for (const Bar& bar : bars) b.Add(bar);
  Result<FramePtr> r = std::move(b).Finish();
  FINEX_CHECK(r.ok());
  return *r;
}

}  // namespace finex::testing
