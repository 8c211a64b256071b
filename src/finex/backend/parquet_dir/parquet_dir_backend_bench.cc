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

}  // namespace
}  // namespace finex::backend
