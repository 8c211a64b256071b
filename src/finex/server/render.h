// Serializers for the service's answers (API.md "JSON answers are
// columnar"): history, quotes and search results as columnar JSON ({"data":
// {column: [values]}, "cache_info": {...}, "query": {...}}) or CSV, cache
// stats as JSON, and cache_info as X-Finex-* headers for non-JSON formats.
//
// Thread-safety: pure functions over immutable inputs.
#pragma once

#include <string>

#include "finex/cache/cached_api.h"
#include "finex/http/server.h"
#include "finex/server/params.h"

namespace finex::server {

// History columns: symbol, timestamp, then the requested value fields
// (open, high, low, close, volume / adj_close / market_cap), then provider,
// currency. Null values are JSON null / empty CSV cells.
std::string RenderHistoryJson(const cache::HistoryResult& r, const HistoryParams& p);
std::string RenderHistoryCsv(const cache::HistoryResult& r, const HistoryParams& p);

std::string RenderQuotesJson(const cache::QuoteResult& r, const QuoteParams& p);
std::string RenderQuotesCsv(const cache::QuoteResult& r);

std::string RenderSearchJson(const cache::SearchResults& r, const SearchParams& p);
std::string RenderSearchCsv(const cache::SearchResults& r);

// The cache_info object (also used by quote and search answers).
void AppendCacheInfoJson(std::string& out, const cache::CacheInfo& info);
// X-Finex-Hit-Rate, X-Finex-Api-Calls, X-Finex-Cache-Keys (comma-joined,
// truncated to fit a header), X-Finex-Response-Time-Ms, X-Finex-Freshness-S
// (and X-Finex-Stale when served stale).
void AppendCacheInfoHeaders(http::Headers& h, const cache::CacheInfo& info);

// Server-side figures shown next to the engine's in /v1/cache/stats.
struct ServerFigures {
  uint64_t requests = 0;
  uint64_t answer_cache_hits = 0, answer_cache_misses = 0;
  uint64_t answer_cache_entries = 0, answer_cache_bytes = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;  // all /v1 data routes
  double uptime_s = 0;
};
std::string RenderStatsJson(const cache::CacheStats& s, const ServerFigures& f);

std::string RenderWarmStatusJson(const cache::WarmStatus& w);

}  // namespace finex::server
