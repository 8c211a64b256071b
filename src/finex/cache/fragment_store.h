// FragmentStore: the pieces finex holds, in one place — the registry (what
// is cached, fragment/registry.h), the hot tier of decoded frames
// (hot_tier.h), the byte Backend and the FrameCodec between them. Loading a
// series from the backend, reading a piece's frame, writing a piece,
// dropping pieces and invalidating by pattern all go through here, so the
// registry, the hot tier and the backend never disagree for long:
//   - a piece is written to the backend (and hot tier) first, then published
//     in the registry; a reader that sees it in the registry can read it;
//   - a piece removed from the registry is then deleted from the backend and
//     the hot tier;
//   - a piece the backend no longer holds (TTL, eviction, another node) reads
//     as FramePtr() — the caller forgets it and plans again.
// Stored bytes live for the piece's TTL plus stale_keep_s (stale-if-error).
//
// Thread-safety: every method is thread-safe. No lock is held across backend
// I/O or codec work: concurrent loads of one series wait for the first (a
// shared future), never on a mutex held during the scan. Ownership: borrows
// the Backend and FrameCodec (must outlive it); owns registry and hot tier.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "finex/backend/backend.h"
#include "finex/cache/eviction.h"
#include "finex/cache/hot_tier.h"
#include "finex/codec/frame_codec.h"
#include "finex/core/mutex.h"
#include "finex/fragment/registry.h"

namespace finex::cache {

struct FragmentStoreOptions {
  uint64_t hot_tier_bytes = 512ull << 20;  // 0 = unlimited. Default 512 MiB.
  EvictionKind eviction = EvictionKind::kGdsf;
  // Extra time a piece's bytes stay in the backend after it goes stale, for
  // stale-if-error. Default: 7 days.
  Timestamp stale_keep_s = 7 * kSecondsPerDay;
  // Bound on memory_bytes() (hot tier + registry + an in-process store): the
  // hot tier gives way when the others grow into it. 0 (default) = only the
  // hot tier's own budget.
  uint64_t memory_budget_bytes = 0;
};

class FragmentStore {
 public:
  FragmentStore(backend::Backend& backend, const codec::FrameCodec& codec,
                FragmentStoreOptions opts);
  ~FragmentStore();
  FragmentStore(const FragmentStore&) = delete;
  FragmentStore& operator=(const FragmentStore&) = delete;

  fragment::SeriesSnapshot Snapshot(std::string_view symbol, Interval iv) const {
    return registry_.Snapshot(symbol, iv);
  }

  // Loads the series' pieces from the backend once (prefix scan; ranges from
  // keys, details from each value's metadata). Concurrent callers wait for
  // the first; a failed load is retried by the next call.
  Status EnsureLoaded(const std::string& symbol, Interval iv) FINEX_EXCLUDES(load_mu_);
  // Adds pieces of the series other nodes wrote since (keys not yet known).
  // Unreadable values are skipped (never served; refetched when needed).
  Status LoadNew(const std::string& symbol, Interval iv);

  // The decoded frame of f: hot tier, else backend + codec; FramePtr() when
  // the backend no longer holds it; DataLoss when its bytes do not decode.
  Result<FramePtr> FrameOf(const fragment::Fragment& f);

  // Encodes bars with f's metadata and writes them under f.key with the
  // piece's ttl (+ stale_keep_s), then into the hot tier; sets f.bytes. Not
  // yet visible to planning: Publish it.
  Status Write(fragment::Fragment& f, const FramePtr& bars, Timestamp ttl);
  // One registry step: adds `add`, removes `remove` (readers see both or
  // neither), then deletes the removed pieces' bytes and decoded frames.
  void Publish(std::span<const fragment::FragmentPtr> add, std::span<const std::string> remove);
  // Forgets a piece whose bytes vanished (registry only).
  void Forget(std::string_view key) { registry_.Remove(key); }

  // Deletes every piece matching `pattern` (key grammar) from the backend,
  // the registry and the hot tier; returns how many keys were removed.
  Result<size_t> Invalidate(std::string_view pattern);
  // Another node invalidated `pattern`: drops matching registry entries and
  // decoded frames ("" = every decoded frame; the registry stays).
  void DropLocal(std::string_view pattern);

  // Whether other processes may write the backend (rescan before fetching).
  bool shared_backend() const { return backend_.shared(); }
  Status Ping() { return backend_.Ping(); }
  size_t fragment_count() const { return registry_.fragment_count(); }
  uint64_t stored_bytes() const { return registry_.stored_bytes(); }
  uint64_t evictions() const { return hot_.evictions(); }
  uint64_t hot_budget_bytes() const { return hot_.budget_bytes(); }
  // Cached data held in this process: decoded frames, the registry, plus the
  // backend's bytes when it keeps them in this process (Backend::in_process).
  uint64_t memory_bytes() const;

 private:
  using SeriesId = std::pair<std::string, Interval>;

  // Puts a decoded frame in the hot tier; pieces it evicts whose bytes the
  // store already dropped leave the registry.
  void HotPut(const std::string& key, FramePtr frame, Interval iv);
  // Shrinks the hot tier while memory_bytes() exceeds the budget.
  void EnforceBudget();
  // Forgets (registry) those of `keys` marked orphaned, unmarking them.
  void Orphaned(const std::vector<std::string>& keys) FINEX_EXCLUDES(orphan_mu_);

  backend::Backend& backend_;
  const codec::FrameCodec& codec_;
  const FragmentStoreOptions opts_;
  fragment::FragmentRegistry registry_;
  HotTier hot_;
  Mutex load_mu_;
  std::map<SeriesId, std::shared_future<Status>> loading_ FINEX_GUARDED_BY(load_mu_);
  // Pieces the in-process store dropped while the hot tier still holds them.
  Mutex orphan_mu_;
  std::unordered_set<std::string> orphaned_ FINEX_GUARDED_BY(orphan_mu_);
};

}  // namespace finex::cache
