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

namespace finex::cache {
namespace {

// A stored piece as SmartCache hands it over: actual [start, end).
fragment::FragmentPtr Piece(const std::string& symbol, Interval iv, const std::string& provider,
                            Timestamp start, Timestamp end) {
  auto f = std::make_shared<fragment::Fragment>();
  f->parsed.symbol = symbol;
  f->parsed.interval = iv;
  f->parsed.provider = provider;
  f->actual = {start, end};
  return f;
}

TEST(StatsRecorder, UtilizationCountsStoredRowsServedOnceAndCoverage) {
  StatsRecorder st;
  // Two January pieces of AAPL 1d from yahoo: 10 rows (2 bonus), 12 rows.
  st.RecordPieceStored("AAPL", "yahoo", Interval::k1d, {100, 200}, 10, 2);
  st.RecordPieceStored("AAPL", "yahoo", Interval::k1d, {200, 300}, 12, 0);
  st.RecordPieceStored("MSFT", "yahoo", Interval::k1h, {100, 200}, 5, 5);
  st.RecordFetchCoverage("yahoo", Interval::k1d, 20, 22);
  st.RecordFetchCoverage("yahoo", Interval::k1h, 10, 5);
  // The first piece served twice: counted once.
  const std::vector<fragment::FragmentPtr> first = {
      Piece("AAPL", Interval::k1d, "yahoo", 100, 200)};
  st.RecordPiecesServed("AAPL", first);
  st.RecordPiecesServed("AAPL", first);
  CacheStats s;
  st.Fill(&s);
  ASSERT_EQ(s.utilization.size(), 2u);
  // By provider, then interval (1h before 1d).
  EXPECT_EQ(s.utilization[0].interval, Interval::k1h);
  const UtilizationStats& d = s.utilization[1];
  EXPECT_EQ(d.provider, "yahoo");
  EXPECT_EQ(d.interval, Interval::k1d);
  EXPECT_EQ(d.rows_stored, 22u);
  EXPECT_EQ(d.rows_served, 10u);
  EXPECT_DOUBLE_EQ(d.utilization, 10.0 / 22.0);
  EXPECT_EQ(d.bonus_rows_stored, 2u);
  EXPECT_EQ(d.bonus_rows_reused, 2u);
  EXPECT_EQ(d.fetches, 1u);
  EXPECT_DOUBLE_EQ(d.coverage, 22.0 / 20.0);
  EXPECT_DOUBLE_EQ(s.utilization[0].coverage, 0.5);
  EXPECT_DOUBLE_EQ(s.utilization[0].utilization, 0);
  // A coalesced piece spanning both serves k2 too (k1 is not counted again).
  const std::vector<fragment::FragmentPtr> merged = {
      Piece("AAPL", Interval::k1d, "yahoo", 100, 300),
      // Another series, or a piece this node never stored: no change.
      Piece("AAPL", Interval::k1d, "binance", 100, 300)};
  st.RecordPiecesServed("AAPL", merged);
  CacheStats s2;
  st.Fill(&s2);
  EXPECT_EQ(s2.utilization[1].rows_served, 22u);
  EXPECT_DOUBLE_EQ(s2.utilization[1].utilization, 1.0);
  EXPECT_EQ(s2.utilization.size(), 2u);
}

// Issue 16's soak: a long-running node stores and serves pieces without end;
// the tracking behind utilization must stay bounded and keep counting.
TEST(StatsRecorder, UtilizationTrackingStaysBoundedAndKeepsCounting) {
  StatsRecorder st;
  constexpr int kPieces = 100000;  // three times kMaxTrackedPieces
  for (int i = 0; i < kPieces; ++i) {
    const Timestamp start = 1000 + int64_t{i} * 100;
    st.RecordPieceStored("S" + std::to_string(i % 500), "yahoo", Interval::k1d,
                         {start, start + 100}, 3, 1);
    // Every other piece is served by a short-lived object (decoded, used,
    // dropped), as a hit path with a small hot tier does.
    if (i % 2 == 0) {
      const std::vector<fragment::FragmentPtr> one = {
          Piece("S" + std::to_string(i % 500), Interval::k1d, "yahoo", start, start + 100)};
      st.RecordPiecesServed("S" + std::to_string(i % 500), one);
    }
  }
  const StatsRecorder::TrackingSizes sz = st.tracking_sizes();
  EXPECT_LE(sz.waiting_pieces, size_t{32768});
  EXPECT_LE(sz.remembered_objects, size_t{2048});
  CacheStats s;
  st.Fill(&s);
  ASSERT_EQ(s.utilization.size(), 1u);
  EXPECT_EQ(s.utilization[0].rows_stored, 3u * kPieces);
  // Every served piece counted, the last ones included (tracking never stops).
  EXPECT_EQ(s.utilization[0].rows_served, 3u * (kPieces / 2));
  EXPECT_EQ(s.utilization[0].bonus_rows_reused, 1u * (kPieces / 2));

  // The newest unserved piece is still tracked: serving it now counts.
  const Timestamp last = 1000 + int64_t{kPieces - 1} * 100;
  const std::vector<fragment::FragmentPtr> late = {
      Piece("S" + std::to_string((kPieces - 1) % 500), Interval::k1d, "yahoo", last, last + 100)};
  st.RecordPiecesServed("S" + std::to_string((kPieces - 1) % 500), late);
  CacheStats s2;
  st.Fill(&s2);
  EXPECT_EQ(s2.utilization[0].rows_served, 3u * (kPieces / 2) + 3);
}

}  // namespace
}  // namespace finex::cache
