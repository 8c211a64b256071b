// PostgreSQL backend throughput: Get / Put / GetMultiple(16) of 8 KiB values,
// p99 as a counter. Needs FINEX_BENCH_PG_DSN (bench/backends/run.sh starts a
// server and sets it); skipped otherwise. BM_LibpqPlainGet is the anchor: the
// same SELECT through bare libpq (prepared, binary), no finex code.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "finex/backend/postgres/postgres_backend.h"

namespace finex::backend {
namespace {

const char* Dsn() {
  const char* d = getenv("FINEX_BENCH_PG_DSN");
  return d && *d ? d : nullptr;
}
std::unique_ptr<Backend>& BenchPg() {
  static std::unique_ptr<Backend> b = []() -> std::unique_ptr<Backend> {
    if (!Dsn()) return nullptr;
    auto r = OpenPostgresBackend({.dsn = Dsn(), .table = "finex_bench"});
    return r.ok() ? std::move(r).value() : nullptr;
  }();
  return b;
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
void Fill(Backend& b) {
  static bool done = false;
  if (done) return;
  const std::string value(8192, 'v');
  for (int i = 0; i < 1000; ++i) (void)b.Put(Key(i), value);
  done = true;
}

void BM_PostgresPut(benchmark::State& state) {
  auto& b = BenchPg();
  if (!b) return state.SkipWithError("set FINEX_BENCH_PG_DSN (bench/backends/run.sh)");
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
BENCHMARK(BM_PostgresPut)->UseRealTime();

void BM_PostgresGet(benchmark::State& state) {
  auto& b = BenchPg();
  if (!b) return state.SkipWithError("set FINEX_BENCH_PG_DSN (bench/backends/run.sh)");
  Fill(*b);
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
BENCHMARK(BM_PostgresGet)->UseRealTime();

void BM_PostgresGetMultiple16(benchmark::State& state) {
  auto& b = BenchPg();
  if (!b) return state.SkipWithError("set FINEX_BENCH_PG_DSN (bench/backends/run.sh)");
  Fill(*b);
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
BENCHMARK(BM_PostgresGetMultiple16)->UseRealTime();

// Anchor: bare libpq, one prepared binary SELECT per iteration.
void BM_LibpqPlainGet(benchmark::State& state) {
  auto& b = BenchPg();
  if (!b) return state.SkipWithError("set FINEX_BENCH_PG_DSN (bench/backends/run.sh)");
  Fill(*b);
  PGconn* c = PQconnectdb(Dsn());
  PGresult* prep = PQprepare(c, "g", "SELECT value FROM finex_bench WHERE key = $1", 1, nullptr);
  PQclear(prep);
  std::vector<double> lat;
  int i = 0;
  for (auto _ : state) {
    const std::string k = Key(i++ % 1000);
    const char* p[] = {k.c_str()};
    auto t0 = std::chrono::steady_clock::now();
    PGresult* r = PQexecPrepared(c, "g", 1, p, nullptr, nullptr, 1);
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (!ok) {
      PQfinish(c);
      return state.SkipWithError("libpq get failed");
    }
    lat.push_back(Us(t0));
  }
  PQfinish(c);
  state.SetItemsProcessed(state.iterations());
  P99(state, lat);
}
BENCHMARK(BM_LibpqPlainGet)->UseRealTime();

}  // namespace
}  // namespace finex::backend
