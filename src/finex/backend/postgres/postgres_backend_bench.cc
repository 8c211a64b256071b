// PostgreSQL backend throughput: Get / Put / GetMultiple(16) of 8 KiB values,
// p99 as a counter. Needs FINEX_BENCH_PG_DSN (bench/backends/run.sh starts a
// server and sets it); skipped otherwise. BM_LibpqPlainGet is the anchor: the
// same SELECT through bare libpq (prepared, binary), no finex code.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "finex/backend/detail/bench_util.h"
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
void Fill(Backend& b) {
  static bool done = false;
  if (done) return;
  detail::PutBenchValues(b);
  done = true;
}

void BM_PostgresPut(benchmark::State& state) {
  auto& b = BenchPg();
  if (!b) return state.SkipWithError("set FINEX_BENCH_PG_DSN (bench/backends/run.sh)");
  detail::RunPutBench(state, *b);
}
BENCHMARK(BM_PostgresPut)->UseRealTime();

void BM_PostgresGet(benchmark::State& state) {
  auto& b = BenchPg();
  if (!b) return state.SkipWithError("set FINEX_BENCH_PG_DSN (bench/backends/run.sh)");
  Fill(*b);
  detail::RunGetBench(state, *b);
}
BENCHMARK(BM_PostgresGet)->UseRealTime();

void BM_PostgresGetMultiple16(benchmark::State& state) {
  auto& b = BenchPg();
  if (!b) return state.SkipWithError("set FINEX_BENCH_PG_DSN (bench/backends/run.sh)");
  Fill(*b);
  detail::RunGetMultiple16Bench(state, *b);
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
    const std::string k = detail::BenchKey(i++ % detail::kBenchKeys);
    const char* p[] = {k.c_str()};
    auto t0 = std::chrono::steady_clock::now();
    PGresult* r = PQexecPrepared(c, "g", 1, p, nullptr, nullptr, 1);
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (!ok) {
      PQfinish(c);
      return state.SkipWithError("libpq get failed");
    }
    lat.push_back(detail::MicrosSince(t0));
  }
  PQfinish(c);
  state.SetItemsProcessed(state.iterations());
  detail::ReportLatency(state, lat);
}
BENCHMARK(BM_LibpqPlainGet)->UseRealTime();

}  // namespace
}  // namespace finex::backend
