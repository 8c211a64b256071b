// Cache key encode/decode: on the path of every fragment lookup and scan.
#include <benchmark/benchmark.h>

#include "finex/key/cache_key.h"
#include "finex/key/pattern.h"

namespace finex::key {
namespace {

CacheKey BenchKey() {
  CacheKey k;
  k.symbol = "AAPL";
  k.interval = Interval::k1d;
  k.start_ts = 1704067200;
  k.end_ts = 1706918400;
  k.provider = "yahoo";
  k.currency = "usd";
  k.fields = FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose);
  return k;
}

void BM_KeyEncode(benchmark::State& state) {
  const CacheKey k = BenchKey();
  for (auto _ : state) {
    auto s = k.Encode();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyEncode);

void BM_KeyParse(benchmark::State& state) {
  const std::string text = *BenchKey().Encode();
  for (auto _ : state) {
    auto k = CacheKey::Parse(text);
    benchmark::DoNotOptimize(k);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyParse);

void BM_KeyParseRejectHostile(benchmark::State& state) {
  const std::string text = "finex:AA*PL:1d:1704067200:1706918400:yahoo:usd:ohlcv+adj_close_v1";
  for (auto _ : state) {
    auto k = CacheKey::Parse(text);
    benchmark::DoNotOptimize(k);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyParseRejectHostile);

void BM_PatternMatch(benchmark::State& state) {
  const Pattern p = *Pattern::Parse("finex:*:1d:*");
  const std::string text = *BenchKey().Encode();
  for (auto _ : state) {
    bool m = p.Matches(text);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PatternMatch);

}  // namespace
}  // namespace finex::key
