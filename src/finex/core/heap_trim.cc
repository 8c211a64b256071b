#include "finex/core/heap_trim.h"

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

HeapTrimmer::HeapTrimmer(std::chrono::milliseconds interval) : interval_(interval) {
  if (interval_.count() > 0) thread_ = std::thread([this] { Run(); });
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

void HeapTrimmer::Run() {
  for (;;) {
    {
      MutexLock lock(mu_);
      if (cv_.WaitFor(mu_, interval_, [this] {
            mu_.AssertHeld();
            return stop_;
          }))
        return;
    }
    ReleaseFreeHeap();
    MutexLock lock(mu_);
    ++trims_;
  }
}

}  // namespace finex
