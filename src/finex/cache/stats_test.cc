#include "finex/cache/stats.h"

#include <gtest/gtest.h>

namespace finex::cache {
namespace {

TEST(StatsRecorder, RatesAndReductionFollowTheCounts) {
  StatsRecorder st;
  st.RecordSymbol("AAPL", true, 0, {"yahoo"});
  st.RecordSymbol("AAPL", true, 0, {"yahoo"});
  st.RecordSymbol("MSFT", false, 2, {"yahoo"});
  st.RecordProviderCalls("yahoo", 2);
  CacheStats s;
  st.Fill(&s);
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_DOUBLE_EQ(s.hit_rate, 2.0 / 3.0);
  EXPECT_EQ(s.api_calls, 2u);
  EXPECT_EQ(s.api_calls_saved, 2u);
  EXPECT_DOUBLE_EQ(s.reduction, 0.5);
  ASSERT_EQ(s.by_provider.size(), 1u);
  EXPECT_EQ(s.by_provider[0].hits, 2u);
  EXPECT_EQ(s.by_provider[0].api_calls, 2u);
  ASSERT_EQ(s.by_symbol.size(), 2u);
  EXPECT_EQ(s.by_symbol[0].name, "AAPL") << "most requested first";
}

TEST(StatsRecorder, LatencyPercentilesOverTheWindow) {
  StatsRecorder st;
  for (int i = 1; i <= 100; ++i) st.RecordLatency(i);
  CacheStats s;
  st.Fill(&s);
  EXPECT_EQ(s.p50_ms, 51);
  EXPECT_EQ(s.p99_ms, 100);
  for (int i = 0; i < 5000; ++i) st.RecordLatency(1);  // the window forgets old samples
  CacheStats later;
  st.Fill(&later);
  EXPECT_EQ(later.p99_ms, 1);
}

}  // namespace
}  // namespace finex::cache
