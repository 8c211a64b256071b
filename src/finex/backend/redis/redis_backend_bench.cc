// Redis backend throughput: Get / Put / GetMultiple(16) of 8 KiB values, with
// p99 latency as a counter. Needs FINEX_BENCH_REDIS_URL (bench/backends/run.sh
// starts a redis-server and sets it); skipped otherwise. The same over Redis
// Sentinel (FINEX_BENCH_REDIS_SENTINEL_URL, BM_RedisSentinel*) and Redis
// Cluster (FINEX_BENCH_REDIS_CLUSTER_URL, BM_RedisCluster*).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "finex/backend/detail/bench_util.h"
#include "finex/backend/redis/redis_backend.h"

namespace finex::backend {
namespace {

std::unique_ptr<Backend>& BenchRedis() {
  static std::unique_ptr<Backend> b = []() -> std::unique_ptr<Backend> {
    const char* url = getenv("FINEX_BENCH_REDIS_URL");
    if (url == nullptr || *url == '\0') return nullptr;
    RedisOptions o;
    o.url = url;
    auto r = OpenRedisBackend(o);
    return r.ok() ? std::move(r).value() : nullptr;
  }();
  return b;
}

void BM_RedisPut(benchmark::State& state) {
  auto& b = BenchRedis();
  if (!b) return state.SkipWithError("set FINEX_BENCH_REDIS_URL (bench/backends/run.sh)");
  detail::RunPutBench(state, *b);
}
BENCHMARK(BM_RedisPut)->UseRealTime();

void BM_RedisGet(benchmark::State& state) {
  auto& b = BenchRedis();
  if (!b) return state.SkipWithError("set FINEX_BENCH_REDIS_URL (bench/backends/run.sh)");
  detail::PutBenchValues(*b);
  detail::RunGetBench(state, *b);
}
BENCHMARK(BM_RedisGet)->UseRealTime();

void BM_RedisGetMultiple16(benchmark::State& state) {
  auto& b = BenchRedis();
  if (!b) return state.SkipWithError("set FINEX_BENCH_REDIS_URL (bench/backends/run.sh)");
  detail::PutBenchValues(*b);
  detail::RunGetMultiple16Bench(state, *b);
}
BENCHMARK(BM_RedisGetMultiple16)->UseRealTime();

std::unique_ptr<Backend> OpenFromEnv(const char* var) {
  const char* url = getenv(var);
  if (url == nullptr || *url == '\0') return nullptr;
  RedisOptions o;
  o.url = url;
  auto r = OpenRedisBackend(o);
  return r.ok() ? std::move(r).value() : nullptr;
}

#define FINEX_REDIS_VARIANT_BENCH(NAME, VAR)                                   \
  std::unique_ptr<Backend>& Bench##NAME() {                                    \
    static std::unique_ptr<Backend> b = OpenFromEnv(VAR);                      \
    return b;                                                                  \
  }                                                                            \
  void BM_##NAME##Put(benchmark::State& state) {                               \
    auto& b = Bench##NAME();                                                   \
    if (!b) return state.SkipWithError("set " VAR " (bench/backends/run.sh)"); \
    detail::RunPutBench(state, *b);                                            \
  }                                                                            \
  BENCHMARK(BM_##NAME##Put)->UseRealTime();                                    \
  void BM_##NAME##Get(benchmark::State& state) {                               \
    auto& b = Bench##NAME();                                                   \
    if (!b) return state.SkipWithError("set " VAR " (bench/backends/run.sh)"); \
    detail::PutBenchValues(*b);                                                \
    detail::RunGetBench(state, *b);                                            \
  }                                                                            \
  BENCHMARK(BM_##NAME##Get)->UseRealTime();                                    \
  void BM_##NAME##GetMultiple16(benchmark::State& state) {                     \
    auto& b = Bench##NAME();                                                   \
    if (!b) return state.SkipWithError("set " VAR " (bench/backends/run.sh)"); \
    detail::PutBenchValues(*b);                                                \
    detail::RunGetMultiple16Bench(state, *b);                                  \
  }                                                                            \
  BENCHMARK(BM_##NAME##GetMultiple16)->UseRealTime();

FINEX_REDIS_VARIANT_BENCH(RedisSentinel, "FINEX_BENCH_REDIS_SENTINEL_URL")
FINEX_REDIS_VARIANT_BENCH(RedisCluster, "FINEX_BENCH_REDIS_CLUSTER_URL")

}  // namespace
}  // namespace finex::backend
