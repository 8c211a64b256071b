// AnswerMemo: the raw request target of a repeated GET → the AnswerCache
// entry that answered it, with the answer's head already serialized
// (http::PrepareHead) and its metric series resolved. A hot request is then
// answered (Service::Fast, through http::FastHandler) without decoding its
// query, validating its parameters, building its normalized key, copying the
// answer's headers or formatting its head.
//
// Correctness: a memo entry is served only while it is exactly what the slow
// path would serve —
//   - the AnswerCache entry it remembers is still that key's entry (its
//     liveness flag: false once the entry expired, was replaced, evicted or
//     cleared by an invalidation),
//   - the entry has not expired (now_us < expires_us, the cache's own clock),
//   - the service's "now" is the same second as when the entry was recorded
//     (a target such as period=1y resolves to a key through "now", so the
//     same target may mean another key a second later).
// Only bodiless GET/HEAD answers of status 200 that are not Parquet (whose
// answers depend on Range and If-None-Match headers) are recorded.
//
// Thread-safety: all methods are thread-safe (one mutex around a hash
// lookup; the validity checks are atomic loads). Ownership: entries hold
// shared_ptrs to the answer and its flag; the metric series pointers must
// outlive the memo (they belong to the Service's Registry).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "finex/core/mutex.h"
#include "finex/core/time.h"
#include "finex/server/answer_cache.h"
#include "finex/server/metrics.h"

namespace finex::server {

class AnswerMemo {
 public:
  struct Entry {
    std::shared_ptr<const http::Response> answer;
    std::shared_ptr<const std::string> head;  // http::PrepareHead(*answer)
    AnswerCache::Liveness live;
    int64_t expires_us = 0;  // the AnswerCache entry's expiry
    Timestamp now_s = 0;     // the service's "now" when recorded
    // The series the slow path would count this answer in, for GET and HEAD.
    Counter* requests_get = nullptr;
    Counter* requests_head = nullptr;
    Histogram* latency_get = nullptr;
    Histogram* latency_head = nullptr;
    Counter* response_bytes = nullptr;
  };

  // max_entries: bound on remembered targets (0 disables the memo).
  // max_target_bytes: longer targets are not remembered.
  explicit AnswerMemo(size_t max_entries, size_t max_target_bytes = 1024);

  // The valid entry for target into *out, else false (a stale entry found
  // on the way is dropped).
  bool Find(std::string_view target, int64_t now_us, Timestamp now_s, Entry* out);
  // Whether target's entry is valid and remembers the answer-cache entry
  // whose flag is `live` (then there is nothing to record).
  bool Holds(std::string_view target, const AnswerCache::Liveness& live, int64_t now_us,
             Timestamp now_s) const;
  // Remembers entry for target (replacing any). When full, dead entries are
  // dropped first, then everything.
  void Record(std::string_view target, Entry entry);
  void Clear();
  size_t entries() const;

 private:
  static bool Valid(const Entry& e, int64_t now_us, Timestamp now_s) {
    return e.now_s == now_s && now_us < e.expires_us && e.live &&
           e.live->load(std::memory_order_acquire);
  }

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  const size_t max_entries_;
  const size_t max_target_bytes_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> map_ FINEX_GUARDED_BY(mu_);
};

}  // namespace finex::server
