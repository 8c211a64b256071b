// InfluxDB backend throughput: Get / Put / GetMultiple(16) of 8 KiB values, with
// p99 latency as a counter. Needs FINEX_BENCH_INFLUX_URL (bench/backends/run.sh
// starts influxd and sets it); skipped otherwise.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "finex/backend/detail/bench_util.h"
#include "finex/backend/influxdb/influxdb_backend.h"

namespace finex::backend {
namespace {

std::unique_ptr<Backend>& BenchInflux() {
  static std::unique_ptr<Backend> b = []() -> std::unique_ptr<Backend> {
    const char* url = getenv("FINEX_BENCH_INFLUX_URL");
    if (url == nullptr || *url == '\0') return nullptr;
    InfluxDbOptions o;
    o.url = url;
    auto r = OpenInfluxDbBackend(o);
    return r.ok() ? std::move(r).value() : nullptr;
  }();
  return b;
}

void BM_InfluxPut(benchmark::State& state) {
  auto& b = BenchInflux();
  if (!b) return state.SkipWithError("set FINEX_BENCH_INFLUX_URL (bench/backends/run.sh)");
  detail::RunPutBench(state, *b);
}
BENCHMARK(BM_InfluxPut)->UseRealTime();

void BM_InfluxGet(benchmark::State& state) {
  auto& b = BenchInflux();
  if (!b) return state.SkipWithError("set FINEX_BENCH_INFLUX_URL (bench/backends/run.sh)");
  detail::PutBenchValues(*b);
  detail::RunGetBench(state, *b);
}
BENCHMARK(BM_InfluxGet)->UseRealTime();

void BM_InfluxGetMultiple16(benchmark::State& state) {
  auto& b = BenchInflux();
  if (!b) return state.SkipWithError("set FINEX_BENCH_INFLUX_URL (bench/backends/run.sh)");
  detail::PutBenchValues(*b);
  detail::RunGetMultiple16Bench(state, *b);
}
BENCHMARK(BM_InfluxGetMultiple16)->UseRealTime();

}  // namespace
}  // namespace finex::backend
