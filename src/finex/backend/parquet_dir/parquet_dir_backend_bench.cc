// parquet_dir throughput: Get / Put (fsync on, as in production) /
// GetMultiple(16) of 8 KiB values under $FINEX_BENCH_DIR or /tmp, p99 as a
// counter.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "finex/backend/detail/bench_util.h"
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
  detail::PutBenchValues(b);
  done = true;
}

void BM_ParquetDirPut(benchmark::State& state) {
  auto& b = Dir().b;
  if (!b) return state.SkipWithError("cannot create bench dir");
  detail::RunPutBench(state, *b);
}
BENCHMARK(BM_ParquetDirPut)->UseRealTime();

void BM_ParquetDirGet(benchmark::State& state) {
  auto& b = Dir().b;
  if (!b) return state.SkipWithError("cannot create bench dir");
  FillOnce(*b);
  detail::RunGetBench(state, *b);
}
BENCHMARK(BM_ParquetDirGet)->UseRealTime();

void BM_ParquetDirGetMultiple16(benchmark::State& state) {
  auto& b = Dir().b;
  if (!b) return state.SkipWithError("cannot create bench dir");
  FillOnce(*b);
  detail::RunGetMultiple16Bench(state, *b);
}
BENCHMARK(BM_ParquetDirGetMultiple16)->UseRealTime();

// Opening a populated root: OpenParquetDirBackend runs Recover(), one
// readdir per series directory (the CLI opens the store on every command).
// 200 series x 50 fragments of 1 KiB = 10,000 data files + 10,000 sidecars.
void BM_ParquetDirOpenRecover(benchmark::State& state) {
  static BenchDir tree;
  static bool filled = false;
  if (tree.root.empty()) return state.SkipWithError("cannot create bench dir");
  if (!filled) {
    auto b = OpenParquetDirBackend({.root = tree.root, .fsync = false});
    if (!b.ok()) return state.SkipWithError("cannot open bench dir");
    const std::string v(1024, 'x');
    for (int s = 0; s < 200; ++s)
      for (int i = 0; i < 50; ++i)
        if (!(*b)->Put("finex:S" + std::to_string(s) + ":1d:" + std::to_string(i) +
                           ":1:yahoo:usd:ohlcv_v1",
                       v)
                 .ok())
          return state.SkipWithError("fill failed");
    filled = true;
  }
  for (auto _ : state) {
    auto b = OpenParquetDirBackend({.root = tree.root});
    if (!b.ok()) return state.SkipWithError("open failed");
    benchmark::DoNotOptimize(b);
  }
  state.counters["files"] = 20000;
}
BENCHMARK(BM_ParquetDirOpenRecover)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace finex::backend
