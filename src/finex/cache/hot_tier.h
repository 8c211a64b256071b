// HotTier: the bounded in-memory tier of DECODED, immutable frames in front
// of the byte backends, so a cache hit does no decoding (DESIGN.md
// "Layers"). Entries are keyed by fragment key. When the byte budget is
// exceeded, victims are chosen by an EvictionPolicy (eviction.h: LRU or GDSF)
// — the eviction hook of the memory lifecycle (issue 7); an evicted frame is
// still in the backend and is decoded again on its next use.
//
// Thread-safety: every method is thread-safe (one mutex; Get is a hash
// lookup plus a policy touch). Ownership: holds shared references to frames;
// callers keep theirs alive independently.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "finex/cache/eviction.h"
#include "finex/core/frame.h"
#include "finex/core/mutex.h"

namespace finex::cache {

class HotTier {
 public:
  // budget_bytes 0 = unlimited.
  HotTier(uint64_t budget_bytes, EvictionKind kind);

  // The frame, or nullptr when absent.
  FramePtr Get(std::string_view key);
  // Inserts or replaces; may evict others (never the entry just inserted):
  // returns the keys it evicted.
  std::vector<std::string> Put(const std::string& key, FramePtr frame, double cost);
  bool Contains(std::string_view key) const;
  // Evicts (by the policy) until `bytes` are freed or nothing is left;
  // returns the keys it evicted.
  std::vector<std::string> Shrink(uint64_t bytes);
  void Erase(std::string_view key);
  // Erases every key for which pred is true; returns how many.
  size_t EraseIf(const std::function<bool(std::string_view)>& pred);

  uint64_t bytes() const;
  uint64_t budget_bytes() const { return budget_; }
  uint64_t evictions() const { return evictions_.load(); }
  size_t size() const;

 private:
  struct Entry {
    FramePtr frame;
    uint64_t bytes = 0;
  };
  const uint64_t budget_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Entry> map_ FINEX_GUARDED_BY(mu_);
  std::unique_ptr<EvictionPolicy> policy_ FINEX_GUARDED_BY(mu_);
  uint64_t bytes_ FINEX_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace finex::cache
