// SmartCache: the CachedApi implementation — a small coordinator over the
// parts that do the work, each in its own file:
//
//   request.h         what a request means (validation, period → range)
//   providers.h       the configured providers (lookup, health, candidates)
//   fragment_store.h  registry + hot tier + backend + codec (load/read/write)
//   fragment/planner.h      cached parts vs. gaps to fetch, widening, provider order
//   single_flight.h   one fetch per miss, on this node and across nodes
//   fetch_executor.h  provider calls, fallback, parallelism, negative cache
//   ingest.h          a provider answer → validated, cut, stored pieces
//                     (fragment/piece_cutter.h: vouched ranges, finality, TTLs)
//   coalescer.h       superseding and merging pieces of a bucket
//   assembler.h       the answer frame from pieces (memoized merges)
//   quote_cache.h, search_cache.h   quotes and search answers
//   stats.h           counters for cache_stats
//   warmer.h          background warm jobs over the public CachedApi
//
// History, per symbol (symbols in parallel on the engine's Executor): load
// the series once; plan; a full hit assembles at once; otherwise join or
// start a flight (waiting for an overlapping one instead of calling the
// provider), take the cross-node lease, fetch and ingest, plan again until
// nothing is missing or no progress is made; assemble. When every provider
// fails and older data is cached, that data is served with info.stale = true
// and its true age (stale-if-error).
//
// Thread-safety: every method is thread-safe. Ownership: borrows the
// Backend, FrameCodec, Clock, Executor and Providers in SmartCacheDeps (they
// must outlive it); owns its parts and the warm worker (joined by the
// destructor).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "finex/backend/backend.h"
#include "finex/cache/cached_api.h"
#include "finex/cache/eviction.h"
#include "finex/cache/providers.h"
#include "finex/cache/validation.h"
#include "finex/calendar/calendar.h"
#include "finex/codec/frame_codec.h"
#include "finex/core/clock.h"
#include "finex/core/executor.h"
#include "finex/fragment/planner.h"
#include "finex/fragment/ttl_policy.h"

namespace finex::cache {

class Prefetcher;   // prefetcher.h
class Coordinator;  // coordination.h

struct SmartCacheOptions {
  fragment::PlannerOptions planner;  // fragment size, widening policy
  fragment::TtlOptions ttl;          // freshness (fragment/ttl_policy.h)
  // Extra time a stale fragment stays in the backend for stale-if-error.
  // Default: 7 days.
  Timestamp stale_keep_s = 7 * kSecondsPerDay;
  uint64_t hot_tier_bytes = 512ull << 20;  // 0 = unlimited. Default 512 MiB.
  // Reported as CacheStats::memory_budget_bytes (the whole max_memory_mb);
  // 0 = hot_tier_bytes.
  uint64_t memory_budget_bytes = 0;
  EvictionKind eviction = EvictionKind::kGdsf;
  size_t max_symbols = 100;  // per history/quote request
  bool validate = true;      // run ValidateBars before storing
  ValidationOptions validation;
  // Most symbols of one request, and most fetches of one symbol, worked on
  // at once (on the Executor). Default: 4.
  size_t max_parallel = 4;
  // Largest series (rows) whose merged frame is memoized for fast hits.
  size_t memo_max_rows = 200000;
  // Bytes the memos of merged frames may hold together; 0 (default) =
  // 1/20 of memory_budget_bytes, else 1/8 of hot_tier_bytes, else unlimited.
  uint64_t memo_budget_bytes = 0;
};

struct SmartCacheDeps {
  backend::Backend* backend = nullptr;       // borrowed; REQUIRES non-null
  const codec::FrameCodec* codec = nullptr;  // borrowed; REQUIRES non-null
  Clock* clock = nullptr;                    // borrowed; REQUIRES non-null
  // Fan-out pool (engine-owned); nullptr = the cache owns one of
  // max_parallel * max_parallel threads.
  Executor* executor = nullptr;
  std::vector<ProviderSlot> providers;  // in fallback order
  // Calendar of a symbol; empty = calendar::CalendarFor.
  std::function<const calendar::Calendar&(std::string_view symbol)> calendar_for;
  // Prefetch (prefetcher.h); nullptr = off. Borrowed: the cache reports user
  // history requests to it and attaches its prefetch path (detached by the
  // cache's destructor).
  Prefetcher* prefetcher = nullptr;
  // Other nodes sharing the backend (coordination.h): cross-node
  // single-flight leases and invalidation broadcast; nullptr = a lone node.
  // Borrowed; its invalidation handler is cleared by the cache's destructor.
  Coordinator* coordinator = nullptr;
  // Observer called each time a lookup starts waiting for a fetch another
  // lookup has in flight (single-flight); empty = none. Lets callers (tests,
  // metrics) wait on that condition instead of sleeping.
  std::function<void()> on_flight_wait;
};

std::unique_ptr<CachedApi> NewSmartCache(SmartCacheDeps deps, SmartCacheOptions opts = {});

}  // namespace finex::cache
