// Calendar hot paths: bar enumeration and trading time for the planner.
#include <benchmark/benchmark.h>

#include "finex/calendar/calendar.h"
#include "finex/calendar/timezone.h"

namespace finex::calendar {
namespace {

Timestamp Day(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }

void BM_BarStarts_Xnys_1y_1d(benchmark::State& state) {
  const Calendar& c = *FindCalendar("XNYS").value();
  TimeRange r{Day(2023, 1, 1), Day(2024, 1, 1)};
  for (auto _ : state) benchmark::DoNotOptimize(c.BarStarts(r, Interval::k1d));
}
BENCHMARK(BM_BarStarts_Xnys_1y_1d);

void BM_TradingTime_Xnys_1y_1d(benchmark::State& state) {
  const Calendar& c = *FindCalendar("XNYS").value();
  TimeRange r{Day(2023, 1, 1), Day(2024, 1, 1)};
  for (auto _ : state) benchmark::DoNotOptimize(c.TradingTime(r, Interval::k1d));
}
BENCHMARK(BM_TradingTime_Xnys_1y_1d);

void BM_BarStarts_Xnys_1mo_1m(benchmark::State& state) {
  const Calendar& c = *FindCalendar("XNYS").value();
  TimeRange r{Day(2024, 3, 1), Day(2024, 4, 1)};
  for (auto _ : state) benchmark::DoNotOptimize(c.BarStarts(r, Interval::k1m));
}
BENCHMARK(BM_BarStarts_Xnys_1mo_1m);

void BM_BarStarts_Xnys_1y_1m(benchmark::State& state) {
  const Calendar& c = *FindCalendar("XNYS").value();
  TimeRange r{Day(2023, 1, 1), Day(2024, 1, 1)};
  for (auto _ : state) benchmark::DoNotOptimize(c.BarStarts(r, Interval::k1m));
}
BENCHMARK(BM_BarStarts_Xnys_1y_1m);

void BM_TradingTime_Xnys_1y_1m(benchmark::State& state) {
  const Calendar& c = *FindCalendar("XNYS").value();
  TimeRange r{Day(2023, 1, 1), Day(2024, 1, 1)};
  for (auto _ : state) benchmark::DoNotOptimize(c.TradingTime(r, Interval::k1m));
}
BENCHMARK(BM_TradingTime_Xnys_1y_1m);

void BM_BarStarts_Xhkg_1y_5m(benchmark::State& state) {
  const Calendar& c = *FindCalendar("XHKG").value();
  TimeRange r{Day(2023, 1, 1), Day(2024, 1, 1)};
  for (auto _ : state) benchmark::DoNotOptimize(c.BarStarts(r, Interval::k5m));
}
BENCHMARK(BM_BarStarts_Xhkg_1y_5m);

void BM_IsOpen_Xnys(benchmark::State& state) {
  const Calendar& c = *FindCalendar("XNYS").value();
  Timestamp t = Day(2024, 3, 1) + 15 * 3600;
  for (auto _ : state) {
    benchmark::DoNotOptimize(c.IsOpen(t));
    t += 601;
    if (t > Day(2025, 1, 1)) t = Day(2024, 3, 1);
  }
}
BENCHMARK(BM_IsOpen_Xnys);

void BM_LocalDate_Xnys(benchmark::State& state) {
  const Calendar& c = *FindCalendar("XNYS").value();
  Timestamp t = Day(2024, 3, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(c.LocalDate(t));
    t += 3607;
    if (t > Day(2025, 1, 1)) t = Day(2024, 3, 1);
  }
}
BENCHMARK(BM_LocalDate_Xnys);

void BM_CalendarFor(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(&CalendarFor("VOD.L"));
}
BENCHMARK(BM_CalendarFor);

void BM_ToLocal_NewYork(benchmark::State& state) {
  Timestamp t = Day(2024, 3, 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ToLocal("America/New_York", t));
    t += 3607;
    if (t > Day(2025, 1, 1)) t = Day(2024, 3, 1);
  }
}
BENCHMARK(BM_ToLocal_NewYork);

void BM_ParseLocal_NewYork(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(ParseLocal("America/New_York", "2020-11-27 12:59:00"));
}
BENCHMARK(BM_ParseLocal_NewYork);

}  // namespace
}  // namespace finex::calendar
