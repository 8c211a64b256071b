// HeapTrimmer: gives the heap's free pages back to the operating system
// every `interval`, on its own thread (glibc: malloc_trim(0); elsewhere a
// no-op thread).
//
// Why: glibc returns freed memory to the system only from the top of an
// arena. A cache that evicts and refills all the time (and, after a shared
// store's restart, refetches everything at once on many threads) leaves free
// chunks in the middle of its arenas; their pages stay resident, and each
// burst can raise an arena's high-water mark, so RSS ratchets up while the
// live data stays within its budget (bench/soak: +8% RSS in 4 minutes with
// Redis restarted every minute). malloc_trim(0) releases the whole free
// pages inside every arena (madvise), which takes a few milliseconds and
// holds each arena's lock only while it walks that arena.
//
// Thread-safety: construct/destroy from one thread; the trim itself is
// thread-safe (malloc's own locking). Ownership: owns its thread; the
// destructor stops and joins it.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include "finex/core/mutex.h"

namespace finex {

// Returns the free heap pages to the system now (glibc malloc_trim(0));
// true when some memory was released. A no-op (false) without glibc.
bool ReleaseFreeHeap();

class HeapTrimmer {
 public:
  // interval <= 0: no thread, nothing is trimmed.
  explicit HeapTrimmer(std::chrono::milliseconds interval);
  ~HeapTrimmer();
  HeapTrimmer(const HeapTrimmer&) = delete;
  HeapTrimmer& operator=(const HeapTrimmer&) = delete;

  // Trims done so far (for tests).
  uint64_t trims() const FINEX_EXCLUDES(mu_);

 private:
  void Run() FINEX_EXCLUDES(mu_);

  const std::chrono::milliseconds interval_;
  mutable Mutex mu_;
  CondVar cv_;
  bool stop_ FINEX_GUARDED_BY(mu_) = false;
  uint64_t trims_ FINEX_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace finex
