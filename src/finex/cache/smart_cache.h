// SmartCache: the CachedApi implementation — planner + codec + backend +
// providers, a hot tier of decoded frames, single-flight, stale-if-error,
// quote/search caches, stats, invalidation and background warming.
// engine.h's OpenEngine builds one from EngineOptions; tests build one over
// fakes through NewSmartCache.
//
// History, per symbol (symbols run in parallel on up to worker_threads):
//   1. load the series' fragments from the backend on first use (prefix scan;
//      ranges from keys, details from the stored value's metadata);
//   2. plan (fragment::Planner); a full hit assembles at once;
//   3. misses register their fetches as in-flight for the series; a request
//      whose gaps meet an in-flight fetch (same or wider fields, compatible
//      provider/currency) waits for it and plans again instead of calling
//      the provider (single-flight) — 10,000 concurrent identical misses make
//      one call;
//   4. fetch (fetches of one plan in parallel; rate limits live in the
//      ResilientProvider), validate (validation hook), store ALL rows received
//      as aligned pieces (codec bytes + metadata in the backend, decoded
//      frames in the hot tier), supersede/coalesce older pieces;
//   5. assemble from decoded frames: merged by timestamp (newer fetch wins),
//      deduplicated, sorted, sliced, projected. A per-series memo of the
//      merged frame makes a repeated hit a slice.
// When every provider fails and older data is cached, that data is served
// with info.stale = true and its true age (stale-if-error).
//
// Thread-safety: every method is thread-safe. Ownership: borrows the
// Backend, FrameCodec, Clock and Providers in SmartCacheDeps (they must
// outlive it); owns its registry, hot tier, stats and warm worker (joined by
// the destructor).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "finex/backend/backend.h"
#include "finex/cache/cached_api.h"
#include "finex/cache/eviction.h"
#include "finex/cache/ttl_policy.h"
#include "finex/cache/validation.h"
#include "finex/calendar/calendar.h"
#include "finex/codec/frame_codec.h"
#include "finex/core/clock.h"
#include "finex/fragment/planner.h"
#include "finex/provider/provider.h"

namespace finex::cache {

class Prefetcher;  // prefetcher.h
class Coordinator;  // coordination.h

struct ProviderSlot {
  provider::Provider* provider = nullptr;  // borrowed; REQUIRES non-null
  // Health score 0..1 for provider choice (ResilientProvider::Health().score);
  // empty = always 1.
  std::function<double()> health;
  // Circuit-breaker state for stats ("closed" | "open" | "half_open",
  // BreakerStateName); empty = always "closed".
  std::function<std::string()> breaker;
};

struct SmartCacheOptions {
  fragment::PlannerOptions planner;     // fragment size, widening policy
  TtlOptions ttl;                       // freshness (ttl_policy.h)
  // Extra time a stale fragment stays in the backend for stale-if-error.
  // Default: 7 days.
  Timestamp stale_keep_s = 7 * kSecondsPerDay;
  uint64_t hot_tier_bytes = 512ull << 20;  // 0 = unlimited. Default 512 MiB.
  // Whether the backend keeps its bytes in this process (memory backend, or
  // the memory L1 of a tiered one): its stats().bytes then count in
  // CacheStats::memory_bytes. Default: false.
  bool backend_in_process = false;
  // Reported as CacheStats::memory_budget_bytes (the whole max_memory_mb);
  // 0 = hot_tier_bytes.
  uint64_t memory_budget_bytes = 0;
  EvictionKind eviction = EvictionKind::kGdsf;
  size_t max_symbols = 100;             // per history/quote request
  bool validate = true;                 // run ValidateBars before storing
  ValidationOptions validation;
  int worker_threads = 4;               // parallel symbols / fetches per request
  // Re-scan the backend for pieces written by other nodes before fetching
  // (set for shared backends such as Redis). Default: false.
  bool rescan_before_fetch = false;
  // Largest series (rows) whose merged frame is memoized for fast hits.
  size_t memo_max_rows = 200000;
};

struct SmartCacheDeps {
  backend::Backend* backend = nullptr;     // borrowed; REQUIRES non-null
  const codec::FrameCodec* codec = nullptr;  // borrowed; REQUIRES non-null
  Clock* clock = nullptr;                  // borrowed; REQUIRES non-null
  std::vector<ProviderSlot> providers;     // in fallback order
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
};

std::unique_ptr<CachedApi> NewSmartCache(SmartCacheDeps deps, SmartCacheOptions opts = {});

}  // namespace finex::cache
