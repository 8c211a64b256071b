#include "finex/backend/memory/memory_backend.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "finex/core/mutex.h"

namespace finex::backend {
namespace {

// XXH3 (inlined): several times faster than std::hash on 60-100 byte keys,
// and Get hashes every key twice (shard choice, then the shard's map).
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return XXH3_64bits(s.data(), s.size()); }
};

struct Entry;
// Expiry instant (clock micros) -> key, for O(expired) sweeps.
using ExpiryIndex = std::multimap<int64_t, std::string_view>;

struct Entry {
  Bytes value;
  int64_t expires_us = 0;             // 0 = never
  ExpiryIndex::iterator expiry_it{};  // valid iff expires_us != 0
  // CLOCK bit: set by reads (under the shared lock, hence atomic), cleared by
  // the eviction hand (under the exclusive lock).
  mutable std::atomic<bool> referenced{true};
};

bool Expired(const Entry& e, int64_t now_us) { return e.expires_us != 0 && now_us >= e.expires_us; }

}  // namespace

struct alignas(64) MemoryBackend::Shard {
  mutable SharedMutex mu;
  // Entries by key. Node-based, so key and Entry addresses are stable; the
  // ordered index and the expiry index hold views/pointers into the nodes.
  using Map = std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>>;
  Map map FINEX_GUARDED_BY(mu);
  std::map<std::string_view, Entry*> index FINEX_GUARDED_BY(mu);  // same keys, ascending
  ExpiryIndex expiry FINEX_GUARDED_BY(mu);
  uint64_t bytes FINEX_GUARDED_BY(mu) = 0;      // sum of key.size() + value.size()
  uint64_t expired FINEX_GUARDED_BY(mu) = 0;    // entries reclaimed after their TTL
  uint64_t evicted FINEX_GUARDED_BY(mu) = 0;    // entries dropped for the byte budget
  std::string clock_hand FINEX_GUARDED_BY(mu);  // next key the CLOCK hand examines

  // REQUIRES: exclusive lock held.
  void Erase(Map::iterator it) FINEX_REQUIRES(mu) {
    bytes -= it->first.size() + it->second.value.size();
    if (it->second.expires_us != 0) expiry.erase(it->second.expiry_it);
    index.erase(std::string_view(it->first));
    map.erase(it);
  }
  // Removes entries expired at now_us, adding their keys to *dropped when
  // given. REQUIRES: exclusive lock held.
  size_t SweepLocked(int64_t now_us, std::vector<std::string>* dropped) FINEX_REQUIRES(mu) {
    size_t n = 0;
    while (!expiry.empty() && expiry.begin()->first <= now_us) {
      auto it = map.find(expiry.begin()->second);
      if (dropped) dropped->push_back(it->first);
      Erase(it);
      ++n;
    }
    expired += n;
    return n;
  }
  // Evicts one entry other than `keep` in CLOCK order, adding its key to
  // *dropped when given; false if none can go. REQUIRES: exclusive lock held.
  bool EvictOneLocked(std::string_view keep, std::vector<std::string>* dropped) FINEX_REQUIRES(mu) {
    if (index.empty()) return false;
    auto it = index.lower_bound(clock_hand);
    for (size_t steps = 0; steps <= 2 * index.size() + 1; ++steps) {
      if (it == index.end()) it = index.begin();
      if (it->first == keep) {
        ++it;
        continue;
      }
      if (it->second->referenced.load(std::memory_order_relaxed)) {
        it->second->referenced.store(false, std::memory_order_relaxed);
        ++it;
        continue;
      }
      auto next = std::next(it);
      clock_hand = next == index.end() ? std::string() : std::string(next->first);
      if (dropped) dropped->emplace_back(it->first);
      Erase(map.find(it->first));
      ++evicted;
      return true;
    }
    return false;
  }
};

struct MemoryBackend::Impl {
  explicit Impl(const MemoryBackendOptions& o)
      : nshards(o.shards),
        shards(new Shard[o.shards]),
        clock(o.clock ? *o.clock : SystemClock()),
        shard_budget(o.max_bytes == 0 ? 0 : std::max<uint64_t>(1, o.max_bytes / o.shards)),
        sweep_interval_ms(o.sweep_interval_ms) {}

  const size_t nshards;
  std::unique_ptr<Shard[]> shards;
  Clock& clock;
  const uint64_t shard_budget;  // 0 = unlimited
  const int64_t sweep_interval_ms;

