// Simulator hot paths: generating truth and answering provider calls
// in-process (no socket).
#include <benchmark/benchmark.h>

#include "finex/sim/generator.h"
#include "finex/sim/simulator.h"

namespace finex::sim {
namespace {

constexpr Timestamp kNow = 1710523800;  // 2024-03-15 17:30Z

void BM_GeneratorDailyFullHistory(benchmark::State& state) {
  Generator g;
  size_t rows = 0;
  for (auto _ : state) {
    FramePtr f = g.Bars("IBM", Interval::k1d, TimeRange{0, kNow}, kNow, Adjustment::kRaw);
    rows += f->rows();
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));  // bars/s
}
BENCHMARK(BM_GeneratorDailyFullHistory)->Unit(benchmark::kMillisecond);

void BM_GeneratorOneMinuteWeek(benchmark::State& state) {
  Generator g;
  size_t rows = 0;
  for (auto _ : state) {
    FramePtr f = g.Bars("AAPL", Interval::k1m, TimeRange{kNow - 7 * 86400, kNow}, kNow);
    rows += f->rows();
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));
}
BENCHMARK(BM_GeneratorOneMinuteWeek)->Unit(benchmark::kMillisecond);

class FixedClock final : public Clock {
 public:
  int64_t NowMicros() const override { return kNow * 1000000; }
};

void BM_SimYahooDailyYear(benchmark::State& state) {
  FixedClock clock;
  SimOptions o;
  o.listen = "127.0.0.1:0";
  o.clock = &clock;
  o.threads = 1;
  auto sim = Simulator::Start(o);
  if (!sim.ok()) {
    state.SkipWithError(sim.status().ToString().c_str());
    return;
  }
  http::Request req;
  req.method = "GET";
  req.path = "/yahoo/v8/finance/chart/AAPL";
  req.query = {{"interval", "1d"}, {"period1", "1678838400"}, {"period2", "1710374400"}};
  size_t bytes = 0;
  for (auto _ : state) {
    http::Response r = (*sim)->Handle(req);
    bytes += r.body->size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SimYahooDailyYear)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace finex::sim
