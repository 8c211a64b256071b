// Internal: the generator's symbol catalogue — the built-in well-known
// instruments (real names, price levels around 2024-01, listing dates, shares
// outstanding) and, for any other symbol, what a provider would say about it
// (name, type, exchange, currency and a price level derived from the
// symbol's shape and hash). Price paths and corporate actions are the
// generator's (generator.cc); loaded CSV data is csv_history.*.
//
// Thread-safety: pure functions over constant tables.
#pragma once

#include <cstdint>
#include <string_view>

#include "finex/calendar/calendar.h"
#include "finex/sim/generator.h"

namespace finex::sim::detail {

// Metadata of `symbol` and its price level around 2024-01 (`*level`), with
// `h` the symbol's hash (Mix(HashString(symbol), seed)). info.listed is the
// catalogue's listing (loaded data may move it); info.from_data is false.
SymbolInfo DescribeSymbol(std::string_view symbol, uint64_t h, double* level);

// The first session open at or after day `day` (searching up to 30 days);
// 00:00 UTC of `day` when there is none.
Timestamp FirstOpenFrom(const calendar::Calendar& cal, int64_t day);

}  // namespace finex::sim::detail
