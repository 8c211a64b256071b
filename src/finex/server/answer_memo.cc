#include "finex/server/answer_memo.h"

namespace finex::server {

AnswerMemo::AnswerMemo(size_t max_entries, size_t max_target_bytes)
    : max_entries_(max_entries), max_target_bytes_(max_target_bytes) {}

bool AnswerMemo::Find(std::string_view target, int64_t now_us, Timestamp now_s, Entry* out) {
  if (max_entries_ == 0) return false;
  MutexLock lock(mu_);
  auto it = map_.find(target);
  if (it == map_.end()) return false;
  if (!Valid(it->second, now_us, now_s)) {
    map_.erase(it);
    return false;
  }
  *out = it->second;
  return true;
}

bool AnswerMemo::Holds(std::string_view target, const AnswerCache::Liveness& live, int64_t now_us,
                       Timestamp now_s) const {
  if (max_entries_ == 0) return false;
  MutexLock lock(mu_);
  auto it = map_.find(target);
  return it != map_.end() && it->second.live == live && Valid(it->second, now_us, now_s);
}

void AnswerMemo::Record(std::string_view target, Entry entry) {
  if (max_entries_ == 0 || target.size() > max_target_bytes_ || !entry.answer || !entry.head ||
      !entry.live) {
    return;
  }
  MutexLock lock(mu_);
  auto it = map_.find(target);
  if (it != map_.end()) {
    it->second = std::move(entry);
    return;
  }
  if (map_.size() >= max_entries_) {
    std::erase_if(map_,
                  [](const auto& kv) { return !kv.second.live->load(std::memory_order_acquire); });
    if (map_.size() >= max_entries_) map_.clear();
  }
  map_.emplace(std::string(target), std::move(entry));
}

void AnswerMemo::Clear() {
  MutexLock lock(mu_);
  map_.clear();
}

size_t AnswerMemo::entries() const {
  MutexLock lock(mu_);
  return map_.size();
}

}  // namespace finex::server
