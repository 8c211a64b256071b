// Redis backend throughput: Get / Put / GetMultiple(16) of 8 KiB values, with
// p99 latency as a counter. Needs FINEX_BENCH_REDIS_URL (bench/backends/run.sh
// starts a redis-server and sets it); skipped otherwise.
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

}  // namespace
}  // namespace finex::backend
