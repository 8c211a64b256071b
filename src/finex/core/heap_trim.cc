#include "finex/core/heap_trim.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace finex {

bool ReleaseFreeHeap() {
#if defined(__GLIBC__)
  return malloc_trim(0) != 0;
#else
  return false;
#endif
}

bool PinMmapThreshold(size_t bytes) {
#if defined(__GLIBC__)
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) return false;
  if (const char* t = std::getenv("GLIBC_TUNABLES"); t && std::strstr(t, "mmap_threshold"))
    return false;
  return mallopt(M_MMAP_THRESHOLD, static_cast<int>(bytes)) == 1;
#else
  (void)bytes;
  return false;
#endif
}

uint64_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  const long page = sysconf(_SC_PAGESIZE);
  return n == 2 && page > 0 ? resident * static_cast<uint64_t>(page) : 0;
}

HeapTrimmer::HeapTrimmer(std::chrono::milliseconds interval, uint64_t min_growth_bytes)
    : interval_(interval), min_growth_(min_growth_bytes) {
  {
    MutexLock lock(mu_);
    baseline_ = ResidentBytes();
  }
  if (interval_.count() > 0) {
    PinMmapThreshold(kPinnedMmapThreshold);
    thread_ = std::thread([this] { Run(); });
  }
}

HeapTrimmer::~HeapTrimmer() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

uint64_t HeapTrimmer::trims() const {
  MutexLock lock(mu_);
  return trims_;
}

uint64_t HeapTrimmer::resident_after_last_trim() const {
  MutexLock lock(mu_);
  return baseline_;
}

void HeapTrimmer::Run() {
  // After a growth trim, one more once the burst has passed: when RSS has not
  // risen for 10 looks, or at the latest 60 looks after that trim.
  int quiet_looks = -1;  // looks without a rise since the growth trim; -1 = none armed
  int armed_looks = 0;
  uint64_t last_rss = 0;
  for (;;) {
    uint64_t baseline = 0;
    {
      MutexLock lock(mu_);
      if (cv_.WaitFor(mu_, interval_, [this] {
            mu_.AssertHeld();
            return stop_;
          }))
        return;
      baseline = baseline_;
    }
    const uint64_t rss = ResidentBytes();
    if (rss == 0) continue;
    if (quiet_looks >= 0) {
      quiet_looks = rss > last_rss ? 0 : quiet_looks + 1;
      ++armed_looks;
    }
    last_rss = rss;
    const bool grew = baseline != 0 && rss >= baseline + std::max(min_growth_, baseline / 40);
    const bool follow_up = quiet_looks >= 10 || armed_looks >= 60;
    if (!grew && !follow_up) {
      if (rss < baseline) {  // the process shrank by itself: follow it down
        MutexLock lock(mu_);
        baseline_ = rss;
      }
      continue;
    }
    ReleaseFreeHeap();
    const uint64_t after = ResidentBytes();
    quiet_looks = grew ? 0 : -1;
    armed_looks = 0;
    last_rss = after;
    MutexLock lock(mu_);
    ++trims_;
    baseline_ = after;
  }
}

}  // namespace finex
