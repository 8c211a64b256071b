// MemoryBackend get/put/scan_prefix, 1 KB values, 1 and 2 threads, with a
// same-run anchor: a plain std::unordered_map under one std::shared_mutex
// (single thread), so ratios are comparable across machines.
//
//   ninja -C build/release finex_bench
//   build/release/bench/finex_bench --benchmark_filter='Memory|Anchor'
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "finex/backend/memory/memory_backend.h"

namespace finex::backend {
namespace {

// Working sets: 10k keys (~11 MB, mostly cache-resident) and 100k keys
// (~110 MB, DRAM-bound). The benchmark argument picks one.
constexpr int kMaxKeys = 100000;
constexpr size_t kValueBytes = 1024;

std::string BenchKey(int i) {
  return "finex:SYM" + std::to_string(i % 1000) +
         ":1d:" + std::to_string(1704067200 + (i / 1000) * 86400) + ":" +
         std::to_string(1706918400 + (i / 1000) * 86400) + ":yahoo:usd:ohlcv_v1";
}

const std::vector<std::string>& Keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    k.reserve(kMaxKeys);
    for (int i = 0; i < kMaxKeys; ++i) k.push_back(BenchKey(i));
    return k;
  }();
  return keys;
}

// One backend per working-set size, shared by all benchmark threads, filled
// on first use (benchmark threads start after the setup of thread 0 only if
// it happens before the loop, so fill under a mutex).
MemoryBackend& Filled(int nkeys) {
  static std::mutex mu;
  static std::map<int, std::unique_ptr<MemoryBackend>> backends;
  std::lock_guard<std::mutex> l(mu);
  std::unique_ptr<MemoryBackend>& b = backends[nkeys];
  if (!b) {
    // No sweeper thread (the values have no TTL): these backends die with
    // the static map at exit, possibly after SystemClock()'s static, and a
    // sweeper would then call a destroyed clock (UBSan: invalid vptr).
    MemoryBackendOptions o;
    o.sweep_interval_ms = 0;
    b = std::make_unique<MemoryBackend>(o);
    const std::string value(kValueBytes, 'v');
    for (int i = 0; i < nkeys; ++i) (void)b->Put(Keys()[i], value);
  }
  return *b;
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

void BM_MemoryGet1KB(benchmark::State& state) {
  const int kKeys = static_cast<int>(state.range(0));
  MemoryBackend& b = Filled(kKeys);
  const auto& keys = Keys();
  uint64_t i = state.thread_index() * 7919;
  size_t bytes = 0;
  for (auto _ : state) {
    auto v = b.Get(keys[Mix(++i) % kKeys]);
    bytes += (*v)->size();
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_MemoryGet1KB)->Arg(10000)->Arg(100000)->Threads(1)->Threads(2)->UseRealTime();

void BM_MemoryPut1KB(benchmark::State& state) {
  const int kKeys = static_cast<int>(state.range(0));
  MemoryBackend& b = Filled(kKeys);
  const auto& keys = Keys();
  const std::string value(kValueBytes, 'p');
  uint64_t i = state.thread_index() * 104729;
  for (auto _ : state) {
    Status s = b.Put(keys[Mix(++i) % kKeys], value);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemoryPut1KB)->Arg(10000)->Arg(100000)->Threads(1)->Threads(2)->UseRealTime();

// One series' fragments: "finex:SYM42:1d:" matches 100 of the 100k keys.
void BM_MemoryScanPrefix100(benchmark::State& state) {
  MemoryBackend& b = Filled(kMaxKeys);
  uint64_t i = state.thread_index();
  for (auto _ : state) {
    auto keys = b.ScanPrefix("finex:SYM" + std::to_string(Mix(++i) % 1000) + ":1d:");
    benchmark::DoNotOptimize(keys);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemoryScanPrefix100)->Threads(1)->Threads(2)->UseRealTime();

// Anchor: the simplest thread-safe map, same keys and values, one thread.
void BM_AnchorSharedMutexUnorderedMapGet1KB(benchmark::State& state) {
  const int kKeys = static_cast<int>(state.range(0));
  static std::shared_mutex mu;
  static std::map<int, std::unordered_map<std::string, std::string>> maps;
  std::unordered_map<std::string, std::string>& map = maps[kKeys];
  if (map.empty()) {
    const std::string value(kValueBytes, 'v');
    for (int i = 0; i < kKeys; ++i) map[Keys()[i]] = value;
  }
  const auto& keys = Keys();
  uint64_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    std::optional<std::string> v;
    {
      std::shared_lock<std::shared_mutex> l(mu);
      auto it = map.find(keys[Mix(++i) % kKeys]);
      if (it != map.end()) v = it->second;
    }
    bytes += v->size();
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_AnchorSharedMutexUnorderedMapGet1KB)->Arg(10000)->Arg(100000)->UseRealTime();

}  // namespace
}  // namespace finex::backend
