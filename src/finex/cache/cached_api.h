// CachedApi: finex's engine and the one interface the service faces (server/,
// cli/) and library users see. It answers history/quote/search from fragments
// already paid for and asks providers only for what is truly missing
// (DESIGN.md "Planning a query"). Every answer carries CacheInfo.
//
// Thread-safety: every method is thread-safe and may be called concurrently;
// concurrent misses for overlapping gaps share one provider call
// (single-flight). Ownership: CachedApi owns its planner, hot tier and stats;
// it borrows the Backend&, Providers and Clock& given at construction, which
// must outlive it (see engine/engine.h for the owning bundle).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/field_set.h"
#include "finex/core/frame.h"
#include "finex/core/interval.h"
#include "finex/core/records.h"
#include "finex/core/status.h"

namespace finex::cache {

// Consulted just before finex calls a provider for data a request is missing
// (a history gap this node is about to fetch, quotes or a search answer not
// cached). OK lets the call go out; any other Status cancels it and becomes
// the request's failure (cached parts are still served, marked stale, as
// when a provider fails). Never called for what the cache answers or another
// request or node is already fetching. Called from the engine's worker
// threads, possibly concurrently: it must be thread-safe. The server's
// per-client cold-miss budget (server/cold_budget.h) is one.
using ProviderCallGate = std::function<Status()>;

// How a history request is given (API.md /v1/history). Either start/end or
// period; end is INCLUSIVE (a bare date as end covers that day — already
// resolved by ParseTime(kEnd)).
struct HistoryOptions {
  Interval interval = Interval::k1d;
  std::optional<Timestamp> start;  // default: end - 1 year when period is empty
  std::optional<Timestamp> end;    // inclusive; default: now
  std::string period;              // "1y", "6mo", "ytd", "max"...; exclusive with start
  std::string provider;            // "" = finex picks
  std::string currency;            // "" = native currency of the instrument
  FieldSet fields = FieldSet::Ohlcv();
  ProviderCallGate gate;  // empty = provider calls are not gated
};

struct QuoteOptions {
  std::string provider;   // "" = finex picks
  ProviderCallGate gate;  // empty = provider calls are not gated
};

struct SearchOptions {
  std::string provider;  // "" = finex picks
  size_t limit = 20;
  ProviderCallGate gate;  // empty = provider calls are not gated
};

// The request as finex resolved it, echoed in every answer.
struct ResolvedQuery {
  std::vector<std::string> symbols;
  Interval interval = Interval::k1d;
  Timestamp start = 0;   // inclusive
  Timestamp end = 0;     // inclusive
  std::string provider;  // the provider(s) that served, comma-joined
  std::string currency;
  FieldSet fields = FieldSet::Ohlcv();
};

// One symbol's bars converted into the requested currency (DESIGN.md
// "Currencies"; cache/currency.h says how).
struct CurrencyConversion {
  std::string symbol;                    // the instrument converted
  std::string from, to;                  // "usd" → "eur"
  std::string fx_symbol;                 // "USDEUR=X"; "" when a minor-unit factor alone converts
  Interval fx_interval = Interval::k1d;  // the FX bars used (1d for daily and longer bars)
  std::vector<std::string> fx_keys;      // the FX fragments used (also in cache_keys_used)
};

struct CacheInfo {
  double hit_rate = 0;                       // share of requested bars served from cache
  std::vector<std::string> cache_keys_used;  // fragment keys that contributed
  int api_calls_made = 0;                    // upstream HTTP calls this answer caused
  double response_time_ms = 0;
  double data_freshness_s = 0;  // age of the oldest data served
  bool stale = false;           // served from cache because the provider failed (stale-if-error)
  std::string note;             // human note, e.g. "provider yahoo unavailable; served cached data"
  std::vector<CurrencyConversion> conversions;  // converted symbols; empty = native prices
};

struct HistoryResult {
  FramePtr frame;  // sorted by symbol then timestamp, no duplicates, fields projected
  CacheInfo info;
  ResolvedQuery query;
};

struct QuoteResult {
  std::vector<finex::Quote> quotes;
  CacheInfo info;
};

struct SearchResults {
  std::vector<SearchResult> results;
  CacheInfo info;
};

struct WarmRequest {
  std::vector<std::string> symbols;
  std::vector<Interval> intervals;
  std::vector<std::pair<Timestamp, Timestamp>> ranges;  // inclusive [start, end]
  std::string provider;                                 // "" = finex picks
};

struct WarmStatus {
  std::string id;
  std::string state;  // "queued" | "running" | "done" | "failed"
  int completed = 0;
  int total = 0;
  std::vector<std::string> errors;
};

// Counters (API.md /v1/cache/stats). Plain data; a snapshot.
struct NamedCount {
  std::string name;
  uint64_t hits = 0, misses = 0, api_calls = 0;
};
// One configured provider's health, for /metrics and readiness.
struct ProviderState {
  std::string name;
  std::string breaker = "closed";  // circuit breaker: closed | open | half_open
  double score = 1;                // 0..1 health score used for provider choice
  // Calls left today of its daily budget (reset 00:00 UTC); -1 = no daily budget.
  int64_t daily_calls_remaining = -1;
};
// Fragment utilization and fetch coverage of one provider at one interval
// (issue 17). Counted over pieces this node stored since it started: a piece
// counts as served once it (or a piece merged from it) first contributes to
// an answer. Bonus rows: rows of a piece outside the range the user asked for
// when it was fetched (what the provider or widening added).
struct UtilizationStats {
  std::string provider;
  Interval interval = Interval::k1d;
  uint64_t rows_stored = 0, rows_served = 0;  // rows_served: ever served, counted once
  uint64_t bonus_rows_stored = 0, bonus_rows_reused = 0;
  uint64_t fetches = 0, rows_asked = 0, rows_received = 0;  // asked: bars the calendar expects
  double utilization = 0;  // rows_served / rows_stored (0 when nothing stored)
  double coverage = 0;     // rows_received / rows_asked (0 when nothing asked)
};
struct CacheStats {
  uint64_t hits = 0, misses = 0;
  double hit_rate = 0;
  uint64_t api_calls = 0, api_calls_saved = 0;
  double reduction = 0;  // api_calls_saved / (api_calls + api_calls_saved)
  std::vector<NamedCount> by_provider;
  std::vector<NamedCount> by_symbol;  // top N by requests
  uint64_t fragments = 0, bytes = 0, evictions = 0;
  uint64_t bonus_rows_reused = 0, rows_served = 0, rows_stored = 0;
  uint64_t validation_rejects = 0;
  double p50_ms = 0, p99_ms = 0;
  // Cached data held in this process: the hot tier of decoded frames plus
  // the in-process store's bytes (memory backend, or the memory L1 in front
  // of Redis); the budget is max_memory_mb (0 = unlimited).
  uint64_t memory_bytes = 0, memory_budget_bytes = 0;
  std::vector<ProviderState> providers;  // in fallback order
  // Prefetch (prefetch_enabled): provider calls made ahead of users (also
  // counted in api_calls, never as hits/misses) and rows they made ready.
  uint64_t prefetch_calls = 0, prefetched_rows = 0;
  // By provider, then interval.
  std::vector<UtilizationStats> utilization;
};

class CachedApi {
 public:
  virtual ~CachedApi() = default;
  virtual Result<HistoryResult> History(std::span<const std::string> symbols,
                                        const HistoryOptions& opts) = 0;
  virtual Result<QuoteResult> Quote(std::span<const std::string> symbols,
                                    const QuoteOptions& opts) = 0;
  virtual Result<SearchResults> Search(std::string_view query, const SearchOptions& opts) = 0;

  virtual CacheStats cache_stats() const = 0;
  // Starts warming in the background; returns the job id.
  virtual Result<std::string> warm_cache(const WarmRequest& req) = 0;
  // NotFound for an unknown id.
  virtual Result<WarmStatus> warm_status(std::string_view id) const = 0;
  // Deletes the fragments matching a key-grammar pattern ("finex:AAPL:*");
  // InvalidArgument (param "pattern") for patterns outside the grammar.
  // Returns how many keys were removed.
  virtual Result<size_t> invalidate_cache(std::string_view pattern) = 0;
  // Invalidations applied so far, this node's and those received from other
  // nodes sharing the backend; a change tells callers holding answers built
  // from cached data (server/'s answer cache) to drop them. Default 0.
  virtual uint64_t invalidations() const { return 0; }
  // Readiness: OK when the backends and at least one provider can serve.
  virtual Status Ready() const = 0;
};

}  // namespace finex::cache
