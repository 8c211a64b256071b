// Eviction policies for the memory budget (issue 7): which cached item to drop
// when `max_memory_mb` is reached.
//
// kLru:  least recently used (the baseline).
// kGdsf: Greedy-Dual-Size-Frequency. priority = clock + frequency * cost / size;
//        evict the lowest priority; `clock` rises to each victim's priority so
//        items that stopped being used age out. It keeps small, popular,
//        expensive-to-refetch items (a daily fragment vouching for a month of
//        bars costs a provider call and is small) ahead of large, rarely
//        reused ones (a day of 1m bars), which plain LRU cannot tell apart.
// Cost is the caller's estimate of what a refetch costs (provider calls,
// rate-limit scarcity); see EvictionCost().
//
// Thread-safety: NOT thread-safe; the owner (the hot tier) serializes calls.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "finex/core/interval.h"

namespace finex::cache {

enum class EvictionKind { kLru, kGdsf };

class EvictionPolicy {
 public:
  virtual ~EvictionPolicy() = default;
  // Starts tracking key (or re-inserts it with new size/cost).
  virtual void OnInsert(std::string_view key, size_t bytes, double cost) = 0;
  // Records a hit. Unknown keys are ignored.
  virtual void OnAccess(std::string_view key) = 0;
  // Stops tracking key (deleted or expired). Unknown keys are ignored.
  virtual void OnErase(std::string_view key) = 0;
  // Removes and returns the next victim; nullopt when nothing is tracked.
  virtual std::optional<std::string> PopVictim() = 0;
  virtual size_t size() const = 0;
};

std::unique_ptr<EvictionPolicy> NewEvictionPolicy(EvictionKind kind);

// Refetch cost of a fragment of `interval` holding `rows` bars: one provider
// call, weighted so intraday data (cheap to refetch, quickly stale) goes
// before daily and longer data (one call returns years of it).
double EvictionCost(Interval interval, size_t rows);

}  // namespace finex::cache