  // Backend::SetDropListener. Calls run under the reader lock, so replacing
  // the listener (writer lock) waits for calls in flight.
  mutable SharedMutex listener_mu;
  DropListener listener FINEX_GUARDED_BY(listener_mu);
  std::atomic<bool> has_listener{false};

  // Calls the listener with each dropped key (no shard lock held).
  void Report(const std::vector<std::string>& dropped) const {
    if (dropped.empty()) return;
    ReaderLock l(listener_mu);
    if (!listener) return;
    for (const std::string& k : dropped) listener(k);
  }

  Mutex sweeper_mu;
  CondVar sweeper_cv;
  bool stopping FINEX_GUARDED_BY(sweeper_mu) = false;
  std::thread sweeper;
};

std::unique_ptr<Backend> NewMemoryBackend(const MemoryBackendOptions& options) {
  return std::make_unique<MemoryBackend>(options);
}

MemoryBackend::MemoryBackend(const MemoryBackendOptions& options) {
  FINEX_CHECK(options.shards >= 1 && options.shards <= 4096);
  FINEX_CHECK(options.sweep_interval_ms >= 0);
  impl_ = std::make_unique<Impl>(options);
  if (options.sweep_interval_ms > 0) impl_->sweeper = std::thread([this] { SweeperLoop(); });
}

MemoryBackend::~MemoryBackend() {
  {
    MutexLock l(impl_->sweeper_mu);
    impl_->stopping = true;
  }
  impl_->sweeper_cv.SignalAll();
  if (impl_->sweeper.joinable()) impl_->sweeper.join();
}

void MemoryBackend::SweeperLoop() {
  Impl& im = *impl_;
  UniqueMutexLock l(im.sweeper_mu);
  while (!im.stopping) {
    im.sweeper_cv.WaitFor(im.sweeper_mu, std::chrono::milliseconds(im.sweep_interval_ms), [&] {
      im.sweeper_mu.AssertHeld();
      return im.stopping;
    });
    if (im.stopping) break;
    l.Unlock();
    SweepExpired();
    l.Lock();
  }
}

MemoryBackend::Shard& MemoryBackend::ShardFor(std::string_view key) const {
  // The map picks buckets from the low bits (modulo a prime); take the
  // shard from the high bits so the two choices do not correlate.
  const uint64_t h = KeyHash{}(key);
  return impl_->shards[(h >> 40) % impl_->nshards];
}

size_t MemoryBackend::SweepExpired() {
  size_t n = 0;
  std::vector<std::string> dropped;
  std::vector<std::string>* collect =
      impl_->has_listener.load(std::memory_order_acquire) ? &dropped : nullptr;
  for (size_t i = 0; i < impl_->nshards; ++i) {
    Shard& s = impl_->shards[i];
    const int64_t now = impl_->clock.NowMicros();
    {
      ReaderLock l(s.mu);
      if (s.expiry.empty() || s.expiry.begin()->first > now) continue;
    }
    WriterLock l(s.mu);
    n += s.SweepLocked(now, collect);
  }
  impl_->Report(dropped);
  return n;
}

void MemoryBackend::SetDropListener(DropListener listener) {
  WriterLock l(impl_->listener_mu);
  impl_->has_listener.store(static_cast<bool>(listener), std::memory_order_release);
  impl_->listener = std::move(listener);
}

Result<std::optional<Bytes>> MemoryBackend::DoGet(std::string_view key) {
  Shard& s = ShardFor(key);
  ReaderLock l(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end()) return std::optional<Bytes>();
  const Entry& e = it->second;
  if (e.expires_us != 0 && Expired(e, impl_->clock.NowMicros())) return std::optional<Bytes>();
  if (impl_->shard_budget != 0 && !e.referenced.load(std::memory_order_relaxed)) {
    e.referenced.store(true, std::memory_order_relaxed);
  }
  return std::optional<Bytes>(e.value);
}

Result<std::vector<std::optional<Bytes>>> MemoryBackend::DoGetMultiple(
    std::span<const std::string> keys) {
  std::vector<std::optional<Bytes>> out;
  out.reserve(keys.size());
  for (const std::string& k : keys) {
    FINEX_ASSIGN_OR_RETURN(std::optional<Bytes> v, DoGet(k));
    out.push_back(std::move(v));
  }
  return out;
}

