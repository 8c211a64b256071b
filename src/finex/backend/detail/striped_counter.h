// StripedCounter: a relaxed event counter for hot paths (every Backend::Get
// bumps two). Each thread adds to one of kStripes cache-line-sized slots, so
// concurrent readers do not bounce one shared line; Load() sums the slots.
//
// Thread-safety: Add and Load may be called concurrently from any thread.
// Load is not a snapshot across slots (fine for statistics).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace finex::backend::detail {

// This thread's stripe index (assigned round-robin on first use).
size_t ThisThreadStripe();

class StripedCounter {
 public:
  static constexpr size_t kStripes = 16;

  void Add(uint64_t n = 1) { slots_[ThisThreadStripe()].v.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Load() const {
    uint64_t sum = 0;
    for (const Slot& s : slots_) sum += s.v.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> v{0};
  };
  Slot slots_[kStripes];
};

}  // namespace finex::backend::detail
