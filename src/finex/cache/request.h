// Request resolution and validation: what a caller's history/quote/search
// request means, checked before anything is planned or fetched. Symbols
// (grammar, count, duplicates), interval, fields, start/end/period (resolved
// against "now"), provider (configured?) and currency; search text. Errors
// are InvalidArgument naming the parameter at fault (Status::param), the
// way server/ reports them.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/cache/providers.h"
#include "finex/core/time_range.h"

namespace finex::cache {

// A history request as finex resolved it.
struct HistoryQuery {
  std::vector<std::string> symbols;
  Interval interval = Interval::k1d;
  TimeRange range;               // half-open [start, end + 1)
  Timestamp start = 0, end = 0;  // inclusive, as echoed in ResolvedQuery
  FieldSet fields;
  std::string provider;   // "" = finex picks
  std::string currency;   // lower-case; "" = native
  ProviderCallGate gate;  // HistoryOptions::gate
};

// Non-empty, at most `max_symbols`, each valid (core/symbol.h), no repeats.
Status ValidateSymbols(std::span<const std::string> symbols, size_t max_symbols);

// Resolves opts at `now`: end defaults to now, start to period (or a year
// before end); both must lie in years 0001..9999.
Result<HistoryQuery> ResolveHistory(std::span<const std::string> symbols,
                                    const HistoryOptions& opts, Timestamp now, size_t max_symbols,
                                    const ProviderRoster& providers);

// The search text trimmed of spaces: non-empty, at most 100 characters, no
// control characters (param "q").
Result<std::string_view> NormalizeSearchQuery(std::string_view query);

std::string Lower(std::string_view s);

}  // namespace finex::cache
