// Workload benchmark: provider calls with finex vs. no cache vs. an
// exact-request cache (keyed on the literal request, as requests-cache does,
// and given an infinite TTL so it is never penalized for freshness).
//
// Query mix over 200 symbols with Zipf(1.1) popularity, daily bars unless
// noted, on a weekend (data final), the clock moving 0.25 s per request
// (4 requests/s, so the run covers ~83 minutes of service time):
//   30% dashboards refreshing: 12 dashboards x 6 panels, each panel a fixed
//       symbol and period (1mo/3mo/6mo/1y/5y) ending now;
//   25% sliding windows: backtests stepping a 120-day window one day forward
//       per request, from a random start in 2012..2023;
//   20% zoom in/out: a viewer around a center date walking through widths of
//       10/30/90/365/1825 days, the center drifting now and then;
//   15% overlapping ad-hoc ranges: random start 2010..2024, 5..400 days;
//   10% intraday: 1h bars for the last 1/2/5/10 days ("period=5d").
// Counters: requests, calls_nocache (one call per request), calls_exact,
// calls_finex, finex_pct_of_nocache, finex_over_exact.
//   ./build/<dir>/finex_bench --benchmark_filter=Workload
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "finex/backend/memory/memory_backend.h"
#include "finex/cache/prefetcher.h"
#include "finex/cache/smart_cache.h"
#include "finex/calendar/calendar.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"