Status MemoryBackend::DoPut(std::string_view key, ByteView value, const PutOptions& opts) {
  const uint64_t entry_bytes = key.size() + value.size();
  if (impl_->shard_budget != 0 && entry_bytes > impl_->shard_budget) {
    return ResourceExhaustedError("memory backend: entry of " + std::to_string(entry_bytes) +
                                  " bytes exceeds the per-shard byte budget of " +
                                  std::to_string(impl_->shard_budget) + " bytes");
  }
  Shard& s = ShardFor(key);
  const int64_t now = opts.ttl_ms > 0 ? impl_->clock.NowMicros() : 0;
  std::vector<std::string> dropped;
  {
    WriterLock l(s.mu);
    auto it = s.map.find(key);
    if (it == s.map.end()) {
      it = s.map.try_emplace(std::string(key)).first;
      s.index.emplace(std::string_view(it->first), &it->second);
    } else {
      s.bytes -= it->first.size() + it->second.value.size();
      if (it->second.expires_us != 0) s.expiry.erase(it->second.expiry_it);
      it->second.expires_us = 0;
    }
    Entry& e = it->second;
    e.value.assign(value.data(), value.size());
    if (opts.ttl_ms > 0) {
      e.expires_us = now + opts.ttl_ms * 1000;
      e.expiry_it = s.expiry.emplace(e.expires_us, std::string_view(it->first));
    }
    e.referenced.store(true, std::memory_order_relaxed);
    s.bytes += entry_bytes;
    if (impl_->shard_budget != 0 && s.bytes > impl_->shard_budget) {
      std::vector<std::string>* collect =
          impl_->has_listener.load(std::memory_order_acquire) ? &dropped : nullptr;
      s.SweepLocked(impl_->clock.NowMicros(), collect);
      while (s.bytes > impl_->shard_budget && s.EvictOneLocked(key, collect)) {
      }
    }
  }
  impl_->Report(dropped);
  return OkStatus();
}

Status MemoryBackend::DoDelete(std::string_view key) {
  Shard& s = ShardFor(key);
  WriterLock l(s.mu);
  auto it = s.map.find(key);
  if (it != s.map.end()) s.Erase(it);
  return OkStatus();
}

Result<std::vector<std::string>> MemoryBackend::DoScanPrefix(std::string_view prefix,
                                                             size_t limit) {
  const int64_t now = impl_->clock.NowMicros();
  std::vector<std::string> out;
  for (size_t i = 0; i < impl_->nshards; ++i) {
    Shard& s = impl_->shards[i];
    ReaderLock l(s.mu);
    size_t taken = 0;
    for (auto it = s.index.lower_bound(prefix);
         it != s.index.end() && it->first.substr(0, prefix.size()) == prefix; ++it) {
      if (Expired(*it->second, now)) continue;
      out.emplace_back(it->first);
      // Each shard's keys are ascending, so no shard contributes more than
      // `limit` keys to the first `limit` overall.
      if (limit != 0 && ++taken == limit) break;
    }
  }
  std::sort(out.begin(), out.end());
  if (limit != 0 && out.size() > limit) out.resize(limit);
  return out;
}

Result<size_t> MemoryBackend::DoDeletePrefix(std::string_view prefix) {
  const int64_t now = impl_->clock.NowMicros();
  size_t n = 0;
  for (size_t i = 0; i < impl_->nshards; ++i) {
    Shard& s = impl_->shards[i];
    WriterLock l(s.mu);
    auto it = s.index.lower_bound(prefix);
    while (it != s.index.end() && it->first.substr(0, prefix.size()) == prefix) {
      auto next = std::next(it);
      if (Expired(*it->second, now)) {
        ++s.expired;
      } else {
        ++n;
      }
      s.Erase(s.map.find(it->first));
      it = next;
    }
  }
  return n;
}

BackendStats MemoryBackend::stats() const {
  BackendStats st;
  for (size_t i = 0; i < impl_->nshards; ++i) {
    const Shard& s = impl_->shards[i];
    ReaderLock l(s.mu);
    st.keys += s.map.size();
    st.bytes += s.bytes;
    st.expired += s.expired;
    st.evicted += s.evicted;
  }
  AddOpStats(&st);
  return st;
}

}  // namespace finex::backend
