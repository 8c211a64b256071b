#include "finex/fragment/piece_cutter.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "tests/testutil/fake_calendar.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::fragment {
namespace {

using finex::testing::FakeCalendar;

Timestamp T(int y, int m, int d, int hh = 0, int mm = 0) {
  return DaysFromCivil({y, m, d}) * kSecondsPerDay + hh * kSecondsPerHour + mm * 60;
}

// Bars of `iv` the calendar has in r, every one present (or each dropped
// with probability `drop`).
FramePtr BarsIn(const FakeCalendar& cal, TimeRange r, Interval iv, std::mt19937_64* rng = nullptr,
                double drop = 0) {
  FrameBuilder b(FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose));
  for (const TimeRange& bar : cal.Bars(r, iv)) {
    if (rng && std::uniform_real_distribution<double>(0, 1)(*rng) < drop) continue;
    Bar x;
    x.symbol = "AAPL";
    x.timestamp = bar.start;
    x.open = x.high = x.low = x.close = x.adj_close = 100;
    x.volume = 1000;
    x.provider = "yahoo";
    x.currency = "usd";
    b.Add(x);
  }
  return *std::move(b).Finish();
}

CutInput Input(const FakeCalendar& cal, FramePtr frame, TimeRange call, Timestamp now,
               Interval iv = Interval::k1d) {
  CutInput in;
  in.symbol = "AAPL";
  in.interval = iv;
  in.provider = "yahoo";
  in.currency = "usd";
  in.frame = std::move(frame);
  in.asked_fields = FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose);
  in.call = call;
  in.calendar = &cal;
  in.now = now;
  in.unit = FragmentBucketUnit(iv, FragmentSize::kOptimized);
  return in;
}

TEST(PieceCutter, APastYearOfDailyBarsIsOneFinalPiece) {
  FakeCalendar cal;
  const Timestamp now = T(2024, 6, 15, 12);
  const TimeRange call{T(2022, 3, 1), T(2024, 1, 1)};
  auto pieces = CutPieces(Input(cal, BarsIn(cal, call, Interval::k1d), call, now));
  ASSERT_OK(pieces);
  ASSERT_EQ(pieces->size(), 2u);  // 2022 from March on, and 2023
  EXPECT_EQ((*pieces)[0].fragment.vouched, (TimeRange{T(2022, 3, 1), T(2023, 1, 1)}));
  EXPECT_EQ((*pieces)[1].fragment.vouched, (TimeRange{T(2023, 1, 1), T(2024, 1, 1)}));
  EXPECT_GT((*pieces)[1].bars->rows(), 250u);
  for (const Piece& p : *pieces) {
    EXPECT_TRUE(p.fragment.final);
    EXPECT_GT(p.ttl, 7 * kSecondsPerDay);  // historical data lives long
    EXPECT_EQ(p.fragment.fetched_at, now);
    EXPECT_EQ(p.fragment.expires_at, now + p.ttl);
  }
}

TEST(PieceCutter, TheKnownEmptyTimeBeforeAListingIsOnePiece) {
  FakeCalendar cal;
  const Timestamp now = T(2024, 6, 15, 12);
  // A whole-history call from 1970; the symbol listed in March 2010.
  const TimeRange call{0, T(2012, 1, 1)};
  auto pieces =
      CutPieces(Input(cal, BarsIn(cal, {T(2010, 3, 1), T(2012, 1, 1)}, Interval::k1d), call, now));
  ASSERT_OK(pieces);
  ASSERT_EQ(pieces->size(), 3u);  // 1970..2010-03 known empty, 2010, 2011
  EXPECT_TRUE((*pieces)[0].fragment.is_empty_answer());
  EXPECT_EQ((*pieces)[0].fragment.vouched, (TimeRange{0, T(2010, 1, 1)}));
  EXPECT_TRUE((*pieces)[0].fragment.final);
  EXPECT_EQ((*pieces)[1].fragment.vouched, (TimeRange{T(2010, 1, 1), T(2011, 1, 1)}));
}

