// Shared scaffolding for the backend throughput benchmarks (redis/, postgres/,
// parquet_dir/ *_bench.cc): one key scheme, one latency recorder, and the
// Put / Get / GetMultiple(16) loops over 8 KiB values with p50/p99 latency
// (microseconds) reported as counters. Only *_bench.cc files include this.
//
// Thread-safety: the loops drive one benchmark::State from one thread; the
// Backend must be thread-safe as every Backend is.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "finex/backend/backend.h"

namespace finex::backend::detail {

// Number of distinct keys the loops cycle through, and the value size.
inline constexpr int kBenchKeys = 1000;
inline constexpr size_t kBenchValueBytes = 8192;

inline std::string BenchKey(int i) {
  return "finex:BENCH:1d:" + std::to_string(i) + ":1:yahoo:usd:ohlcv_v1";
}

inline double MicrosSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

// Sets the "p99_us" and "p50_us" counters; sorts `lat_us`. No-op when empty.
inline void ReportLatency(benchmark::State& state, std::vector<double>& lat_us) {
  if (lat_us.empty()) return;
  std::sort(lat_us.begin(), lat_us.end());
  state.counters["p99_us"] = lat_us[static_cast<size_t>(0.99 * (lat_us.size() - 1))];
  state.counters["p50_us"] = lat_us[lat_us.size() / 2];
}

// Writes kBenchKeys values of kBenchValueBytes; errors are ignored (the read
// loops report a missing key as "get failed").
inline void PutBenchValues(Backend& b) {
  const std::string value(kBenchValueBytes, 'v');
  for (int i = 0; i < kBenchKeys; ++i) (void)b.Put(BenchKey(i), value);
}

// Timed Put of one value per iteration, cycling over the key set.
inline void RunPutBench(benchmark::State& state, Backend& b) {
  const std::string value(kBenchValueBytes, 'v');
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    if (!b.Put(BenchKey(i++ % kBenchKeys), value).ok()) return state.SkipWithError("put failed");
    lat.push_back(MicrosSince(t0));
  }
  state.SetItemsProcessed(state.iterations());
  ReportLatency(state, lat);
}

// Timed Get per iteration. REQUIRES: PutBenchValues(b) ran (a miss is an error).
inline void RunGetBench(benchmark::State& state, Backend& b) {
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = b.Get(BenchKey(i++ % kBenchKeys));
    if (!r.ok() || !r->has_value()) return state.SkipWithError("get failed");
    lat.push_back(MicrosSince(t0));
  }
  state.SetItemsProcessed(state.iterations());
  ReportLatency(state, lat);
}

// Timed GetMultiple of 16 consecutive keys per iteration (key building is not
// timed). REQUIRES: PutBenchValues(b) ran.
inline void RunGetMultiple16Bench(benchmark::State& state, Backend& b) {
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    std::vector<std::string> keys;
    for (int j = 0; j < 16; ++j) keys.push_back(BenchKey((i + j) % kBenchKeys));
    i += 16;
    auto t0 = std::chrono::steady_clock::now();
    if (!b.GetMultiple(keys).ok()) return state.SkipWithError("get_multiple failed");
    lat.push_back(MicrosSince(t0));
  }
  state.SetItemsProcessed(state.iterations() * 16);
  ReportLatency(state, lat);
}

}  // namespace finex::backend::detail
