// HeapTrimmer: gives the heap's free pages back to the operating system
// (glibc: malloc_trim(0)) when the resident set has grown by `min_growth`
// (or 2.5%, whichever is more) since the last trim, and once more after such a
// trim when RSS has not risen for 10 looks (at the latest 60 looks later:
// what a burst frees after the trim in its middle); it looks every
// `interval` on its own thread (reading /proc/self/statm; elsewhere it never
// trims).
//
// Why: glibc returns freed memory to the system only from the top of an
// arena. A cache that evicts and refills all the time (and, after a shared
// store's restart, refetches everything at once on many threads) leaves free
// chunks in the middle of its arenas; their pages stay resident, and each
// burst can raise an arena's high-water mark, so RSS ratchets up while the
// live data stays within its budget (bench/soak: +8% RSS in 4 minutes with
// Redis restarted every minute). malloc_trim(0) releases the whole free
// pages inside every arena (madvise). It is not free: it walks every free
// chunk with the arena's lock held (measured: 20-170 ms over a fragmented
// 80 MB heap of 8 arenas on the loaded 2-core machine), so it runs only
// after RSS really grew, not on a timer: RSS then stays within the slack of
// what the process last really used, and a quiet process is never trimmed.
//
// A trimmer that runs (interval > 0) also pins glibc's mmap threshold at
// kPinnedMmapThreshold (PinMmapThreshold). glibc's threshold is dynamic: the
// first free of a mmapped block raises it to that block's size (up to 32
// MiB), and from then on blocks that large (a provider's 2 MB answer, its
// parser's buffers, a long series' columns) come from the arenas and leave
// holes there. Pinned, they are mmapped and go back to the system when
// freed: the soak's RSS at a 16 MiB budget fell from ~78 to ~50 MiB and
// stopped swinging by ±15% (docs/performance.md, "Soak").
//
// Thread-safety: construct/destroy from one thread; the trim itself is
// thread-safe (malloc's own locking). Ownership: owns its thread; the
// destructor stops and joins it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <thread>

#include "finex/core/mutex.h"

namespace finex {

// Returns the free heap pages to the system now (glibc malloc_trim(0));
// true when some memory was released. A no-op (false) without glibc.
bool ReleaseFreeHeap();

// The resident set of this process in bytes (/proc/self/statm); 0 when it
// cannot be read.
uint64_t ResidentBytes();

// Pins glibc's mmap threshold at `bytes` (mallopt M_MMAP_THRESHOLD, which
// also turns its dynamic raising off) unless the user set one in the
// environment (MALLOC_MMAP_THRESHOLD_ or GLIBC_TUNABLES'
// glibc.malloc.mmap_threshold); true when pinned. A no-op (false) without
// glibc. Process-wide: call it from the process's start-up, not per request.
bool PinMmapThreshold(size_t bytes);

inline constexpr size_t kPinnedMmapThreshold = 256 * 1024;

class HeapTrimmer {
 public:
  // interval <= 0: no thread, nothing is trimmed.
  HeapTrimmer(std::chrono::milliseconds interval, uint64_t min_growth_bytes);
  ~HeapTrimmer();
  HeapTrimmer(const HeapTrimmer&) = delete;
  HeapTrimmer& operator=(const HeapTrimmer&) = delete;

  // Trims done so far, and RSS right after the last one (bytes; for tests
  // and logs).
  uint64_t trims() const FINEX_EXCLUDES(mu_);
  uint64_t resident_after_last_trim() const FINEX_EXCLUDES(mu_);

 private:
  void Run() FINEX_EXCLUDES(mu_);

  const std::chrono::milliseconds interval_;
  const uint64_t min_growth_;
  mutable Mutex mu_;
  CondVar cv_;
  bool stop_ FINEX_GUARDED_BY(mu_) = false;
  uint64_t trims_ FINEX_GUARDED_BY(mu_) = 0;
  uint64_t baseline_ FINEX_GUARDED_BY(mu_) = 0;  // RSS after the last trim (or at start)
  std::thread thread_;
};

}  // namespace finex