TEST(PieceCutter, TheFormingBarGetsItsOwnShortLivedPiece) {
  FakeCalendar cal;
  const Timestamp now = T(2024, 6, 12, 16);  // Wednesday, session open
  const TimeRange call{T(2024, 6, 3), now + 1};
  auto in = Input(cal, BarsIn(cal, {T(2024, 6, 3), T(2024, 6, 13)}, Interval::k1d), call, now);
  in.last_bar_partial = true;
  auto pieces = CutPieces(in);
  ASSERT_OK(pieces);
  // Historical (before now - 7 days), recent and live.
  ASSERT_EQ(pieces->size(), 3u);
  const Piece& historical = (*pieces)[0];
  const Piece& final_part = (*pieces)[1];
  const Piece& live = (*pieces)[2];
  EXPECT_TRUE(historical.fragment.final);
  EXPECT_EQ(historical.fragment.vouched.end, T(2024, 6, 5));
  EXPECT_GT(historical.ttl, 7 * kSecondsPerDay);
  EXPECT_TRUE(final_part.fragment.final);
  EXPECT_EQ(final_part.fragment.vouched.end, T(2024, 6, 12));
  EXPECT_EQ(final_part.ttl, kSecondsPerDay);
  EXPECT_FALSE(live.fragment.final);
  EXPECT_EQ(live.fragment.vouched.start, T(2024, 6, 12));
  EXPECT_EQ(live.ttl, LiveTtl(Interval::k1d, now));
  EXPECT_EQ(live.bars->rows(), 1u);
}

TEST(PieceCutter, BeforeTheOpenAnEmptyLivePieceExpiresAtTheOpen) {
  FakeCalendar cal;
  const Timestamp now = T(2024, 6, 12, 14, 25);  // five minutes before the open
  const TimeRange call{T(2024, 6, 12), now + 1};
  auto pieces = CutPieces(Input(cal, Frame::Empty(), call, now));
  ASSERT_OK(pieces);
  ASSERT_EQ(pieces->size(), 1u);
  EXPECT_TRUE((*pieces)[0].fragment.is_empty_answer());
  EXPECT_EQ((*pieces)[0].ttl, 5 * 60);
}

TEST(PieceCutter, ACallCutShortAtTheRowCapVouchesOnlyToItsLastBar) {
  FakeCalendar cal(/*crypto=*/true);
  const Timestamp now = T(2024, 6, 15);
  const TimeRange call{T(2024, 1, 1), T(2024, 3, 1)};
  auto in = Input(cal, BarsIn(cal, {T(2024, 1, 1), T(2024, 1, 11)}, Interval::k1d), call, now);
  in.max_rows = 10;
  auto pieces = CutPieces(in);
  ASSERT_OK(pieces);
  ASSERT_EQ(pieces->size(), 1u);
  EXPECT_EQ((*pieces)[0].fragment.vouched, (TimeRange{T(2024, 1, 1), T(2024, 1, 11)}));
}

TEST(PieceCutter, TrimDropsBarsAfterThePastCall) {
  FakeCalendar cal;
  const TimeRange call{T(2024, 1, 1), T(2024, 2, 1)};
  FramePtr frame = BarsIn(cal, {T(2024, 1, 1), T(2024, 2, 6)}, Interval::k1d);
  TrimmedAnswer t = TrimToCall(frame, call, /*whole_history=*/false, /*last_bar_partial=*/true);
  EXPECT_LT(t.frame->last_timestamp(), call.end);
  EXPECT_FALSE(t.last_bar_partial);
  TrimmedAnswer whole = TrimToCall(frame, call, /*whole_history=*/true, true);
  EXPECT_EQ(whole.frame->rows(), frame->rows());
  EXPECT_TRUE(whole.last_bar_partial);
}

