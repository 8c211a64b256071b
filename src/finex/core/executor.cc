#include "finex/core/executor.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace finex {
namespace {

// State of one ParallelFor, shared with helper tasks that may run after the
// caller returned (they then find no index left and never touch fn).
struct Loop {
  explicit Loop(size_t n, const std::function<void(size_t)>* fn) : n(n), fn(fn) {}
  const size_t n;
  const std::function<void(size_t)>* fn;  // valid while done < n
  std::atomic<size_t> next{0};
  Mutex mu;
  CondVar cv;
  size_t done FINEX_GUARDED_BY(mu) = 0;

  // Claims and runs indices until none is left.
  void Drain() {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      (*fn)(i);
      MutexLock lock(mu);
      if (++done == n) cv.SignalAll();
    }
  }
};

}  // namespace

Executor::Executor(int threads) {
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

Executor::~Executor() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  for (std::thread& t : workers_) t.join();
}

size_t Executor::queued() const {
  MutexLock lock(mu_);
  return queue_.size();
}

void Executor::ParallelFor(size_t n, const std::function<void(size_t)>& fn, size_t max_parallel) {
  if (n == 0) return;
  if (n == 1 || workers_.empty() || max_parallel == 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  auto loop = std::make_shared<Loop>(n, &fn);
  size_t helpers = std::min(n, workers_.size() + 1) - 1;
  if (max_parallel > 0) helpers = std::min(helpers, max_parallel - 1);
  {
    MutexLock lock(mu_);
    for (size_t h = 0; h < helpers; ++h) queue_.push_back([loop] { loop->Drain(); });
  }
  if (helpers == 1) {
    cv_.Signal();
  } else {
    cv_.SignalAll();
  }
  loop->Drain();
  MutexLock lock(loop->mu);
  while (loop->done < n) loop->cv.Wait(loop->mu);
}

void Executor::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      MutexLock lock(mu_);
      while (!stop_ && queue_.empty()) cv_.Wait(mu_);
      if (queue_.empty()) return;  // stopping and nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace finex
