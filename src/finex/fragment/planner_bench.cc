// Planner hot path: planning a full hit (1 year of daily fragments) and a
// miss needing the calendar.
#include <benchmark/benchmark.h>

#include "finex/fragment/planner.h"
#include "tests/testutil/fake_calendar.h"

namespace finex::fragment {
namespace {

std::vector<FragmentPtr> YearOfMonths() {
  std::vector<FragmentPtr> out;
  for (int m = 1; m <= 12; ++m) {
    Fragment f;
    f.parsed.symbol = "AAPL";
    f.parsed.provider = "yahoo";
    f.parsed.currency = "usd";
    const Timestamp s = DaysFromCivil({2023, m, 1}) * kSecondsPerDay;
    const Timestamp e =
        DaysFromCivil({m == 12 ? 2024 : 2023, m == 12 ? 1 : m + 1, 1}) * kSecondsPerDay;
    f.parsed.start_ts = s;
    f.parsed.end_ts = e - 1;
    f.key = *f.parsed.Encode();
    f.vouched = f.actual = {s, e};
    f.expires_at = 1LL << 40;
    out.push_back(std::make_shared<const Fragment>(f));
  }
  return out;
}

void BM_PlannerFullHitYearDaily(benchmark::State& state) {
  finex::testing::FakeCalendar cal;
  Planner planner;
  auto frags = YearOfMonths();
  PlanRequest q;
  q.symbol = "AAPL";
  q.range = {DaysFromCivil({2023, 1, 1}) * kSecondsPerDay,
             DaysFromCivil({2024, 1, 1}) * kSecondsPerDay};
  std::vector<ProviderCandidate> c = {{"yahoo", {}, 1, true}};
  for (auto _ : state) benchmark::DoNotOptimize(planner.Build(q, frags, cal, 1800000000, c));
}
BENCHMARK(BM_PlannerFullHitYearDaily);

void BM_PlannerMissOneMonth(benchmark::State& state) {
  finex::testing::FakeCalendar cal;
  Planner planner;
  auto frags = YearOfMonths();
  PlanRequest q;
  q.symbol = "AAPL";
  q.range = {DaysFromCivil({2023, 1, 1}) * kSecondsPerDay,
             DaysFromCivil({2024, 2, 1}) * kSecondsPerDay};
  std::vector<ProviderCandidate> c = {{"yahoo", {}, 1, true}};
  for (auto _ : state) benchmark::DoNotOptimize(planner.Build(q, frags, cal, 1800000000, c));
}
BENCHMARK(BM_PlannerMissOneMonth);

}  // namespace
}  // namespace finex::fragment