// Property: for random calls, answers (with holes) and "now", the pieces
// tile the answer's vouched time without overlap, each inside one bucket;
// every bar lands in exactly one piece; a final piece holds only final bars
// and a live piece starts where finality ends.
TEST(PieceCutter, PiecesTileTheVouchedTimeAndKeepEveryBar) {
  const uint64_t seed = finex::testing::TestSeed();
  std::mt19937_64 rng(seed);
  const Interval kIntervals[] = {Interval::k15m, Interval::k1h, Interval::k1d, Interval::k1w};
  for (int iter = 0; iter < 400; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter) + " seed " + std::to_string(seed));
    const bool crypto = rng() % 3 == 0;
    FakeCalendar cal(crypto);
    const Interval iv = kIntervals[rng() % 4];
    const Timestamp span = IsIntraday(iv) ? 20 * kSecondsPerDay : 400 * kSecondsPerDay;
    const Timestamp start = T(2023, 1, 1) + static_cast<Timestamp>(rng() % 300) * kSecondsPerDay;
    const TimeRange call{FloorToBar(start, iv),
                         FloorToBar(start, iv) + 1 + static_cast<Timestamp>(rng() % span)};
    // now: before, inside or after the call.
    const Timestamp now = call.start + static_cast<Timestamp>(rng() % (span + 5 * kSecondsPerDay)) -
                          2 * kSecondsPerDay;
    FramePtr frame = BarsIn(cal, {call.start, std::min(call.end, now + 1)}, iv, &rng, 0.1);
    CutInput in = Input(cal, frame, call, now, iv);
    in.last_bar_partial = rng() % 2 == 0;
    auto pieces = CutPieces(in);
    ASSERT_OK(pieces);
    TimeRangeSet covered;
    size_t rows = 0;
    Timestamp prev_cut = std::numeric_limits<Timestamp>::min();
    for (const Piece& p : *pieces) {
      const Fragment& f = p.fragment;
      ASSERT_FALSE(f.vouched.empty());
      // A piece reaches past its cut only to hold the whole of its last bar
      // (a weekly bar across a year end, an hourly bar anchored at :30 across
      // the hour "now" is floored to), so neighbours overlap inside that bar
      // at most.
      EXPECT_GE(f.vouched.start, prev_cut) << "pieces overlap or are out of order";
      const TimeRange bucket = BucketOf(f.vouched.start, in.unit);
      const Timestamp last_bar_end =
          p.bars->empty() ? bucket.end : NextBar(p.bars->last_timestamp(), iv);
      // Known-empty final time is one piece however many buckets it crosses.
      if (!(p.bars->empty() && f.final))
        EXPECT_LE(f.vouched.end, std::max(bucket.end, last_bar_end)) << "a piece crosses a bucket";
      prev_cut =
          p.bars->empty() ? std::min(f.vouched.end, bucket.end) : p.bars->last_timestamp() + 1;
      covered.Add(f.vouched);
      rows += p.bars->rows();
      EXPECT_EQ(f.rows, p.bars->rows());
      EXPECT_GE(p.ttl, 1);
      EXPECT_EQ(f.expires_at, now + p.ttl);
      if (!p.bars->empty()) {
        EXPECT_TRUE(f.vouched.Contains(p.bars->first_timestamp()));
        EXPECT_TRUE(f.vouched.Contains(p.bars->last_timestamp()));
        EXPECT_FALSE(f.is_empty_answer());
      } else {
        EXPECT_TRUE(f.is_empty_answer());
      }
      if (f.final) {
        for (size_t i = 0; i < p.bars->rows(); ++i)
          EXPECT_TRUE(IsFinal(cal, iv, p.bars->timestamps()[i], now))
              << "a final piece holds a live bar";
      }
    }
    EXPECT_EQ(rows, frame->rows()) << "a bar was lost or stored twice";
    // Everything asked for up to now is vouched for.
    const TimeRange asked = call.Intersect({call.start, std::max(call.start, now + 1)});
    if (!asked.empty()) EXPECT_TRUE(covered.Covers(asked));
  }
}

}  // namespace
}  // namespace finex::fragment
