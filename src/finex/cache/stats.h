// StatsRecorder: the counters behind CachedApi::cache_stats (API.md
// /v1/cache/stats) — hits and misses per lookup, provider calls as the
// provider saw them, rows served/stored/reused, latency percentiles, per
// provider and per symbol (bounded) tallies. It decides nothing; every other
// part reports to it.
//
// Thread-safety: every method is thread-safe (atomics + one mutex for the
// named tallies). Ownership: plain state, owned by the SmartCache.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/core/interval.h"
#include "finex/core/mutex.h"
#include "finex/core/time_range.h"
#include "finex/fragment/fragment.h"

namespace finex::cache {

class StatsRecorder {
 public:
  // One history lookup of `symbol` that made `calls` provider calls; a hit
  // also counts for each provider whose stored rows answered it.
  void RecordSymbol(const std::string& symbol, bool hit, int calls,
                    const std::vector<std::string>& providers) FINEX_EXCLUDES(mu_);
  // `calls` upstream calls made to `provider` (retries included).
  void RecordProviderCalls(const std::string& provider, int calls) FINEX_EXCLUDES(mu_);
  // One quote or search lookup answered wholly from cache (hit) or not.
  void RecordLookup(bool hit);
  void RecordLatency(double ms) FINEX_EXCLUDES(mu_);

  void AddRowsServed(uint64_t n) { rows_served_.fetch_add(n); }
  void AddBonusRowsReused(uint64_t n) { bonus_rows_.fetch_add(n); }
  void AddRowsStored(uint64_t n) { rows_stored_.fetch_add(n); }
  void AddValidationRejects(uint64_t n) { validation_rejects_.fetch_add(n); }
  void AddPrefetch(uint64_t calls, uint64_t rows) {
    prefetch_calls_.fetch_add(calls);
    prefetched_rows_.fetch_add(rows);
  }

  // Fragment utilization (UtilizationStats): a piece with `rows` bars (of
  // which `bonus_rows` lie outside the user's request) was stored. Memory is
  // bounded: see kMaxTrackedPieces.
  void RecordPieceStored(const std::string& symbol, const std::string& provider, Interval iv,
                         TimeRange actual, uint64_t rows, uint64_t bonus_rows)
      FINEX_EXCLUDES(util_mu_);
  // Stored pieces of `symbol` contributed to an answer: for each, every
  // tracked piece of its series whose range lies inside the piece's actual
  // range (itself, or the pieces a coalesced piece was merged from) counts as
  // served, once. A piece object already counted costs one pointer lookup
  // (the hit path).
  void RecordPiecesServed(const std::string& symbol, std::span<const fragment::FragmentPtr> pieces)
      FINEX_EXCLUDES(util_mu_);
  // One provider answer: `rows_asked` bars the calendar expects in the call's
  // range, `rows_received` bars returned.
  void RecordFetchCoverage(const std::string& provider, Interval iv, uint64_t rows_asked,
                           uint64_t rows_received) FINEX_EXCLUDES(util_mu_);

  // The utilization tracking's current sizes (tests; both are bounded, see
  // kMaxTrackedPieces): stored pieces waiting to serve, piece objects
  // remembered as looked at.
  struct TrackingSizes {
    size_t waiting_pieces = 0, remembered_objects = 0;
  };
  TrackingSizes tracking_sizes() const FINEX_EXCLUDES(util_mu_);

  // Fills the counter fields of *s (hits, misses, hit_rate, api_calls,
  // api_calls_saved, reduction, by_provider, by_symbol (top 50), rows,
  // validation_rejects, p50/p99, prefetch, utilization); leaves the rest
  // untouched.
  void Fill(CacheStats* s) const FINEX_EXCLUDES(mu_, util_mu_);

 private:
  static constexpr size_t kLatencyWindow = 4096;
  static constexpr size_t kMaxSymbols = 10000;

  std::atomic<uint64_t> hits_{0}, misses_{0}, api_calls_{0}, saved_{0};
  std::atomic<uint64_t> rows_served_{0}, rows_stored_{0}, bonus_rows_{0}, validation_rejects_{0};
  std::atomic<uint64_t> prefetch_calls_{0}, prefetched_rows_{0};
  mutable Mutex mu_;
  std::map<std::string, NamedCount> by_provider_ FINEX_GUARDED_BY(mu_);
  std::map<std::string, NamedCount> by_symbol_ FINEX_GUARDED_BY(mu_);
  std::vector<double> latency_ FINEX_GUARDED_BY(mu_);  // ring of the last kLatencyWindow
  size_t latency_pos_ FINEX_GUARDED_BY(mu_) = 0;

  // Utilization: the stored pieces not yet served, by series
  // ("symbol|interval|provider"), each numbered in store order. A piece
  // leaves when it first serves; at most kMaxTrackedPieces wait (when full,
  // the older half is forgotten: pieces that old were most likely evicted
  // unserved, and stay counted as stored, not served). served_ remembers the
  // piece objects already looked at (by address; the weak_ptr tells a live
  // object from a new one at a reused address) so the hit path costs one
  // lookup; its expired entries are dropped whenever it doubles past its
  // live size, so it stays within twice the live piece objects (an expired
  // weak_ptr still holds its object's allocation: unpurged, this map grew
  // ~1 MiB a minute in issue 16's soak).
  static constexpr size_t kMaxTrackedPieces = 32768;
  static constexpr size_t kMinServedPurge = 1024;
  struct TrackedPiece {
    TimeRange actual;
    uint64_t rows = 0, bonus_rows = 0;
    uint64_t seq = 0;  // store order
  };
  void ForgetOldestPieces() FINEX_REQUIRES(util_mu_);
  mutable Mutex util_mu_;
  std::unordered_map<std::string, std::vector<TrackedPiece>> pieces_ FINEX_GUARDED_BY(util_mu_);
  size_t tracked_ FINEX_GUARDED_BY(util_mu_) = 0;
  uint64_t next_seq_ FINEX_GUARDED_BY(util_mu_) = 0;
  std::unordered_map<const void*, std::weak_ptr<const fragment::Fragment>> served_
      FINEX_GUARDED_BY(util_mu_);
  size_t served_purge_at_ FINEX_GUARDED_BY(util_mu_) = kMinServedPurge;
  std::map<std::pair<std::string, Interval>, UtilizationStats> util_ FINEX_GUARDED_BY(util_mu_);
};

}  // namespace finex::cache
