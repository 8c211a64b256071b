// Request parameter parsing for the /v1 routes (API.md "HTTP service"). Every
// parameter is validated here, before the engine is asked anything, and every
// failure is InvalidArgument / OutOfRange with `param` naming the parameter,
// so the client learns exactly what to fix. Unknown and repeated parameters
// are rejected too (a typo such as `symbol=` must not silently fall back to a
// default).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/core/status.h"
#include "finex/core/time.h"

namespace finex::server {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

enum class Format { kJson, kCsv, kParquet };
std::string_view FormatName(Format f);

struct ParamLimits {
  size_t max_symbols = 100;      // symbols per request
  int64_t max_rows = 1'000'000;  // estimated rows per history answer (upper bound)
  size_t max_search_chars = 64;  // length of q=
};

// The provider names finex knows (core/provider_id.h kAllProviders).
bool IsKnownProvider(std::string_view name);
// Their names joined by ", ": "yahoo, binance, alpha_vantage, twelve_data, coingecko".
std::string_view KnownProviderList();

struct HistoryParams {
  std::vector<std::string> symbols;
  cache::HistoryOptions options;  // start/end resolved (period kept for the engine)
  Timestamp start = 0;            // resolved, inclusive (for the echo and the row estimate)
  Timestamp end = 0;              // resolved, inclusive
  bool start_given = false;       // `start` was in the request (not period, not the default)
  Format format = Format::kJson;
  int64_t estimated_rows = 0;  // upper bound: bars in [start, end] × symbols
  // Normalized request for the answer cache: equal for equivalent requests.
  std::string Key() const;
};

struct QuoteParams {
  std::vector<std::string> symbols;
  cache::QuoteOptions options;
  Format format = Format::kJson;
  std::string Key() const;
};

struct SearchParams {
  std::string q;
  cache::SearchOptions options;
  Format format = Format::kJson;
  std::string Key() const;
};

// `now` resolves period= and the default range (one year up to now).
Result<HistoryParams> ParseHistoryParams(const QueryParams& q, const ParamLimits& limits,
                                         Timestamp now);
Result<QuoteParams> ParseQuoteParams(const QueryParams& q, const ParamLimits& limits);
Result<SearchParams> ParseSearchParams(const QueryParams& q, const ParamLimits& limits);

// A warm job from the POST /v1/cache/warm JSON body:
// {"symbols":[..],"intervals":[..],"ranges":[{"start":..,"end":..}],"provider":".."}
// start/end accept the same forms as the query parameters (strings or epoch
// numbers). At most limits.max_symbols symbols, 8 intervals, 32 ranges.
Result<cache::WarmRequest> ParseWarmBody(std::string_view body, const ParamLimits& limits);

}  // namespace finex::server
