// parquet_dir throughput: Get / Put (fsync on, as in production) /
// GetMultiple(16) of 8 KiB values under $FINEX_BENCH_DIR or /tmp, p99 as a
// counter.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "finex/backend/parquet_dir/parquet_dir_backend.h"

namespace finex::backend {
namespace {

struct BenchDir {
  std::string root;
  std::unique_ptr<Backend> b;
  BenchDir() {
    const char* base = getenv("FINEX_BENCH_DIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/finex-pqbench-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) return;
    root = tmpl;
    auto r = OpenParquetDirBackend({.root = root});
    if (r.ok()) b = std::move(r).value();
  }
  ~BenchDir() {
    std::error_code ec;
    if (!root.empty()) std::filesystem::remove_all(root, ec);
  }
};
BenchDir& Dir() {
  static BenchDir d;
  return d;
}
// 1000 fsynced 8 KiB files, written once for all read benchmarks.
void FillOnce(Backend& b) {
  static bool done = false;
  if (done) return;
  const std::string value(8192, 'v');
  for (int i = 0; i < 1000; ++i) (void)b.Put("finex:BENCH:1d:" + std::to_string(i) + ":1:yahoo:usd:ohlcv_v1", value);
  done = true;
}

void P99(benchmark::State& state, std::vector<double>& lat) {
  if (lat.empty()) return;
  std::sort(lat.begin(), lat.end());
  state.counters["p99_us"] = lat[static_cast<size_t>(0.99 * (lat.size() - 1))];
  state.counters["p50_us"] = lat[lat.size() / 2];
}
std::string Key(int i) { return "finex:BENCH:1d:" + std::to_string(i) + ":1:yahoo:usd:ohlcv_v1"; }
double Us(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

void BM_ParquetDirPut(benchmark::State& state) {
  auto& b = Dir().b;
  if (!b) return state.SkipWithError("cannot create bench dir");
  const std::string value(8192, 'v');
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    if (!b->Put(Key(i++ % 1000), value).ok()) return state.SkipWithError("put failed");
    lat.push_back(Us(t0));
  }
  state.SetItemsProcessed(state.iterations());
  P99(state, lat);
}
BENCHMARK(BM_ParquetDirPut)->UseRealTime();

void BM_ParquetDirGet(benchmark::State& state) {
  auto& b = Dir().b;
  if (!b) return state.SkipWithError("cannot create bench dir");
  FillOnce(*b);
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = b->Get(Key(i++ % 1000));
    if (!r.ok() || !r->has_value()) return state.SkipWithError("get failed");
    lat.push_back(Us(t0));
  }
  state.SetItemsProcessed(state.iterations());
  P99(state, lat);
}
BENCHMARK(BM_ParquetDirGet)->UseRealTime();

void BM_ParquetDirGetMultiple16(benchmark::State& state) {
  auto& b = Dir().b;
  if (!b) return state.SkipWithError("cannot create bench dir");
  FillOnce(*b);
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    std::vector<std::string> keys;
    for (int j = 0; j < 16; ++j) keys.push_back(Key((i + j) % 1000));
    i += 16;
    auto t0 = std::chrono::steady_clock::now();
    if (!b->GetMultiple(keys).ok()) return state.SkipWithError("get_multiple failed");
    lat.push_back(Us(t0));
  }
  state.SetItemsProcessed(state.iterations() * 16);
  P99(state, lat);
}
BENCHMARK(BM_ParquetDirGetMultiple16)->UseRealTime();

}  // namespace
}  // namespace finex::backend
