// Executor: a fixed pool of worker threads that an engine owns and every
// request borrows for its fan-out (symbols of one history request, fetches of
// one plan). No thread is created per request; the number of threads working
// for requests is bounded by the pool size plus the requests' own threads.
//
// ParallelFor(n, fn) runs fn(0..n-1) and returns when all have finished. The
// calling thread takes part: it claims indices itself, and only waits for the
// ones a worker has already started. So nested ParallelFor calls (a symbol's
// fetches inside the symbols' loop) cannot deadlock however busy the pool
// is — at worst the caller runs every index alone.
//
// Thread-safety: every method is thread-safe. Ownership: owns its threads;
// the destructor finishes queued helper tasks (they return at once when
// their loop is done) and joins. fn must not throw.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "finex/core/mutex.h"

namespace finex {

class Executor {
 public:
  // threads = 0 runs everything on the caller (ParallelFor is a plain loop).
  explicit Executor(int threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs fn(i) for every i in [0, n), on the caller and up to
  // min(n, threads + 1, max_parallel) - 1 pool workers (max_parallel 0 = no
  // cap of its own); returns once every call has returned.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn, size_t max_parallel = 0)
      FINEX_EXCLUDES(mu_);

  int threads() const { return static_cast<int>(workers_.size()); }
  // Helper tasks queued and not yet picked up by a worker (for tests).
  size_t queued() const FINEX_EXCLUDES(mu_);

 private:
  void WorkerLoop() FINEX_EXCLUDES(mu_);

  mutable Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> queue_ FINEX_GUARDED_BY(mu_);
  bool stop_ FINEX_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace finex
