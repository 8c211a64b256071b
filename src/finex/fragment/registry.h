// FragmentRegistry: the index of what is cached — for each (symbol,
// interval) the fragments of every provider and currency, ordered by vouched
// start. Provider and currency are attributes the planner filters on, so
// pieces from any provider can combine when none is named.
//
// Readers take immutable snapshots (copy-on-write vectors of FragmentPtr), so
// planning never holds a lock while it works and a snapshot stays valid
// however the registry changes afterwards. Every change to a series bumps its
// generation(), which lets callers memoize work derived from a snapshot.
//
// The registry is rebuilt from backend keys (AddKeys: ranges live in keys);
// details from the stored value's metadata are applied by Add() of a fuller
// Fragment with the same key (it replaces the key-only entry).
//
// Thread-safety: every method is thread-safe. Ownership: owns its entries.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/mutex.h"
#include "finex/fragment/fragment.h"

namespace finex::fragment {

using FragmentList = std::shared_ptr<const std::vector<FragmentPtr>>;

struct SeriesSnapshot {
  FragmentList fragments;  // never null; sorted by (vouched.start, key)
  uint64_t generation = 0;
};

class FragmentRegistry {
 public:
  FragmentRegistry();

  // The fragments of (symbol, interval) now.
  SeriesSnapshot Snapshot(std::string_view symbol, Interval iv) const;

  // Adds f, replacing an entry with the same key.
  void Add(FragmentPtr f);
  // Adds several and removes `remove_keys` in one step (one generation bump):
  // used when coalescing so no reader sees a half-merged bucket.
  void Replace(std::span<const FragmentPtr> add, std::span<const std::string> remove_keys);
  // Removes the fragment with this key; false if absent.
  bool Remove(std::string_view key);
  // Removes every fragment for which pred is true; returns their keys.
  std::vector<std::string> RemoveIf(const std::function<bool(const Fragment&)>& pred);

  // Parses backend keys and adds key-only fragments (details_loaded = false)
  // for keys not yet known; keys that do not parse are returned in `bad`.
  // Returns how many were added.
  size_t AddKeys(std::span<const std::string> keys, Timestamp assume_expires_at,
                 std::vector<std::string>* bad = nullptr);

  // Whether the series has been loaded from the backend (see MarkLoaded).
  bool loaded(std::string_view symbol, Interval iv) const;
  void MarkLoaded(std::string_view symbol, Interval iv);

  size_t fragment_count() const;
  uint64_t stored_bytes() const;
  // What the registry itself holds in memory, estimated per entry (the
  // Fragment with its key and parsed strings, the key index node, the
  // series list slot and shared_ptr block): counted in the cache's
  // memory_bytes.
  uint64_t approx_memory_bytes() const;

 private:
  struct Series {
    FragmentList list;
    uint64_t generation = 0;
    bool loaded = false;
  };
  using SeriesKey = std::pair<std::string, Interval>;
  Series& SeriesLocked(std::string_view symbol, Interval iv) FINEX_REQUIRES(mu_);
  // Returns the change in stored bytes.
  static int64_t Apply(Series& s, std::span<const FragmentPtr> add,
                       std::span<const std::string> remove);

  mutable SharedMutex mu_;
  std::map<SeriesKey, Series, std::less<>> series_ FINEX_GUARDED_BY(mu_);
  // key -> series
  std::map<std::string, SeriesKey, std::less<>> key_index_ FINEX_GUARDED_BY(mu_);
  uint64_t count_ FINEX_GUARDED_BY(mu_) = 0;
  uint64_t bytes_ FINEX_GUARDED_BY(mu_) = 0;
};

}  // namespace finex::fragment
