#include "finex/cache/hot_tier.h"

#include <vector>

namespace finex::cache {

HotTier::HotTier(uint64_t budget_bytes, EvictionKind kind)
    : budget_(budget_bytes), policy_(NewEvictionPolicy(kind)) {}

FramePtr HotTier::Get(std::string_view key) {
  MutexLock lock(mu_);
  auto it = map_.find(std::string(key));
  if (it == map_.end()) return nullptr;
  policy_->OnAccess(key);
  return it->second.frame;
}

std::vector<std::string> HotTier::Shrink(uint64_t bytes) {
  std::vector<std::string> evicted;
  MutexLock lock(mu_);
  uint64_t freed = 0;
  while (freed < bytes && !map_.empty()) {
    auto victim = policy_->PopVictim();
    if (!victim) break;
    auto v = map_.find(*victim);
    if (v == map_.end()) continue;
    freed += v->second.bytes;
    bytes_ -= v->second.bytes;
    map_.erase(v);
    evictions_.fetch_add(1);
    evicted.push_back(std::move(*victim));
  }
  return evicted;
}

bool HotTier::Contains(std::string_view key) const {
  MutexLock lock(mu_);
  return map_.count(std::string(key)) > 0;
}

std::vector<std::string> HotTier::Put(const std::string& key, FramePtr frame, double cost) {
  std::vector<std::string> evicted;
  const uint64_t size = frame ? frame->ByteSize() + key.size() + 64 : key.size() + 64;
  MutexLock lock(mu_);
  auto [it, inserted] = map_.try_emplace(key);
  if (!inserted) bytes_ -= it->second.bytes;
  it->second = Entry{std::move(frame), size};
  bytes_ += size;
  policy_->OnInsert(key, size, cost);
  bool popped_self = false;
  while (budget_ > 0 && bytes_ > budget_ && map_.size() > 1) {
    auto victim = policy_->PopVictim();
    if (!victim) break;
    if (*victim == key) {  // never drop what was just inserted
      popped_self = true;
      continue;
    }
    auto v = map_.find(*victim);
    if (v == map_.end()) continue;
    bytes_ -= v->second.bytes;
    map_.erase(v);
    evictions_.fetch_add(1);
    evicted.push_back(std::move(*victim));
  }
  if (popped_self) policy_->OnInsert(key, size, cost);
  return evicted;
}

void HotTier::Erase(std::string_view key) {
  MutexLock lock(mu_);
  auto it = map_.find(std::string(key));
  if (it == map_.end()) return;
  bytes_ -= it->second.bytes;
  map_.erase(it);
  policy_->OnErase(key);
}

size_t HotTier::EraseIf(const std::function<bool(std::string_view)>& pred) {
  MutexLock lock(mu_);
  std::vector<std::string> keys;
  for (const auto& [k, e] : map_)
    if (pred(k)) keys.push_back(k);
  for (const std::string& k : keys) {
    bytes_ -= map_[k].bytes;
    map_.erase(k);
    policy_->OnErase(k);
  }
  return keys.size();
}

uint64_t HotTier::bytes() const {
  MutexLock lock(mu_);
  return bytes_;
}

size_t HotTier::size() const {
  MutexLock lock(mu_);
  return map_.size();
}

}  // namespace finex::cache
