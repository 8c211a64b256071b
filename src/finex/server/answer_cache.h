// AnswerCache: a small LRU of fully serialized answers (status, headers and
// body as shared immutable bytes), keyed by the normalized request. A hot
// /v1/quote or 1-year /v1/history is then served without asking the engine,
// without rebuilding the body, and without copying it (the transport writes
// the shared bytes).
//
// Only answers the engine served entirely from cache (no provider call, not
// stale) are admitted, and each lives at most `ttl_us`, so an answer is never
// older than the engine's own data by more than that. Invalidation bumps the
// generation: Clear() drops everything, and a Put() carrying a generation
// taken before the Clear() is refused, so an answer computed across an
// invalidation cannot come back.
//
// Each entry carries a liveness flag that turns false the moment the entry
// leaves the cache (expiry noticed, replacement, eviction, Clear), so a memo
// of hits (answer_memo.h) can check in one atomic load that the answer it
// remembered is still the one the cache would serve.
//
// Thread-safety: all methods are thread-safe (one mutex; critical sections
// are a hash lookup and a list splice). Ownership: entries are shared_ptrs;
// a caller may keep serving an entry after it is evicted.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "finex/core/mutex.h"
#include "finex/http/server.h"

namespace finex::server {

class AnswerCache {
 public:
  // capacity_bytes: budget over body sizes (0 disables the cache).
  // ttl_us: lifetime of an entry in monotonic microseconds.
  AnswerCache(size_t capacity_bytes, int64_t ttl_us);
  ~AnswerCache();  // marks every entry dead

  using Liveness = std::shared_ptr<const std::atomic<bool>>;
  struct Hit {
    std::shared_ptr<const http::Response> answer;
    Liveness live;       // true while this answer is the cache's entry for its key
    int64_t expires_us;  // when it expires (same clock as now_us)
  };
  // The cached answer for key, or nullptr (absent or expired). now_us is
  // MonotonicMicros() (injectable for tests).
  std::shared_ptr<const http::Response> Get(std::string_view key, int64_t now_us);
  // Get() with the entry's liveness flag and expiry; answer is nullptr on miss.
  Hit Lookup(std::string_view key, int64_t now_us);
  // Counts a hit served from a memo of this cache's entries (answer_memo.h).
  void CountMemoHit() { memo_hits_.fetch_add(1, std::memory_order_relaxed); }
  // Stores an answer computed while generation() was `generation`; ignored if
  // the cache was cleared since, or if the body alone exceeds the budget.
  void Put(std::string key, std::shared_ptr<const http::Response> answer, uint64_t generation,
           int64_t now_us);
  uint64_t generation() const;
  void Clear();

  size_t entries() const;
  size_t bytes() const;
  uint64_t hits() const;  // including memo hits
  uint64_t misses() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const http::Response> answer;
    int64_t expires_us;
    size_t bytes;
    std::shared_ptr<std::atomic<bool>> live;
  };
  void EvictLocked() FINEX_REQUIRES(mu_);
  // Removes *e (marking it dead) from the list and the index.
  void EraseLocked(std::list<Entry>::iterator e) FINEX_REQUIRES(mu_);

  const size_t capacity_;
  const int64_t ttl_us_;
  mutable Mutex mu_;
  std::list<Entry> lru_ FINEX_GUARDED_BY(mu_);  // front = most recent
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_ FINEX_GUARDED_BY(mu_);
  size_t bytes_ FINEX_GUARDED_BY(mu_) = 0;
  uint64_t generation_ FINEX_GUARDED_BY(mu_) = 0;
  uint64_t hits_ FINEX_GUARDED_BY(mu_) = 0;
  uint64_t misses_ FINEX_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> memo_hits_{0};
};

}  // namespace finex::server
