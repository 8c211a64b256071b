// Redis backend throughput: Get / Put / GetMultiple(16) of 8 KiB values, with
// p99 latency as a counter. Needs FINEX_BENCH_REDIS_URL (bench/backends/run.sh
// starts a redis-server and sets it); skipped otherwise.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "finex/backend/redis/redis_backend.h"

namespace finex::backend {
namespace {

std::unique_ptr<Backend>& BenchRedis() {
  static std::unique_ptr<Backend> b = [] () -> std::unique_ptr<Backend> {
    const char* url = getenv("FINEX_BENCH_REDIS_URL");
    if (url == nullptr || *url == '\0') return nullptr;
    RedisOptions o;
    o.url = url;
    auto r = OpenRedisBackend(o);
    return r.ok() ? std::move(r).value() : nullptr;
  }();
  return b;
}

void ReportP99(benchmark::State& state, std::vector<double>& lat_us) {
  if (lat_us.empty()) return;
  std::sort(lat_us.begin(), lat_us.end());
  state.counters["p99_us"] = lat_us[static_cast<size_t>(0.99 * (lat_us.size() - 1))];
  state.counters["p50_us"] = lat_us[lat_us.size() / 2];
}

std::string Key(int i) { return "finex:BENCH:1d:" + std::to_string(i) + ":1:yahoo:usd:ohlcv_v1"; }

void BM_RedisPut(benchmark::State& state) {
  auto& b = BenchRedis();
  if (!b) return state.SkipWithError("set FINEX_BENCH_REDIS_URL (bench/backends/run.sh)");
  const std::string value(8192, 'v');
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    if (!b->Put(Key(i++ % 1000), value).ok()) return state.SkipWithError("put failed");
    lat.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations());
  ReportP99(state, lat);
}
BENCHMARK(BM_RedisPut)->UseRealTime();

void BM_RedisGet(benchmark::State& state) {
  auto& b = BenchRedis();
  if (!b) return state.SkipWithError("set FINEX_BENCH_REDIS_URL (bench/backends/run.sh)");
  const std::string value(8192, 'v');
  for (int i = 0; i < 1000; ++i) (void)b->Put(Key(i), value);
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = b->Get(Key(i++ % 1000));
    if (!r.ok() || !r->has_value()) return state.SkipWithError("get failed");
    lat.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations());
  ReportP99(state, lat);
}
BENCHMARK(BM_RedisGet)->UseRealTime();

void BM_RedisGetMultiple16(benchmark::State& state) {
  auto& b = BenchRedis();
  if (!b) return state.SkipWithError("set FINEX_BENCH_REDIS_URL (bench/backends/run.sh)");
  const std::string value(8192, 'v');
  for (int i = 0; i < 1000; ++i) (void)b->Put(Key(i), value);
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    std::vector<std::string> keys;
    for (int j = 0; j < 16; ++j) keys.push_back(Key((i + j) % 1000));
    i += 16;
    auto t0 = std::chrono::steady_clock::now();
    auto r = b->GetMultiple(keys);
    if (!r.ok()) return state.SkipWithError("get_multiple failed");
    lat.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations() * 16);
  ReportP99(state, lat);
}
BENCHMARK(BM_RedisGetMultiple16)->UseRealTime();

}  // namespace
}  // namespace finex::backend
