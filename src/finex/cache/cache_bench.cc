// In-process cache hit: History() of 1 symbol, 1 year of daily bars, all
// cached (memory backend + Parquet codec + hot tier; real XNYS calendar).
// Goal (issue 5): p50 <= 10 us, p99 <= 50 us. Each iteration is timed on its
// own; p50_us / p99_us are reported as counters.
//   ./build/<dir>/finex_bench --benchmark_filter=CacheHit
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "finex/backend/memory/memory_backend.h"
#include "finex/cache/smart_cache.h"
#include "finex/calendar/calendar.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"

namespace finex::cache {
namespace {

Timestamp Day(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }

void RunHitBench(benchmark::State& state, bool vary_window) {
  finex::testing::FakeClock clock(Day(2025, 1, 10) + 22 * 3600);
  const calendar::Calendar& cal = calendar::CalendarFor("AAPL");
  finex::testing::FakeProvider yahoo(provider::ProviderId::kYahoo, cal, clock);
  backend::MemoryBackendOptions mo;
  mo.clock = &clock;
  auto be = backend::NewMemoryBackend(mo);
  auto codec = codec::NewParquetCodec();
  SmartCacheDeps deps;
  deps.backend = be.get();
  deps.codec = codec.get();
  deps.clock = &clock;
  deps.providers = {{&yahoo, {}}};
  auto api = NewSmartCache(std::move(deps));
  const std::vector<std::string> sym = {"AAPL"};
  HistoryOptions o;
  o.start = Day(2024, 1, 1);
  o.end = Day(2024, 12, 31) + kSecondsPerDay - 1;
  if (!api->History(sym, o).ok() || yahoo.history_calls() != 1) {
    state.SkipWithError("warm-up failed");
    return;
  }
  std::vector<double> us;
  us.reserve(1 << 20);
  size_t rows = 0;
  int i = 0;
  for (auto _ : state) {
    if (vary_window) {  // a sliding window inside the cached year
      o.start = Day(2024, 1, 1) + (i % 60) * kSecondsPerDay;
      o.end = *o.start + 300 * kSecondsPerDay;
      ++i;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto r = api->History(sym, o);
    const auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(r);
    rows = r->frame->rows();
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  if (yahoo.history_calls() != 1) state.SkipWithError("a hit called the provider");
  std::sort(us.begin(), us.end());
  if (!us.empty()) {
    state.counters["p50_us"] = us[us.size() / 2];
    state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  }
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_CacheHit1SymbolYearDaily(benchmark::State& state) { RunHitBench(state, false); }
BENCHMARK(BM_CacheHit1SymbolYearDaily)->UseRealTime();

void BM_CacheHitSlidingWindow(benchmark::State& state) { RunHitBench(state, true); }
BENCHMARK(BM_CacheHitSlidingWindow)->UseRealTime();

}  // namespace
}  // namespace finex::cache
