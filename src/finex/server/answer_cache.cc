#include "finex/server/answer_cache.h"

namespace finex::server {
namespace {

size_t AnswerBytes(const http::Response& r) {
  size_t n = r.body ? r.body->size() : 0;
  for (const auto& [k, v] : r.headers) n += k.size() + v.size();
  return n + 64;
}

}  // namespace

AnswerCache::AnswerCache(size_t capacity_bytes, int64_t ttl_us)
    : capacity_(capacity_bytes), ttl_us_(ttl_us) {}

AnswerCache::~AnswerCache() { Clear(); }

void AnswerCache::EraseLocked(std::list<Entry>::iterator e) {
  e->live->store(false, std::memory_order_release);
  bytes_ -= e->bytes;
  index_.erase(e->key);
  lru_.erase(e);
}

std::shared_ptr<const http::Response> AnswerCache::Get(std::string_view key, int64_t now_us) {
  return Lookup(key, now_us).answer;
}

AnswerCache::Hit AnswerCache::Lookup(std::string_view key, int64_t now_us) {
  MutexLock lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return {};
  }
  auto e = it->second;
  if (e->expires_us <= now_us) {
    EraseLocked(e);
    ++misses_;
    return {};
  }
  if (e != lru_.begin()) lru_.splice(lru_.begin(), lru_, e);
  ++hits_;
  return Hit{e->answer, e->live, e->expires_us};
}

void AnswerCache::Put(std::string key, std::shared_ptr<const http::Response> answer,
                      uint64_t generation, int64_t now_us) {
  if (capacity_ == 0 || !answer) return;
  const size_t bytes = AnswerBytes(*answer) + key.size();
  if (bytes > capacity_ / 4) return;  // one answer may not take over the cache
  MutexLock lock(mu_);
  if (generation != generation_) return;
  auto it = index_.find(key);
  if (it != index_.end()) EraseLocked(it->second);
  lru_.push_front(Entry{std::move(key), std::move(answer), now_us + ttl_us_, bytes,
                        std::make_shared<std::atomic<bool>>(true)});
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += bytes;
  EvictLocked();
}

void AnswerCache::EvictLocked() {
  while (bytes_ > capacity_ && !lru_.empty()) EraseLocked(std::prev(lru_.end()));
}

uint64_t AnswerCache::generation() const {
  MutexLock lock(mu_);
  return generation_;
}

void AnswerCache::Clear() {
  MutexLock lock(mu_);
  ++generation_;
  for (Entry& e : lru_) e.live->store(false, std::memory_order_release);
  index_.clear();
  lru_.clear();
  bytes_ = 0;
}

size_t AnswerCache::entries() const {
  MutexLock lock(mu_);
  return lru_.size();
}
size_t AnswerCache::bytes() const {
  MutexLock lock(mu_);
  return bytes_;
}
uint64_t AnswerCache::hits() const {
  MutexLock lock(mu_);
  return hits_ + memo_hits_.load(std::memory_order_relaxed);
}
uint64_t AnswerCache::misses() const {
  MutexLock lock(mu_);
  return misses_;
}

}  // namespace finex::server