namespace finex::cache {
namespace {

Timestamp Day(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }

class Zipf {
 public:
  Zipf(int n, double s) {
    double sum = 0;
    for (int i = 1; i <= n; ++i) cdf_.push_back(sum += 1.0 / std::pow(i, s));
    for (double& c : cdf_) c /= sum;
  }
  int operator()(std::mt19937_64& rng) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<int>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

struct Request {
  std::string symbol;
  Interval interval = Interval::k1d;
  std::optional<Timestamp> start, end;
  std::string period;
  std::string literal;  // what an exact-request cache keys on
};

void BM_Workload(benchmark::State& state) {
  const int n_requests = static_cast<int>(state.range(0));
  for (auto _ : state) {
    finex::testing::FakeClock clock(Day(2025, 1, 11) + 12 * 3600);  // a Saturday
    const calendar::Calendar& cal = calendar::CalendarFor("AAPL");
    finex::testing::FakeProvider yahoo(provider::ProviderId::kYahoo, cal, clock);
    backend::MemoryBackendOptions mo;
    mo.clock = &clock;
    mo.sweep_interval_ms = 0;
    auto be = backend::NewMemoryBackend(mo);
    auto codec = codec::NewParquetCodec();
    SmartCacheDeps deps;
    deps.backend = be.get();
    deps.codec = codec.get();
    deps.clock = &clock;
    deps.providers = {{&yahoo, {}}};
    SmartCacheOptions so;
    so.validate = false;  // the fake truth is clean; keep the run short
    auto api = NewSmartCache(std::move(deps), so);

    std::mt19937_64 rng(42);
    const int kSymbols = 200;
    Zipf zipf(kSymbols, 1.1);
    auto sym = [&](int i) { return "S" + std::to_string(1000 + i); };
    // Dashboards.
    const char* periods[] = {"1mo", "3mo", "6mo", "1y", "5y"};
    struct Panel {
      std::string symbol, period;
    };
    std::vector<Panel> panels;
    for (int d = 0; d < 12; ++d)
      for (int p = 0; p < 6; ++p) panels.push_back({sym(zipf(rng)), periods[rng() % 5]});
    // Backtests and viewers.
    struct Cursor {
      std::string symbol;
      Timestamp at;
      int width_idx = 2;
    };
    std::vector<Cursor> backtests, viewers;
    for (int i = 0; i < 20; ++i)
      backtests.push_back({sym(zipf(rng)), Day(2012, 1, 1) + static_cast<Timestamp>(rng() % 4300) *
                                                                 kSecondsPerDay});
    for (int i = 0; i < 20; ++i)
      viewers.push_back({sym(zipf(rng)),
                         Day(2012, 1, 1) + static_cast<Timestamp>(rng() % 4700) * kSecondsPerDay});
    const Timestamp widths[] = {10, 30, 90, 365, 1825};

    std::set<std::string> exact;
    int calls_exact = 0, failures = 0;
    for (int i = 0; i < n_requests; ++i) {
      Request q;
      const int kind = static_cast<int>(rng() % 100);
      if (kind < 30) {
        const Panel& p = panels[rng() % panels.size()];
        q.symbol = p.symbol;
        q.period = p.period;
        q.literal = q.symbol + "|1d|period=" + q.period;
      } else if (kind < 55) {
        Cursor& c = backtests[rng() % backtests.size()];
        q.symbol = c.symbol;
        q.start = c.at;
        q.end = c.at + 120 * kSecondsPerDay;
        c.at += kSecondsPerDay;
      } else if (kind < 75) {
        Cursor& v = viewers[rng() % viewers.size()];
        v.width_idx = std::clamp(v.width_idx + (rng() % 2 ? 1 : -1), 0, 4);
        if (rng() % 8 == 0)
          v.at = std::min(v.at + static_cast<Timestamp>(rng() % 60) * kSecondsPerDay, clock.Now());
        const Timestamp w = widths[v.width_idx] * kSecondsPerDay;
        q.symbol = v.symbol;
        q.start = v.at - w / 2;
        q.end = std::min(v.at + w / 2, clock.Now());
      } else if (kind < 90) {
        q.symbol = sym(zipf(rng));
        q.start = Day(2010, 1, 1) + static_cast<Timestamp>(rng() % 5400) * kSecondsPerDay;
        q.end = std::min(*q.start + (5 + static_cast<Timestamp>(rng() % 396)) * kSecondsPerDay,
                         clock.Now());
      } else {
        const char* ip[] = {"1d", "2d", "5d", "10d"};
        q.symbol = sym(zipf(rng));
        q.interval = Interval::k1h;
        q.period = ip[rng() % 4];
        q.literal = q.symbol + "|1h|period=" + q.period;
      }
      if (q.literal.empty())
        q.literal = q.symbol + "|" + std::string(IntervalName(q.interval)) + "|" +
                    std::to_string(*q.start) + "|" + std::to_string(*q.end);
      if (exact.insert(q.literal).second) ++calls_exact;
      HistoryOptions o;
      o.interval = q.interval;
      o.start = q.start;
      o.end = q.end;
      o.period = q.period;
      std::vector<std::string> one = {q.symbol};
      const int before = yahoo.history_calls();
      auto res = api->History(one, o);
      if (!res.ok()) {
        ++failures;
        if (std::getenv("FINEX_WORKLOAD_DEBUG"))
          fprintf(stderr, "fail kind %d %s: %s\n", kind, q.literal.c_str(),
                  res.status().ToString().c_str());
      }
      if (std::getenv("FINEX_WORKLOAD_DEBUG") && yahoo.history_calls() - before > 0)
        fprintf(stderr, "kind %d calls %d %s\n", kind, yahoo.history_calls() - before,
                q.literal.c_str());
      clock.AdvanceMicros(250000);  // 4 requests per second
    }
    const double finex_calls = yahoo.history_calls();
    state.counters["requests"] = n_requests;
    state.counters["calls_nocache"] = n_requests;
    state.counters["calls_exact"] = calls_exact;
    state.counters["calls_finex"] = finex_calls;
    state.counters["finex_pct_of_nocache"] = 100.0 * finex_calls / n_requests;
    state.counters["finex_over_exact"] = finex_calls / calls_exact;
    state.counters["failures"] = failures;
    const CacheStats st = api->cache_stats();
    state.counters["fragments"] = static_cast<double>(st.fragments);
    state.counters["stored_MB"] = static_cast<double>(st.bytes) / 1e6;
  }
}
BENCHMARK(BM_Workload)->Arg(20000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Prefetch (issue 7): the same request sequence with prefetch off and on, on
// a trading day (NYSE open, Tue 2025-01-14 from 14:30 UTC, so the gate lets
// it run), the clock moving 0.25 s per slot and the prefetcher ticking once
// per second of clock time (as the engine's worker does). Users:
//   12 dashboards refreshing every 60 s (staggered), 6 panels each: 1d
//       period 1mo/3mo/1y or 5m period 1d, ending now;
//   per slot (when no dashboard fires) with probability 1/2 one of:
//   40% backtests: 1d 120-day window or 1h 5-day window stepping one day;
//   35% viewers paging back through 1h bars ten days per page;
//   25% ad-hoc 1d ranges (random start 2015..2024, 5..400 days).
// Counters: calls_at_request_{off,on} (provider calls made while a user
// waited), calls_total_{off,on} (including prefetch), prefetch_runs,
// hit_rate_{off,on}.
//   ./build/<dir>/finex_bench --benchmark_filter=Prefetch
struct PrefetchRunFigures {
  int requests = 0, calls_at_request = 0, calls_total = 0, failures = 0;
  int by_kind[4] = {0, 0, 0, 0};  // calls at request: dashboards, backtests, viewers, ad-hoc
  uint64_t prefetch_runs = 0, prefetch_calls = 0;
  double hit_rate = 0;
};

PrefetchRunFigures RunPrefetchWorkload(int slots, bool prefetch) {
  PrefetchRunFigures fig;
  const Timestamp t0 = Day(2025, 1, 14) + 14 * 3600 + 30 * 60;  // NYSE open
  finex::testing::FakeClock clock(t0);
  const calendar::Calendar& cal = calendar::CalendarFor("AAPL");
  finex::testing::FakeProvider yahoo(provider::ProviderId::kYahoo, cal, clock);
  backend::MemoryBackendOptions mo;
  mo.clock = &clock;
  mo.sweep_interval_ms = 0;
  auto be = backend::NewMemoryBackend(mo);
  auto codec = codec::NewParquetCodec();
  std::unique_ptr<Prefetcher> pf;
  if (prefetch) pf = std::make_unique<Prefetcher>(clock);
  SmartCacheDeps deps;
  deps.backend = be.get();
  deps.codec = codec.get();
  deps.clock = &clock;
  deps.providers = {{&yahoo, {}}};
  deps.prefetcher = pf.get();
  SmartCacheOptions so;
  so.validate = false;
  auto api = NewSmartCache(std::move(deps), so);

  std::mt19937_64 rng(7);
  const int kSymbols = 100;
  Zipf zipf(kSymbols, 1.1);
  auto sym = [&](int i) { return "S" + std::to_string(1000 + i); };
  struct Panel {
    std::string symbol, period;
    Interval interval;
  };
  std::vector<std::vector<Panel>> dashboards(12);
  const char* dperiods[] = {"1mo", "3mo", "1y"};
  for (auto& d : dashboards)
    for (int p = 0; p < 6; ++p)
      d.push_back(rng() % 3 == 0 ? Panel{sym(zipf(rng)), "1d", Interval::k5m}
                                 : Panel{sym(zipf(rng)), dperiods[rng() % 3], Interval::k1d});
  struct Cursor {
    std::string symbol;
    Timestamp at;
    Interval interval;
  };
  std::vector<Cursor> backtests, viewers;
  for (int i = 0; i < 20; ++i) {
    const bool daily = i % 2 == 0;
    backtests.push_back(
        {sym(zipf(rng)),
         daily ? Day(2015, 1, 1) + static_cast<Timestamp>(rng() % 3000) * kSecondsPerDay
               : Day(2024, 3, 1) + static_cast<Timestamp>(rng() % 200) * kSecondsPerDay,
         daily ? Interval::k1d : Interval::k1h});
  }
  for (int i = 0; i < 20; ++i) viewers.push_back({sym(zipf(rng)), t0, Interval::k1h});

  auto ask = [&](int kind, const std::string& symbol, Interval iv, std::optional<Timestamp> start,
                 std::optional<Timestamp> end, std::string period) {
    HistoryOptions o;
    o.interval = iv;
    o.start = start;
    o.end = end;
    o.period = std::move(period);
    std::vector<std::string> one = {symbol};
    const int before = yahoo.history_calls();
    auto res = api->History(one, o);
    fig.calls_at_request += yahoo.history_calls() - before;
    fig.by_kind[kind] += yahoo.history_calls() - before;
    fig.requests += 1;
    if (!res.ok()) ++fig.failures;
  };
  for (int slot = 0; slot < slots; ++slot) {
    bool dashboard = false;
    for (size_t d = 0; d < dashboards.size(); ++d) {
      if (slot % 240 != static_cast<int>(d) * 20) continue;  // every 60 s, staggered by 5 s
      dashboard = true;
      for (const Panel& p : dashboards[d])
        ask(0, p.symbol, p.interval, std::nullopt, std::nullopt, p.period);
    }
    if (!dashboard && rng() % 2 == 0) {
      const int kind = static_cast<int>(rng() % 100);
      if (kind < 40) {
        Cursor& c = backtests[rng() % backtests.size()];
        const Timestamp w = (c.interval == Interval::k1d ? 120 : 5) * kSecondsPerDay;
        ask(1, c.symbol, c.interval, c.at, c.at + w - 1, "");
        c.at += kSecondsPerDay;
      } else if (kind < 75) {
        Cursor& v = viewers[rng() % viewers.size()];
        const Timestamp page = 10 * kSecondsPerDay;
        ask(2, v.symbol, v.interval, v.at - page, v.at - 1, "");
        v.at -= page;
        if (v.at < t0 - 600 * kSecondsPerDay) v.at = t0;
      } else {
        const Timestamp start =
            Day(2015, 1, 1) + static_cast<Timestamp>(rng() % 3600) * kSecondsPerDay;
        ask(3, sym(zipf(rng)), Interval::k1d, start,
            start + (5 + static_cast<Timestamp>(rng() % 396)) * kSecondsPerDay, "");
      }
    }
    clock.AdvanceMicros(250000);
    if (pf && slot % 4 == 3) pf->Tick(clock.Now());  // once per second of clock time
  }
  fig.calls_total = yahoo.history_calls();
  const CacheStats st = api->cache_stats();
  fig.hit_rate = st.hit_rate;
  fig.prefetch_calls = st.prefetch_calls;
  if (pf) fig.prefetch_runs = pf->stats().runs;
  return fig;
}

void BM_PrefetchWorkload(benchmark::State& state) {
  const int slots = static_cast<int>(state.range(0));
  for (auto _ : state) {
    const PrefetchRunFigures off = RunPrefetchWorkload(slots, false);
    const PrefetchRunFigures on = RunPrefetchWorkload(slots, true);
    state.counters["requests"] = off.requests;
    state.counters["calls_at_request_off"] = off.calls_at_request;
    state.counters["calls_total_off"] = off.calls_total;
    state.counters["hit_rate_off"] = off.hit_rate;
    state.counters["calls_at_request_on"] = on.calls_at_request;
    state.counters["calls_total_on"] = on.calls_total;
    state.counters["hit_rate_on"] = on.hit_rate;
    state.counters["prefetch_runs"] = static_cast<double>(on.prefetch_runs);
    state.counters["prefetch_calls"] = static_cast<double>(on.prefetch_calls);
    state.counters["failures"] = off.failures + on.failures;
    const char* kinds[] = {"dash", "backtest", "viewer", "adhoc"};
    for (int k = 0; k < 4; ++k) {
      state.counters[std::string("req_") + kinds[k] + "_off"] = off.by_kind[k];
      state.counters[std::string("req_") + kinds[k] + "_on"] = on.by_kind[k];
    }
  }
}
BENCHMARK(BM_PrefetchWorkload)->Arg(14400)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace finex::cache
