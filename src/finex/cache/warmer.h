// Warmer: background warm jobs (CachedApi::warm_cache). Each job asks the
// cache for every (symbol, interval, range) it names through the public
// CachedApi::History, one at a time on one worker thread, recording
// progress and the first 100 errors; a job fails only when every part did.
// It needs nothing of the cache but its public face. Finished jobs are
// remembered for Status() up to max_finished_jobs (default 1024); beyond
// that the oldest finished one is forgotten (its id then answers NotFound),
// so a node taking warm requests for months does not keep them all (the
// soak: ~3 jobs/s, every one kept, was the live heap's steady growth).
//
// Thread-safety: thread-safe. Ownership: borrows the CachedApi (must outlive
// it — or call Stop() first); owns its worker thread, started on the first
// job and joined by Stop()/the destructor.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "finex/cache/cached_api.h"
#include "finex/core/mutex.h"

namespace finex::cache {

class Warmer {
 public:
  static constexpr size_t kDefaultMaxFinishedJobs = 1024;
  explicit Warmer(CachedApi& api, size_t max_finished_jobs = kDefaultMaxFinishedJobs);
  ~Warmer();

  // Queues a job; returns its id ("warm-<n>"). InvalidArgument (param
  // "ranges") for no range or a range whose start is after its end. Symbols
  // and provider are the caller's to validate. No intervals = daily.
  Result<std::string> Start(const WarmRequest& req) FINEX_EXCLUDES(mu_);
  // NotFound (param "id") for an unknown id or a finished job forgotten since.
  Result<WarmStatus> Status(std::string_view id) const FINEX_EXCLUDES(mu_);
  // Stops after the part in progress and joins the worker; idempotent.
  void Stop() FINEX_EXCLUDES(mu_);

 private:
  struct Job {
    WarmRequest req;
    WarmStatus status;
  };
  void Loop() FINEX_EXCLUDES(mu_);
  bool stopping() FINEX_EXCLUDES(mu_);

  CachedApi& api_;
  const size_t max_finished_;
  mutable Mutex mu_;
  CondVar cv_;
  std::map<std::string, std::shared_ptr<Job>, std::less<>> jobs_ FINEX_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<Job>> queue_ FINEX_GUARDED_BY(mu_);
  std::deque<std::string> finished_ FINEX_GUARDED_BY(mu_);  // ids, oldest first
  bool stop_ FINEX_GUARDED_BY(mu_) = false;
  uint64_t seq_ FINEX_GUARDED_BY(mu_) = 0;
  std::thread thread_ FINEX_GUARDED_BY(mu_);
};

}  // namespace finex::cache
